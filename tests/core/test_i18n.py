"""Three languages: complete catalogs, the switcher, and where the choice comes from."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ..helpers import Client, html_lang, text_of

TRANSLATIONS = Path(__file__).resolve().parents[2] / "marketplace" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.mark.parametrize("language", ["id", "ms"])
def test_every_string_is_translated(language):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = read_po(f)
    missing = [m.id for m in template if m.id and m.id not in catalog]
    empty = [m.id for m in catalog if m.id and (m.fuzzy or not all(as_tuple(m.string)))]
    assert missing == [] and empty == []
    for message in catalog:
        if message.id:
            wanted = sorted(PLACEHOLDER.findall(as_tuple(message.id)[-1]))  # the plural form, when there is one
            for translation in as_tuple(message.string):
                assert sorted(PLACEHOLDER.findall(translation)) == wanted, message.id


def as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def test_catalog_template_is_up_to_date():
    """Every string in the code and templates is in messages.pot (run `make update-messages`)."""
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parents[2]
    method_map = [("marketplace/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}, "templates/**.txt": {"extensions": "jinja2.ext.do"}}
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(root), method_map, options, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
                                                   "lazy_gettext": None},
        directory_filter=lambda path: Path(path).name not in {".venv", "__pycache__", "instance", "tests", ".git"},
    ):
        found.add(message if isinstance(message, str) else message[0])
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert sorted(found - known) == []


def test_default_language_is_indonesian(app):
    client = app.test_client()
    response = client.get("/")
    assert html_lang(response) == "id"
    assert "Produk UMKM Bandung" in text_of(response)


@pytest.mark.parametrize(
    ("accept", "language", "phrase"),
    [
        ("en-GB,en;q=0.9", "en", "Bandung UMKM products, delivered to Malaysia."),
        ("ms-MY,ms;q=0.9,en;q=0.5", "ms", "Produk PKS Bandung, dihantar ke Malaysia."),
        ("fr-FR,fr;q=0.9", "id", "Produk UMKM Bandung, dikirim ke Malaysia."),
    ],
)
def test_browser_language_is_the_default(app, accept, language, phrase):
    response = app.test_client().get("/", headers={"Accept-Language": accept})
    assert html_lang(response) == language
    assert phrase in text_of(response)


def test_switching_language_is_remembered_in_a_cookie(client):
    response = client.post("/language", {"language": "ms", "next": "/signup"}, token_from="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/signup"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("serumpun_lang="))
    assert "serumpun_lang=ms" in cookie and "HttpOnly" in cookie
    page = client.get("/signup")
    assert html_lang(page) == "ms"
    assert "Sertai Serumpun" in text_of(page)


def test_language_switch_refuses_unknown_languages_and_unsafe_targets(client):
    response = client.post("/language", {"language": "xx", "next": "https://evil.example/"}, token_from="/")
    assert response.headers["Location"] == "/"
    assert not any(c.startswith("serumpun_lang=") for c in response.headers.getlist("Set-Cookie"))


def test_signed_in_users_choice_is_saved_to_the_account(app, client, demo):
    client.login("buyer@serumpun.example")
    client.post("/language", {"language": "ms", "next": "/"}, token_from="/")
    elsewhere = Client(app)
    elsewhere.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    elsewhere.login("buyer@serumpun.example")
    assert html_lang(elsewhere.get("/buyer/profile")) == "ms"


def test_switcher_marks_the_current_language(client):
    page = client.post("/language", {"language": "id", "next": "/"}, token_from="/", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert re.search(r'value="id"[^>]*aria-pressed="true"', html)
    assert re.search(r'value="ms"[^>]*aria-pressed="false"', html)


def test_mail_is_written_in_the_recipients_language(app, demo):
    from marketplace.extensions import db
    from marketplace.mail.services import send_mail

    with app.test_request_context():
        from marketplace.accounts.services import find_user_by_email

        user = find_user_by_email("buyer@serumpun.example")
        mail_ms = send_mail(user.email, "reset_password", "ms", user=user, link="http://x/")
        mail_en = send_mail(user.email, "reset_password", "en", user=user, link="http://x/")
        db.session.rollback()
    assert mail_ms.subject != mail_en.subject
    assert mail_en.subject == "Reset your Serumpun password"
