"""The moderation queue as a moderator uses it: in a real (headless) Chromium, through the
admin's own pages, forms and JavaScript.

Needs Debian's Chromium (`apt-get install chromium`); `.ci/run` installs it and sets
REQUIRE_BROWSER=1, which turns a missing browser into a failure instead of a skip.
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from exchange import listings
from exchange.models import Listing, ModerationDecision
from smartplatform.organisations.models import Municipality
from tests.exchange.factories import make_listing, resident
from tests.factories import StaffFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
REASON = "Annonsen säljer en vara; här byter vi tjänster och delar resurser."

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium. Playwright runs an event loop in this thread while it is open, so
    Django's database calls (which refuse to run beside one) come before and after, not
    inside."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM}; install Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            browser.close()


def waiting_for_review(title: str, code: str = "1283") -> Listing:
    owner = resident(established=False)
    listing = make_listing(
        title, owner=owner, published=False, municipality=Municipality.objects.get(code=code)
    )
    listing = listings.publish_listing(actor=owner, listing=listing)
    assert listing.state == Listing.State.PENDING_REVIEW
    return listing


def test_a_moderator_rejects_a_listing_with_a_reason_and_it_leaves_the_queue(
    live_server: Any,
) -> None:
    rejected = waiting_for_review("Säljer begagnad gräsklippare")
    kept = waiting_for_review("Hjälp med att klippa gräset")
    elsewhere = waiting_for_review("Barnvakt i Båstad", code="1278")
    moderator: Any = StaffFactory(email="moderator@helsingborg.se")
    moderator.moderated_municipalities.add(Municipality.objects.get(code="1283"))

    with chromium() as browser:
        page = browser.new_page(locale="en-GB")
        page.goto(f"{live_server.url}/admin/login/?next=/admin/exchange/moderationqueueitem/")
        page.fill("input[name=username]", "moderator@helsingborg.se")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")

        queue = page.locator("#result_list")
        queue.wait_for()
        assert rejected.title in queue.inner_text()
        assert kept.title in queue.inner_text()
        assert elsewhere.title not in queue.inner_text()

        page.check(f"input[name=_selected_action][value='{rejected.pk}']")
        page.select_option("select[name=action]", "reject")
        page.click("button[name=index]")
        page.fill("textarea[name=reason]", REASON)
        page.click("input[type=submit]")

        page.locator(".messagelist").wait_for()
        after = page.locator("#result_list").inner_text()
        assert rejected.title not in after
        assert kept.title in after
        page.close()

    rejected.refresh_from_db()
    decision = ModerationDecision.objects.get()
    assert rejected.state == Listing.State.REJECTED
    assert (decision.moderator, decision.action, decision.reason) == (moderator, "reject", REASON)
    assert decision.object_id == rejected.pk
