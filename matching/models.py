"""Matches: for a listing, a complementary listing the engine ranked high, with its score and
what it rests on. One row per ordered pair; a dismissed pair stays, so it is never shown or
told again."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class Match(models.Model):
    listing = models.ForeignKey(
        "exchange.Listing",
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("listing"),
        help_text=_("The listing whose owner is shown the match."),
        # The pair's unique index and the best-first index both begin with it.
        db_index=False,
    )
    other = models.ForeignKey(
        "exchange.Listing",
        on_delete=models.CASCADE,
        related_name="matched_by",
        verbose_name=_("matched listing"),
    )
    score = models.FloatField(_("score"))
    signals = models.JSONField(_("signals"), default=dict)
    explanation = models.JSONField(_("explanation"), default=dict)
    engine_version = models.PositiveSmallIntegerField(_("engine version"))
    computed_at = models.DateTimeField(_("computed"))
    notified_at = models.DateTimeField(_("owner told"), null=True, blank=True)
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["listing", "other"], name="match_once_per_pair")
        ]
        indexes: ClassVar = [
            models.Index(fields=["listing", "-score"], name="match_best_first"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} -> {self.other_id} ({self.score:.2f})"


class SavedSearch(models.Model):
    """A listing search a person keeps ("bilpool i Klippan"): the same parameters as the
    listing list takes; a newly published listing that the search would find is told."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=100)
    params = models.JSONField(_("search"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering: ClassVar = ["-id"]

    def __str__(self) -> str:
        return self.name
