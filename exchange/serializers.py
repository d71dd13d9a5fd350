import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exchange import permissions, selectors
from exchange.listings import ListingData
from exchange.models import Block, Listing, Report
from smartplatform.core.serializers import QuerySerializer, StrictInputSerializer
from smartplatform.organisations.models import Municipality, Organisation
from smartplatform.organisations.serializers import MunicipalityKeyField, municipality_codes

TRUE_FALSE = (("true", "true"), ("false", "false"))
# Coordinates shown to everyone but the owner: two decimals, about a kilometre.
PUBLIC_COORDINATE_DECIMALS = 2


_LATITUDE = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LONGITUDE = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
POINT_PATTERN = rf"^{_LATITUDE},{_LONGITUDE}$"


@extend_schema_field({"type": "string", "pattern": POINT_PATTERN, "example": "56.05,12.69"})
class PointField(serializers.CharField):
    """A point on the map as ``latitude,longitude`` in decimal degrees: (latitude, longitude).
    The schema's pattern is the whole rule, ranges included."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=60, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        text = super().to_internal_value(data)
        # Checked here: the length validators run on what this returns, a pair.
        if len(text) > 60:
            self.fail("max_length", max_length=60)
        if not re.fullmatch(POINT_PATTERN, text):
            raise serializers.ValidationError(
                _("Give a point as latitude,longitude, e.g. 56.05,12.69.")
            )
        latitude, longitude = (float(part) for part in text.split(","))
        return latitude, longitude


class ListingQuerySerializer(QuerySerializer):
    """The query parameters of the listing list (repeat a parameter to choose several)."""

    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    kind = serializers.ListField(
        child=serializers.ChoiceField(choices=Listing.Kind.choices), required=False
    )
    category = serializers.ListField(
        child=serializers.ChoiceField(choices=Listing.Category.choices), required=False
    )
    municipality = serializers.ListField(
        child=MunicipalityKeyField(),
        required=False,
        help_text="By four-digit code or slug; repeatable.",
    )
    tag = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text="Repeatable (listings with all of them).",
    )
    compensation = serializers.ListField(
        child=serializers.ChoiceField(choices=Listing.Compensation.choices), required=False
    )
    remote = serializers.ChoiceField(choices=TRUE_FALSE, required=False)
    organisation = serializers.SlugField(required=False, help_text="Organisation slug.")
    near = PointField(required=False, help_text="latitude,longitude, e.g. 56.05,12.69")
    radius_km = serializers.FloatField(
        required=False, min_value=0.1, max_value=500, help_text="With near: at most this far."
    )
    mine = serializers.ChoiceField(
        choices=TRUE_FALSE, required=False, help_text="true: your own listings, in every state."
    )
    ordering = serializers.ChoiceField(
        choices=[(name, name) for name in selectors.ORDERINGS],
        required=False,
        help_text="Default: relevance with a search, else newest. nearest needs near.",
    )

    def validate_municipality(self, values: list[str]) -> list[str]:
        return municipality_codes(values)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "radius_km" in attrs and "near" not in attrs:
            raise serializers.ValidationError({"radius_km": [_("Give near= with radius_km=.")]})
        return attrs

    def query(self) -> selectors.ListingQuery:
        data = self.validated_data
        remote = data.get("remote")
        return selectors.ListingQuery(
            search=data.get("search", "").strip(),
            kinds=list(dict.fromkeys(data.get("kind", []))),
            categories=list(dict.fromkeys(data.get("category", []))),
            municipalities=data.get("municipality", []),
            tags=[t.strip().lower() for t in data.get("tag", []) if t.strip()],
            compensations=list(dict.fromkeys(data.get("compensation", []))),
            remote=None if remote is None else remote == "true",
            organisation=data.get("organisation"),
            near=data.get("near"),
            radius_km=data.get("radius_km"),
            mine=data.get("mine") == "true",
            ordering=data.get("ordering"),
        )


class ListingOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ("slug", "name", "is_verified")


class ListingMunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ("code", "name")


class ChoiceValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class LocationSerializer(serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    exact = serializers.BooleanField(
        help_text="False: rounded to about a kilometre (only the owner sees the exact point)."
    )


class CompensationSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Listing.Compensation.choices)
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    amount_sek = serializers.IntegerField(allow_null=True)


class ListingImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()


class ListingImageUploadSerializer(StrictInputSerializer):
    image = serializers.FileField(help_text="A picture: JPEG, PNG, WebP or GIF, at most 5 MB.")


class ListingSerializer(serializers.ModelSerializer):
    """A listing as its reader sees it. The exact address and point only for its owner."""

    kind = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    owner_id = serializers.IntegerField(read_only=True)
    owner_name = serializers.CharField(source="owner.display_name")
    organisation = ListingOrganisationSerializer(allow_null=True)
    municipality = ListingMunicipalitySerializer()
    tags: Any = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    location = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    compensation = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()
    can_manage = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = (
            "id",
            "kind",
            "category",
            "title",
            "description",
            "tags",
            "owner_id",
            "owner_name",
            "organisation",
            "municipality",
            "location",
            "address",
            "remote",
            "compensation",
            "availability",
            "accessibility",
            "images",
            "state",
            "published_at",
            "expires_at",
            "created_at",
            "updated_at",
            "can_manage",
            "distance_km",
        )

    def _viewer(self) -> Any:
        request = self.context.get("request")
        return request.user if request is not None else None

    def _manages(self, listing: Listing) -> bool:
        cache: dict[int, bool] = self.__dict__.setdefault("_manages_cache", {})
        if listing.pk not in cache:
            viewer = self._viewer()
            cache[listing.pk] = viewer is not None and permissions.can_manage(viewer, listing)
        return cache[listing.pk]

    def _sees_address(self, listing: Listing) -> bool:
        # Asked by two fields per listing: decided once (one instance serves a whole list).
        cache: dict[int, bool] = self.__dict__.setdefault("_address_cache", {})
        if listing.pk not in cache:
            viewer = self._viewer()
            cache[listing.pk] = viewer is not None and permissions.can_see_address(viewer, listing)
        return cache[listing.pk]

    @extend_schema_field(ChoiceValueSerializer)
    def get_kind(self, listing: Listing) -> dict[str, str]:
        return {"value": listing.kind, "label": str(listing.get_kind_display())}

    @extend_schema_field(ChoiceValueSerializer)
    def get_category(self, listing: Listing) -> dict[str, str]:
        return {"value": listing.category, "label": str(listing.get_category_display())}

    @extend_schema_field(ChoiceValueSerializer)
    def get_state(self, listing: Listing) -> dict[str, str]:
        return {"value": listing.state, "label": str(listing.get_state_display())}

    @extend_schema_field(LocationSerializer(allow_null=True))
    def get_location(self, listing: Listing) -> dict[str, Any] | None:
        if listing.latitude is None or listing.longitude is None:
            return None
        if self._sees_address(listing):
            return {"latitude": listing.latitude, "longitude": listing.longitude, "exact": True}
        return {
            "latitude": round(listing.latitude, PUBLIC_COORDINATE_DECIMALS),
            "longitude": round(listing.longitude, PUBLIC_COORDINATE_DECIMALS),
            "exact": False,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_address(self, listing: Listing) -> str | None:
        """The exact address: for the listing's side, and for someone whose answer to it was
        accepted (null for everyone else)."""
        return listing.address if self._sees_address(listing) else None

    @extend_schema_field(CompensationSerializer)
    def get_compensation(self, listing: Listing) -> dict[str, Any]:
        return {
            "type": listing.compensation,
            "hours": None if listing.hours is None else str(listing.hours),
            "amount_sek": listing.amount_sek,
        }

    @extend_schema_field(ListingImageSerializer(many=True))
    def get_images(self, listing: Listing) -> list[dict[str, Any]]:
        request = self.context.get("request")
        return [
            {
                "id": image.pk,
                "url": request.build_absolute_uri(image.image.url) if request else image.image.url,
            }
            for image in listing.images.all()
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_can_manage(self, listing: Listing) -> bool:
        return self._manages(listing)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, listing: Listing) -> float | None:
        distance = getattr(listing, "distance_km", None)
        return None if distance is None else round(float(distance), 1)


class ListingWriteSerializer(StrictInputSerializer):
    """A listing as its owner writes it. On PATCH only the fields sent change; ``tags`` is
    replaced as a whole."""

    kind = serializers.ChoiceField(choices=Listing.Kind.choices)
    category = serializers.ChoiceField(choices=Listing.Category.choices)
    title = serializers.CharField(max_length=150)
    description = serializers.CharField(max_length=5000)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=10
    )
    municipality = MunicipalityKeyField(help_text="Four-digit code or slug.")
    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="Publish for this organisation (you must be its editor).",
    )
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    remote = serializers.BooleanField(required=False)
    compensation = serializers.ChoiceField(choices=Listing.Compensation.choices, required=False)
    hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=Decimal("0.25"),
        max_value=Decimal("100"),
        help_text="With time_credits: the hours it is worth.",
    )
    amount_sek = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=1_000_000
    )
    availability = serializers.CharField(max_length=500, required=False, allow_blank=True)
    accessibility = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    def validate_municipality(self, value: str) -> Municipality:
        (code,) = municipality_codes([value]) or [""]
        return Municipality.objects.get(code=code)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Listing | None = self.instance
        merged = {
            name: attrs.get(name, getattr(instance, name, None) if instance else None)
            for name in ("compensation", "hours", "amount_sek", "latitude", "longitude")
        }
        compensation = merged["compensation"] or Listing.Compensation.FREE
        errors: dict[str, list[str]] = {}
        if compensation == Listing.Compensation.TIME_CREDITS and not merged["hours"]:
            errors["hours"] = [_("Say how many hours it is worth.")]
        if compensation == Listing.Compensation.PAID and merged["amount_sek"] is None:
            errors["amount_sek"] = [_("Say the amount in SEK.")]
        if (merged["latitude"] is None) != (merged["longitude"] is None):
            errors["longitude" if merged["longitude"] is None else "latitude"] = [
                _("Give both latitude and longitude, or neither.")
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def listing_data(self) -> ListingData:
        data = dict(self.validated_data)
        return ListingData(**data, given=set(data))


class ReportCreateSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(
        choices=(("listing", "listing"), ("message", "message"), ("review", "review")),
        help_text="What is reported: a listing, a message of an exchange, a review.",
    )
    item = serializers.IntegerField(min_value=1, help_text="The reported item's id.")
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class ReportSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="content_type.model")
    item = serializers.IntegerField(source="object_id")
    status = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ("id", "kind", "item", "reason", "comment", "status", "created_at", "decided_at")

    @extend_schema_field(ChoiceValueSerializer)
    def get_status(self, made: Report) -> dict[str, str]:
        return {"value": made.status, "label": str(made.get_status_display())}


class BlockCreateSerializer(StrictInputSerializer):
    user = serializers.IntegerField(min_value=1, help_text="The id of the person to block.")


class BlockSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="blocked_id")
    display_name = serializers.CharField(source="blocked.display_name")

    class Meta:
        model = Block
        fields = ("user", "display_name", "created_at")
