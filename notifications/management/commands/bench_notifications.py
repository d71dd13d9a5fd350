import time
from typing import Any
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings

from notifications import announcements, services, tasks
from notifications.models import Announcement, Delivery, Notification
from notifications.services import chunks
from smartplatform.accounts.models import User
from smartplatform.core import benchmarking
from smartplatform.organisations.models import Membership, Organisation, Role

BENCH_DOMAIN = "bench-notifications.example"


class Command(BaseCommand):
    help = (
        "Fan-out of one event to many people: a municipality's announcement to N residents "
        "through the notifications app's real path. Reports the time to write every in-app "
        "notification (with its email delivery record), then to render and send every email "
        "(locmem backend, in this one process: workers divide it). Run on a scratch database "
        "(make bench does); the seeded people are removed afterwards unless --keep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recipients", type=int, default=10_000)
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.exclude(email__endswith=BENCH_DOMAIN).filter(is_staff=False).exists():
            raise CommandError("Run this on a scratch database: it holds real accounts.")
        municipality = Organisation.objects.select_related("municipality").get(
            municipality__code="1283"
        )
        editor, count = self._seed(municipality, options["recipients"])
        try:
            self._run(municipality, editor, count)
        finally:
            if not options["keep"]:
                User.objects.filter(email__endswith=BENCH_DOMAIN).delete()

    def _seed(self, municipality: Organisation, count: int) -> tuple[User, int]:
        started = time.perf_counter()
        password = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    email=f"resident{n}@{BENCH_DOMAIN}",
                    display_name=f"Invånare {n}",
                    password=password,
                    home_municipality_id=municipality.municipality_id,
                    preferred_language="en" if n % 5 == 0 else "sv",
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
        editor = User.objects.get(email=f"resident0@{BENCH_DOMAIN}")
        Membership.objects.create(organisation=municipality, user=editor, role=Role.EDITOR)
        benchmarking.analyse("accounts_user", "organisations_membership")
        self.stdout.write(f"seeded {count} residents in {time.perf_counter() - started:.1f} s")
        return editor, count

    def _run(self, municipality: Organisation, editor: User, count: int) -> None:
        # Made directly, without its event: the fan-out below is what its consumer runs.
        announcement = Announcement.objects.create(
            organisation=municipality,
            created_by=editor,
            title="Vattenavstängning i centrum",
            text="Vattnet stängs av på tisdag mellan 09 och 12 för ledningsarbete.",
        )
        queued: list[int] = []
        # The emails are queued after each commit; collected here so the two halves are
        # timed apart (the real path hands them to workers in chunks).
        with mock.patch.object(services, "queue_emails", side_effect=queued.extend):
            started = time.perf_counter()
            told = announcements.tell_everyone(announcement, dedupe_key="bench")
            in_app = time.perf_counter() - started
        written = Notification.objects.filter(dedupe_key="bench").count()
        self.stdout.write(
            f"in-app: {written} notifications and {len(queued)} email deliveries written for "
            f"{told} people in {in_app:.2f} s ({written / in_app:.0f}/s), on {connection.vendor}"
        )
        benchmarking.analyse("notifications_notification", "notifications_delivery")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            started = time.perf_counter()
            for chunk in chunks(queued, settings.NOTIFICATION_EMAIL_CHUNK):
                tasks.send_emails(list(chunk))
            emails = time.perf_counter() - started
            sent = len(mail.outbox)
        self.stdout.write(
            f"email: {sent} rendered (HTML and text) and sent to the locmem backend in "
            f"{emails:.2f} s ({sent / emails:.0f}/s), one process, chunks of "
            f"{settings.NOTIFICATION_EMAIL_CHUNK}"
        )
        again = time.perf_counter()
        announcements.tell_everyone(announcement, dedupe_key="bench")
        self.stdout.write(
            f"the same event again: {Notification.objects.filter(dedupe_key='bench').count()} "
            f"notifications ({time.perf_counter() - again:.2f} s), "
            f"{Delivery.objects.filter(status='sent').count()} emails sent in all"
        )
        if written != count or sent != count:
            raise CommandError(f"expected {count} notifications and emails")
