"""What domain packages add to the shared pages: menu entries and dashboard sections.

core draws the menu and the dashboards but knows no domain package: each package
registers its own entries when the app is built (its views module's register(app)).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

EXTENSION = "serumpun.ui"


def _registry(app: Flask) -> dict:
    return app.extensions.setdefault(EXTENSION, {"navigation": {}, "dashboards": {}, "reader": [],
                                                 "placeholders": {}, "kept_at_sign_in": set()})


def add_navigation(app: Flask, roles: tuple[str | None, ...], endpoint: str, label, weight: int) -> None:
    """A menu entry for readers with one of the roles (None: signed out); lower weights come first."""
    for role in roles:
        entries = _registry(app)["navigation"].setdefault(role, [])
        if all(existing[1] != endpoint for existing in entries):
            entries.append((weight, endpoint, label))
            entries.sort(key=lambda entry: entry[0])


def navigation_entries(role: str | None) -> list[tuple[str, object]]:
    """(endpoint, label) of the menu for a role, in order."""
    return [(endpoint, label) for _, endpoint, label in _registry(current_app)["navigation"].get(role, [])]


def add_dashboard_section(app: Flask, area: str, provide: Callable[[object], dict]) -> None:
    """A part of an area's dashboard: provide(user) gives the template the values it shows."""
    _registry(app)["dashboards"].setdefault(area, []).append(provide)


def dashboard_context(area: str, user) -> dict:
    """Everything the area's dashboard sections provide for this user."""
    context: dict = {}
    for provide in _registry(current_app)["dashboards"].get(area, []):
        context.update(provide(user))
    return context


def add_reader_part(app: Flask, part: Callable[[], object]) -> None:
    """Something about the reader that shared page parts (the header) differ by, such as the currency."""
    _registry(app)["reader"].append(part)


def reader_parts() -> tuple:
    """This reader's parts, for the keys of shared page parts."""
    return tuple(part() for part in _registry(current_app)["reader"])


def add_placeholder(app: Flask, token: str, fill: Callable[[], str]) -> None:
    """A mark in shared (cached) page parts that fill() replaces per request, such as the cart's count."""
    _registry(app)["placeholders"][token] = fill


def registered_placeholders() -> dict[str, Callable[[], str]]:
    """Every registered mark and what fills it."""
    return _registry(current_app)["placeholders"]


def keep_at_sign_in(app: Flask, key: str) -> None:
    """A session key that signing in carries over into the new session (a guest's cart)."""
    _registry(app)["kept_at_sign_in"].add(key)


def kept_at_sign_in() -> set[str]:
    return set(_registry(current_app)["kept_at_sign_in"])
