from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the demo admin account if it does not exist, and print how to log in."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--admin-url", default="http://127.0.0.1:8000/admin/", help="Where the admin is."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # Its password is printed and has a default: never an account of a real site.
            raise CommandError("The demo admin exists only in development (DEBUG=true).")
        User = get_user_model()
        email = settings.DEMO_ADMIN_EMAIL
        password = settings.DEMO_ADMIN_PASSWORD
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            User.objects.create_superuser(email=email, password=password, display_name="Demo admin")
        elif not user.check_password(password):
            # Somebody chose their own password: do not print one that no longer works.
            self.stdout.write(f"Demo admin: log in at {options['admin_url']} as {email}")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: log in at {options['admin_url']} with {email} / {password}"
            )
        )
