"""Error pages: in the user's language, and JSON when the client asks for it."""
from __future__ import annotations

import pytest

from ..helpers import Client, html_lang, text_of


@pytest.fixture()
def failing_app(app_factory):
    """An app with one route that breaks, as a bug would."""
    app = app_factory()

    @app.route("/broken")
    def broken():
        raise RuntimeError("a bug")

    @app.route("/forbidden")
    def forbidden():
        from flask import abort

        abort(403)

    return app


@pytest.mark.parametrize(
    ("language", "status", "title"),
    [
        ("en", 404, "Page not found"),
        ("id", 404, "Halaman tidak ditemukan"),
        ("ms", 404, "Halaman tidak ditemui"),
        ("en", 500, "Something went wrong"),
        ("ms", 500, "Berlaku masalah"),
        ("id", 500, "Terjadi kesalahan"),
    ],
)
def test_error_pages_speak_the_users_language(failing_app, language, status, title):
    client = Client(failing_app)
    url = "/broken" if status == 500 else "/no-such-page"
    response = client.http.get(url, headers={"Accept-Language": language})
    assert response.status_code == status
    assert title in text_of(response)
    assert html_lang(response) == language
    assert "a bug" not in response.get_data(as_text=True)  # no internals leak


@pytest.mark.parametrize(
    ("url", "method", "status"),
    [("/no-such-page", "get", 404), ("/broken", "get", 500), ("/forbidden", "get", 403), ("/logout", "get", 405)],
)
def test_errors_answer_json_when_asked(failing_app, url, method, status):
    client = Client(failing_app)
    response = getattr(client.http, method)(url, headers={"Accept": "application/json", "Accept-Language": "ms"})
    assert response.status_code == status
    assert response.is_json
    error = response.json["error"]
    assert error["status"] == status
    assert error["message"]


def test_method_not_allowed_says_which_methods_work(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert response.headers["Allow"] in ("POST", "OPTIONS, POST", "POST, OPTIONS")
    assert "does not accept that kind of request" in text_of(response)


def test_too_many_requests_page(app_factory, demo):
    app = app_factory(LOGIN_RATE_LIMIT="1 per minute")
    client = Client(app)
    client.login("buyer@serumpun.example", "wrong-password-1")
    response = client.http.post("/login", data={"csrf_token": client.csrf_token(), "email": "a@b.example",
                                                "password": "x"}, headers={"Accept-Language": "id"})
    assert response.status_code == 429
    assert html_lang(response) == "id"
    assert "Terlalu banyak percobaan" in text_of(response)


def test_bad_request_page_for_a_missing_token(client):
    response = client.http.post("/language", data={"language": "ms"})
    assert response.status_code == 400
    assert "Bad request" in text_of(response)


@pytest.mark.parametrize(("language", "text"), [
    ("ms", "Serumpun tidak dapat menghubungi pangkalan datanya buat masa ini."),
    ("id", "Serumpun sedang tidak bisa menghubungi basis datanya."),
    ("en", "Serumpun cannot reach its database just now."),
])
def test_a_database_that_cannot_be_reached_gives_a_503_in_the_readers_language(app_factory, language, text):
    from sqlalchemy import create_engine

    from marketplace.extensions import db

    app = app_factory()
    client = app.test_client()
    with app.app_context():
        real = db.engines[None]
        # A database server that is not there (down, or restarting).
        db.engines[None] = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                                         connect_args={"connect_timeout": 1})
        try:
            page = client.get("/products", headers={"Accept-Language": language})
            api = client.get("/api/v1/products", headers={"Accept-Language": language})
        finally:
            db.engines[None] = real
        back = client.get("/products", headers={"Accept-Language": language})
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert text in text_of(page)
    assert api.status_code == 503 and text in api.get_json()["error"]["message"]
    assert back.status_code == 200  # once it answers again, nothing needs restarting
