"""Limit/offset pagination with bounds, so a huge ``limit`` or ``offset`` cannot overflow SQL.

DRF's own class passes any positive integer through to the database; SQLite then fails on values
past 64 bits. Here ``limit`` is capped at MAX_LIMIT and an offset past MAX_OFFSET is a 400.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_offset(self, request: Request) -> int:
        offset = super().get_offset(request)
        if offset > MAX_OFFSET:
            raise ValidationError({self.offset_query_param: [f"Ensure this value is at most {MAX_OFFSET}."]})
        return offset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            schema = parameter.setdefault("schema", {})
            schema["minimum"] = 0
            schema["maximum"] = MAX_LIMIT if parameter["name"] == self.limit_query_param else MAX_OFFSET
        return parameters
