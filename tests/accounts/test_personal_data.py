"""Export and deletion of everything about a person (GDPR), through the hooks every app
registers, checked against a walk of every model and a scan of every text column."""

import json
from decimal import Decimal
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.functions import Cast
from rest_framework.test import APIClient

from catalogue import contact_requests
from exchange import timebank
from exchange.models import Listing
from smartplatform.accounts import personal_data
from smartplatform.accounts.models import User
from smartplatform.assistance.models import Act, Consent, LoginCode
from smartplatform.core.events import publish
from smartplatform.organisations.models import Invitation, JoinRequest, Membership, Organisation
from tests.accounts.clients import PASSWORD, AuthClient
from tests.catalogue.factories import make_project
from tests.exchange.factories import make_listing
from tests.factories import IdempotencyRecordFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NAME = "Gunvor Kvist"
EMAIL = "gunvor.kvist@example.se"
PHONE = "070-555 12 34"
SECOND_EMAIL = "gunvor.privat@example.se"


def models_linked_to_users() -> set[type[models.Model]]:
    linked = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue  # its rows are its concrete model's, handled there
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is User:
                linked.add(model)
    return linked | {User}


def test_every_model_with_a_link_to_users_has_export_and_erasure():
    missing = models_linked_to_users() - personal_data.handled_models()

    assert not missing, "no personal-data handler for " + ", ".join(
        sorted(m._meta.label for m in missing)
    )


