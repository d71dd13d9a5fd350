"""Contact requests: from a reader of the catalogue to the people behind a project, by email
and through the API, with reminders and escalation when nobody answers."""

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client, TestCase
from rest_framework.test import APIClient

from catalogue import contact_requests
from catalogue.models import ContactRequest, ContactRequestRecipient, Project, ProjectContact
from smartplatform.core.events import relay_events
from smartplatform.organisations.models import Membership, Organisation, Role
from tests.catalogue.factories import make_project, municipal_organisation
from tests.factories import UserFactory, client_for, verified_user

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
CONTACT_EMAIL = "karin.holm@hoganas.example"
SENDER_EMAIL = "maja@bjuv.example"


@pytest.fixture
def hoganas() -> Organisation:
    organisation = municipal_organisation("1284")
    organisation.contact_email = "kontakt@hoganas.example"
    organisation.save()
    return organisation


@pytest.fixture
def project(hoganas: Organisation) -> Project:
    return make_project(
        "Digital tvilling",
        owner="1284",
        contacts=(
            {"name": "Karin Holm", "role": "GIS-samordnare", "email": CONTACT_EMAIL},
            {"name": "Utan Adress", "role": "Projektledare"},
        ),
    )


@pytest.fixture
def sender() -> Any:
    return verified_user(email=SENDER_EMAIL, display_name="Maja Berg")


def editor_of(organisation: Organisation) -> Any:
    user = verified_user()
    Membership.objects.create(organisation=organisation, user=user, role=Role.EDITOR)
    return user


def swedish(user: Any) -> APIClient:
    return client_for(user, "sv")


def ask(client: APIClient, project: Project, **body: Any) -> Any:
    payload = {"kind": "borrow_method", "message": "Hur byggde ni modellen?", **body}
    return client.post(f"/api/v1/catalogue/projects/{project.slug}/contact-requests/", payload)


