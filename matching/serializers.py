from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue.serializers import ProjectListSerializer
from exchange.models import Listing
from exchange.serializers import ListingMunicipalitySerializer
from matching import saved_searches
from matching.engine import Explanation
from matching.models import Match, SavedSearch
from matching.services import explain
from smartplatform.core.serializers import StrictInputSerializer


class MatchedListingSerializer(serializers.ModelSerializer):
    municipality = ListingMunicipalitySerializer()
    link = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = ("id", "title", "kind", "category", "municipality", "link")

    def get_link(self, listing: Listing) -> str:
        return f"/api/v1/listings/{listing.pk}/"


class ReasonsSerializer(serializers.Serializer):
    words = serializers.ListField(child=serializers.CharField())
    topics = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())
    km = serializers.IntegerField(allow_null=True)
    remote = serializers.BooleanField()
    when = serializers.ListField(child=serializers.CharField(), required=False)
    completed = serializers.IntegerField(
        required=False, help_text="Exchanges the other listing's owner has completed."
    )
    rating = serializers.FloatField(
        required=False, allow_null=True, help_text="The other owner's average review, 1 to 5."
    )
    reviews = serializers.IntegerField(
        required=False, help_text="Reviews the other listing's owner has received."
    )
    departure_gap = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Two lifts: minutes between their nearest departures (null: never both).",
    )
    departures_meet = serializers.BooleanField(
        required=False, help_text="Two lifts: their departures meet within their flexibility."
    )
    route = serializers.BooleanField(
        required=False,
        help_text="Two lifts: km is the farther apart of their starts and of their ends.",
    )


class MatchSerializer(serializers.ModelSerializer):
    """A match for one of your listings: ``explanation`` says in plain words what it rests
    on; ``reasons`` and ``signals`` are the same in parts (signals 0 to 1; the score is
    ``(text + 1.2 topics + 0.3 tags) * place * time + 0.04 fresh + 0.04 trust``)."""

    listing = serializers.SerializerMethodField()
    other = MatchedListingSerializer()
    explanation = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = (
            "id",
            "listing",
            "other",
            "score",
            "explanation",
            "reasons",
            "signals",
            "computed_at",
        )

    @extend_schema_field(MatchedListingSerializer)
    def get_listing(self, match: Match) -> dict[str, Any]:
        return dict(MatchedListingSerializer(match.listing).data)

    def get_explanation(self, match: Match) -> str:
        return explain(Explanation(**match.explanation))

    @extend_schema_field(ReasonsSerializer)
    def get_reasons(self, match: Match) -> dict[str, Any]:
        return dict(match.explanation)


class SavedSearchSerializer(serializers.ModelSerializer):
    """A kept listing search: ``search`` holds the listing list's own parameters (search,
    kind, category, municipality, tag, compensation, remote, organisation, near,
    radius_km)."""

    search = serializers.JSONField(source="params")

    class Meta:
        model = SavedSearch
        fields = ("id", "name", "search", "created_at")


@extend_schema_field(
    {
        "type": "object",
        "properties": {name: {} for name in saved_searches.KEPT},
        "additionalProperties": False,
        "minProperties": 1,
    }
)
class SearchParametersField(serializers.DictField):
    """The listing list's parameters a saved search keeps; any other name is a 400 (it
    would otherwise be dropped, and the search saved without the filter meant)."""

    def to_internal_value(self, data: Any) -> Any:
        params = super().to_internal_value(data)
        unknown = sorted(set(params) - set(saved_searches.KEPT))
        if unknown:
            raise serializers.ValidationError(
                _("Not a filter a search keeps: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return params


class SavedSearchCreateSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    search = SearchParametersField(
        help_text='The listing list\'s parameters, e.g. {"search": "bilpool", '
        '"municipality": ["1276"]}.'
    )


class PartnerContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()


class PartnerSerializer(serializers.Serializer):
    """A catalogue project that did what the need asks. Its contacts are reached through the
    project's contact request (``POST /api/v1/catalogue/projects/{slug}/contact-requests/``);
    their addresses are never shown."""

    project = ProjectListSerializer()
    contacts = PartnerContactSerializer(many=True)
    score = serializers.FloatField()
    suggestion = serializers.CharField()
    explanation = serializers.CharField()
    reasons = ReasonsSerializer()
