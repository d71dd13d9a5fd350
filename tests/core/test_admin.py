"""The Django admin: every registered model opens for a superuser, the delivery retry action
works, and the demo admin account can log in."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartplatform.core.models import Event, EventDelivery
from smartplatform.organisations.models import Municipality
from tests.factories import (
    EventDeliveryFactory,
    IdempotencyRecordFactory,
    StaffFactory,
    SuperuserFactory,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    admin.site._registry.items(),
    key=lambda item: item[0]._meta.label,
)


@pytest.fixture
def superuser():
    return SuperuserFactory()


@pytest.fixture
def superuser_client(superuser) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    return client


@pytest.fixture
def one_of_each(superuser) -> None:
    """At least one row of every registered model, so every change page has an object."""
    Group.objects.create(name="Moderatorer")
    event = Event.objects.create(event_type="probe.created", payload={"name": "Åsa", "hours": 2})
    EventDelivery.objects.create(
        event=event,
        consumer="tests.consumer",
        status=EventDelivery.Status.FAILED,
        attempts=10,
        last_error="RuntimeError: boom",
    )
    IdempotencyRecordFactory.create(user=superuser)
    from tests.catalogue.factories import make_project

    project = make_project(
        "Digital tvilling av Höganäs",
        tags=("3d",),
        contacts=({"name": "Åsa", "email": "asa@example.se"},),
    )
    from catalogue import contact_requests

    request = contact_requests.send_contact_request(
        sender=superuser, project=project, kind="more_info", message="Berätta mer!"
    )
    contact_requests.write_message(request=request, body="Gärna!", by=superuser)
    from django.core.files.base import ContentFile

    from exchange.models import BlockedWord, ListingImage
    from tests.exchange.factories import make_listing

    listing = make_listing("Hjälp i trädgården", tags=["trädgård"])
    ListingImage.objects.create(listing=listing, image=ContentFile(b"x", name="bild.jpg"))
    BlockedWord.objects.create(word="kontant")
    from exchange import moderation
    from tests.exchange.factories import resident as make_resident

    reporter = make_resident()
    moderation.report(reporter=reporter, kind="listing", item_id=listing.pk, reason="spam")
    moderation.dismiss_reports(moderator=superuser, listing=listing, reason="Inget fel.")
    moderation.report(reporter=make_resident(), kind="listing", item_id=listing.pk, reason="other")
    moderation.block(blocker=reporter, blocked=listing.owner)
    # The time bank: a gift, and a hold that was released.
    from django.db import transaction

    from exchange import timebank

    timebank.give_hours(giver=reporter, recipient_id=listing.owner_id, hours="1", note="Tack!")
    with transaction.atomic():
        hold = timebank.reserve(account=timebank.account_of_user(reporter), hours="2")
        timebank.release(hold=hold)
    # An exchange, disputed: the moderators' queue of disputes has it.
    from exchange import exchanges

    offer = make_listing("Cykelreparationer")
    helper = make_resident()
    answer = exchanges.propose(actor=helper, listing=offer, message="Jag hjälper gärna!")
    exchanges.accept(actor=offer.owner, exchange=answer)
    exchanges.dispute(actor=helper, exchange=answer, reason="Ingen kom.")
    # A reported message, and a reported review of a completed exchange.
    from exchange import reviews

    first_message = answer.messages.order_by("pk").first()
    assert first_message is not None
    moderation.report(
        reporter=offer.owner, kind="message", item_id=first_message.pk, reason="offensive"
    )
    done = exchanges.propose(actor=make_resident(), listing=offer, message="Jag med!")
    exchanges.accept(actor=offer.owner, exchange=done)
    exchanges.confirm(actor=offer.owner, exchange=done)
    exchanges.confirm(actor=done.responder, exchange=done)
    review = reviews.write(actor=done.responder, exchange=done, rating=1, text="Usch")
    moderation.report(reporter=offer.owner, kind="review", item_id=review.pk, reason="other")
    # A bookable room with opening hours, equipment, a blackout and a booking.
    from datetime import time, timedelta

    from django.utils import timezone

    from exchange import bookings, resources

    room_listing = make_listing("Mötesrum", category="space")
    room = resources.describe(
        actor=room_listing.owner,
        listing=room_listing,
        facts={"instant_booking": True},
        equipment=["wifi"],
        opening_hours=[{"weekday": 0, "opens": time(8), "closes": time(20)}],
    )
    soon = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=30)
    resources.add_blackout(
        actor=room_listing.owner,
        resource=room,
        starts_at=soon + timedelta(days=20),
        ends_at=soon + timedelta(days=21),
    )
    while soon.astimezone(bookings.STOCKHOLM).weekday() != 0:
        soon += timedelta(days=1)
    soon = soon.astimezone(bookings.STOCKHOLM).replace(hour=10)
    bookings.book(
        booker=helper, resource=room, slots=[bookings.Slot(soon, soon + timedelta(hours=1))]
    )
    # A weekly lift with a seat taken, and a notification.
    from exchange import lifts
    from notifications.services import notify

    lift_listing = make_listing("Samåkning", category="car")
    trip = lifts.describe_trip(
        actor=lift_listing.owner,
        listing=lift_listing,
        facts={
            "from_municipality_id": "1275",
            "to_municipality_id": "1283",
            "departs_at": soon,
            "seats": 3,
        },
    )
    lifts.book_seats(passenger=helper, trip=trip, departure=soon, seats=1)
    notify(
        recipients=[helper],
        type_name="booking_reminder",
        subject_id=1,
        data={"listing": "Mötesrum"},
        dedupe_key="admin-test",
    )
    from notifications.models import (
        AddressOptOut,
        Announcement,
        Digest,
        WebhookDelivery,
        WebhookEndpoint,
    )

    AddressOptOut.objects.create(email="åsa@example.se", type="contact_request_received")
    from smartplatform.organisations.models import Organisation as AnyOrganisation

    Digest.objects.create(user=helper, frequency="daily", period=soon.date())
    hook = WebhookEndpoint.objects.create(
        organisation=AnyOrganisation.objects.filter(kind="municipality").earliest("pk"),
        url="https://hooks.example.se/smart",
        secret="whsec_x",
    )
    WebhookDelivery.objects.create(
        endpoint=hook, dedupe_key="admin-test", type="booking_reminder", payload={"å": 1}
    )
    Announcement.objects.create(organisation=hook.organisation, title="Å", text="<b>Hej</b>")
    # django-allauth's own models, registered in the admin by allauth.
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from allauth.usersessions.models import UserSession

    EmailAddress.objects.create(user=superuser, email=superuser.email, verified=True, primary=True)
    app = SocialApp.objects.create(provider="openid_connect", name="Entra ID", client_id="x")
    account = SocialAccount.objects.create(user=superuser, provider="openid_connect", uid="u-1")
    SocialToken.objects.create(app=app, account=account, token="t")
    Authenticator.objects.create(
        user=superuser, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00", "used_mask": 0}
    )
    UserSession.objects.create(user=superuser, session_key="k" * 32, ip="127.0.0.1")
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessAttempt.objects.create(
        username="x@example.se", ip_address="127.0.0.1", failures_since_start=1
    )
    AccessFailureLog.objects.create(username="x@example.se", ip_address="127.0.0.1")
    AccessLog.objects.create(username=superuser.email, ip_address="127.0.0.1")
    from smartplatform.organisations.models import (
        Invitation,
        JoinRequest,
        Membership,
        Organisation,
    )

    club = Organisation.objects.create(name="Trädgårdsföreningen", slug="tradgard", kind="other")
    Membership.objects.create(organisation=club, user=superuser, role="admin")
    JoinRequest.objects.create(organisation=club, user=StaffFactory.create(), message="Hej!")
    from smartplatform.assistance.models import Act, Consent, LoginCode

    resident = StaffFactory.create()
    Consent.objects.create(resident=resident, organisation=club, statement="Ja.")
    Act.objects.create(resident=resident, coordinator=superuser, organisation=club, action="x")
    LoginCode.objects.create(
        resident=resident, code_hash="2" * 64, expires_at=timezone.now() + timedelta(days=1)
    )
    Invitation.objects.create(
        organisation=club,
        email="ny@example.se",
        code_hash="0" * 64,
        invited_by=superuser,
        expires_at=timezone.now() + timedelta(days=14),
    )


def admin_sign_in(client, email: str, password: str) -> bool:
    """Sign in through the admin's own form, as a person would."""
    response = client.post(reverse("admin:login"), {"username": email, "password": password})
    return response.status_code == 302


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_admin_index_opens(superuser_client):
    response = superuser_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "Smart samhälle" in response.content.decode()