@pytest.fixture
def person(django_capture_on_commit_callbacks) -> User:
    """Someone who has used most of the platform, signed in through the app client."""
    user = UserFactory.create(email=EMAIL, display_name=NAME, phone=PHONE, bio="Gillar fika.")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    club = Organisation.objects.create(name="Syföreningen", slug="syforeningen", kind="other")
    Membership.objects.create(organisation=club, user=user, role="member")
    other = Organisation.objects.create(name="Schackklubben", slug="schack", kind="other")
    JoinRequest.objects.create(organisation=other, user=user, message=f"Hej, {NAME} här!")
    Invitation.objects.create(
        organisation=other,
        email=EMAIL,
        code_hash="1" * 64,
        expires_at="2030-01-01T00:00:00Z",
    )
    IdempotencyRecordFactory.create(user=user, response_body={"display_name": NAME})
    staff = StaffFactory.create()
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[user], action_flag=CHANGE, change_message="[]"
    )
    # Admin log entries about other objects whose text names the person.
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=list(Membership.objects.filter(user=user)),
        action_flag=CHANGE,
        change_message="[]",
    )
    # A second address on the account, with an invitation sent to it.
    EmailAddress.objects.create(user=user, email=SECOND_EMAIL, verified=True, primary=False)
    Invitation.objects.create(
        organisation=club, email=SECOND_EMAIL, code_hash="3" * 64, expires_at="2030-01-01T00:00:00Z"
    )
    # Assisted use: a consent, a one-time code and an act on the person's behalf.
    Consent.objects.create(resident=user, organisation=club, statement=f"Jag, {NAME}, samtycker.")
    LoginCode.objects.create(resident=user, code_hash="4" * 64, expires_at="2030-01-01T00:00:00Z")
    Act.objects.create(resident=user, coordinator=staff, organisation=club, action="x")
    publish("test.profile_seen", {"user": user.pk})
    # The catalogue: named as a project's contact (under the second address), asking about
    # another project, and answering a request through the emailed link.
    own = make_project(
        "Syföreningens lappcafé",
        owner="1284",
        contacts=({"name": NAME, "email": SECOND_EMAIL, "phone": PHONE},),
    )
    tvilling = make_project("Digital tvilling", owner="1284")
    asked = contact_requests.send_contact_request(
        sender=user, project=tvilling, kind="more_info", message="Hur gjorde ni?"
    )
    contact_requests.write_message(request=asked, body="Och vad kostade det?", by=user)
    received = contact_requests.send_contact_request(
        sender=staff, project=own, kind="collaborate", message="Ska vi samarbeta?"
    )
    contact_requests.write_message(
        request=received, body="Gärna!", recipient=received.recipients.get(email=SECOND_EMAIL)
    )
    # The exchange: a published listing with the person's home address, and a draft.
    user.established_at = user.date_joined
    user.save(update_fields=["established_at"])
    make_listing("Stickcafé, utkast", owner=user, published=False)
    make_listing(
        "Stickcafé i Bjuv",
        owner=user,
        address="Storgatan 1, Bjuv",
        latitude=56.08,
        longitude=12.92,
    )
    # The time bank: hours given with a note that names the person, and hours received.
    neighbour = UserFactory.create()
    timebank.give_hours(giver=user, recipient_id=neighbour.pk, hours="2", note=f"Tack! /{NAME}")
    timebank.give_hours(giver=neighbour, recipient_id=user.pk, hours="0.5", note="Varsågod")
    # Exchanges: one completed with a review each way, one still under way with hours held.
    from exchange import exchanges
    from exchange.models import Review

    gardener = make_listing("Trädgårdshjälp", compensation="time_credits", hours=1)
    done = exchanges.propose(actor=user, listing=gardener, message=f"Hej, {NAME} här!")
    exchanges.accept(actor=gardener.owner, exchange=done)
    exchanges.confirm(actor=user, exchange=done)
    exchanges.confirm(actor=gardener.owner, exchange=done)
    Review.objects.create(
        exchange=done, author=user, subject=gardener.owner, rating=5, text=f"Tack! /{NAME}"
    )
    Review.objects.create(
        exchange=done, author=gardener.owner, subject=user, rating=4, text="Trevlig, Gunvor!"
    )
    mower = make_listing("Gräsklippning", compensation="time_credits", hours=1)
    open_one = exchanges.propose(actor=user, listing=mower, message="Kan du i helgen?")
    exchanges.accept(actor=mower.owner, exchange=open_one)
    # Bookings: a room booked for next week with a note naming the person, one in the past.
    from datetime import timedelta

    from django.utils import timezone

    from exchange import bookings, resources
    from exchange.models import Booking

    room_listing = make_listing("Mötesrum", category="space")
    room = resources.describe(
        actor=room_listing.owner, listing=room_listing, facts={"instant_booking": True}
    )
    ahead = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
    bookings.book(
        booker=user,
        resource=room,
        slots=[bookings.Slot(ahead, ahead + timedelta(hours=2))],
        note=f"Syföreningen, kontakt {NAME}",
    )
    Booking.objects.create(
        resource=room,
        booker=user,
        starts_at=ahead - timedelta(days=30),
        ends_at=ahead - timedelta(days=30, hours=-1),
        blocked_until=ahead - timedelta(days=30, hours=-1),
        state="completed",
    )
    # A lift ahead, and a car booking with the person's note on its condition at pick-up.
    from exchange import lifts
    from smartplatform.organisations.models import Municipality

    lift_listing = make_listing("Samåkning", category="car")
    trip = lifts.describe_trip(
        actor=lift_listing.owner,
        listing=lift_listing,
        facts={
            "from_municipality": Municipality.objects.get(code="1275"),
            "to_municipality": Municipality.objects.get(code="1283"),
            "departs_at": ahead,
            "seats": 3,
        },
    )
    lifts.book_seats(passenger=user, trip=trip, departure=ahead, seats=1)
    car_listing = make_listing("Elbil", category="car")
    car = resources.describe(
        actor=car_listing.owner, listing=car_listing, facts={"instant_booking": True}
    )
    [car_booking] = bookings.book(
        booker=user,
        resource=car,
        slots=[bookings.Slot(ahead, ahead + timedelta(hours=2))],
        driver_confirmed=True,
    )
    bookings.report_condition(
        actor=user, booking=car_booking, stage="pickup", text=f"Repa. /{NAME}", photos=[]
    )
    return user


