"""Pagination for every list: page numbers (``?page=&page_size=``, at most 100), or a cursor
for feeds that grow without end."""

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

MAX_PAGE_SIZE = 100


def _requested_page_size(request: Request, default: int | None) -> int | None:
    raw = request.query_params.get("page_size")
    if raw is None or raw == "":
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [_("Must be a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
        )
    return size


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        return _requested_page_size(request, self.page_size)


class CursorPagination(pagination.CursorPagination):
    """For feeds: stable under inserts. Views set ``ordering`` to one fixed, unique order."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"

    def get_page_size(self, request: Request) -> int | None:
        return _requested_page_size(request, self.page_size)
