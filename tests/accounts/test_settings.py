"""Account settings: password, email and language."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.mail.models import OutboxMessage

from ..helpers import Client, html_lang, text_of


def test_change_password_signs_out_other_devices(app, client, demo):
    phone, laptop = client, Client(app)
    phone.login("merchant@serumpun.example")
    laptop.login("merchant@serumpun.example", remember="y")

    response = phone.post(
        "/account/password",
        {"pw-current_password": "serumpun-demo", "pw-password": "sangrai-pagi-2027", "pw-confirm": "sangrai-pagi-2027"},
        token_from="/account",
    )
    assert response.status_code == 302
    assert phone.get("/merchant/").status_code == 200  # this device stays signed in
    assert laptop.get("/merchant/").status_code == 302  # the other is signed out, remember-me or not
    assert Client(app).login("merchant@serumpun.example", "sangrai-pagi-2027").status_code == 302


def test_change_password_needs_the_current_one(app, client, demo):
    client.login("buyer@serumpun.example")
    response = client.post(
        "/account/password",
        {"pw-current_password": "wrong-guess-123", "pw-password": "sangrai-pagi-2027", "pw-confirm": "sangrai-pagi-2027"},
        token_from="/account",
    )
    assert response.status_code == 400
    assert "Your current password is not right." in text_of(response)
    assert Client(app).login("buyer@serumpun.example").status_code == 302


def test_change_email_tells_the_old_address(app, client, demo):
    client.login("buyer@serumpun.example")
    response = client.post(
        "/account/email", {"em-email": "Aisyah@KedaiPJ.example", "em-current_password": "serumpun-demo"},
        token_from="/account",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == "aisyah@kedaipj.example"))
        mail = db.session.scalar(select(OutboxMessage))
        assert mail.recipient == "buyer@serumpun.example"
        assert "aisyah@kedaipj.example" in mail.body


def test_change_email_refuses_an_address_in_use(app, client, demo):
    client.login("buyer@serumpun.example")
    response = client.post(
        "/account/email", {"em-email": "merchant@serumpun.example", "em-current_password": "serumpun-demo"},
        token_from="/account",
    )
    assert response.status_code == 400
    assert "An account with this email already exists." in text_of(response)


def test_language_is_kept_on_the_account_for_every_device(app, client, demo):
    client.login("merchant@serumpun.example")
    client.post("/account/language", {"lang-language": "ms"}, token_from="/account")
    other_device = Client(app)
    other_device.login("merchant@serumpun.example")
    page = other_device.get("/merchant/")
    assert html_lang(page) == "ms"
    assert "Butiran kedai" in text_of(page)


def test_settings_need_a_signed_in_user(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
