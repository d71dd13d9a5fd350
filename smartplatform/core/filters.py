"""Filter backends shared by every list endpoint."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from smartplatform.core.swedish import SwedishOrder


class OrderingFilter(filters.OrderingFilter):
    """``?ordering=``: unknown fields are a 400 naming the allowed ones (not silently
    ignored), and text fields a view lists in ``swedish_ordering_fields`` sort the Swedish
    way, Å, Ä and Ö after Z."""

    def remove_invalid_fields(
        self, queryset: QuerySet[Any], fields: Iterable[str], view: Any, request: Request
    ) -> list[str]:
        fields = list(fields)
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields):
            allowed = sorted(name for name, _label in self.get_valid_fields(queryset, view))
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Unknown ordering. Choose from: %(fields)s.")
                        % {"fields": ", ".join(allowed)}
                    ]
                }
            )
        return valid

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        swedish = set(getattr(view, "swedish_ordering_fields", ()))
        terms: list[Any] = []
        for term in ordering:
            name = term.lstrip("-")
            if name in swedish:
                expression = SwedishOrder(name)
                terms.append(expression.desc() if term.startswith("-") else expression.asc())
            else:
                terms.append(term)
        return queryset.order_by(*terms)
