import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

municipality_code_validator = RegexValidator(
    r"^\d{4}$", _("A municipality code is four digits, e.g. 1283."), code="invalid_code"
)


class Municipality(models.Model):
    """One of the municipalities of Familjen Helsingborg, known by its official code.

    The rows are reference data written by a data migration; the admin can read them but
    they change only through migrations.
    """

    code = models.CharField(
        _("municipality code"),
        max_length=4,
        primary_key=True,
        validators=[municipality_code_validator],
        help_text=_("The official four-digit code (kommunkod), e.g. 1283 for Helsingborg."),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    organisation_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    population = models.PositiveIntegerField(_("population"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


def logo_path(organisation: "Organisation", filename: str) -> str:
    # A fresh name per upload: a cached old logo is never shown for a new one.
    return f"logos/{organisation.pk or 'new'}/{uuid.uuid4().hex}.jpg"


class Organisation(models.Model):
    """A municipality, association, company or region that acts on the platform.

    Each municipality has exactly one Organisation of kind ``municipality``, linked one to one
    to its reference row (written by a data migration). Staff mark organisations verified.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        ASSOCIATION = "association", _("association")
        COMPANY = "company", _("company")
        REGION = "region", _("region")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipality = models.OneToOneField(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
        help_text=_("Only for organisations of kind municipality: the municipality itself."),
    )
    description = models.TextField(_("description"), max_length=5000, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    logo = models.ImageField(_("logo"), upload_to=logo_path, blank=True)
    is_verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Set by staff once they have checked the organisation is who it says."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="municipality", municipality__isnull=False)
                    | (~models.Q(kind="municipality") & models.Q(municipality__isnull=True))
                ),
                name="organisations_municipality_kind_has_its_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a member may do for an organisation. Ordered: each role can do all the ones
    before it."""

    MEMBER = "member", _("member")
    EDITOR = "editor", _("editor")
    ADMIN = "admin", _("admin")


ROLE_RANK = {Role.MEMBER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_coordinator = models.BooleanField(
        _("coordinator (ombud)"),
        default=False,
        help_text=_(
            "Registers residents without email and acts for them with their consent "
            "(staff at a meeting place, a time-bank coordinator). Granted by the "
            "organisation's admins."
        ),
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisations_one_membership_each"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.role})"


class JoinRequest(models.Model):
    """Someone asks to become a member; an admin of the organisation decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(status="pending"),
                name="organisations_one_pending_join_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation} ({self.status})"


class Invitation(models.Model):
    """An admin invites someone by email; the person accepts with the emailed code while
    signed in with that address."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        REVOKED = "revoked", _("revoked")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    # Only a hash is kept: the code itself exists in the invitee's email alone.
    code_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints: ClassVar = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=models.Q(status="pending"),
                name="organisations_one_pending_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.status})"
