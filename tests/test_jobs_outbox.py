"""The job outbox: a job is a row written with the work that asked for it, run once, and queued again when
huey loses it (Redis away at the commit, a consumer killed mid-job, a schedule gone).

Real queue storages (a SQLite file, Redis on 127.0.0.1:6379 under a name of its own), real consumers on
threads of this process, and real `flask jobs-worker` processes where the test is about a process dying.
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from huey.signals import SIGNAL_CANCELED, SIGNAL_COMPLETE, SIGNAL_RETRYING
from sqlalchemy import select

from marketplace.config import ROOT
from marketplace.core.jobs import GiveUp, QueuedJob, job, jobs_of
from marketplace.core.models import utcnow
from marketplace.extensions import db
from marketplace.mail.models import OutboxMessage
from marketplace.mail.services import DELIVER_JOB

from .test_jobs import RUNS, Signals, queue_fixture, running_consumer  # noqa: F401  the fixture `queue`
from .test_mail import smtp_server, smtp_settings  # noqa: F401  the fixture `smtp_server`

pytestmark = pytest.mark.commits


def rows(app) -> list[QueuedJob]:
    with app.app_context():
        found = db.session.scalars(select(QueuedJob).order_by(QueuedJob.id)).all()
        db.session.expunge_all()
        return list(found)


def wait_until(check, seconds: float = 30.0, what: str = ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


HELD: dict[str, threading.Event] = {}
STARTED: dict[str, threading.Event] = {}


@job("tests.held")
def held(token: str) -> None:
    """Count a run, and stay running until the test lets go."""
    RUNS[token] = RUNS.get(token, 0) + 1
    STARTED[token].set()
    assert HELD[token].wait(30)


@job("tests.held_note")
def held_note(token: str) -> None:
    """Count a run, wait until the test lets go, then write a row."""
    RUNS[token] = RUNS.get(token, 0) + 1
    assert HELD[token].wait(30)
    db.session.add(OutboxMessage(recipient="jobs@serumpun.example", subject=token, body=""))
    db.session.flush()


@job("tests.refused")
def refused(token: str) -> None:
    RUNS[token] = RUNS.get(token, 0) + 1
    raise GiveUp("no point")


def test_a_job_asked_for_in_a_transaction_that_rolls_back_leaves_nothing(app_factory, queue):
    app = app_factory(**queue)
    jobs = jobs_of(app)
    token = uuid.uuid4().hex
    with app.app_context():
        jobs.enqueue("tests.count", token)
        jobs.enqueue_at(utcnow() + timedelta(minutes=5), "tests.count", token)
        db.session.rollback()
    assert rows(app) == []
    assert jobs.huey.pending_count() == 0 and jobs.huey.scheduled_count() == 0

    with app.app_context():
        jobs.enqueue("tests.count", token)
        db.session.commit()
    [row] = rows(app)
    assert (row.name, row.arguments, row.done_at) == ("tests.count", {"args": [token], "kwargs": {}}, None)
    signals = Signals(app)
    with running_consumer(app):
        signals.wait(SIGNAL_COMPLETE)
    assert RUNS[token] == 1
    [row] = rows(app)
    assert row.done_at is not None and row.attempts == 1


def test_a_job_asked_for_while_redis_is_down_is_kept_and_run_by_the_sweeper(app_factory, queue, caplog):
    """The request that asked for it succeeds; the row waits; a sweep queues it once the queue is back."""
    down = {"JOBS_BACKEND": "redis", "JOBS_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "JOBS_NAME": f"test-{uuid.uuid4().hex}"}
    token = uuid.uuid4().hex
    asking = app_factory(**down, JOBS_SWEEP_AFTER=0)
    with asking.app_context(), caplog.at_level("ERROR", logger="marketplace.core.jobs"):
        jobs_of(asking).enqueue("tests.count", token)
        db.session.commit()  # no error reaches the caller
    assert "Could not queue job tests.count" in caplog.text
    [row] = rows(asking)
    assert row.done_at is None
    assert jobs_of(asking).overdue() == 1  # what /metrics shows as serumpun_jobs_overdue

    app = app_factory(**queue, JOBS_SWEEP_AFTER=0)  # the queue is back (here: the test's working one)
    signals = Signals(app)
    assert jobs_of(app).sweep() == (1, 0)
    with running_consumer(app):
        signals.wait(SIGNAL_COMPLETE)
    assert RUNS[token] == 1
    [row] = rows(app)
    assert row.done_at is not None
    assert jobs_of(app).sweep() == (0, 0)  # nothing left to queue
    assert jobs_of(app).overdue() == 0


def test_a_scheduled_job_whose_schedule_was_lost_runs_after_its_time(app_factory, queue):
    """A restarted Redis without its data: the expiry of an order's hold must still happen."""
    app = app_factory(**queue, JOBS_SWEEP_AFTER=0)
    jobs = jobs_of(app)
    token = uuid.uuid4().hex
    with app.app_context():
        jobs.enqueue_at(utcnow() + timedelta(seconds=1), "tests.count", token)
        db.session.commit()
    assert jobs.huey.pending_count() == 1  # with its eta; a consumer would keep it in the schedule
    jobs.huey.flush()  # the queue forgets everything
    assert jobs.sweep() == (0, 0)  # not due yet
    signals = Signals(app)
    wait_until(lambda: jobs.sweep()[0] == 1, what="the sweeper queues the job once it is due")
    with running_consumer(app):
        signals.wait(SIGNAL_COMPLETE)
    assert RUNS[token] == 1


