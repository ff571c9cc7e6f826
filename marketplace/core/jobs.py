"""Durable background jobs on huey, enqueued only when the transaction that asked for them commits.

The queue lives outside the process: a SQLite file in the instance folder on a
laptop and in tests, Redis when REDIS_URL is set (production). A job queued by
one app instance is run by whichever consumer reads that storage next, so a
restart between the request and the work loses nothing.

Domain packages declare their jobs with @job("package.name"); each app builds
its own huey instance from its configuration on first use and registers every
declared job on it. A job runs inside the app's context, so it reads settings
(an SMTP password, say) from the consumer's configuration, never from the queue.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import click
from flask import Flask, current_app
from huey import RedisExpireHuey, SqliteHuey
from huey.api import Huey, TaskWrapper
from huey.consumer import Consumer
from huey.exceptions import CancelExecution

from ..extensions import db
from .errors import DomainError
from .transactions import on_commit
from .unit_of_work import unit_of_work

log = logging.getLogger(__name__)

EXTENSION_KEY = "serumpun.jobs"


class GiveUp(Exception):
    """Raised by a job whose failure no retry can mend (a mailbox that does not exist): it is not retried.

    A DomainError (a rule of ours refused) is not retried either.
    """


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable
    retries: int | None
    retry_delay: float | None


_declared: dict[str, JobSpec] = {}


def job(name: str, *, retries: int | None = None, retry_delay: float | None = None):
    """Declare a job under a stable name; queued jobs find their code by this name after a restart.

    retries and retry_delay default to JOBS_RETRIES and JOBS_RETRY_DELAY; each
    retry waits JOBS_RETRY_BACKOFF times longer than the one before.
    """

    def declare(func: Callable) -> Callable:
        if name in _declared and _declared[name].func is not func:
            raise ValueError(f"Two jobs are named {name!r}")
        _declared[name] = JobSpec(name, func, retries, retry_delay)
        return func

    return declare


def build_huey(config: dict) -> Huey:
    """The queue the configuration names: Redis (production) or a SQLite file (laptop, tests)."""
    name = config["JOBS_NAME"]
    if config["JOBS_BACKEND"] == "redis":
        # Expiring storage, so that the "already done" markers of idempotent jobs do not pile up for ever.
        return RedisExpireHuey(name, results=False, url=config["JOBS_REDIS_URL"],
                               expire_time=config["JOBS_MARKER_TTL"], read_timeout=config["JOBS_POLL_SECONDS"])
    if config["JOBS_BACKEND"] == "sqlite":
        path = Path(config["JOBS_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, results=False, filename=str(path))
    raise ValueError(f"JOBS_BACKEND must be sqlite or redis, got {config['JOBS_BACKEND']!r}")


class InProcessConsumer(Consumer):
    """huey's consumer on threads of a process that owns its signals (the development server, a test)."""

    def _set_signal_handlers(self):
        pass  # Ctrl-C stays the server's; the consumer is stopped at exit instead


