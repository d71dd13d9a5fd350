"""Demo data for the embedded setup (``make run``): the catalogue's demo projects, imported
from ``catalogue/demo/projects.csv`` through the same import as the real spreadsheet, and an
editor at Höganäs kommun to try the editing API with."""

from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings

from catalogue.importing import import_catalogue, read_rows
from catalogue.models import Project
from smartplatform.accounts.models import User
from smartplatform.organisations.models import Membership, Organisation, Role

PROJECTS_FILE = Path(__file__).resolve().parent / "demo" / "projects.csv"
DEMO_EDITOR_EMAIL = "lars@example.com"


def load() -> str:
    for organisation in Organisation.objects.filter(
        kind=Organisation.Kind.MUNICIPALITY, contact_email=""
    ):
        # The municipalities' shared mailboxes, on the reserved .example domain.
        organisation.contact_email = f"kontakt@{organisation.slug}.example"
        organisation.save(update_fields=["contact_email"])
    editor, created = User.objects.get_or_create(
        email=DEMO_EDITOR_EMAIL,
        defaults={"display_name": "Lars Lindqvist", "home_municipality_id": "1284"},
    )
    if created:
        editor.set_password(settings.DEMO_RESIDENT_PASSWORD)
        editor.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=editor, email=editor.email, defaults={"verified": True, "primary": True}
    )
    Membership.objects.get_or_create(
        organisation=Organisation.objects.get(municipality_id="1284"),
        user=editor,
        defaults={"role": Role.EDITOR},
    )
    with PROJECTS_FILE.open("rb") as stream:
        report = import_catalogue(read_rows(stream, PROJECTS_FILE.name))
    if report.problems:
        raise ValueError(f"Demo projects do not import: {report.problems[:3]}")
    return (
        f"{Project.objects.count()} projects from {PROJECTS_FILE.name}; "
        f"editor {DEMO_EDITOR_EMAIL} (Höganäs kommun)"
    )
