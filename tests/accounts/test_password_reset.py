"""Password reset by an emailed link, read from the development outbox."""
from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail.models import OutboxMessage

from ..helpers import text_of


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def reset_link(message: OutboxMessage) -> str:
    match = re.search(r"http://localhost(/password/reset/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_reset_by_emailed_link(app, client, another_client, demo):
    response = client.post("/password/forgot", {"email": "Merchant@serumpun.example"})
    assert response.status_code == 302
    assert "If an account exists for that email" in text_of(client.get(response.headers["Location"]))

    [mail] = outbox(app)
    assert mail.recipient == "merchant@serumpun.example"
    # The merchant reads Indonesian: the mail is in the account's language.
    assert mail.subject == "Atur ulang kata sandi Serumpun Anda"
    link = reset_link(mail)

    done = another_client.post(link, {"password": "kopi-baru-2027!", "confirm": "kopi-baru-2027!"})
    assert done.status_code == 302
    assert done.headers["Location"] == "/merchant/"

    fresh = client.__class__(app)
    assert fresh.login("merchant@serumpun.example").status_code == 400  # the old password is gone
    assert fresh.login("merchant@serumpun.example", "kopi-baru-2027!").status_code == 302

    # The link is spent. (The merchant is signed in now, and reads Indonesian.)
    again = fresh.get(link)
    assert again.status_code == 302
    assert "Tautan ini tidak valid atau sudah pernah dipakai." in text_of(fresh.get(again.headers["Location"]))


def test_unknown_email_gets_the_same_answer_and_no_mail(app, client, demo):
    response = client.post("/password/forgot", {"email": "nobody@serumpun.example"})
    assert response.status_code == 302
    assert "If an account exists for that email" in text_of(client.get(response.headers["Location"]))
    assert outbox(app) == []


def test_tampered_and_expired_links_are_refused(app_factory, demo):
    from ..helpers import Client

    app = app_factory(PASSWORD_RESET_MAX_AGE=-1)
    client = Client(app)
    client.post("/password/forgot", {"email": "buyer@serumpun.example"})
    link = reset_link(outbox(app)[0])

    expired = client.get(link)
    assert "This link has expired" in text_of(client.get(expired.headers["Location"]))
    tampered = client.get(link[:-3] + "abc")
    assert "invalid or has already been used" in text_of(client.get(tampered.headers["Location"]))
    # A post to a dead link changes nothing either.
    client.post(link, {"password": "another-pass-2027", "confirm": "another-pass-2027"}, token_from="/login")
    assert Client(app).login("buyer@serumpun.example").status_code == 302


def test_new_password_must_follow_the_rules(app, client, demo):
    client.post("/password/forgot", {"email": "buyer@serumpun.example"})
    link = reset_link(outbox(app)[0])
    response = client.post(link, {"password": "qwertyuiop", "confirm": "qwertyuiop"})
    assert response.status_code == 400
    assert "too common" in text_of(response)


def test_reset_requests_are_rate_limited(app_factory, demo):
    from ..helpers import Client

    app = app_factory(RESET_RATE_LIMIT="2 per minute")
    client = Client(app)
    for _ in range(2):
        assert client.post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 302
    assert client.post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 429
    assert len(outbox(app)) == 2