def deliver() -> None:
    """Run the outbox relay, as the relay process would, and the email sending its consumers
    queue after their commits, as a worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        relay_events()


def answer_link(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/catalogue/contact-requests/answer/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def emails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if address in message.to]


# --- Sending --------------------------------------------------------------------------------


def test_a_signed_in_resident_asks_and_sees_the_request(project, sender, events) -> None:
    response = ask(swedish(sender), project, message="  Hur byggde ni modellen?  ")

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "project": {"slug": project.slug, "title": "Digital tvilling"},
        "project_title": "Digital tvilling",
        "organisation": {"slug": "hoganas", "name": "Höganäs kommun", "kind": "municipality"},
        "sender_name": "Maja Berg",
        "sender_organisation": None,
        "kind": {"value": "borrow_method", "label": "Jag vill låna metoden"},
        "message": "Hur byggde ni modellen?",
        "status": {"value": "new", "label": "Ny"},
        "role": "sender",
        "created_at": body["created_at"],
        "status_changed_at": None,
        "recipients": [
            {"name": "Karin Holm", "kind": "contact"},
            {"name": "Höganäs kommun", "kind": "organisation"},
        ],
        "messages": [],
    }
    assert events.of_type("catalogue.contact_request_sent") == [
        {"request": body["id"], "project": project.pk, "organisation": project.owner_id}
    ]


def test_the_request_reaches_the_contacts_and_the_organisations_address(project, sender) -> None:
    ask(swedish(sender), project)
    deliver()

    assert sorted(address for message in mail.outbox for address in message.to) == [
        CONTACT_EMAIL,
        "kontakt@hoganas.example",
    ]
    to_contact = emails_to(CONTACT_EMAIL)[0]
    assert to_contact.subject == "Jag vill låna metoden: Digital tvilling"
    assert "Maja Berg" in to_contact.body
    assert "Hur byggde ni modellen?" in to_contact.body
    assert SENDER_EMAIL not in to_contact.body  # the sender's address is never shown
    assert to_contact.extra_headers["Message-ID"].startswith("<notification.")
    assert "/notifications/unsubscribe/" in to_contact.extra_headers["List-Unsubscribe"]


def test_a_contact_also_on_the_organisation_address_gets_one_email(hoganas, sender) -> None:
    project = make_project(
        owner="1284", contacts=({"name": "Växeln", "email": "KONTAKT@hoganas.example"},)
    )

    ask(swedish(sender), project)

    assert list(ContactRequestRecipient.objects.values_list("email", flat=True)) == [
        "KONTAKT@hoganas.example"
    ]


def test_nobody_without_an_account_or_verification_can_ask(project) -> None:
    anonymous = ask(APIClient(), project)
    unverified = ask(swedish(UserFactory.create()), project)

    assert anonymous.status_code == 401
    assert unverified.status_code == 403
    assert not ContactRequest.objects.exists()


def test_drafts_take_no_requests(hoganas, sender) -> None:
    draft = make_project(owner="1284", published=False)

    hidden = ask(swedish(sender), draft)
    own = ask(swedish(editor_of(hoganas)), draft)

    assert hidden.status_code == 404
    assert own.status_code == 409
    assert own.json()["code"] == "project_not_published"


def test_a_sender_writes_for_an_organisation_only_as_its_member(project, sender) -> None:
    bjuv = municipal_organisation("1260")

    refused = ask(swedish(sender), project, organisation="bjuv")
    Membership.objects.create(organisation=bjuv, user=sender, role=Role.MEMBER)
    allowed = ask(swedish(sender), project, organisation="bjuv")

    assert refused.status_code == 400
    assert refused.json()["code"] == "not_a_member_of_that_organisation"
    assert allowed.status_code == 201
    assert allowed.json()["sender_organisation"]["name"] == "Bjuvs kommun"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 5001}, "message"),
        ({"status": "closed"}, "status"),
        ({"organisation": "no-such-organisation"}, "organisation"),
    ],
)
def test_bad_requests_are_refused_field_by_field(project, sender, body, field) -> None:
    response = ask(swedish(sender), project, **body)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_requests_are_rate_limited_per_user(project, sender, settings) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "contact_requests": "2/hour"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        client = swedish(sender)
        statuses = [ask(client, project).status_code for _ in range(3)]
        someone_else = ask(swedish(verified_user()), project).status_code
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original

    assert statuses == [201, 201, 429]
    assert someone_else == 201
    assert ContactRequest.objects.filter(sender=sender).count() == 2


# --- The path for a contact without an account -----------------------------------------------


def test_a_contact_without_an_account_answers_through_the_signed_link(project, sender) -> None:
    client = swedish(sender)
    request_id = ask(client, project).json()["id"]
    deliver()
    link = answer_link(emails_to(CONTACT_EMAIL)[0])
    mail.outbox.clear()
    browser = Client(enforce_csrf_checks=False)

    page = browser.get(link)
    assert page.status_code == 200
    assert "Hur byggde ni modellen?" in page.content.decode()
    assert SENDER_EMAIL not in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert ContactRequest.objects.get(pk=request_id).status == "new"  # a GET changes nothing

    sent = browser.post(link, {"message": "Vi använde drönarfoton. Ring mig gärna!"})
    assert sent.status_code == 302
    deliver()

    # The sender is told by email, without the contact's address, and sees it in the API.
    (reply,) = emails_to(SENDER_EMAIL)
    assert reply.subject == "Svar om Digital tvilling"
    assert "Vi använde drönarfoton. Ring mig gärna!" in reply.body
    assert CONTACT_EMAIL not in reply.body
    seen = client.get(f"/api/v1/catalogue/contact-requests/{request_id}/").json()
    assert seen["status"]["value"] == "answered"
    assert seen["messages"] == [
        {
            "side": "receiver",
            "author_name": "Karin Holm",
            "body": "Vi använde drönarfoton. Ring mig gärna!",
            "created_at": seen["messages"][0]["created_at"],
        }
    ]

    # The sender follows up; the contact receives it with a fresh link.
    client.post(
        f"/api/v1/catalogue/contact-requests/{request_id}/messages/",
        {"body": "Tack! Vilken drönare?"},
    )
    deliver()
    (follow_up,) = emails_to(CONTACT_EMAIL)
    assert "Tack! Vilken drönare?" in follow_up.body
    assert SENDER_EMAIL not in follow_up.body

    # The contact closes it through the link; the sender is told.
    mail.outbox.clear()
    closed = browser.post(answer_link(follow_up), {"status": "closed"})
    assert closed.status_code == 302
    deliver()
    assert ContactRequest.objects.get(pk=request_id).status == "closed"
    (status_email,) = emails_to(SENDER_EMAIL)
    assert "Avslutad" in status_email.subject


def test_an_answer_needs_a_message_or_a_status(project, sender) -> None:
    ask(swedish(sender), project)
    deliver()
    link = answer_link(emails_to(CONTACT_EMAIL)[0])

    page = Client().post(link, {"message": "  "})

    assert page.status_code == 200
    assert "Skriv ett svar eller välj en status." in page.content.decode()


def test_a_tampered_or_expired_link_opens_nothing(project, sender, settings) -> None:
    ask(swedish(sender), project)
    deliver()
    link = answer_link(emails_to(CONTACT_EMAIL)[0])

    tampered = Client().get(link.replace("/answer/", "/answer/x"))
    settings.CATALOGUE_ANSWER_LINK_DAYS = -1  # every link is older than that
    expired = Client().post(link, {"status": "closed"})

    assert tampered.status_code == 404
    assert expired.status_code == 404
    assert ContactRequest.objects.get().status == "new"


def test_a_closed_request_takes_no_answer_until_reopened(project, sender) -> None:
    ask(swedish(sender), project)
    deliver()
    link = answer_link(emails_to(CONTACT_EMAIL)[0])
    browser = Client()
    browser.post(link, {"status": "closed"})

    refused = browser.post(link, {"message": "Sent svar"})
    reopened = browser.post(link, {"message": "Sent svar", "status": "answered"})

    assert refused.status_code == 409
    assert "Förfrågan är avslutad" in refused.content.decode()
    assert reopened.status_code == 302  # reopened first, then the answer
    request = ContactRequest.objects.get()
    assert request.status == "answered"
    assert list(request.messages.values_list("body", flat=True)) == ["Sent svar"]


# --- Reminder and escalation ----------------------------------------------------------------


def at(day: int, hour: int = 9, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=STOCKHOLM)


def sent_on(when: datetime, project: Project, sender: Any) -> ContactRequest:
    request = contact_requests.send_contact_request(
        sender=sender, project=project, kind="more_info", message="Berätta mer!"
    )
    ContactRequest.objects.filter(pk=request.pk).update(created_at=when)
    return request


def test_unanswered_after_five_working_days_reminds_then_tells_the_editors(
    project, sender, hoganas
) -> None:
    editor = editor_of(hoganas)
    request = sent_on(at(20, 15), project, sender)  # a Friday afternoon
    deliver()
    mail.outbox.clear()

    # Five working days after Friday 20 November is Friday 27 November.
    assert contact_requests.follow_up_unanswered(now=at(26, 23)) == {"reminded": 0, "escalated": 0}
    assert contact_requests.follow_up_unanswered(now=at(27)) == {"reminded": 1, "escalated": 0}
    assert contact_requests.follow_up_unanswered(now=at(27, 10)) == {"reminded": 0, "escalated": 0}
    deliver()
    assert sorted(a for m in mail.outbox for a in m.to) == [
        CONTACT_EMAIL,
        "kontakt@hoganas.example",
    ]
    assert all(
        m.subject == "Påminnelse: obesvarad förfrågan om Digital tvilling" for m in mail.outbox
    )
    assert answer_link(emails_to(CONTACT_EMAIL)[0])
    mail.outbox.clear()

    # Three working days after the reminder, the editors are told: Wednesday 2 December.
    assert contact_requests.follow_up_unanswered(now=at(1, 23, 12)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert contact_requests.follow_up_unanswered(now=at(2, 8, 12)) == {
        "reminded": 0,
        "escalated": 1,
    }
    assert contact_requests.follow_up_unanswered(now=at(9, 8, 12)) == {
        "reminded": 0,
        "escalated": 0,
    }
    deliver()
    (to_editor,) = mail.outbox
    assert to_editor.to == [editor.email]
    assert "Karin Holm" in to_editor.body  # whom it was sent to, to check the contacts
    request.refresh_from_db()
    assert request.reminded_at is not None
    assert request.escalated_at is not None


def test_holidays_are_not_working_days_for_the_reminder(project, sender) -> None:
    sent_on(datetime(2026, 12, 22, 10, tzinfo=STOCKHOLM), project, sender)

    # 23, 28, 29, 30 December and 4 January: Christmas and New Year do not count.
    assert contact_requests.follow_up_unanswered(now=at(3, 12, 1).replace(year=2027)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert contact_requests.follow_up_unanswered(now=at(4, 8, 1).replace(year=2027)) == {
        "reminded": 1,
        "escalated": 0,
    }


def test_an_answered_request_is_neither_reminded_nor_escalated(project, sender, hoganas) -> None:
    request = sent_on(at(2), project, sender)
    contact_requests.write_message(request=request, body="Svar", by=editor_of(hoganas))

    assert contact_requests.follow_up_unanswered(now=at(30)) == {"reminded": 0, "escalated": 0}


# --- Receivers and senders through the API ---------------------------------------------------


def test_receivers_see_and_answer_the_requests_sent_to_them(project, sender, hoganas) -> None:
    request_id = ask(swedish(sender), project).json()["id"]
    editor = swedish(editor_of(hoganas))
    contact_user = verified_user()
    ProjectContact.objects.filter(name="Utan Adress").update(user=contact_user)
    contact = swedish(contact_user)
    stranger = swedish(editor_of(municipal_organisation("1283")))
    url = f"/api/v1/catalogue/contact-requests/{request_id}/"

    assert [
        r["id"] for r in editor.get("/api/v1/catalogue/contact-requests/").json()["results"]
    ] == [request_id]
    assert contact.get(url).json()["role"] == "receiver"
    assert stranger.get(url).status_code == 404
    assert stranger.get("/api/v1/catalogue/contact-requests/").json()["results"] == []

    answered = editor.post(f"{url}messages/", {"body": "Välkommen att höra av dig!"})
    assert answered.status_code == 201
    assert answered.json()["status"]["value"] == "answered"
    assert answered.json()["messages"][0]["author_name"].endswith(", Höganäs kommun")

    closed = contact.post(f"{url}status/", {"status": "closed"})
    assert closed.status_code == 200
    assert closed.json()["status"] == {"value": "closed", "label": "Avslutad"}


def test_the_sender_sees_the_status_but_cannot_set_it(project, sender) -> None:
    client = swedish(sender)
    request_id = ask(client, project).json()["id"]

    refused = client.post(
        f"/api/v1/catalogue/contact-requests/{request_id}/status/", {"status": "closed"}
    )
    mine = client.get("/api/v1/catalogue/contact-requests/?role=sender").json()["results"]

    assert refused.status_code == 403
    assert refused.json()["code"] == "not_a_contact_request_receiver"
    assert [(r["id"], r["status"]["value"]) for r in mine] == [(request_id, "new")]
    assert client.get("/api/v1/catalogue/contact-requests/?role=receiver").json()["results"] == []


def test_status_changes_follow_the_rules(project, sender, hoganas) -> None:
    request_id = ask(swedish(sender), project).json()["id"]
    editor = swedish(editor_of(hoganas))
    url = f"/api/v1/catalogue/contact-requests/{request_id}/status/"

    assert editor.post(url, {"status": "new"}).status_code == 400
    assert editor.post(url, {"status": "closed"}).status_code == 200
    again = editor.post(url, {"status": "closed"})
    assert again.status_code == 409
    assert again.json()["code"] == "contact_request_transition_not_allowed"
    assert editor.post(url, {"status": "answered"}).status_code == 200  # reopened


def test_the_list_filters_by_status_and_costs_constant_queries(
    project, sender, hoganas, assert_constant_queries
) -> None:
    editor = swedish(editor_of(hoganas))

    def make_rows(n: int) -> None:
        for _ in range(n):
            request = contact_requests.send_contact_request(
                sender=sender, project=project, kind="collaborate", message="Ska vi?"
            )
            contact_requests.write_message(request=request, body="Gärna", by=sender)

    assert_constant_queries(editor, "/api/v1/catalogue/contact-requests/", make_rows)
    assert editor.get("/api/v1/catalogue/contact-requests/?status=answered").json()["count"] == 0
    assert editor.get("/api/v1/catalogue/contact-requests/?status=new").json()["count"] == 12
    assert editor.get("/api/v1/catalogue/contact-requests/?status=maybe").status_code == 400


def test_a_request_outlives_its_project(project, sender, hoganas) -> None:
    client = swedish(sender)
    request_id = ask(client, project).json()["id"]

    project.delete()

    seen = client.get(f"/api/v1/catalogue/contact-requests/{request_id}/").json()
    assert seen["project"] is None
    assert seen["project_title"] == "Digital tvilling"


def test_a_contact_without_an_account_unsubscribes_from_requests_by_one_click(
    project, sender
) -> None:
    ask(swedish(sender), project)
    deliver()
    first = emails_to(CONTACT_EMAIL)[0]
    link = first.extra_headers["List-Unsubscribe"].strip("<>").split("8000", 1)[1]
    html = first.alternatives[0][0]
    browser = Client()

    looked = browser.get(link)
    still = ContactRequestRecipient.objects.count()
    clicked = browser.post(link, {"List-Unsubscribe": "One-Click"})
    tampered = browser.post(link.replace("/unsubscribe/e", "/unsubscribe/x"))
    mail.outbox.clear()
    ask(swedish(sender), project, kind="more_info")
    deliver()

    assert looked.status_code == 200
    assert still == 2
    assert clicked.status_code == 200
    assert tampered.status_code == 400
    assert link.split("/")[-2] in html  # the HTML version carries the link too
    assert html.count("/notifications/unsubscribe/") == 1
    # The next request reaches the organisation's address, not the contact who left.
    assert sorted(a for m in mail.outbox for a in m.to) == ["kontakt@hoganas.example"]


def test_html_in_a_request_reaches_the_contact_as_text_not_markup(project, sender) -> None:
    ask(
        swedish(sender),
        project,
        message='<a href="http://evil.example">Logga in</a><script>x</script>',
    )
    deliver()

    email = emails_to(CONTACT_EMAIL)[0]
    html = email.alternatives[0][0]
    assert "<script>" not in html
    assert '<a href="http://evil.example">' not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x</script>" in email.body  # the plain text shows what was written
    assert "/catalogue/contact-requests/answer/" in html
    assert 'href="http' in html
