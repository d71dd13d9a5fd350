"""Personal data in matching: a person's saved searches (exported; deleted with the
account). Matches belong to listings, which the exchange closes and anonymises."""

from matching.models import SavedSearch
from smartplatform.accounts import personal_data
from smartplatform.accounts.models import User


def _delete(user: User) -> None:
    SavedSearch.objects.filter(user=user).delete()


personal_data.register(
    "saved_searches",
    SavedSearch,
    export=lambda user: personal_data.rows(
        SavedSearch.objects.filter(user=user).order_by("pk"), "name", "params", "created_at"
    ),
    erase=_delete,
)