def signed_in_app(capture) -> AuthClient:
    app = AuthClient("app", capture)
    response = app.auth("post", "auth/login", {"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200
    return app


def test_the_export_holds_every_row_about_the_person(person, django_capture_on_commit_callbacks):
    app = signed_in_app(django_capture_on_commit_callbacks)

    response = app.api("get", "me/export/")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = response.json()
    assert document["account"]["email"] == EMAIL
    assert document["account"]["phone"] == PHONE
    assert sorted(document["email_addresses"], key=lambda a: a["email"]) == [
        {"email": EMAIL, "verified": True, "primary": True},
        {"email": SECOND_EMAIL, "verified": True, "primary": False},
    ]
    assert {i["organisation__slug"] for i in document["invitations"]} == {"schack", "syforeningen"}
    assert document["assistance_consents"][0]["statement"] == f"Jag, {NAME}, samtycker."
    assert [a["action"] for a in document["acts_on_my_behalf"]] == ["x"]
    assert [m["organisation__slug"] for m in document["memberships"]] == ["syforeningen"]
    assert document["join_requests"][0]["message"] == f"Hej, {NAME} här!"
    assert len(document["sessions"]) == 1  # this very sign-in
    assert len(document["idempotency_records"]) == 1
    assert set(document) >= {"exported_at", "sign_in_providers", "two_factor_authenticators"}
    assert [c["email"] for c in document["catalogue_contacts"]] == [SECOND_EMAIL]
    assert [r["message"] for r in document["catalogue_contact_requests_sent"]] == ["Hur gjorde ni?"]
    assert [m["body"] for m in document["catalogue_contact_request_messages"]] == [
        "Och vad kostade det?"
    ]
    assert [
        r["request__project_title"] for r in document["catalogue_contact_requests_received"]
    ] == ["Syföreningens lappcafé"]
    assert document["time_account"]["balance"] == "-2.50"
    assert document["time_account"]["held"] == "1.00"
    assert [(e["hours"], e["kind"], e["note"]) for e in document["time_account"]["entries"]] == [
        ("-2.00", "gift", f"Tack! /{NAME}"),
        ("0.50", "gift", "Varsågod"),
        ("-1.00", "exchange", "Trädgårdshjälp"),
    ]
    assert [t["note"] for t in document["transfers_made"]] == [f"Tack! /{NAME}"]
    assert [e["listing__title"] for e in document["exchanges"]] == [
        "Trädgårdshjälp",
        "Gräsklippning",
    ]
    assert [m["body"] for m in document["exchange_messages"]] == [
        f"Hej, {NAME} här!",
        "Kan du i helgen?",
    ]
    assert [r["rating"] for r in document["reviews"]["written"]] == [5]
    assert [(b["resource__listing__title"], b["state"]) for b in document["bookings"]] == [
        ("Mötesrum", "confirmed"),
        ("Mötesrum", "completed"),
        ("Elbil", "confirmed"),
    ]
    assert [s["trip__listing__title"] for s in document["seat_bookings"]] == ["Samåkning"]
    assert [r["text"] for r in document["condition_reports"]] == [f"Repa. /{NAME}"]
    assert [r["text"] for r in document["reviews"]["received"]] == ["Trevlig, Gunvor!"]


def text_columns() -> list[tuple[type[models.Model], str, bool]]:
    columns = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                columns.append((model, field.name, False))
            elif isinstance(field, models.JSONField):
                columns.append((model, field.name, True))
    return columns


def rows_naming(needles: list[str], person: User) -> list[str]:
    """Every text column of every row that holds one of ``needles``. Other people's own
    account rows are left out: the generated neighbours may be called Gunvor too."""
    found = []
    for model, name, is_json in text_columns():
        queryset: Any = model._default_manager.all()
        if model is User:
            queryset = queryset.filter(pk=person.pk)
        column = name
        if is_json:
            queryset = queryset.annotate(_as_text=Cast(name, models.TextField()))
            column = "_as_text"
        for needle in needles:
            if queryset.filter(**{f"{column}__icontains": needle}).exists():
                found.append(f"{model._meta.label}.{name} holds {needle!r}")
    for session in Session.objects.all():
        decoded = json.dumps(session.get_decoded(), ensure_ascii=False)
        found += [f"a session holds {n!r}" for n in needles if n.lower() in decoded.lower()]
    return found


def test_after_deletion_no_column_names_the_person_and_they_cannot_sign_in(
    person, django_capture_on_commit_callbacks
):
    app = signed_in_app(django_capture_on_commit_callbacks)
    assert rows_naming([NAME, EMAIL, PHONE], person)  # the scan finds them before deletion

    deleted = app.api("delete", "me/", {"password": PASSWORD})

    assert deleted.status_code == 204
    needles = [NAME, EMAIL, SECOND_EMAIL, PHONE, "Gunvor", "gunvor.kvist"]
    assert rows_naming(needles, person) == []
    person.refresh_from_db()
    assert person.display_name == "borttagen användare"
    assert not person.is_active
    assert not person.has_usable_password()
    assert app.api("get", "me/").status_code == 401  # the session is gone
    login = AuthClient("app", django_capture_on_commit_callbacks).auth(
        "post", "auth/login", {"email": EMAIL, "password": PASSWORD}
    )
    assert login.status_code == 400
    assert not Membership.objects.filter(user=person).exists()
    assert not JoinRequest.objects.filter(user=person).exists()
    assert not Invitation.objects.filter(email__iexact=EMAIL).exists()
    assert not UserSession.objects.filter(user=person).exists()
    (listing,) = Listing.objects.filter(owner=person)
    assert (listing.state, listing.address, listing.latitude) == ("closed", "", None)
    # The hours stay, held by the anonymised account; the ledger still adds up. The exchange
    # under way is cancelled and its held hour released; the finished one stays.
    from exchange.models import Exchange, Review

    assert timebank.account_of_user(person).balance == Decimal("-2.50")
    assert timebank.account_of_user(person).held == 0
    assert sorted(Exchange.objects.filter(responder=person).values_list("state", flat=True)) == [
        "cancelled",
        "completed",
    ]
    assert list(Review.objects.values_list("rating", "text")) == [(5, "")]
    from exchange.models import Booking

    assert sorted(Booking.objects.filter(booker=person).values_list("state", flat=True)) == [
        "cancelled",
        "cancelled",
        "completed",
    ]
    from exchange.models import SeatBooking

    assert list(SeatBooking.objects.values_list("state", flat=True)) == ["cancelled"]
    assert timebank.ledger_problems() == []
    # Their email address is free: someone may sign up with it again.
    fresh = AuthClient("app", django_capture_on_commit_callbacks).auth(
        "post", "auth/signup", {"email": EMAIL, "password": PASSWORD, "display_name": "Ny"}
    )
    assert fresh.status_code == 401  # signed up; verification pending


def test_the_admin_log_keeps_what_staff_did_but_not_the_persons_name(
    person, django_capture_on_commit_callbacks
):
    staff_did = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk)
    )

    personal_data.delete_account(user=person)

    staff_did.refresh_from_db()
    assert staff_did.object_repr == "borttagen användare"


