"""Page numbers from the URL, and what a pager needs to draw itself."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

MAX_PAGE = 10_000


def page_number(name: str = "page") -> int:
    """A page number from the query string; nonsense means the first page."""
    raw = request.args.get(name, "1")
    try:
        value = int(raw)
    except ValueError:
        return 1
    return min(max(value, 1), MAX_PAGE)


@dataclass(frozen=True)
class Page:
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_url(number: int) -> str:
    """This page's address with another page number; the query's other filters stay.

    Only plain query keys pass: url_for would treat "_external", "_anchor" or
    "endpoint" as instructions, not as data.
    """
    return url_for(request.endpoint, **(request.view_args or {}), **plain_args(), page=number)


def plain_args() -> dict[str, str]:
    """The query's keys that url_for takes as data: not "page", "endpoint" or anything starting with "_"."""
    return {k: v for k, v in request.args.items() if not k.startswith("_") and k not in ("endpoint", "page")}
