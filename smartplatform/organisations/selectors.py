from django.db.models import QuerySet

from smartplatform.organisations.models import Municipality


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.order_by("name")