def test_two_consumers_never_run_one_job_twice(app_factory, queue):
    """The same job delivered three times to two consumers, two workers each: it runs once."""
    token = uuid.uuid4().hex
    HELD[token], STARTED[token] = threading.Event(), threading.Event()
    first = app_factory(**queue, JOBS_SWEEP_AFTER=0)
    second = app_factory(**queue, JOBS_SWEEP_AFTER=0)
    with first.app_context():
        jobs_of(first).enqueue("tests.held", token)
        db.session.commit()
    [row] = rows(first)
    assert jobs_of(first).sweep() == (0, 0)  # its message waits in the queue: no copy is added
    huey = jobs_of(first).huey
    for _ in range(2):  # a message delivered again (after a sweep, by a queue that redelivers)
        huey.enqueue(jobs_of(first).task("tests.held").s(outbox_id=row.id))
    assert huey.pending_count() == 3

    signals = [Signals(first), Signals(second)]
    consumers = [jobs_of(app).start_consumer(workers=2) for app in (first, second)]
    try:
        assert STARTED[token].wait(30)
        # While it runs, the other deliveries are taken and skipped, and the sweeper leaves it alone.
        wait_until(lambda: jobs_of(first).huey.pending_count() == 0, what="every delivery taken")
        wait_until(lambda: sum(s.count(SIGNAL_COMPLETE) for s in signals) == 2, what="the duplicates skipped")
        assert jobs_of(first).sweep() == (0, 0)
        HELD[token].set()
        wait_until(lambda: sum(s.count(SIGNAL_COMPLETE) for s in signals) == 3, what="the run finished")
    finally:
        HELD[token].set()
        for consumer in consumers:
            consumer.stop(graceful=True)
    assert RUNS[token] == 1
    [row] = rows(first)
    assert row.done_at is not None and row.attempts == 1


def test_a_run_that_outlived_its_lease_keeps_none_of_its_writes_once_another_run_took_the_job(app_factory, queue):
    """JOBS_LEASE_SECONDS shorter than a job: the sweeper starts a second run; only one run's writes stay."""
    token = uuid.uuid4().hex
    HELD[token] = threading.Event()
    app = app_factory(**queue, JOBS_LEASE_SECONDS=1)
    jobs = jobs_of(app)
    jobs.enqueue_now("tests.held_note", token)
    consumer = jobs.start_consumer(workers=2)
    try:
        wait_until(lambda: RUNS.get(token) == 1, what="the first run started")
        wait_until(lambda: jobs.sweep()[0] == 1, what="the sweeper queues the job once its lease ran out")
        wait_until(lambda: RUNS.get(token) == 2, what="a second run started")
        HELD[token].set()
        wait_until(lambda: rows(app)[0].done_at is not None, what="a run finished")
    finally:
        HELD[token].set()
        consumer.stop(graceful=True)
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.subject)).all() == [token]
    [row] = rows(app)
    assert row.attempts == 2 and row.error is None


def test_a_job_waiting_for_its_retry_is_not_swept_as_lost(app_factory, queue):
    app = app_factory(**queue, JOBS_RETRIES=3, JOBS_RETRY_DELAY=60, JOBS_SWEEP_AFTER=0)
    jobs = jobs_of(app)
    token = uuid.uuid4().hex
    signals = Signals(app)
    jobs.enqueue_now("tests.count", token, failures=10)
    with running_consumer(app):
        signals.wait(SIGNAL_RETRYING)
    [row] = rows(app)
    assert row.done_at is None and row.running_until is None
    assert "not yet" in row.error
    assert row.sweep_at >= row.created_at + timedelta(seconds=60)  # after huey's retry is due
    assert jobs.sweep() == (0, 0)
    assert jobs.huey.scheduled_count() == 1