class Jobs:
    """One app's queue: its huey instance, built on first use, and the declared jobs registered on it."""

    def __init__(self, app: Flask):
        self.app = app
        self._huey: Huey | None = None
        self.in_process_consumer: Consumer | None = None  # with JOBS_IN_PROCESS
        self._tasks: dict[str, TaskWrapper] = {}
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        # Built lazily: an app that never queues anything (a migration, most tests) touches no storage.
        with self._lock:
            if self._huey is None:
                self._huey = build_huey(self.app.config)
            self._register_declared()
            return self._huey

    def _register_declared(self) -> None:
        config = self.app.config
        for spec in _declared.values():
            if spec.name in self._tasks:
                continue
            self._tasks[spec.name] = self._huey.task(
                name=spec.name,
                retries=config["JOBS_RETRIES"] if spec.retries is None else spec.retries,
                retry_delay=config["JOBS_RETRY_DELAY"] if spec.retry_delay is None else spec.retry_delay,
                retry_backoff=config["JOBS_RETRY_BACKOFF"],
            )(self._runner(spec))

    def _runner(self, spec: JobSpec) -> Callable:
        app = self.app

        def run(*args, **kwargs):
            with app.app_context():
                try:
                    # A job is one unit of work, like a request: it commits what its services flushed, or nothing.
                    with unit_of_work(capture=False):
                        return spec.func(*args, **kwargs)
                except (GiveUp, DomainError) as error:
                    # Trying again cannot change the answer.
                    log.error("Job %s gave up: %s", spec.name, error)
                    raise CancelExecution(retry=False) from error

        return run

    def task(self, name: str) -> TaskWrapper:
        self.huey  # noqa: B018  registers every job declared so far
        if name not in self._tasks:
            raise KeyError(f"No job is declared as {name!r}")
        return self._tasks[name]

    def enqueue(self, name: str, *args, **kwargs) -> None:
        """Queue the job once the current transaction commits; if it rolls back, nothing is queued."""
        self.task(name)  # an unknown name fails here, in the request, not after the commit
        on_commit(db.session, partial(self.enqueue_now, name, *args, **kwargs))

    def enqueue_now(self, name: str, *args, **kwargs) -> None:
        """Queue the job at once, outside any transaction (a follow-up of a commit, a CLI command)."""
        try:
            self.huey.enqueue(self.task(name).s(*args, **kwargs))
        except Exception:
            # The arguments may hold a secret (a reset link): the log names the job only.
            log.exception("Could not queue job %s", name)
            raise

    def enqueue_at(self, eta: datetime, name: str, *args) -> None:
        """Queue the job to run at eta (naive UTC, as our columns keep time) once the transaction commits."""
        self.task(name)
        on_commit(db.session, partial(self._schedule, eta.replace(tzinfo=timezone.utc), name, args))

    def _schedule(self, eta: datetime, name: str, args: tuple) -> None:
        try:
            self.task(name).schedule(args=args, eta=eta)
        except Exception:
            log.exception("Could not schedule job %s", name)
            raise

    def is_done(self, key: str) -> bool:
        """Whether a job recorded this key with mark_done: a retried or repeated job skips its work."""
        return self.huey.storage.has_data_for_key(f"done:{key}")

    def mark_done(self, key: str) -> None:
        huey = self.huey
        ttl = self.app.config["JOBS_MARKER_TTL"] if isinstance(huey, RedisExpireHuey) else None
        huey.storage.put_if_empty(f"done:{key}", b"1", ttl)

    def start_consumer(self, workers: int = 1) -> Consumer:
        """Run a consumer on threads of this process; stop it with consumer.stop(graceful=True)."""
        consumer = InProcessConsumer(self.huey, workers=workers, worker_type="thread",
                                     max_delay=self.app.config["JOBS_POLL_SECONDS"],
                                     periodic=False, shutdown_timeout=self.app.config["JOBS_SHUTDOWN_TIMEOUT"])
        consumer.start()
        return consumer

    def close(self) -> None:
        """Let go of the storage's connections (the queue itself stays)."""
        with self._lock:
            if self._huey is not None:
                storage = self._huey.storage
                if hasattr(storage, "pool"):
                    storage.pool.disconnect()
                else:
                    storage.close()


def jobs_of(app: Flask | None = None) -> Jobs:
    return (app or current_app).extensions[EXTENSION_KEY]


def enqueue(name: str, *args, **kwargs) -> None:
    """Queue a job of the current app once the current transaction commits."""
    jobs_of().enqueue(name, *args, **kwargs)


def register_jobs(app: Flask) -> None:
    """The app's queue, its worker command, and in development a consumer inside the server."""
    jobs = Jobs(app)
    app.extensions[EXTENSION_KEY] = jobs

    @app.cli.command("jobs-worker")
    @click.option("--workers", default=2, show_default=True, help="Threads running jobs.")
    def jobs_worker(workers):
        """Run queued jobs until stopped (production runs this as its own process)."""
        logging.getLogger("huey").setLevel(logging.INFO)
        jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=False,
                                  shutdown_timeout=app.config["JOBS_SHUTDOWN_TIMEOUT"]).run()

    if app.config["JOBS_IN_PROCESS"] and not _reloader_parent(app):
        jobs.in_process_consumer = jobs.start_consumer()
        # Let a job that is running finish (up to JOBS_SHUTDOWN_TIMEOUT) when the server stops.
        atexit.register(jobs.in_process_consumer.stop, graceful=True)


def _reloader_parent(app: Flask) -> bool:
    """`flask run --debug` loads the app twice: in a watcher and in the server it restarts. Consume in the server."""
    return app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true"
