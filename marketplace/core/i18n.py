"""Which language a page is shown in."""
from __future__ import annotations

from functools import lru_cache

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGE_NAMES = {
    # Each language is named in itself, so that a reader can always find theirs.
    "id": "Bahasa Indonesia",
    "en": "English",
    "ms": "Bahasa Melayu",
}
LANGUAGE_SHORT = {"id": "ID", "en": "EN", "ms": "MS"}
LANGUAGE_LABEL = _l("Language")


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The user's saved choice, then the cookie, then the browser, then Indonesian."""
    languages = supported_languages()
    if not has_request_context():  # the command line and background work
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(current_app.config["LANGUAGE_COOKIE_NAME"])
    if cookie in languages:
        return cookie
    # Partner systems calling the API read English unless they ask otherwise.
    default = "en" if request.path.startswith("/api/") else current_app.config["BABEL_DEFAULT_LOCALE"]
    header = request.headers.get("Accept-Language")
    return (browser_language(header, languages) if header else None) or default


@lru_cache(maxsize=1024)
def browser_language(header: str, languages: tuple[str, ...]) -> str | None:
    """The best of our languages for an Accept-Language header. Browsers send a handful of distinct
    headers, and matching one is dear (about 0.1 ms, a cached page's whole budget), so each is matched once."""
    return parse_accept_header(header[:500], LanguageAccept).best_match(languages)
