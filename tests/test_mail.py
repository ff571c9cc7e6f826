"""Mail through a real SMTP server (aiosmtpd on 127.0.0.1), sent by the job consumer from the real queue."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from huey.signals import SIGNAL_CANCELED, SIGNAL_COMPLETE, SIGNAL_RETRYING
from sqlalchemy import func, select

from marketplace.config import ROOT
from marketplace.core.jobs import jobs_of
from marketplace.extensions import db
from marketplace.mail.models import OutboxMessage
from marketplace.mail.services import DELIVER_JOB

from .helpers import Client
from .test_jobs import Signals, queue_fixture, running_consumer  # noqa: F401  the fixture `queue`

# The job consumer runs on threads of this process (or in a process of its own) with database sessions of
# its own: the tests' data must be committed for real.
pytestmark = pytest.mark.commits


class Inbox(Sink):
    def __init__(self):
        self.messages = []
        self.attempts = 0  # DATA commands, taken or refused
        self.refuse = 0  # refuse this many, as a busy server does (451), then take them

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.refuse:
            return "451 4.3.0 Try again later"
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


def wait_for(messages: list, count: int = 1, seconds: float = 10.0) -> list:
    """Mail goes out from the job consumer after the commit: give it a moment."""
    deadline = time.monotonic() + seconds
    while len(messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return list(messages)


def smtp_settings(port: int) -> dict:
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False}


def test_reset_mail_goes_through_smtp_when_configured(app_factory, demo, smtp_server):
    port, inbox = smtp_server
    app = app_factory(**smtp_settings(port), MAIL_DEFAULT_SENDER="Serumpun <halo@serumpun.example>")
    client = Client(app)
    with running_consumer(app):
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
    app = app_factory(**smtp_settings(port))
    release = threading.Event()
    original = inbox.handle_DATA

    hold = 60  # the server keeps the mail this long unless released: a request that waited would take as long

    async def slow(server, session, envelope):
        await asyncio.get_running_loop().run_in_executor(None, release.wait, hold)
        return await original(server, session, envelope)

    inbox.handle_DATA = slow
    client = Client(app)
    with running_consumer(app):
        started = time.monotonic()
        assert client.post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 302
        # Not a stopwatch (a busy machine may take seconds to answer): the answer came while the server held the mail.
        assert time.monotonic() - started < hold
        assert inbox.messages == []
        release.set()
        assert len(wait_for(inbox.messages)) == 1


def send_reset_mail(to: str = "buyer@serumpun.example"):
    from marketplace.mail.services import send_mail

    return send_mail(to, "reset_password", "en", user=type("U", (), {"full_name": "A"}), link="http://x/")


def test_no_mail_when_the_transaction_rolls_back(app_factory, demo, smtp_server, queue):
    port, inbox = smtp_server
    app = app_factory(**smtp_settings(port), **queue)
    huey = jobs_of(app).huey
    with app.test_request_context():
        send_reset_mail()
        db.session.rollback()
        assert huey.pending_count() == 0
        send_reset_mail("merchant@serumpun.example")
        db.session.commit()
        assert huey.pending_count() == 1
    signals = Signals(app)
    with running_consumer(app):
        signals.wait(SIGNAL_COMPLETE)
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["merchant@serumpun.example"]


def test_a_mail_survives_a_restart_of_the_app(app_factory, demo, smtp_server, queue):
    """Asked for in one app, which then goes away; a new app on the same queue delivers it."""
    port, inbox = smtp_server
    before = app_factory(**smtp_settings(port), **queue)
    assert Client(before).post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 302
    assert inbox.messages == []  # nothing runs jobs yet
    jobs_of(before).close()
    del before

    after = app_factory(**smtp_settings(port), **queue)
    with running_consumer(after):
        [envelope] = wait_for(inbox.messages)
    assert envelope.rcpt_tos == ["buyer@serumpun.example"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    link = re.search(r"http://localhost(/password/reset/\S+)", message.get_content()).group(1)
    assert "Choose a new password" in Client(after).get(link).get_data(as_text=True)


def test_a_busy_mail_server_gets_the_mail_again_and_it_arrives_once(app_factory, demo, smtp_server, queue):
    port, inbox = smtp_server
    inbox.refuse = 2
    app = app_factory(**smtp_settings(port), **queue, JOBS_RETRY_DELAY=0)  # test_jobs.py times the waits
    signals = Signals(app)
    with running_consumer(app):
        assert Client(app).post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 302
        signals.wait(SIGNAL_COMPLETE)
    assert inbox.attempts == 3
    assert signals.count(SIGNAL_RETRYING) == 2
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["buyer@serumpun.example"]
    assert jobs_of(app).huey.pending_count() == 0 and jobs_of(app).huey.scheduled_count() == 0


def test_a_mail_that_went_out_is_not_sent_again(app_factory, smtp_server, queue):
    """The same mail queued twice (a job run again after it had sent) reaches the inbox once."""
    port, inbox = smtp_server
    app = app_factory(**smtp_settings(port), **queue)
    jobs = jobs_of(app)
    signals = Signals(app)
    for _ in range(2):
        jobs.enqueue_now(DELIVER_JOB, "buyer@serumpun.example", "Halo", "Sekali saja.\n", "one-key")
    with running_consumer(app):
        signals.wait(SIGNAL_COMPLETE, count=2)
    [envelope] = inbox.messages
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Message-ID"] == "<one-key@serumpun>"


def test_a_mailbox_that_does_not_exist_is_not_tried_again(app_factory, smtp_server, queue):
    port, inbox = smtp_server

    async def no_such_mailbox(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"

    inbox.handle_RCPT = no_such_mailbox
    app = app_factory(**smtp_settings(port), **queue)
    signals = Signals(app)
    jobs_of(app).enqueue_now(DELIVER_JOB, "nobody@serumpun.example", "Halo", "Tidak ada.\n", "no-such")
    with running_consumer(app):
        signals.wait(SIGNAL_CANCELED)
    assert signals.count(SIGNAL_RETRYING) == 0
    assert jobs_of(app).huey.scheduled_count() == 0
    assert inbox.messages == []


def test_the_development_server_sends_queued_mail_by_itself(app_factory, demo, smtp_server):
    """`make run` (JOBS_IN_PROCESS=1) needs no second command: the app runs its own consumer."""
    port, inbox = smtp_server
    app = app_factory(**smtp_settings(port), JOBS_IN_PROCESS=True)
    try:
        assert Client(app).post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 302
        [envelope] = wait_for(inbox.messages)
    finally:
        jobs_of(app).in_process_consumer.stop(graceful=True)
    assert envelope.rcpt_tos == ["buyer@serumpun.example"]


def test_production_runs_the_consumer_as_its_own_process(app_factory, demo, smtp_server, tmp_path):
    """`flask --app app jobs-worker` delivers what the web app queued, and stops cleanly on Ctrl-C."""
    port, inbox = smtp_server
    app = app_factory(**smtp_settings(port))  # the queue: jobs.sqlite in the instance folder
    assert Client(app).post("/password/forgot", {"email": "buyer@serumpun.example"}).status_code == 302
    env = {**os.environ, "SERUMPUN_ENV": "test", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port),
           "MAIL_USE_TLS": "0", "SERUMPUN_INSTANCE_PATH": app.instance_path,
           "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs-worker", "--workers", "1"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        [envelope] = wait_for(inbox.messages, seconds=60)
        assert envelope.rcpt_tos == ["buyer@serumpun.example"]
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0].decode()
    assert worker.returncode == 0, output
    assert jobs_of(app).huey.pending_count() == 0
