"""Assisted use: registering residents without email, consent, acting on their behalf, and
the one-time code with which a resident takes over their own account."""

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartplatform.accounts.models import User
from smartplatform.assistance.models import Act, Consent, LoginCode
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish
from smartplatform.organisations.models import Membership, Municipality, Organisation

MANAGED_EMAIL_DOMAIN = "ombud.invalid"  # .invalid can never receive mail
LOGIN_CODE_VALID_FOR = timedelta(days=90)
# Letters and digits that cannot be mistaken for each other when read off paper.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class NotACoordinator(DomainError):
    status_code = 403
    code = "not_a_coordinator"
    default_message = _("Only the organisation's coordinators may do this.")


class NoConsent(DomainError):
    status_code = 403
    code = "no_consent"
    default_message = _(
        "This resident has not given (or has withdrawn) their consent that your "
        "organisation acts for them."
    )


class ConsentAlreadyGiven(ConflictError):
    code = "consent_already_given"
    default_message = _("This consent is already in force.")


class NoActiveConsent(ConflictError):
    code = "no_active_consent"
    default_message = _("There is no consent in force to withdraw.")


class LoginCodeInvalid(DomainError):
    status_code = 400
    code = "login_code_invalid"
    default_message = _("This code is not valid: it may be mistyped, used or expired.")


class HasOwnLogin(ConflictError):
    code = "has_own_login"
    default_message = _(
        "This resident already signs in with their own email address; a printed code is "
        "only for accounts a coordinator registered."
    )


class EmailTaken(ConflictError):
    code = "email_taken"
    default_message = _("Another account already uses this email address.")


def is_managed(user: User) -> bool:
    return user.email.endswith(f"@{MANAGED_EMAIL_DOMAIN}")


def is_coordinator(user: Any, organisation: Organisation) -> bool:
    """A member granted the coordinator role in a verified organisation. Nobody else, staff
    and superusers included: acting for residents needs a named, accountable person."""
    if not (user.is_authenticated and organisation.is_verified):
        return False
    return Membership.objects.filter(
        organisation=organisation, user=user, is_coordinator=True
    ).exists()


def require_coordinator(user: Any, organisation: Organisation) -> None:
    if not is_coordinator(user, organisation):
        raise NotACoordinator()


def _hash(code: str) -> str:
    normalised = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalised.encode("ascii", "ignore")).hexdigest()


def is_unclaimed(resident: User, organisation: Organisation | None = None) -> bool:
    """A managed account nobody has taken over yet (of ``organisation``, if given)."""
    if resident.managed_by_id is None or resident.has_usable_password():
        return False
    return organisation is None or resident.managed_by_id == organisation.pk


def new_login_code(*, resident: User, created_by: User) -> str:
    """A fresh one-time code for a managed ``resident``; any earlier unused one stops
    working. Never for an account with its own login: the code would take it over."""
    if not is_unclaimed(resident):
        raise HasOwnLogin()
    LoginCode.objects.filter(resident=resident, used_at__isnull=True).delete()
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    LoginCode.objects.create(
        resident=resident,
        code_hash=_hash(raw),
        created_by=created_by,
        expires_at=timezone.now() + LOGIN_CODE_VALID_FOR,
    )
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def record_act(
    *,
    resident: User,
    coordinator: User,
    organisation: Organisation,
    action: str,
    details: dict[str, Any] | None = None,
) -> Act:
    """What a coordinator did for a resident; the resident sees it. ``details`` holds ids
    and field names, never personal data."""
    return Act.objects.create(
        resident=resident,
        coordinator=coordinator,
        organisation=organisation,
        action=action,
        details=details or {},
    )


@transaction.atomic
def register_resident(
    *,
    coordinator: User,
    organisation: Organisation,
    display_name: str,
    consent_statement: str,
    home_municipality: Municipality | None = None,
    preferred_language: str = User.Language.SWEDISH,
    phone: str = "",
) -> tuple[User, str]:
    """A managed account for a resident without email, their consent, and the one-time code
    to print for them."""
    require_coordinator(coordinator, organisation)
    resident = User.objects.create_user(
        email=f"resident-{uuid.uuid4().hex}@{MANAGED_EMAIL_DOMAIN}",
        password=None,
        display_name=display_name.strip(),
        home_municipality=home_municipality,
        preferred_language=preferred_language,
        phone=phone.strip(),
        managed_by=organisation,
    )
    Consent.objects.create(
        resident=resident,
        organisation=organisation,
        statement=consent_statement.strip(),
        recorded_by=coordinator,
    )
    code = new_login_code(resident=resident, created_by=coordinator)
    record_act(
        resident=resident,
        coordinator=coordinator,
        organisation=organisation,
        action="account.registered",
    )
    publish(
        "assistance.resident_registered",
        {"resident": resident.pk, "organisation": organisation.pk, "by": coordinator.pk},
    )
    return resident, code


@transaction.atomic
def give_consent(
    *, resident: User, organisation: Organisation, statement: str, recorded_by: User
) -> Consent:
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                resident=resident,
                organisation=organisation,
                statement=statement.strip(),
                recorded_by=recorded_by,
            )
    except IntegrityError as exc:  # one consent in force per resident and organisation
        raise ConsentAlreadyGiven() from exc
    publish(
        "assistance.consent_given",
        {"resident": resident.pk, "organisation": organisation.pk, "by": recorded_by.pk},
    )
    return consent


