"""Listings: what municipalities and residents offer and request (expertise, person-to-person
services, shared cars, meeting spaces)."""

import uuid
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartplatform.organisations.models import Municipality, Organisation

LISTING_LIFETIME = timedelta(days=90)


class ListingTag(models.Model):
    """A free tag, stored in lower case."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("listing tag")
        verbose_name_plural = _("listing tags")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Listing(models.Model):
    class Kind(models.TextChoices):
        OFFER = "offer", _("Offer")
        REQUEST = "request", _("Request")

    class Category(models.TextChoices):
        EXPERTISE = "expertise", _("Expertise")
        SERVICE = "service", _("Service")
        CAR = "car", _("Car")
        SPACE = "space", _("Space")

    class Compensation(models.TextChoices):
        FREE = "free", _("Free")
        TIME_CREDITS = "time_credits", _("Time credits")
        SWAP = "swap", _("Swap")
        PAID = "paid", _("Paid")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_REVIEW = "pending_review", _("Pending review")
        PUBLISHED = "published", _("Published")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        REMOVED = "removed", _("Removed")
        HIDDEN = "hidden", _("Hidden after reports")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), max_length=5000)
    tags = models.ManyToManyField(
        ListingTag, blank=True, related_name="listings", verbose_name=_("tags")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="listings",
        verbose_name=_("owner"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listings",
        verbose_name=_("on behalf of"),
        help_text=_("The organisation the owner publishes for (they must be its editor)."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="listings",
        verbose_name=_("municipality"),
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    address = models.CharField(
        _("exact address"),
        max_length=300,
        blank=True,
        help_text=_("Shown only to the owner (and later to the other party of an exchange)."),
    )
    remote = models.BooleanField(_("can be done remotely"), default=False)
    compensation = models.CharField(
        _("compensation"), max_length=12, choices=Compensation.choices, default=Compensation.FREE
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount_sek = models.PositiveIntegerField(_("amount (SEK)"), null=True, blank=True)
    availability = models.CharField(_("availability"), max_length=500, blank=True)
    accessibility = models.TextField(_("accessibility"), max_length=1000, blank=True)
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.DRAFT)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    expiry_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The analysed text searches run on (smartplatform.core.analysis), kept by the services;
    # PostgreSQL indexes a weighted tsvector of them (migration 0002).
    search_title = models.TextField(editable=False, default="")
    search_body = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(compensation="time_credits") | Q(hours__gt=0),
                name="exchange_listing_time_credits_have_hours",
            ),
            models.CheckConstraint(
                condition=~Q(compensation="paid") | Q(amount_sek__isnull=False),
                name="exchange_listing_paid_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="exchange_listing_both_coordinates_or_none",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["state", "municipality"]),
            models.Index(fields=["owner", "state"]),
            models.Index(fields=["-published_at", "-id"]),
            models.Index(fields=["state", "expires_at"]),
            # Counting what a filter finds reads this narrow index alone (an index-only
            # scan), not the wide rows: the filters, and what the count's joins need.
            models.Index(
                fields=["category", "kind", "municipality", "compensation", "remote"],
                include=["owner", "organisation", "id"],
                condition=Q(state="published"),
                name="listing_published_filters",
            ),
            # The first cut of a radius search: a box around the circle.
            models.Index(
                fields=["latitude", "longitude"],
                condition=Q(state="published"),
                name="listing_published_point",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def listing_image_path(image: "ListingImage", filename: str) -> str:
    return f"listings/{image.listing_id}/{uuid.uuid4().hex}.jpg"


class ListingImage(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=listing_image_path)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering: ClassVar = ["position", "pk"]

    def __str__(self) -> str:
        return self.image.name or ""