def test_every_model_is_registered_that_operators_need():
    labels = {model._meta.label for model, _ in REGISTERED}

    assert {
        "accounts.User",
        "auth.Group",
        "organisations.Municipality",
        "core.Event",
        "core.EventDelivery",
        "core.IdempotencyRecord",
    } <= labels


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED]
)
def test_every_registered_model_opens(superuser_client, one_of_each, model, model_admin):
    changelist = superuser_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200

    if model_admin.search_fields:
        searched = superuser_client.get(admin_url(model, "changelist"), {"q": "å"})
        assert searched.status_code == 200

    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"one_of_each creates no {model._meta.label}"
    change = superuser_client.get(admin_url(model, "change", quote(obj.pk)))
    assert change.status_code == 200

    if model_admin.has_add_permission(change.wsgi_request):
        assert superuser_client.get(admin_url(model, "add")).status_code == 200
    else:
        assert superuser_client.get(admin_url(model, "add")).status_code == 403


def test_operational_records_are_read_only(superuser_client, one_of_each):
    delivery = EventDelivery.objects.get()

    response = superuser_client.post(
        admin_url(EventDelivery, "change", delivery.pk), {"status": "done", "attempts": 0}
    )

    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == EventDelivery.Status.FAILED


def test_reference_municipalities_cannot_be_changed_or_deleted(superuser_client):
    response = superuser_client.post(admin_url(Municipality, "change", "1283"), {"name": "Hbg"})
    assert response.status_code == 403
    response = superuser_client.post(admin_url(Municipality, "delete", "1283"), {"post": "yes"})
    assert response.status_code == 403
    assert Municipality.objects.get(code="1283").name == "Helsingborg"