@transaction.atomic
def withdraw_consent(
    *, resident: User, organisation: Organisation, by: User, consent_id: int | None = None
) -> Consent:
    """Withdrawn at once: from now on nobody at ``organisation`` can act for the resident.
    With ``consent_id``, that very consent (409 if it is no longer in force)."""
    consents = Consent.objects.select_for_update().filter(
        resident=resident, organisation=organisation, withdrawn_at__isnull=True
    )
    if consent_id is not None:
        consents = consents.filter(pk=consent_id)
    consent = consents.first()
    if consent is None:
        raise NoActiveConsent()
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = by
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    publish(
        "assistance.consent_withdrawn",
        {"resident": resident.pk, "organisation": organisation.pk, "by": by.pk},
    )
    return consent


def acting_organisation(*, coordinator: User, resident: User) -> Organisation:
    """The organisation through which ``coordinator`` may act for ``resident`` now: one where
    they are a coordinator and the resident's consent is in force."""
    consented = Consent.objects.filter(resident=resident, withdrawn_at__isnull=True).values(
        "organisation"
    )
    coordinating = Membership.objects.filter(
        user=coordinator,
        is_coordinator=True,
        organisation__in=consented,
        organisation__is_verified=True,
    ).select_related("organisation")
    membership = coordinating.order_by("organisation_id").first()
    if membership is None:
        raise NoConsent()
    return membership.organisation


EMAIL_CODE_VALID_FOR = timedelta(minutes=30)
EMAIL_CODE_MAX_ATTEMPTS = 5


class EmailCodeInvalid(DomainError):
    status_code = 400
    code = "email_code_invalid"
    default_message = _(
        "The code from the email is not right, or has expired. Start again with your printed code."
    )


def _claimable(code: str) -> LoginCode:
    login_code = (
        LoginCode.objects.select_for_update()
        .select_related("resident")
        .filter(code_hash=_hash(code), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if login_code is None or not is_unclaimed(login_code.resident):
        raise LoginCodeInvalid()
    return login_code


@transaction.atomic
def start_claim(*, code: str, email: str, password: str) -> None:
    """First step of taking over a managed account with the printed code: the address and
    password are kept aside and a code is sent to the address. The account does not change
    until that code comes back, so a mistyped address gives its owner nothing."""
    login_code = _claimable(code)
    email = email.strip().lower()
    if _address_in_use(email, login_code.resident):
        raise EmailTaken()
    validate_password(password, user=login_code.resident)
    email_code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    login_code.pending_email = email
    login_code.pending_password = make_password(password)
    login_code.email_code_hash = _hash(email_code)
    login_code.email_code_expires_at = timezone.now() + EMAIL_CODE_VALID_FOR
    login_code.email_code_attempts = 0
    login_code.save(
        update_fields=[
            "pending_email",
            "pending_password",
            "email_code_hash",
            "email_code_expires_at",
            "email_code_attempts",
        ]
    )
    _send_claim_code(login_code.resident, email, f"{email_code[:4]}-{email_code[4:]}")


def _send_claim_code(resident: User, email: str, email_code: str) -> None:
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    from smartplatform.accounts.services import send_email_after_commit

    context = {"name": resident.display_name, "code": email_code}
    with translation.override(resident.preferred_language):
        subject = render_to_string("assistance/email/claim_subject.txt", context)
        body = render_to_string("assistance/email/claim_message.txt", context)
    send_email_after_commit(EmailMessage(subject=" ".join(subject.split()), body=body, to=[email]))


def confirm_claim(*, code: str, email_code: str) -> User:
    """Second step: the code sent to the address proves it is the resident's. The account
    becomes theirs: that address (verified) and their password. Each printed code works
    once; a few wrong email codes and the claim starts over."""
    with transaction.atomic():
        login_code = _claimable(code)
        if not login_code.pending_email or login_code.email_code_expires_at is None:
            raise EmailCodeInvalid()
        matches = secrets.compare_digest(login_code.email_code_hash, _hash(email_code))
        fresh = login_code.email_code_expires_at > timezone.now()
        if matches and fresh:
            return _complete_claim(login_code)
        # A wrong or late code is counted, and the count is committed (the refusal is
        # raised after the transaction, not through it).
        login_code.email_code_attempts += 1
        if login_code.email_code_attempts >= EMAIL_CODE_MAX_ATTEMPTS or not fresh:
            login_code.pending_email = ""
            login_code.pending_password = ""
            login_code.email_code_hash = ""
        login_code.save()
    raise EmailCodeInvalid()


def _complete_claim(login_code: LoginCode) -> User:
    from allauth.account.models import EmailAddress

    resident = User.objects.select_for_update().get(pk=login_code.resident_id)
    email = login_code.pending_email
    if _address_in_use(email, resident):
        raise EmailTaken()
    organisation = resident.managed_by
    resident.email = email
    resident.password = login_code.pending_password
    resident.managed_by = None
    try:
        with transaction.atomic():
            resident.save(update_fields=["email", "password", "managed_by"])
            EmailAddress.objects.create(user=resident, email=email, verified=True, primary=True)
    except IntegrityError as exc:  # the same address claimed at the same moment
        raise EmailTaken() from exc
    login_code.used_at = timezone.now()
    login_code.pending_password = ""
    login_code.email_code_hash = ""
    login_code.save()
    # Whoever was signed in as the managed account (nobody should be) is signed out.
    from smartplatform.accounts.suspension import end_sessions

    end_sessions(resident)
    if organisation is not None:
        Act.objects.create(
            resident=resident, coordinator=None, organisation=organisation, action="account.claimed"
        )
    publish("assistance.account_claimed", {"resident": resident.pk})
    return resident


def _address_in_use(email: str, resident: User) -> bool:
    from allauth.account.models import EmailAddress

    return (
        User.objects.filter(email__iexact=email).exclude(pk=resident.pk).exists()
        or EmailAddress.objects.filter(email__iexact=email).exclude(user=resident).exists()
    )
