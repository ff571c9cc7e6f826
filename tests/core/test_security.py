"""Security baseline: headers, cookies, CSRF, POST for every change."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.core.security import safe_next_url
from marketplace.extensions import db

from ..helpers import Client, buyer_form


def test_every_page_carries_the_security_headers(client):
    for url in ("/", "/login", "/does-not-exist", "/healthz"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers  # only in production


def test_production_adds_hsts_and_secure_cookies(app_factory, demo):
    app = app_factory(SERUMPUN_ENV="production", SECRET_KEY="a-long-production-secret", SERVER_NAME="localhost")
    client = Client(app)
    # Secure cookies travel only over HTTPS, and CSRF checks the referrer there.
    client.http.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/login"})
    assert "max-age=31536000" in client.get("/").headers["Strict-Transport-Security"]
    response = client.login("buyer@serumpun.example", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("serumpun_session=", "serumpun_remember="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app, client):
    response = client.http.post("/signup/buyer", data=buyer_form())
    assert response.status_code == 400
    assert "Your form expired or was sent from another site." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_token_from_another_session_is_refused(app, client, demo):
    other = Client(app)
    stolen = other.csrf_token("/login")
    response = client.http.post("/login", data={"csrf_token": stolen, "email": "buyer@serumpun.example",
                                                "password": "serumpun-demo"})
    assert response.status_code == 400


def test_json_clients_get_csrf_errors_as_json(client):
    response = client.http.post("/logout", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.is_json
    assert response.json["error"]["status"] == 400


def test_state_changes_refuse_get(client):
    for url in ("/logout", "/language", "/account/password", "/account/email", "/account/language"):
        assert client.get(url).status_code == 405, url


def test_safe_next_url_accepts_only_local_paths():
    assert safe_next_url("/merchant/") == "/merchant/"
    assert safe_next_url("/search?q=kopi#top") == "/search?q=kopi#top"
    for bad in ("//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)",
                "/\x00", "/\n/evil.example", "evil", None, "", "/" + "a" * 3000):
        assert safe_next_url(bad) is None, bad


def test_uploads_larger_than_the_limit_are_refused(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    client = Client(app)
    response = client.http.post("/login", data={"email": "x" * 5000}, headers={"Accept-Language": "ms"})
    assert response.status_code == 413
    assert "melebihi saiz yang dibenarkan" in response.get_data(as_text=True)


def test_pages_vary_by_language_and_session(client):
    vary = client.get("/").headers["Vary"]
    assert "Cookie" in vary and "Accept-Language" in vary


def test_behind_a_proxy_the_client_address_counts(app_factory, demo):
    app = app_factory(TRUST_PROXY_HOPS=1, LOGIN_RATE_LIMIT="1 per minute")
    first, second = Client(app), Client(app)
    first.http.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
    second.http.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    assert first.login("buyer@serumpun.example", "wrong-password-1").status_code == 400
    assert first.login("buyer@serumpun.example").status_code == 429
    # Same proxy, another client: not blocked.
    assert second.login("buyer@serumpun.example").status_code == 302


def test_json_clients_are_told_to_sign_in_with_a_401(client):
    response = client.get("/merchant/", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401


def test_nul_bytes_are_refused_before_they_reach_the_database(app, client):
    response = client.post("/signup/buyer", buyer_form(full_name="Aminah\x00binti"))
    assert response.status_code == 400
    assert client.get("/merchants/kopi\x00").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_signed_in_pages_are_not_cached(client, demo):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    client.login("admin@serumpun.example")
    assert client.get("/admin/").headers["Cache-Control"] == "private, no-store"


def test_pager_ignores_url_for_instructions_in_the_query(client, demo):
    client.login("admin@serumpun.example")
    for query in ("endpoint=x", "_external=1&_anchor=evil", "_method=POST", "page=2&role=buyer&endpoint=site.home"):
        response = client.get(f"/admin/?{query}")
        assert response.status_code == 200, query
        assert "evil" not in response.get_data(as_text=True).split("</header>", 1)[1]


def test_the_limiter_skips_the_public_catalog_but_still_counts_sign_ins(app_factory, demo):
    # Its check before each request is wrapped (extensions.skip_exempt_blueprints): were a Flask-Limiter
    # upgrade to register it some other way, the catalog would silently pay ~7% of each cached page again.
    from marketplace.extensions import limiter

    app = app_factory(LOGIN_RATE_LIMIT="1 per minute")
    hooks = app.before_request_funcs[None]
    assert any(hook.__name__ == "check_unless_exempt" for hook in hooks)
    assert not any(getattr(hook, "__self__", None) is limiter for hook in hooks)
    visitor = Client(app)
    for _ in range(3):
        assert visitor.get("/products").status_code == 200
    assert visitor.login("buyer@serumpun.example", "wrong-password-1").status_code == 400
    assert visitor.login("buyer@serumpun.example").status_code == 429
