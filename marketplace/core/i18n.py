"""Which language a page is shown in."""
from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

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
    return request.accept_languages.best_match(languages) or default
