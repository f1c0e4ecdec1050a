"""``limit``/``offset`` pagination with bounds, so that no number a client sends reaches the
database unchecked (an offset beyond 64 bits is a 500 on SQLite and PostgreSQL)."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 10**9


class PageInput(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size (1–1000)")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip")


class Pagination(LimitOffsetPagination):
    """Returns ``{"items": [...], "count": N}``; ``limit`` 1–1000 (default 100)."""

    Input = PageInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class Rendered:
    """A queryset the paginator can count and slice, rendering only the rows of the page
    (so prefetches run on the page, not on the whole table)."""

    def __init__(self, qs: QuerySet, render):
        self.qs, self.render = qs, render

    def all(self) -> QuerySet:
        return self.qs.all()

    def __getitem__(self, item):
        return [self.render(row) for row in self.qs[item]]

    def __len__(self) -> int:
        return self.qs.count()
