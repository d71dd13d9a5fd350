"""Pagination for every list: page numbers (``?page=&page_size=``, at most 100), or a cursor
for feeds that grow without end."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

MAX_PAGE_SIZE = 100
K = TypeVar("K")
T = TypeVar("T")


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


class LoadedByKeys(Generic[K, T]):
    """A result the paginator pages through cheaply: it slices the ordered keys (a narrow
    query that sorts no wide rows) and loads the rows of that one page only. ``count``,
    when the caller already knows it, saves the count query."""

    def __init__(
        self,
        keys: QuerySet[Any, K],
        load: Callable[[list[K]], list[T]],
        count: int | None = None,
    ) -> None:
        self.keys = keys
        self.load = load
        self._count = count

    def count(self) -> int:
        if self._count is None:
            self._count = self.keys.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[T]:
        return self.load(list(self.keys[index]))
