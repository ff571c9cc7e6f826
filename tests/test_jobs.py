"""Background jobs on the real queue storage: a SQLite file, and Redis on 127.0.0.1:6379 (required in CI).

The consumer is huey's own, run on threads of the test process; nothing is mocked and
nothing runs in huey's immediate mode.
"""
from __future__ import annotations

import os
import socket
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from huey.signals import SIGNAL_CANCELED, SIGNAL_COMPLETE, SIGNAL_RETRYING
from sqlalchemy import select

from marketplace.config import load_config
from marketplace.core.errors import DomainError
from marketplace.core.jobs import build_huey, job, jobs_of
from marketplace.extensions import db
from marketplace.mail.models import OutboxMessage

# The consumer runs jobs on threads of this process, with database sessions of their own: the tests'
# data must be committed for real.
pytestmark = pytest.mark.commits

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(name="queue", params=["sqlite", "redis"])
def queue_fixture(request, tmp_path):
    """Settings for app_factory: the queue in a temporary SQLite file, or in Redis under a name of its own."""
    if request.param == "sqlite":
        yield {"JOBS_BACKEND": "sqlite", "JOBS_SQLITE_PATH": str(tmp_path / "queue" / "jobs.sqlite")}
        return
    if not redis_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs Redis on 127.0.0.1:6379, and it does not answer")
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings = {"JOBS_BACKEND": "redis", "JOBS_REDIS_URL": REDIS_URL, "JOBS_NAME": f"test-{uuid.uuid4().hex}",
                "JOBS_MARKER_TTL": 600}
    yield settings
    huey = build_huey({**settings, "JOBS_POLL_SECONDS": 0.1})
    huey.storage.flush_all()
    huey.storage.pool.disconnect()


@contextmanager
def running_consumer(app):
    """huey's consumer on threads of this process, stopped (after its running job) at the end."""
    consumer = jobs_of(app).start_consumer()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


class Signals:
    """What the app's queue reports (huey signals), to wait for a job's outcome instead of sleeping."""

    def __init__(self, app):
        self.seen: list[tuple[str, str]] = []
        self._changed = threading.Condition()
        jobs_of(app).huey.signal()(self._record)

    def _record(self, signal, task, *args):
        with self._changed:
            self.seen.append((signal, task.name))
            self._changed.notify_all()

    def count(self, signal: str) -> int:
        return sum(1 for seen, _ in self.seen if seen == signal)

    def wait(self, signal: str, count: int = 1, seconds: float = 20.0) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self.count(signal) >= count, seconds), self.seen


def utc_now() -> datetime:
    """huey keeps its times in UTC, without a zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


RUNS: dict[str, int] = {}


@job("tests.count")
def count_run(token: str, failures: int = 0) -> None:
    """Count a run under token; fail the first `failures` runs."""
    RUNS[token] = RUNS.get(token, 0) + 1
    if RUNS[token] <= failures:
        raise RuntimeError("not yet")


@job("tests.note")
def note(subject: str, refuse: bool = False) -> None:
    """Write a row; a refusal afterwards must take it back."""
    db.session.add(OutboxMessage(recipient="jobs@serumpun.example", subject=subject, body=""))
    db.session.flush()
    if refuse:
        raise DomainError("refused")


def test_a_job_commits_its_work_or_none_of_it_and_a_refusal_is_not_retried(app_factory, queue):
    app = app_factory(**queue, JOBS_RETRY_DELAY=0)
    jobs = jobs_of(app)
    signals = Signals(app)
    jobs.enqueue_now("tests.note", "kept")
    jobs.enqueue_now("tests.note", "refused", refuse=True)
    with running_consumer(app):
        signals.wait(SIGNAL_COMPLETE)
        signals.wait(SIGNAL_CANCELED)
    assert signals.count(SIGNAL_RETRYING) == 0
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.subject)).all() == ["kept"]


def test_a_job_is_queued_only_when_its_transaction_commits(app_factory, queue):
    app = app_factory(**queue)
    jobs = jobs_of(app)
    token = uuid.uuid4().hex
    with app.app_context():
        jobs.enqueue("tests.count", token)
        assert jobs.huey.pending_count() == 0  # not before the commit either
        db.session.rollback()
        assert jobs.huey.pending_count() == 0

        jobs.enqueue("tests.count", token)
        db.session.commit()
        assert jobs.huey.pending_count() == 1

    signals = Signals(app)
    with running_consumer(app):
        signals.wait(SIGNAL_COMPLETE)
    assert RUNS[token] == 1


def test_an_unknown_job_is_refused_before_the_commit(app):
    with app.app_context(), pytest.raises(KeyError):
        jobs_of(app).enqueue("tests.no-such-job")


def test_a_failing_job_is_retried_after_longer_and_longer_waits(app_factory, queue):
    app = app_factory(**queue, JOBS_RETRIES=3, JOBS_RETRY_DELAY=60, JOBS_RETRY_BACKOFF=2.0)
    jobs = jobs_of(app)
    token = uuid.uuid4().hex
    signals = Signals(app)
    queued_at = utc_now()
    jobs.enqueue_now("tests.count", token, failures=10)
    with running_consumer(app):
        signals.wait(SIGNAL_RETRYING)

    [retry] = jobs.huey.scheduled()  # waiting in the storage, not in memory
    assert retry.retries == 2
    assert queued_at + timedelta(seconds=60) <= retry.eta <= utc_now() + timedelta(seconds=60)
    assert retry.retry_delay == 120  # the wait after this retry fails, if it does
    assert RUNS[token] == 1


def test_retries_run_until_the_job_succeeds_and_then_stop(app_factory, queue):
    app = app_factory(**queue, JOBS_RETRIES=5, JOBS_RETRY_DELAY=0.1)
    jobs = jobs_of(app)
    token = uuid.uuid4().hex
    signals = Signals(app)
    jobs.enqueue_now("tests.count", token, failures=2)
    with running_consumer(app):
        signals.wait(SIGNAL_COMPLETE)
    assert RUNS[token] == 3
    assert signals.count(SIGNAL_RETRYING) == 2
    assert jobs.huey.pending_count() == 0 and jobs.huey.scheduled_count() == 0


def test_a_job_queued_before_a_restart_runs_after_it(app_factory, queue):
    token = uuid.uuid4().hex
    before = app_factory(**queue)
    with before.app_context():
        jobs_of(before).enqueue("tests.count", token)
        db.session.commit()
    jobs_of(before).close()
    del before

    after = app_factory(**queue)
    signals = Signals(after)
    with running_consumer(after):
        signals.wait(SIGNAL_COMPLETE)
    assert RUNS[token] == 1


def test_the_queue_is_a_file_in_the_instance_folder_or_redis_when_configured(monkeypatch, tmp_path):
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    config = load_config("development")
    assert config["JOBS_BACKEND"] == "sqlite"
    assert config["JOBS_SQLITE_PATH"] == str(tmp_path / "jobs.sqlite")

    monkeypatch.setenv("REDIS_URL", "redis://queue.internal:6379/2")
    config = load_config("development")
    assert config["JOBS_BACKEND"] == "redis"
    assert config["JOBS_REDIS_URL"] == "redis://queue.internal:6379/2"


def test_building_an_app_touches_no_queue_storage(app_factory, tmp_path):
    path = tmp_path / "untouched" / "jobs.sqlite"
    app_factory(JOBS_SQLITE_PATH=str(path))
    assert not path.exists()
