"""Demo data for the embedded setup (``make run``): a resident to sign in as, and an
association she runs, with her as its coordinator."""

from allauth.account.models import EmailAddress
from django.conf import settings

from smartplatform.accounts.models import User
from smartplatform.organisations.models import Membership, Organisation, Role

DEMO_RESIDENT_EMAIL = "anna@example.com"


def load() -> str:
    anna, created = User.objects.get_or_create(
        email=DEMO_RESIDENT_EMAIL,
        defaults={
            "display_name": "Anna Andersson",
            "home_municipality_id": "1283",
            "bio": "Pensionär på Söder. Hjälper gärna till i trädgården.",
        },
    )
    if created:
        anna.set_password(settings.DEMO_RESIDENT_PASSWORD)
        anna.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=anna, email=anna.email, defaults={"verified": True, "primary": True}
    )
    association, _ = Organisation.objects.get_or_create(
        slug="grannhjalpen-helsingborg",
        defaults={
            "name": "Grannhjälpen Helsingborg",
            "kind": Organisation.Kind.ASSOCIATION,
            "description": "Grannar som hjälper grannar: trädgård, handling, skjuts och fika.",
            "is_verified": True,
        },
    )
    Membership.objects.get_or_create(
        organisation=association,
        user=anna,
        defaults={"role": Role.ADMIN, "is_coordinator": True},
    )
    return (
        f"resident {DEMO_RESIDENT_EMAIL} / {settings.DEMO_RESIDENT_PASSWORD}, "
        f"admin and coordinator of {association.name}"
    )