def test_deletion_needs_the_password_or_a_recent_sign_in(person):
    stale = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    stale.force_login(person)  # a session with no record of a recent sign-in

    without = stale.delete("/api/v1/me/", {}, format="json")
    wrong = stale.delete("/api/v1/me/", {"password": "gissning"}, format="json")

    assert without.status_code == 403
    assert without.json()["code"] == "reauthentication_required"
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "wrong_password"
    assert User.objects.get(pk=person.pk).is_active


def test_a_recent_sign_in_is_enough(person, django_capture_on_commit_callbacks):
    app = signed_in_app(django_capture_on_commit_callbacks)

    assert app.api("delete", "me/").status_code == 204


def test_the_sole_admin_of_an_organisation_must_hand_over_first(
    person, django_capture_on_commit_callbacks
):
    club = Organisation.objects.get(slug="syforeningen")
    Membership.objects.filter(organisation=club, user=person).update(role="admin")
    app = signed_in_app(django_capture_on_commit_callbacks)

    refused = app.api("delete", "me/", {"password": PASSWORD})

    assert refused.status_code == 409
    assert refused.json()["code"] == "sole_admin"
    assert refused.json()["organisations"] == ["syforeningen"]
    assert User.objects.get(pk=person.pk).is_active  # nothing was erased
    assert EmailAddress.objects.filter(user=person).exists()

    Membership.objects.create(organisation=club, user=UserFactory.create(), role="admin")
    assert app.api("delete", "me/", {"password": PASSWORD}).status_code == 204