def test_the_event_changelist_drills_down_by_date(superuser_client, one_of_each):
    year = timezone.localtime(Event.objects.get(event_type="probe.created").created_at).year

    response = superuser_client.get(admin_url(Event, "changelist"), {"created_at__year": year})

    assert response.status_code == 200
    assert "probe.created" in response.content.decode()


def test_the_retry_action_moves_failed_deliveries_back_to_pending(superuser_client):
    event = Event.objects.create(event_type="probe.created", payload={}, relayed_at=timezone.now())
    failed = EventDelivery.objects.create(
        event=event,
        consumer="tests.failed",
        status=EventDelivery.Status.FAILED,
        attempts=10,
        due_at=timezone.now() - timedelta(days=1),
    )
    done = EventDelivery.objects.create(
        event=event,
        consumer="tests.done",
        status=EventDelivery.Status.DONE,
        attempts=1,
        completed_at=timezone.now(),
    )
    before = timezone.now()

    response = superuser_client.post(
        admin_url(EventDelivery, "changelist"),
        {"action": "retry", "_selected_action": [failed.pk, done.pk], "index": 0},
        follow=True,
    )

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["1 deliveries will be retried."]
    failed.refresh_from_db()
    assert failed.status == EventDelivery.Status.PENDING
    assert failed.attempts == 0
    assert failed.due_at >= before
    done.refresh_from_db()
    assert done.status == EventDelivery.Status.DONE
    assert done.attempts == 1


