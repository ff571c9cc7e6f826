"""Signing in and out: one message for every failure, safe redirects, a fresh session, a rate limit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db

from ..helpers import text_of

SAME_MESSAGE = "The email or password is not right."


def test_demo_merchant_signs_in_and_out(client, demo):
    response = client.login("merchant@serumpun.example")
    assert response.status_code == 302
    assert response.headers["Location"] == "/merchant/"
    assert "Sangrai Preanger Coffee" in text_of(client.get("/merchant/"))

    out = client.logout()
    assert out.status_code == 302
    assert client.get("/merchant/").status_code == 302  # back to the sign-in page


def test_unknown_email_and_wrong_password_get_the_same_answer(client, demo):
    wrong_password = client.login("merchant@serumpun.example", "not-the-password")
    unknown_email = client.login("nobody@serumpun.example", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert SAME_MESSAGE in text_of(wrong_password)
    assert SAME_MESSAGE in text_of(unknown_email)
    assert 'value="nobody@serumpun.example"' in unknown_email.get_data(as_text=True)  # the form keeps the email
    assert "not-the-password" not in unknown_email.get_data(as_text=True)  # but never the password


def test_email_is_matched_without_regard_to_case_or_spaces(client, demo):
    assert client.login("  Merchant@Serumpun.EXAMPLE ").status_code == 302


def test_disabled_account_cannot_sign_in(app, client, demo):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "buyer@serumpun.example"))
        user.active = False
        db.session.commit()
    response = client.login("buyer@serumpun.example")
    assert response.status_code == 400
    assert "This account is disabled" in text_of(response)


def test_session_is_renewed_at_sign_in(client, demo):
    token_before = client.csrf_token("/login")
    before = client.http.get_cookie("serumpun_session").value
    client.login("buyer@serumpun.example")
    assert client.http.get_cookie("serumpun_session").value != before
    # Nothing of the anonymous session survives: not even its CSRF secret.
    stale = client.http.post("/logout", data={"csrf_token": token_before})
    assert stale.status_code == 400
    assert client.get("/buyer/profile").status_code == 200


def test_session_cookie_is_httponly_and_lax(client, demo):
    response = client.login("buyer@serumpun.example")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("serumpun_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # development and tests run on plain http


def test_remember_me_sets_a_lasting_cookie_only_when_asked(client, another_client, demo):
    plain = client.login("buyer@serumpun.example")
    assert not any(c.startswith("serumpun_remember=") for c in plain.headers.getlist("Set-Cookie"))
    remembered = another_client.login("buyer@serumpun.example", remember="y")
    cookie = next(c for c in remembered.headers.getlist("Set-Cookie") if c.startswith("serumpun_remember="))
    assert "HttpOnly" in cookie and "Expires=" in cookie


def test_session_cookie_lasts_only_as_long_as_the_browser_unless_remembered(client, another_client, demo):
    plain = client.login("buyer@serumpun.example")
    session_cookie = next(c for c in plain.headers.getlist("Set-Cookie") if c.startswith("serumpun_session="))
    assert "Expires=" not in session_cookie
    remembered = another_client.login("buyer@serumpun.example", remember="y")
    session_cookie = next(c for c in remembered.headers.getlist("Set-Cookie") if c.startswith("serumpun_session="))
    assert "Expires=" in session_cookie


def test_signing_out_also_forgets_a_remembered_device(client, demo):
    client.login("buyer@serumpun.example", remember="y")
    response = client.logout()
    assert any(c.startswith("serumpun_remember=;") for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/buyer/profile").status_code == 302


def test_json_bodies_count_against_the_same_account_limit(app_factory, demo):
    from ..helpers import Client

    app = app_factory(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="2 per hour")
    client = Client(app)
    for _ in range(2):
        client.login("merchant@serumpun.example", "wrong-password-x")
    token = client.csrf_token()
    response = client.http.post("/login", json={"email": "merchant@serumpun.example", "password": "serumpun-demo"},
                                headers={"X-CSRFToken": token})
    assert response.status_code == 429


def test_remembered_user_stays_signed_in_after_the_session_ends(client, demo):
    client.login("buyer@serumpun.example", remember="y")
    client.http.delete_cookie("serumpun_session")
    assert client.get("/buyer/profile").status_code == 200


@pytest.mark.parametrize("target", ["/officer/", "/account?tab=email", "/merchant/%E2%9C%93"])
def test_next_is_honoured_for_paths_on_this_site(client, demo, target):
    response = client.post(f"/login?next={target}", {"email": "admin@serumpun.example", "password": "serumpun-demo"},
                           token_from="/login")
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/\t/evil.example",
        "evil.example",
        "",
    ],
)
def test_unsafe_next_values_are_refused(client, demo, target):
    response = client.post("/login", {"email": "merchant@serumpun.example", "password": "serumpun-demo",
                                      "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/merchant/"


def test_login_page_drops_an_unsafe_next_from_its_form(client):
    page = client.get("/login?next=https://evil.example/").get_data(as_text=True)
    assert '<input id="next" name="next" type="hidden" value="">' in page
    safe = client.get("/login?next=/buyer/profile").get_data(as_text=True)
    assert '<input id="next" name="next" type="hidden" value="/buyer/profile">' in safe


def test_sign_in_is_rate_limited(app_factory, demo):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    from ..helpers import Client

    client = Client(app)
    for _ in range(3):
        assert client.login("merchant@serumpun.example", "wrong-password-x").status_code == 400
    blocked = client.login("merchant@serumpun.example")  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many attempts" in text_of(blocked)
    assert "Retry-After" in blocked.headers
    # Other pages still work.
    assert client.get("/").status_code == 200


def test_sign_out_is_a_post(client, demo):
    client.login("buyer@serumpun.example")
    assert client.get("/logout").status_code == 405
    assert client.get("/buyer/profile").status_code == 200


def test_one_account_is_protected_from_guesses_coming_from_many_addresses(app_factory, demo):
    from ..helpers import Client

    app = app_factory(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="3 per hour")
    for n in range(3):
        client = Client(app)
        client.http.environ_base["REMOTE_ADDR"] = f"10.9.8.{n}"
        assert client.login("merchant@serumpun.example", "guess-number-" + str(n)).status_code == 400
    attacker = Client(app)
    attacker.http.environ_base["REMOTE_ADDR"] = "10.9.8.77"
    assert attacker.login("merchant@serumpun.example").status_code == 429
    # Another account is not affected.
    assert attacker.login("buyer@serumpun.example").status_code == 302


def test_rate_limits_work_on_redis(app_factory, demo):
    """With REDIS_URL set, limits live in Redis, shared by every app server."""
    import os
    import uuid

    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {url}")
    from ..helpers import Client

    prefix = f"serumpun-test-{uuid.uuid4().hex}"
    settings = dict(RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix, LOGIN_RATE_LIMIT="2 per minute")
    first, second = Client(app_factory(**settings)), Client(app_factory(**settings))
    assert first.login("buyer@serumpun.example", "wrong-password-1").status_code == 400
    assert second.login("buyer@serumpun.example", "wrong-password-2").status_code == 400
    # The third attempt is refused by either server: they count together.
    assert first.login("buyer@serumpun.example").status_code == 429
    redis.Redis.from_url(url).delete(*redis.Redis.from_url(url).keys(f"*{prefix}*") or ["none"])
