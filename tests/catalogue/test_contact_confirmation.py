"""Once a year, editors confirm each contact: people leave their jobs."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from catalogue import services
from catalogue.models import ProjectContact
from smartplatform.accounts.models import User
from smartplatform.core.events import relay_events
from smartplatform.organisations.models import Membership, Organisation, Role
from tests.catalogue.factories import make_project, municipal_organisation
from tests.factories import client_for, verified_user

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 27, 7, 30, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def hoganas() -> Organisation:
    return municipal_organisation("1284")


def editor_of(organisation: Organisation, role: str = Role.EDITOR) -> User:
    user = verified_user()
    Membership.objects.create(organisation=organisation, user=user, role=role)
    return user


def test_editors_are_asked_about_contacts_not_confirmed_for_a_year(hoganas, events) -> None:
    editor = editor_of(hoganas)
    make_project(
        "Digital tvilling",
        owner="1284",
        contacts=(
            {"name": "Karin Holm", "last_confirmed": date(2025, 11, 1)},
            {"name": "Nyss Bekräftad", "last_confirmed": date(2026, 6, 1)},
            {"name": "Aldrig Bekräftad", "last_confirmed": None},
        ),
    )
    make_project("Utkast", owner="1284", published=False, contacts=({"name": "I ett utkast"},))
    make_project("Annan kommun", owner="1283", contacts=({"name": "Helsingborgaren"},))

    asked = services.request_contact_confirmations(now=NOW)
    with TestCase.captureOnCommitCallbacks(execute=True):
        relay_events()

    assert asked == 3  # Karin, Aldrig and Helsingborgaren; not the recent one, not the draft
    by_organisation = {
        e["organisation"]: e["contacts"]
        for e in events.of_type("catalogue.contact_confirmation_due")
    }
    assert set(by_organisation) == {hoganas.pk, municipal_organisation("1283").pk}
    (email,) = [m for m in mail.outbox if editor.email in m.to]
    assert email.subject == "Stämmer kontaktpersonerna för Höganäs kommun projekt fortfarande?"
    assert "Karin Holm" in email.body
    assert "senast bekräftad 1 november 2025" in email.body
    assert "Aldrig Bekräftad (aldrig bekräftad)" in email.body
    assert "Nyss Bekräftad" not in email.body
    # Helsingborg has no editors: its own contact address is asked instead, if it has one.
    assert all(editor.email in m.to or "helsingborg" in m.to[0] for m in mail.outbox)


def test_each_contact_is_asked_once_a_year(hoganas) -> None:
    editor_of(hoganas)
    make_project(owner="1284", contacts=({"name": "Karin Holm"},))

    first = services.request_contact_confirmations(now=NOW)
    again = services.request_contact_confirmations(now=NOW.replace(month=12))
    next_year = services.request_contact_confirmations(now=NOW.replace(year=2027, day=28))

    assert (first, again, next_year) == (1, 0, 1)


def test_an_editor_confirms_the_contacts_through_the_api(hoganas) -> None:
    project = make_project(
        owner="1284",
        contacts=(
            {"name": "Karin Holm", "last_confirmed": None},
            {"name": "Per Persson", "last_confirmed": None},
        ),
    )
    karin, per = project.contacts.order_by("position")
    url = f"/api/v1/catalogue/projects/{project.slug}/confirm-contacts/"

    stranger = client_for(editor_of(municipal_organisation("1283"))).post(url, {})
    one = client_for(editor_of(hoganas)).post(url, {"contacts": [karin.pk]})
    unknown = client_for(editor_of(hoganas)).post(url, {"contacts": [999999]})

    assert stranger.status_code == 403
    assert one.status_code == 200
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_contact"
    assert ProjectContact.objects.get(pk=karin.pk).last_confirmed is not None
    assert ProjectContact.objects.get(pk=per.pk).last_confirmed is None
    shown = {c["name"]: c["last_confirmed"] for c in one.json()["contacts"]}
    assert shown["Per Persson"] is None
    assert shown["Karin Holm"] == timezone.localdate().isoformat()