@pytest.fixture
def staff():
    return StaffFactory()


def test_people_without_admin_rights_are_kept_out(user, staff):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(admin_url(EventDelivery, "changelist")).status_code == 403


# --- The demo admin ----------------------------------------------------------------------------


def test_the_demo_admin_can_log_in(settings):
    out = StringIO()

    settings.DEBUG = True
    call_command("ensure_demo_admin", stdout=out)

    user = get_user_model().objects.get(email=settings.DEMO_ADMIN_EMAIL)
    assert user.is_staff
    assert user.is_superuser
    assert user.is_active
    client = Client()
    assert admin_sign_in(client, settings.DEMO_ADMIN_EMAIL, settings.DEMO_ADMIN_PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
    assert settings.DEMO_ADMIN_EMAIL in out.getvalue()


def test_the_demo_admin_logs_in_through_the_admin_login_form(settings):
    settings.DEBUG = True
    call_command("ensure_demo_admin", stdout=StringIO())
    client = Client()

    response = client.post(
        reverse("admin:login"),
        {
            "username": settings.DEMO_ADMIN_EMAIL.upper(),
            "password": settings.DEMO_ADMIN_PASSWORD,
            "next": reverse("admin:index"),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_ensure_demo_admin_twice_keeps_one_user(settings):
    settings.DEBUG = True
    call_command("ensure_demo_admin", stdout=StringIO())
    call_command("ensure_demo_admin", stdout=StringIO())

    assert get_user_model().objects.filter(email__iexact=settings.DEMO_ADMIN_EMAIL).count() == 1
    assert admin_sign_in(Client(), settings.DEMO_ADMIN_EMAIL, settings.DEMO_ADMIN_PASSWORD)


def test_there_is_no_demo_admin_outside_development(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only in development"):
        call_command("ensure_demo_admin", stdout=StringIO())

    assert not get_user_model().objects.filter(email__iexact=settings.DEMO_ADMIN_EMAIL).exists()


def test_retrying_deliveries_needs_its_own_permission(client):
    from django.contrib.auth.models import Permission

    viewer = StaffFactory.create()
    viewer.user_permissions.add(Permission.objects.get(codename="view_eventdelivery"))
    failed = EventDeliveryFactory.create(status=EventDelivery.Status.FAILED, attempts=10)
    client.force_login(viewer)

    page = client.get(admin_url(EventDelivery, "changelist"))
    client.post(
        admin_url(EventDelivery, "changelist"),
        {"action": "retry", "_selected_action": [failed.pk], "index": 0},
    )

    assert page.status_code == 200
    assert 'value="retry"' not in page.content.decode()
    failed.refresh_from_db()
    assert failed.status == EventDelivery.Status.FAILED

    viewer.user_permissions.add(Permission.objects.get(codename="retry_eventdelivery"))
    viewer = get_user_model().objects.get(pk=viewer.pk)  # a fresh permission cache
    client.force_login(viewer)
    assert 'value="retry"' in client.get(admin_url(EventDelivery, "changelist")).content.decode()


def test_the_demo_admin_password_is_not_printed_once_changed(settings):
    settings.DEBUG = True
    call_command("ensure_demo_admin", stdout=StringIO())
    admin_user = get_user_model().objects.get(email=settings.DEMO_ADMIN_EMAIL)
    admin_user.set_password("my own secret phrase")
    admin_user.save()
    out = StringIO()

    call_command("ensure_demo_admin", stdout=out)

    assert settings.DEMO_ADMIN_PASSWORD not in out.getvalue()
    assert settings.DEMO_ADMIN_EMAIL in out.getvalue()
    assert get_user_model().objects.get(pk=admin_user.pk).check_password("my own secret phrase")
