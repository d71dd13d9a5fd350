"""The people the contract run signs in as, added to a database that holds the demo data.

Two residents whose objects must stay private to each other (the demo's Anna and Birgitta),
a moderator (staff, moderating every municipality) and a stock of spare residents: every
``DELETE /api/v1/me/`` erases the account it is sent as, so each one is sent as a spare
(``hooks.py``) and the two peers live through the whole run.

``seed`` then gives Anna (the identity schemathesis tries first) something of her own in
every state an operation needs: a project to edit and one to delete, a listing to delete, a
saved search, a webhook and members of her association, exchanges waiting for her to accept,
decline, cancel, confirm, dispute, write in or review, a review to edit, a car of hers booked
by Birgitta, a resource with a blackout. The runner hands these ids to schemathesis as
dictionaries the matching parameters draw from (``run.py``: ``SEED_BINDINGS``).

Run with ``python -m tests.contract.actors <spares> <out.json>``; it writes the actors'
emails and the seeded values there as JSON. Run it on a fresh database.
"""

import json
import sys
from pathlib import Path
from typing import Any

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


ASSOCIATION = "grannhjalpen-helsingborg"  # the demo association Anna runs


def _png() -> bytes:
    """A small picture, for a cover to remove."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), (40, 120, 80)).save(buffer, format="PNG")
    return buffer.getvalue()


def seed() -> dict[str, list[Any]]:
    """Objects for Anna to act on, by the name of the dictionary that offers them."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from exchange import exchanges, resources, reviews
    from matching import saved_searches
    from notifications.models import WebhookEndpoint
    from smartplatform.accounts.models import User
    from smartplatform.organisations.models import Membership, Organisation, Role
    from tests.catalogue.factories import make_project
    from tests.exchange.factories import booked_car, make_listing, resident

    anna = User.objects.get(email="anna@example.com")
    # Established, so that what she publishes is published at once rather than reviewed.
    User.objects.filter(pk=anna.pk, established_at=None).update(established_at=timezone.now())
    anna.refresh_from_db()
    birgitta = User.objects.get(email="birgitta@example.com")
    omar = User.objects.get(email="omar@example.com")
    association = Organisation.objects.get(slug=ASSOCIATION)
    with transaction.atomic():
        projects = [
            make_project(f"Grannhjälpens {what}", owner=association, municipality="1283")
            for what in ("läxhjälp", "cykelkök")
        ]
        to_delete = make_project(
            "Grannhjälpens gamla försök", owner=association, municipality="1283"
        )
        members = [resident(display_name=f"Medlem {n}") for n in range(3)]
        for member in members:
            Membership.objects.create(organisation=association, user=member, role=Role.MEMBER)
        webhook = WebhookEndpoint.objects.create(
            organisation=association,
            url="https://hooks.example.org/grannhjalpen",
            description="Föreningens kalender",
            secret="contract-run-secret",
            created_by=anna,
        )
        search = saved_searches.save(user=anna, name="Trädgård", params={"search": "trädgård"})
        listing = make_listing("Anna lånar ut sin stege", owner=anna)
        draft = make_listing("Annas utkast", owner=anna, published=False)  # only drafts go
        to_close, to_pause = (
            make_listing(title, owner=anna) for title in ("Annas gamla cykel", "Annas grill")
        )

        def answered(by: User, *, state: str) -> Any:
            exchange = exchanges.propose(actor=by, listing=listing, message="Hej Anna!")
            if state in {"accepted", "completed"}:
                exchange = exchanges.accept(actor=anna, exchange=exchange)
            if state == "completed":
                exchanges.confirm(actor=anna, exchange=exchange)
                exchange = exchanges.confirm(actor=by, exchange=exchange)
            return exchange

        people = [resident(display_name=f"Granne {n}") for n in range(11)]
        # Several to decline: accepting works on whatever proposed exchange it is shown.
        to_accept, *to_decline = (answered(who, state="proposed") for who in people[:5])
        to_cancel, to_confirm, to_dispute, talking = (
            answered(who, state="accepted") for who in people[5:9]
        )
        to_review, reviewed = (answered(who, state="completed") for who in people[9:11])
        to_join = Organisation.objects.create(
            name="Cykelköket Helsingborg", slug="cykelkoket", kind="association", is_verified=True
        )
        Membership.objects.create(organisation=to_join, user=birgitta, role=Role.ADMIN)
        review = reviews.write(actor=anna, exchange=reviewed, rating=5, text="Tack!")

        resource, booking = booked_car(anna, birgitta, "Annas elbil")
        resources.add_blackout(
            actor=anna,
            resource=resource,
            starts_at=booking.starts_at + timedelta(days=3),
            ends_at=booking.starts_at + timedelta(days=4),
            reason="Service",
        )
    with transaction.atomic():
        from django.core.files.uploadedfile import SimpleUploadedFile

        from catalogue import services as catalogue_services

        catalogue_services.set_cover_image(
            actor=anna, project=projects[0], upload=SimpleUploadedFile("omslag.png", _png())
        )
    return {
        "association": [ASSOCIATION],
        "own-project": [project.slug for project in projects],
        "project-with-cover": [projects[0].slug],
        "project-to-delete": [to_delete.slug],
        "member": [str(member.pk) for member in members],  # the path takes digits as text
        "webhook": [webhook.pk],
        "saved-search": [search.pk],
        "own-listing": [listing.pk],
        "listing-to-delete": [draft.pk],
        "listing-to-close": [to_close.pk],
        "listing-to-pause": [to_pause.pk],
        "organisation-to-join": [to_join.slug],
        "hours": [1, 2],
        "exchange": [talking.pk],
        "exchange-to-accept": [to_accept.pk],
        "exchange-to-decline": [exchange.pk for exchange in to_decline],
        "exchange-to-cancel": [to_cancel.pk],
        "exchange-to-confirm": [to_confirm.pk],
        "exchange-to-dispute": [to_dispute.pk],
        "exchange-to-review": [to_review.pk],
        "own-review": [review.pk],
        "car-booking": [booking.pk],
        "own-resource": [resource.pk],
        "neighbour": [birgitta.pk, omar.pk],
    }


if __name__ == "__main__":
    django.setup()
    spares, out = int(sys.argv[1]), Path(sys.argv[2])
    actors = ensure_actors(spares)
    out.write_text(json.dumps({"actors": actors, "seed": seed()}))
