import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{5,28}$",
    _("Enter a phone number of digits, spaces and dashes, e.g. 070-123 45 67."),
    code="invalid_phone",
)


def avatar_path(user: "User", filename: str) -> str:
    # A fresh name per upload: a cached old picture is never shown for a new one.
    return f"avatars/{user.pk}/{uuid.uuid4().hex}.jpg"


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the platform. The email address is the login."""

    class Language(models.TextChoices):
        SWEDISH = "sv", _("Swedish")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    home_municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("home municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.SWEDISH
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    bio = models.TextField(_("about me"), max_length=500, blank=True)
    avatar = models.ImageField(_("picture"), upload_to=avatar_path, blank=True)
    managed_by = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_residents",
        help_text=_(
            "For a resident without email registered by a coordinator: the organisation. "
            "Empty once they have their own login."
        ),
    )
    moderated_municipalities = models.ManyToManyField(
        "organisations.Municipality",
        verbose_name=_("moderates in"),
        blank=True,
        related_name="moderators",
        help_text=_(
            "Staff only: the municipalities where this person moderates listings, reports, "
            "messages and reviews."
        ),
    )
    established_at = models.DateTimeField(
        _("established since"),
        null=True,
        blank=True,
        help_text=_(
            "Set when one of their listings is approved or an exchange of theirs completes: "
            "from then on their listings are published without review."
        ),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints: ClassVar = [
            # One account per address, whatever its case.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Addresses are stored lower-case, so lookups and the unique constraint agree.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
