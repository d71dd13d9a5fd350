from django.db.models import QuerySet

from smartplatform.core.swedish import SwedishOrder
from smartplatform.organisations.models import Municipality


def municipality_list() -> QuerySet[Municipality]:
    """The municipalities in Swedish alphabetical order (Å, Ä, Ö last)."""
    return Municipality.objects.order_by(SwedishOrder("name"))
