"""Personal data in assisted use: consents, one-time codes, and acts on someone's behalf.

A resident's own rows go with them. Rows where the person was the coordinator (acts done,
consents recorded) stay with the resident they concern, pointing at the anonymised account.
"""

from smartplatform.accounts import personal_data
from smartplatform.assistance.models import Act, Consent, LoginCode

personal_data.register_rows(
    "assistance_consents",
    Consent,
    fields=("organisation__slug", "statement", "given_at", "withdrawn_at"),
    user_field="resident",
)
personal_data.register_rows(
    "one_time_login_codes",
    LoginCode,
    fields=("created_at", "expires_at", "used_at"),
    user_field="resident",
)
personal_data.register_rows(
    "acts_on_my_behalf",
    Act,
    fields=("at", "action", "details", "organisation__slug", "coordinator_id"),
    user_field="resident",
)


def _keep(user: object) -> None:
    """Kept: the rows concern someone else (the resident), and name this person only by
    the id of their account, which stays, anonymised."""


personal_data.register(
    "acts_done_for_others",
    Act,
    export=lambda user: personal_data.rows(
        Act.objects.filter(coordinator=user), "at", "action", "resident_id", "organisation__slug"
    ),
    erase=_keep,
)
personal_data.register(
    "consents_recorded_for_others",
    Consent,
    export=lambda user: personal_data.rows(
        Consent.objects.filter(recorded_by=user).exclude(resident=user),
        "given_at",
        "resident_id",
        "organisation__slug",
    ),
    erase=_keep,
)
