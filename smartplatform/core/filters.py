"""Filter backends shared by every list endpoint."""

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from smartplatform.core.serializers import single_value_problem
from smartplatform.core.swedish import SwedishOrder


class OrderingFilter(filters.OrderingFilter):
    """``?ordering=``: unknown fields are a 400 naming the allowed ones (not silently
    ignored), and text fields a view lists in ``swedish_ordering_fields`` sort the Swedish
    way, Å, Ä and Ö after Z."""

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """The fields it sorts by, in the schema: one or more, comma-separated, each
        descending with ``-``. A view that names no ``ordering_fields`` offers no ordering."""
        fields = getattr(view, "ordering_fields", None)
        if not fields:
            return []
        one = "-?(?:" + "|".join(re.escape(field) for field in fields) + ")"
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], "pattern": f"^{one}(?:,{one})*$"}
        return parameters

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        given = request.query_params.getlist(self.ordering_param)
        problem = single_value_problem(given, may_be_blank=False)
        if problem:
            raise ValidationError({self.ordering_param: [problem]})
        return super().get_ordering(request, queryset, view)

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
        if not getattr(view, "ordering_fields", None):
            return queryset  # the view's own order; ``ordering`` is not one of its parameters
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
