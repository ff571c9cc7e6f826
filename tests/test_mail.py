"""Mail through a real SMTP server (aiosmtpd on 127.0.0.1)."""
from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.mail.models import OutboxMessage

from .helpers import Client


class Inbox(Sink):
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture()
def smtp_server():
    with socket.socket() as probe:  # aiosmtpd needs a port number up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def wait_for(messages: list, count: int = 1, seconds: float = 5.0) -> list:
    """Mail goes out on a worker thread after the commit: give it a moment."""
    deadline = time.monotonic() + seconds
    while len(messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return list(messages)


def test_reset_mail_goes_through_smtp_when_configured(app_factory, demo, smtp_server):
    port, inbox = smtp_server
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_DEFAULT_SENDER="Serumpun <halo@serumpun.example>")
    client = Client(app)
    assert client.post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 302

    [envelope] = wait_for(inbox.messages)
    assert envelope.mail_from == "halo@serumpun.example"
    assert envelope.rcpt_tos == ["buyer@serumpun.example"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "Reset your Serumpun password"
    link = re.search(r"http://localhost(/password/reset/\S+)", message.get_content()).group(1)
    assert client.get(link).status_code == 200
    with app.app_context():  # nothing is kept in the outbox when real mail goes out
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_outbox_is_for_admins_only(client, demo):
    client.login("merchant@serumpun.example")
    assert client.get("/admin/outbox").status_code == 403


def test_production_without_smtp_never_logs_what_a_mail_says(app_factory, demo, caplog):
    app = app_factory(SERUMPUN_ENV="production", SECRET_KEY="a-long-production-secret", SERVER_NAME="localhost")
    client = Client(app)
    client.http.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/password/forgot"})
    with caplog.at_level("INFO", logger="marketplace.mail"):
        assert client.post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 302
    assert "buyer@serumpun.example not sent" in caplog.text
    assert "/password/reset/" not in caplog.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_slow_mail_server_does_not_slow_the_request(app_factory, demo, smtp_server):
    """The answer comes before the mail server has spoken: nobody can time which emails exist."""
    port, inbox = smtp_server
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    release = threading.Event()
    original = inbox.handle_DATA

    hold = 60  # the server keeps the mail this long unless released: a request that waited would take as long

    async def slow(server, session, envelope):
        await asyncio.get_running_loop().run_in_executor(None, release.wait, hold)
        return await original(server, session, envelope)

    inbox.handle_DATA = slow
    client = Client(app)
    started = time.monotonic()
    assert client.post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 302
    # Not a stopwatch (a busy machine may take seconds to answer): the answer came while the server held the mail.
    assert time.monotonic() - started < hold
    assert inbox.messages == []
    release.set()
    assert len(wait_for(inbox.messages)) == 1


def test_no_mail_when_the_transaction_rolls_back(app, demo, smtp_server):
    from marketplace.mail.services import send_mail

    port, inbox = smtp_server
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    with app.test_request_context():
        send_mail("buyer@serumpun.example", "reset_password", "en", user=type("U", (), {"full_name": "A"}),
                  link="http://x/")
        db.session.rollback()
    time.sleep(0.3)
    assert inbox.messages == []