def test_a_job_that_gives_up_is_finished_and_not_swept_again(app_factory, queue):
    app = app_factory(**queue, JOBS_SWEEP_AFTER=0)
    jobs = jobs_of(app)
    token = uuid.uuid4().hex
    signals = Signals(app)
    jobs.enqueue_now("tests.refused", token)
    with running_consumer(app):
        signals.wait(SIGNAL_CANCELED)
    [row] = rows(app)
    assert row.done_at is not None and "no point" in row.error
    assert jobs.sweep() == (0, 0)
    assert RUNS[token] == 1


def test_finished_rows_are_dropped_after_a_while(app_factory, queue):
    app = app_factory(**queue, JOBS_KEEP_DONE=3600)
    jobs = jobs_of(app)
    token = uuid.uuid4().hex
    signals = Signals(app)
    jobs.enqueue_now("tests.count", token)
    with running_consumer(app):
        signals.wait(SIGNAL_COMPLETE)
    assert jobs.sweep() == (0, 0)  # kept for an hour
    assert len(rows(app)) == 1
    app.config["JOBS_KEEP_DONE"] = 0
    wait_until(lambda: jobs.sweep() == (0, 1), what="the finished row dropped")
    assert rows(app) == []


def worker_env(app, queue: dict, port: int, **settings) -> dict:
    env = {**os.environ, "SERUMPUN_ENV": "test", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port),
           "MAIL_USE_TLS": "0", "SERUMPUN_INSTANCE_PATH": app.instance_path,
           "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "JOBS_BACKEND": queue["JOBS_BACKEND"]}
    if queue["JOBS_BACKEND"] == "redis":
        env.update(JOBS_REDIS_URL=queue["JOBS_REDIS_URL"], JOBS_NAME=queue["JOBS_NAME"])
    env.update({key: str(value) for key, value in settings.items()})
    return env


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs-worker", "--workers", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_worker_killed_while_sending_a_mail_leaves_it_to_another_which_sends_it_once(
        app_factory, smtp_server, queue):  # noqa: F811
    """SIGKILL while the mail server holds the mail's DATA: the SMTP transaction never completed. The row's
    lease runs out, a second `flask jobs-worker` sweeps it and sends the mail: the inbox gets it once."""
    port, inbox = smtp_server
    in_data, killed = threading.Event(), threading.Event()
    first_attempt: list = []
    original = inbox.handle_DATA

    async def hold_the_first(server, session, envelope):
        if not first_attempt:
            first_attempt.append(envelope.content)
            in_data.set()
            await asyncio.get_running_loop().run_in_executor(None, killed.wait, 60)
            return "451 4.3.0 Gone"  # to a client that is no more: the mail was never taken
        return await original(server, session, envelope)

    inbox.handle_DATA = hold_the_first
    if queue["JOBS_BACKEND"] == "sqlite":
        queue = {"JOBS_BACKEND": "sqlite"}  # the workers' queue: jobs.sqlite in the instance folder
    app = app_factory(**smtp_settings(port), **queue)
    jobs_of(app).enqueue_now(DELIVER_JOB, "buyer@serumpun.example", "Halo", "Sekali saja.\n", "killed-key")

    doomed = start_worker(worker_env(app, queue, port, JOBS_LEASE_SECONDS=3, JOBS_SWEEP_INTERVAL=3600))
    try:
        reached = in_data.wait(60)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(30)
    finally:
        if doomed.poll() is None:
            doomed.kill()
        output = doomed.communicate(timeout=30)[0].decode()
        killed.set()
    assert reached, f"the first worker never reached DATA:\n{output}"
    [row] = rows(app)
    assert row.done_at is None and row.attempts == 1
    assert jobs_of(app).huey.pending_count() == 0  # huey's message went with the worker

    rescuer = start_worker(worker_env(app, queue, port, JOBS_SWEEP_INTERVAL=1, JOBS_SWEEP_AFTER=1))
    try:
        wait_until(lambda: rows(app)[0].done_at is not None, seconds=60, what="the second worker sends the mail")
    finally:
        rescuer.send_signal(signal.SIGINT)
        output = rescuer.communicate(timeout=60)[0].decode()
    assert rescuer.returncode == 0, output
    assert "outlived its lease; queueing it again" in output
    [envelope] = inbox.messages
    sent = message_from_bytes(envelope.content, policy=policy.default)
    tried = message_from_bytes(first_attempt[0], policy=policy.default)
    assert sent["Message-ID"] == tried["Message-ID"] == "<killed-key@serumpun>"
    [row] = rows(app)
    assert row.attempts == 2
