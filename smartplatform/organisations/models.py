from typing import ClassVar

from django.core.validators import RegexValidator
from django.db import models
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
