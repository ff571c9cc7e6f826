"""Security headers on every response, the check for redirect targets, and JSON bodies that cannot crash us."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, g, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter


def content_security_policy(form_targets: list[str] | tuple[str, ...] = ()) -> str:
    """Our policy; form_targets are other origins this page's forms may lead to (after a redirect too)."""
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            " ".join(["form-action 'self'", *form_targets]),
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()


def allow_form_targets(*origins: str) -> None:
    """Let this page's forms lead to these origins too: a browser refuses a form whose answer redirects to
    an origin its page's form-action does not name (a payment provider's hosted page, say)."""
    targets = g.setdefault("form_targets", [])
    targets.extend(o for o in origins if o and o not in targets)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its serializer built once per set of keys instead of twice a request
    (building one serializes a test value: about 4% of a page served whole from the cache)."""

    def __init__(self):
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


def register_security_headers(app: Flask) -> None:
    """Headers that tell browsers to distrust everything but us."""
    app.session_interface = SessionCookies()
    hsts = app.config.get("SECURITY_HSTS", False)
    app.url_map.converters["id"] = IdConverter
    hops = app.config.get("TRUST_PROXY_HOPS", 0)
    if hops:
        # Not x_host: the host comes from SERVER_NAME, never from a header a client can set.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    @app.before_request
    def refuse_nul_bytes():
        """NUL cannot be stored in PostgreSQL text and has no place in a form: refuse it up front."""
        # A GET or HEAD has no form to read (reading one would still parse the request for it).
        form = request.form.values() if request.method not in ("GET", "HEAD") else ()
        values = [*request.args.values(), *form, *(request.view_args or {}).values()]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            abort(400)

    fixed = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "strict-origin-when-cross-origin"),
             ("X-Frame-Options", "DENY"),
             ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
             ("Cross-Origin-Opener-Policy", "same-origin")]
    if hsts:
        fixed.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def set_headers(response):
        headers = response.headers
        present = {name.lower() for name, _ in headers}  # one pass, where a setdefault per header made six
        targets = g.get("form_targets")
        missing = [(name, value) for name, value in fixed if name.lower() not in present]
        if "content-security-policy" not in present:
            missing.append(("Content-Security-Policy",
                            content_security_policy(targets) if targets else CONTENT_SECURITY_POLICY))
        headers.extend(missing)
        # Pages differ by language (cookie or Accept-Language) and by who is signed in.
        if "vary" in present:
            response.vary.update(("Cookie", "Accept-Language"))
        else:
            headers["Vary"] = "Cookie, Accept-Language"
        if current_user.is_authenticated and "cache-control" not in present:
            # A signed-in page must not come back from the cache after signing out.
            headers["Cache-Control"] = "private, no-store"
        return response


def safe_next_url(target: str | None) -> str | None:
    """Return target if it is a relative path on this site, else None.

    Browsers treat backslashes as slashes and ignore tabs and newlines inside
    URLs, so "/\\evil.example" or "/\t/evil.example" would leave the site.
    """
    if not target or len(target) > 2000:
        return None
    if any(ch in target for ch in "\\\t\r\n\x00") or any(ord(ch) < 32 for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


class IdConverter(IntegerConverter):
    """<id:...> in routes: a positive integer that fits the database's id column, else 404."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


class BoundedJSONProvider(DefaultJSONProvider):
    """JSON whose nesting is too deep for the parser is a bad body, not a crash.

    The decoder raises RecursionError on a few kilobytes of "[[[[...": request.get_json() only turns a
    ValueError into "bad JSON" (None when silent, 400 otherwise), so the RecursionError is one.
    """

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error
