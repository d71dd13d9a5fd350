import smtplib
from typing import Any

from celery import shared_task

from smartplatform.accounts.services import build_email


@shared_task(
    name="accounts.send_email",
    autoretry_for=(smtplib.SMTPException, OSError),
    ignore_result=True,
)
def send_email(payload: dict[str, Any]) -> None:
    """Send one account email (a code, a notice). Retried with back-off while SMTP is away."""
    build_email(payload).send()
