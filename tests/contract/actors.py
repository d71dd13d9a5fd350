"""The people the contract run signs in as, added to a database that holds the demo data.

Two residents whose objects must stay private to each other (the demo's Anna and Birgitta),
a moderator (staff, moderating every municipality) and a stock of spare residents: every
``DELETE /api/v1/me/`` erases the account it is sent as, so each one is sent as a spare
(``hooks.py``) and the two peers live through the whole run.

Run with ``python -m tests.contract.actors <spares>``; it prints the WFC auth document's
entries as JSON and is idempotent.
"""

import json
import sys

import django

MODERATOR_EMAIL = "moderator@example.com"
SPARE_EMAIL = "spare-{n}@example.com"


def ensure_actors(spares: int) -> dict[str, str]:
    """Create whoever is missing; return each actor's email by name."""
    from allauth.account.models import EmailAddress
    from django.conf import settings

    from smartplatform.accounts.models import User
    from smartplatform.organisations.models import Municipality

    password = settings.DEMO_RESIDENT_PASSWORD
    moderator, created = User.objects.get_or_create(
        email=MODERATOR_EMAIL,
        defaults={"display_name": "Moderator", "is_staff": True, "home_municipality_id": "1283"},
    )
    if created:
        moderator.set_password(password)
        moderator.save(update_fields=["password"])
        moderator.moderated_municipalities.set(Municipality.objects.all())
    actors = {"anna": "anna@example.com", "birgitta": "birgitta@example.com"}
    actors["moderator"] = MODERATOR_EMAIL
    for n in range(spares):
        email = SPARE_EMAIL.format(n=n)
        spare, created = User.objects.get_or_create(
            email=email, defaults={"display_name": f"Spare {n}", "home_municipality_id": "1283"}
        )
        if created:
            spare.set_password(password)
            spare.save(update_fields=["password"])
        actors[f"spare-{n}"] = email
    for email in actors.values():
        user = User.objects.get(email=email)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return actors


if __name__ == "__main__":
    django.setup()
    spares = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    sys.stdout.write(json.dumps(ensure_actors(spares)) + "\n")
