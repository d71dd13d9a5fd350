"""Pagination for every list: page numbers (``?page=&page_size=``, at most 100), or a cursor
for feeds that grow without end."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from django.core.paginator import EmptyPage, Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from smartplatform.core.serializers import single_value_problem

MAX_PAGE_SIZE = 100
MAX_PAGE_NUMBER = 10_000_000
K = TypeVar("K")
T = TypeVar("T")


def _once(request: Request, name: str) -> None:
    """A paging parameter names one page: given twice, it is a 400 (not the last one)."""
    problem = single_value_problem(request.query_params.getlist(name), may_be_blank=True)
    if problem:
        raise ValidationError({name: [problem]})


def _requested_page_size(request: Request, default: int | None) -> int | None:
    _once(request, "page_size")
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


class _Paginator(DjangoPaginator):
    """Django's paginator, which lets an object list that can (``page_with_total``) count its
    matches in the page's own query instead of a count query of its own."""

    def page(self, number: Any) -> Page:
        page_with_total = getattr(self.object_list, "page_with_total", None)
        if page_with_total is None or str(number).strip() == "last":
            return super().page(number)
        try:
            whole = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # the paginator's own error
        if whole < 1:
            return super().page(number)
        if whole > MAX_PAGE_NUMBER:
            # Past any list this platform holds, and past what SQL's OFFSET can take.
            raise EmptyPage(_("That page contains no results"))
        bottom = (whole - 1) * self.per_page
        items, total = page_with_total(bottom, bottom + self.per_page)
        self.__dict__["count"] = total  # ``count`` is a cached property
        return Page(items, self.validate_number(whole), self)


def _bounded(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The schema says what the paginator accepts: pages from 1, page sizes 1 to 100."""
    bounds = {"page": {"minimum": 1}, "page_size": {"minimum": 1, "maximum": MAX_PAGE_SIZE}}
    for parameter in parameters:
        parameter["schema"] = {**parameter["schema"], **bounds.get(parameter["name"], {})}
    return parameters


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = _Paginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        return _requested_page_size(request, self.page_size)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        _once(request, self.page_query_param)
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return _bounded(super().get_schema_operation_parameters(view))


class CursorPagination(pagination.CursorPagination):
    """For feeds: stable under inserts. Views set ``ordering`` to one fixed, unique order."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"

    def get_page_size(self, request: Request) -> int | None:
        return _requested_page_size(request, self.page_size)

    def decode_cursor(self, request: Request) -> Any:
        _once(request, self.cursor_query_param)
        return super().decode_cursor(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return _bounded(super().get_schema_operation_parameters(view))


class LoadedByKeys(Generic[K, T]):
    """A result the paginator pages through cheaply: it slices the ordered keys (a narrow
    query that sorts no wide rows) and loads the rows of that one page only.

    ``count``, when the caller already knows it, saves the count query. ``count_with_page``
    counts in the page's own query (a window over the matches) instead: right when the
    ordering is computed for every match anyway (a rank, a distance), wrong when an index
    serves the order and the page query reads only one page of rows."""

    def __init__(
        self,
        keys: QuerySet[Any, K],
        load: Callable[[list[K]], list[T]],
        count: int | None = None,
        *,
        count_with_page: bool = False,
        key: str = "pk",
    ) -> None:
        self.keys = keys
        self.load = load
        self._count = count
        self.count_with_page = count_with_page
        self.key = key

    def page_with_total(self, bottom: int, top: int) -> tuple[list[T], int]:
        if self._count is not None or not self.count_with_page or not self.keys.query.order_by:
            return self[bottom:top], self.count()
        # The matches are numbered in their order, narrow (key and number: the wide columns
        # a rank reads are gone before the sort), then counted and cut to the page. Counting
        # in the same query as the order (a window over the ordered rows) would carry the
        # wide rows into the window and spill them to disk.
        numbered = self.keys.values_list(
            self.key, Window(RowNumber(), order_by=cast(Any, list(self.keys.query.order_by)))
        ).order_by()
        sql, params = numbered.query.sql_with_params()
        with connections[self.keys.db].cursor() as cursor:
            cursor.execute(
                f"SELECT found.*, COUNT(*) OVER () FROM ({sql}) found "  # noqa: S608 (compiled)
                "ORDER BY 2 LIMIT %s OFFSET %s",
                (*params, top - bottom, bottom),
            )
            rows = cursor.fetchall()
        if not rows:  # past the last page (or nothing found): the window told nothing
            return [], self.count()
        self._count = rows[0][2]
        return self.load([key for key, _position, _total in rows]), self._count

    def count(self) -> int:
        if self._count is None:
            self._count = self.keys.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[T]:
        return self.load(list(self.keys[index]))
