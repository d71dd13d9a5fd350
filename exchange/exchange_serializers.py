"""Exchanges in the API."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exchange import permissions, reviews
from exchange.models import Exchange, Message, Review
from exchange.serializers import ChoiceValueSerializer
from smartplatform.core.serializers import QuerySerializer, StrictInputSerializer


class PartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PartyOrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class SideSerializer(serializers.Serializer):
    person = PartySerializer()
    organisation = PartyOrganisationSerializer(allow_null=True)


class ExchangeListingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    category = serializers.CharField()
    compensation = serializers.CharField()
    municipality = serializers.CharField(help_text="Four-digit code.")


class ConfirmationsSerializer(serializers.Serializer):
    listing_side = serializers.DateTimeField(allow_null=True)
    responder_side = serializers.DateTimeField(allow_null=True)


def _side(person: Any, organisation: Any) -> dict[str, Any]:
    return {
        "person": {"id": person.pk, "name": person.display_name},
        "organisation": (
            {"slug": organisation.slug, "name": organisation.name} if organisation else None
        ),
    }


class ExchangeSerializer(serializers.ModelSerializer):
    """An exchange as one of its sides (or a moderator) sees it. ``my_side`` is ``listing``,
    ``responder`` or null (a moderator); ``address`` is the listing's exact address, shown to
    the listing's side and, once accepted, to the responder's."""

    state = serializers.SerializerMethodField()
    listing = serializers.SerializerMethodField()
    listing_side = serializers.SerializerMethodField()
    responder_side = serializers.SerializerMethodField()
    my_side = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    confirmed = serializers.SerializerMethodField()
    completes_at = serializers.SerializerMethodField()

    class Meta:
        model = Exchange
        fields = (
            "id",
            "state",
            "listing",
            "listing_side",
            "responder_side",
            "my_side",
            "hours",
            "address",
            "confirmed",
            "completes_at",
            "reason",
            "created_at",
            "accepted_at",
            "completed_at",
            "state_changed_at",
        )

    def _edits(self) -> set[int]:
        # The organisations the viewer edits, read once for a whole page.
        if "_edits_cache" not in self.__dict__:
            self.__dict__["_edits_cache"] = permissions.organisations_edited_by(self._subject())
        edits: set[int] = self.__dict__["_edits_cache"]
        return edits

    def _subject(self) -> Any:
        """Whom the request acts for: the signed-in person, or the resident a coordinator
        acts for."""
        return self.context.get("subject") or self.context["request"].user

    def _my_side(self, exchange: Exchange) -> str | None:
        subject = self._subject()
        edits = self._edits()
        listing = exchange.listing
        if listing.owner_id == subject.pk or listing.organisation_id in edits:
            return "listing"
        if exchange.responder_id == subject.pk or exchange.responder_organisation_id in edits:
            return "responder"
        return None

    @extend_schema_field(ChoiceValueSerializer)
    def get_state(self, exchange: Exchange) -> dict[str, str]:
        return {"value": exchange.state, "label": str(exchange.get_state_display())}

    @extend_schema_field(ExchangeListingSerializer)
    def get_listing(self, exchange: Exchange) -> dict[str, Any]:
        listing = exchange.listing
        return {
            "id": listing.pk,
            "title": listing.title,
            "kind": listing.kind,
            "category": listing.category,
            "compensation": listing.compensation,
            "municipality": listing.municipality_id,
        }

    @extend_schema_field(SideSerializer)
    def get_listing_side(self, exchange: Exchange) -> dict[str, Any]:
        return _side(exchange.listing.owner, exchange.listing.organisation)

    @extend_schema_field(SideSerializer)
    def get_responder_side(self, exchange: Exchange) -> dict[str, Any]:
        return _side(exchange.responder, exchange.responder_organisation)

    @extend_schema_field(serializers.ChoiceField(choices=["listing", "responder"], allow_null=True))
    def get_my_side(self, exchange: Exchange) -> str | None:
        return self._my_side(exchange)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_address(self, exchange: Exchange) -> str | None:
        side = self._my_side(exchange)
        if side == "listing" or (
            side == "responder" and exchange.state in permissions.ADDRESS_STATES
        ):
            return exchange.listing.address or None
        return None

    @extend_schema_field(ConfirmationsSerializer)
    def get_confirmed(self, exchange: Exchange) -> dict[str, Any]:
        return {
            "listing_side": exchange.owner_confirmed_at,
            "responder_side": exchange.responder_confirmed_at,
        }

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_completes_at(self, exchange: Exchange) -> Any:
        """When one side confirmed and the other is silent: when it completes by itself."""
        if exchange.state != Exchange.State.ACCEPTED:
            return None
        confirmations = [exchange.owner_confirmed_at, exchange.responder_confirmed_at]
        if confirmations.count(None) != 1:
            return None
        first = next(moment for moment in confirmations if moment is not None)
        when = first + timedelta(days=settings.EXCHANGE_AUTO_COMPLETE_DAYS)
        return serializers.DateTimeField().to_representation(when)


class ExchangeCreateSerializer(StrictInputSerializer):
    listing = serializers.IntegerField(min_value=1)
    message = serializers.CharField(max_length=5000, help_text="The first message to the owner.")
    hours = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000"),
        required=False,
        help_text="For listings paid in time credits: the hours agreed (default: the listing's).",
    )
    organisation = serializers.SlugField(
        required=False, help_text="Answer for this organisation (you are one of its editors)."
    )


class ReasonSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RequiredReasonSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=2000)


class ExchangeQuerySerializer(QuerySerializer):
    state = serializers.ListField(
        child=serializers.ChoiceField(choices=Exchange.State.choices), required=False
    )
    role = serializers.ChoiceField(
        choices=[("listing", "listing"), ("responder", "responder")],
        required=False,
        help_text="listing: answers to your listings; responder: your answers to others'.",
    )


class MessageSerializer(serializers.ModelSerializer):
    """A message of the thread. ``body`` is null for a message hidden after reports, except
    to its writer and the moderators."""

    sender = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ("id", "sender", "mine", "body", "hidden", "created_at", "read_at")

    def _subject(self) -> Any:
        return self.context.get("subject") or self.context["request"].user

    @extend_schema_field(PartySerializer)
    def get_sender(self, message: Message) -> dict[str, Any]:
        return {"id": message.sender_id, "name": message.sender.display_name}

    @extend_schema_field(serializers.BooleanField())
    def get_mine(self, message: Message) -> bool:
        return bool(message.sender_id == self._subject().pk)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, message: Message) -> str | None:
        if message.hidden_at is None or self.get_mine(message) or self.context.get("moderating"):
            return message.body
        return None

    @extend_schema_field(serializers.BooleanField())
    def get_hidden(self, message: Message) -> bool:
        return message.hidden_at is not None


class MessageCreateSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=5000)


class ReviewSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    editable_until = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = (
            "id",
            "exchange",
            "author",
            "subject",
            "rating",
            "text",
            "created_at",
            "updated_at",
            "editable_until",
        )

    @extend_schema_field(PartySerializer)
    def get_author(self, review: Review) -> dict[str, Any]:
        return {"id": review.author_id, "name": review.author.display_name}

    @extend_schema_field(PartySerializer)
    def get_subject(self, review: Review) -> dict[str, Any]:
        return {"id": review.subject_id, "name": review.subject.display_name}

    @extend_schema_field(serializers.DateTimeField())
    def get_editable_until(self, review: Review) -> Any:
        return serializers.DateTimeField().to_representation(
            review.created_at + reviews.EDIT_WINDOW
        )


class ReviewCreateSerializer(StrictInputSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReviewUpdateSerializer(StrictInputSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReviewQuerySerializer(QuerySerializer):
    user = serializers.IntegerField(min_value=1, help_text="Reviews about this person.")


class ReadReceiptSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many messages this marked read.")
