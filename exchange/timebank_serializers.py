"""The time bank in the API: an account's hours, its ledger entries, and gifts of hours."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exchange import timebank
from exchange.models import Entry, TimeAccount, Transfer
from exchange.serializers import ChoiceValueSerializer
from smartplatform.core.serializers import StrictInputSerializer


class HolderSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TimeAccount.Kind.choices)
    id = serializers.IntegerField(allow_null=True, help_text="The member's or organisation's id.")
    name = serializers.CharField()


def holder(account: TimeAccount) -> dict[str, Any]:
    if account.kind == TimeAccount.Kind.MEMBER and account.user is not None:
        return {"kind": account.kind, "id": account.user_id, "name": account.user.display_name}
    if account.kind == TimeAccount.Kind.ORGANISATION and account.organisation is not None:
        return {
            "kind": account.kind,
            "id": account.organisation_id,
            "name": account.organisation.name,
        }
    return {"kind": TimeAccount.Kind.SYSTEM, "id": None, "name": _("Smart samhälle")}


class TimeAccountSerializer(serializers.Serializer):
    """Hours as strings with two decimals. ``available`` is what can still be given or
    reserved: the balance less the held hours, down to ``floor``."""

    holder = serializers.SerializerMethodField()
    balance = serializers.DecimalField(max_digits=9, decimal_places=2)
    held = serializers.DecimalField(max_digits=9, decimal_places=2)
    available = serializers.DecimalField(max_digits=9, decimal_places=2)
    floor = serializers.SerializerMethodField()

    @extend_schema_field(HolderSerializer)
    def get_holder(self, account: TimeAccount) -> dict[str, Any]:
        return holder(account)

    @extend_schema_field(serializers.DecimalField(max_digits=9, decimal_places=2))
    def get_floor(self, account: TimeAccount) -> str | None:
        if account.kind == TimeAccount.Kind.SYSTEM:
            return None
        return f"{timebank.credit_floor():.2f}"


class EntrySerializer(serializers.ModelSerializer):
    """One line of an account's statement: positive hours came in, negative went out."""

    kind = serializers.SerializerMethodField()
    note = serializers.CharField(source="transfer.note")
    counterparty = serializers.SerializerMethodField()
    transfer = serializers.IntegerField(source="transfer_id")

    class Meta:
        model = Entry
        fields = ("id", "hours", "kind", "note", "counterparty", "transfer", "created_at")

    @extend_schema_field(ChoiceValueSerializer)
    def get_kind(self, entry: Entry) -> dict[str, str]:
        return {"value": entry.transfer.kind, "label": str(entry.transfer.get_kind_display())}

    @extend_schema_field(HolderSerializer(allow_null=True))
    def get_counterparty(self, entry: Entry) -> dict[str, Any] | None:
        others = [leg for leg in entry.transfer.entries.all() if leg.pk != entry.pk]
        return holder(others[0].account) if len(others) == 1 else None


class TransferCreateSerializer(StrictInputSerializer):
    to = serializers.IntegerField(min_value=1, help_text="The member (user id) to give hours to.")
    hours = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000"),
        help_text="At most two decimals.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TransferSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()
    sender = serializers.SerializerMethodField(help_text="Whose hours went out.")
    recipient = serializers.SerializerMethodField(help_text="Whose hours came in.")

    class Meta:
        model = Transfer
        fields = ("id", "kind", "hours", "sender", "recipient", "note", "created_at")

    @extend_schema_field(ChoiceValueSerializer)
    def get_kind(self, transfer: Transfer) -> dict[str, str]:
        return {"value": transfer.kind, "label": str(transfer.get_kind_display())}

    def _legs(self, transfer: Transfer) -> tuple[Entry, Entry]:
        out, into = sorted(transfer.entries.all(), key=lambda entry: entry.hours)
        return out, into

    @extend_schema_field(serializers.DecimalField(max_digits=9, decimal_places=2))
    def get_hours(self, transfer: Transfer) -> str:
        return f"{self._legs(transfer)[1].hours:.2f}"

    @extend_schema_field(HolderSerializer)
    def get_sender(self, transfer: Transfer) -> dict[str, Any]:
        return holder(self._legs(transfer)[0].account)

    @extend_schema_field(HolderSerializer)
    def get_recipient(self, transfer: Transfer) -> dict[str, Any]:
        return holder(self._legs(transfer)[1].account)
