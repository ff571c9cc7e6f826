"""Domain errors and the one place that turns errors into pages or JSON."""
from __future__ import annotations

import logging

from flask import Flask, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug import exceptions as werkzeug_exceptions
from werkzeug.exceptions import HTTPException, InternalServerError

from ..extensions import db, login_manager

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of ours refused the request; the message is shown to the user."""

    status_code = 400
    default_message = _l("The request could not be completed.")

    def __init__(self, message=None, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(str(self.message))


class NotFound(werkzeug_exceptions.NotFound):
    """Not there, or not yours: the two look the same from outside.

    Not a DomainError, so that a view's "show the message and stay" handling
    never turns someone else's object into a friendly flash.
    """


TITLES = {
    400: _l("Bad request"),
    401: _l("Please sign in"),
    403: _l("No access"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Upload too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
    503: _l("Back in a moment"),
}

MESSAGES = {
    400: _l("The request could not be understood. Please check what you sent and try again."),
    401: _l("Please sign in to continue."),
    403: _l("You do not have access to this page."),
    404: _l("We could not find that page. It may have moved or never existed."),
    405: _l("This address does not accept that kind of request."),
    413: _l("What you sent is larger than we accept. Please send a smaller file."),
    429: _l("Too many attempts in a short time. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Nothing was changed; please try again in a moment."),
    503: _l("Serumpun cannot reach its database just now. Nothing was changed; please try again in a minute."),
}


def wants_json() -> bool:
    """JSON for the API and for clients that ask for it first."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, message=None):
    title = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    text = message or MESSAGES.get(status) or title
    if wants_json():
        response = jsonify(error={"status": status, "title": str(title), "message": str(text)})
        response.status_code = status
        return response
    return render_template("errors/error.html", status=status, title=title, message=text), status


def unauthorized():
    """Not signed in: JSON clients get a 401; people go to the sign-in page and come back."""
    if wants_json():
        return error_response(401)
    flash(MESSAGES[401], "info")
    return redirect(url_for("accounts.login", next=request.full_path if request.query_string else request.path))


def register_session_close(app: Flask) -> None:
    """Close the request's session without turning an answer already made into a 500.

    The database can go away between the answer and the end of the request (PostgreSQL restarting
    ends every connection): the rollback at close then fails on a dead connection. The answer stands;
    the connection is thrown away and the pool's pre-ping opens a new one for the next request.
    Registered after Flask-SQLAlchemy, so it runs before its own teardown, which finds nothing left to close.
    """

    @app.teardown_appcontext
    def close_session(error):
        try:
            db.session.remove()
        except DBAPIError as exc:
            log.warning("Database connection lost while closing a session: %s", exc.orig or exc)
            try:
                db.session().invalidate()
            except DBAPIError:
                pass
            db.session.registry.clear()


def register_error_handlers(app: Flask) -> None:
    """Every error, ours or Werkzeug's, ends in a page or JSON in the user's language."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return error_response(
            400, _l("Your form expired or was sent from another site. Please reload the page and try again.")
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return error_response(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        response = error_response(status)
        if status == 405 and getattr(error, "valid_methods", None):
            response = app.make_response(response)
            response.headers["Allow"] = ", ".join(error.valid_methods)
        if status == 429:
            response = app.make_response(response)
            retry = getattr(error, "retry_after", None)
            if retry:
                response.headers["Retry-After"] = str(retry)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unreachable(error: DBAPIError):
        """The database is down or restarting: a 503 in the reader's language, and the pool (pre-ping) finds
        a live connection again by itself once it is back. The page is drawn as for a visitor: loading the
        signed-in user would ask the database again."""
        log.warning("Database unreachable on %s %s: %s", request.method, request.path, error.orig or error)
        try:
            db.session.rollback()
        except DBAPIError:
            pass
        g._login_user = login_manager.anonymous_user()
        response = app.make_response(error_response(503))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500)

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        db.session.rollback()
        return error_response(500)
