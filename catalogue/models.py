"""The catalogue of smart-society projects: what a municipality did, how, what it learned, and
whom to ask."""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from smartplatform.organisations.models import Municipality, Organisation


class Theme(models.Model):
    """One entry of the small, editable taxonomy of themes (digitalisering, mobilitet, ...).

    The first themes come from a data migration; staff edit them in the admin.
    """

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering: ClassVar = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the language of the request (Swedish unless English was asked for)."""
        if (get_language() or "sv").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Tag(models.Model):
    """A free tag, stored in lower case so "Öppna data" and "öppna data" are one tag."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


def cover_path(project: "Project", filename: str) -> str:
    return f"projects/{project.pk or 'new'}/{uuid.uuid4().hex}.jpg"


class Project(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")

    external_id = models.CharField(
        _("external id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The project's id in the municipalities' spreadsheet; imports update by it."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.TextField(_("what (summary)"), max_length=2000)
    purpose = models.TextField(_("why (purpose)"), max_length=5000, blank=True)
    method = models.TextField(
        _("how (method)"),
        max_length=10000,
        blank=True,
        help_text=_("How it was done: the part another municipality can borrow."),
    )
    results = models.TextField(_("results"), max_length=5000, blank=True)
    lessons = models.TextField(_("lessons learned"), max_length=5000, blank=True)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="catalogue_projects",
        verbose_name=_("owning organisation"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="catalogue_projects",
        verbose_name=_("municipality"),
        help_text=_("Where the project counts in searches: the owning municipality."),
    )
    participants = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="participating_projects",
        verbose_name=_("participating organisations"),
    )
    partners = models.JSONField(
        _("other partners"),
        default=list,
        blank=True,
        help_text=_("Partners without an account on the platform, by name."),
    )
    themes = models.ManyToManyField(Theme, related_name="projects", verbose_name=_("themes"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="projects", verbose_name=_("tags"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)
    cover_image = models.ImageField(_("cover image"), upload_to=cover_path, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    borrowed_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reused_by",
        verbose_name=_("method borrowed from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The analysed text searches run on (smartplatform.core.analysis), kept by the services.
    # PostgreSQL also keeps a weighted tsvector of them in a generated column with a GIN index
    # (migration 0002); SQLite searches these columns directly.
    search_title = models.TextField(editable=False, default="")
    search_keywords = models.TextField(editable=False, default="")
    search_summary = models.TextField(editable=False, default="")
    search_body = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=F("start_year")),
                name="catalogue_project_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(borrowed_from=F("pk")),
                name="catalogue_project_not_borrowed_from_itself",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["is_published", "municipality"]),
            models.Index(fields=["-updated_at", "-id"]),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectContact(models.Model):
    """A person to ask about a project. Their email and phone are never published or
    bulk-exported: requests reach them through the platform."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="catalogue_contacts",
        verbose_name=_("account"),
        help_text=_("The contact's own account, when they have one."),
    )
    last_confirmed = models.DateField(_("last confirmed"), null=True, blank=True)
    confirmation_requested_at = models.DateTimeField(
        _("confirmation last requested"), null=True, blank=True, editable=False
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering: ClassVar = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class ProjectLink(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("report")
        WEBSITE = "website", _("website")
        VIDEO = "video", _("video")
        OTHER = "other", _("other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("address"), max_length=500)
    title = models.CharField(_("title"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering: ClassVar = ["position", "pk"]

    def __str__(self) -> str:
        return self.url


class ContactRequest(models.Model):
    """Someone asks a project's people about it: to borrow the method, to learn more, or to
    work together.

    It reaches the project's contacts and the owning organisation's own contact address by
    email (``ContactRequestRecipient``), with a signed link to answer, so it is answered even
    when a contact has left their job. A request to a municipality is a public record: it
    stays when the project is deleted or the sender deletes their account (anonymised).
    """

    class Kind(models.TextChoices):
        BORROW_METHOD = "borrow_method", _("I want to borrow the method")
        MORE_INFO = "more_info", _("Tell me more")
        COLLABORATE = "collaborate", _("Let's collaborate")

    class Status(models.TextChoices):
        NEW = "new", _("New request")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        related_name="contact_requests",
        verbose_name=_("project"),
    )
    project_title = models.CharField(_("project title"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="catalogue_contact_requests",
        verbose_name=_("receiving organisation"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="catalogue_contact_requests",
        verbose_name=_("sender"),
    )
    sender_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent for"),
        help_text=_("The organisation the sender asks for, when they are one of its members."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("message"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("contacts reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("editors told"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["sender", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.project_title}"


class ContactRequestRecipient(models.Model):
    """An address a contact request was emailed to, with its own signed answer link."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("project contact")
        ORGANISATION = "organisation", _("organisation's contact address")

    request = models.ForeignKey(ContactRequest, on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    contact = models.ForeignKey(
        ProjectContact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["request", "email"], name="catalogue_contact_request_recipient_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContactRequestMessage(models.Model):
    """A reply or a follow-up in a request's conversation, relayed by email: neither side
    sees the other's address."""

    class Side(models.TextChoices):
        SENDER = "sender", _("sender")
        RECEIVER = "receiver", _("receiver")

    request = models.ForeignKey(ContactRequest, on_delete=models.CASCADE, related_name="messages")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author's account"),
    )
    recipient = models.ForeignKey(
        ContactRequestRecipient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered through the link of"),
    )
    author_name = models.CharField(_("author"), max_length=200)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering: ClassVar = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"
