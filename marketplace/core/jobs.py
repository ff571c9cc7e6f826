"""Durable background jobs on huey, enqueued only when the transaction that asked for them commits.

The queue lives outside the process: a SQLite file in the instance folder on a
laptop and in tests, Redis when REDIS_URL is set (production). A job queued by
one app instance is run by whichever consumer reads that storage next, so a
restart between the request and the work loses nothing.

Domain packages declare their jobs with @job("package.name"); each app builds
its own huey instance from its configuration on first use and registers every
declared job on it. A job runs inside the app's context, so it reads settings
(an SMTP password, say) from the consumer's configuration, never from the queue.

The database is the record of what is owed (a transactional outbox): enqueue()
writes a row of job_outbox in the transaction that asks for the job, and only
the row's id travels through huey once that transaction commits. A consumer
claims the row before running the job (a conditional UPDATE: one run at a
time), and the job's own writes commit together with the row's "done". A job
whose push to huey failed (Redis down), whose message huey lost (a consumer
killed after taking it), or whose schedule went missing is queued again by the
sweeper (sweep(), run by every `flask jobs-worker` and by `flask jobs-sweep`).
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import click
from flask import Flask, current_app
from huey import RedisExpireHuey, SqliteHuey
from huey.api import Huey, TaskWrapper
from huey.consumer import Consumer
from huey.exceptions import CancelExecution
from sqlalchemy import JSON, DateTime, Index, Integer, String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .errors import DomainError
from .models import utcnow
from .transactions import on_commit
from .unit_of_work import unit_of_work

log = logging.getLogger(__name__)

EXTENSION_KEY = "serumpun.jobs"
OUTBOX_ID = "outbox_id"  # the one keyword argument a huey message carries: the job's row in job_outbox
SWEEP_BATCH = 500


class QueuedJob(db.Model):
    """A job some transaction asked for; done_at is set in the transaction of the run that did it."""

    __tablename__ = "job_outbox"
    # The sweeper's and the pruning's question: done_at IS NULL AND sweep_at <= now, or done_at < then.
    __table_args__ = (Index("ix_job_outbox_due", "done_at", "sweep_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    arguments: Mapped[dict] = mapped_column(JSON)  # {"args": [...], "kwargs": {...}}
    run_at: Mapped[datetime | None] = mapped_column(DateTime)  # for a job scheduled with enqueue_at
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Until then nobody may run it again: a consumer runs it (its lease), or it waits for huey's retry.
    running_until: Mapped[datetime | None] = mapped_column(DateTime)
    # From then on the sweeper queues it again if it is neither done nor running.
    sweep_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(String(500))  # why the last run failed, or why it gave up


class Superseded(Exception):
    """A run found its row done or taken by another run (its lease ran out under a slow job)."""


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

    sweeper: Sweeper | None = None

    def _set_signal_handlers(self):
        pass  # Ctrl-C stays the server's; the consumer is stopped at exit instead

    def stop(self, graceful=False):
        if self.sweeper is not None:
            self.sweeper.stop()
        super().stop(graceful=graceful)


class Sweeper(threading.Thread):
    """Runs Jobs.sweep() every JOBS_SWEEP_INTERVAL seconds beside a consumer, starting at once."""

    def __init__(self, jobs: Jobs):
        super().__init__(name="jobs-sweeper", daemon=True)
        self.jobs = jobs
        self.stopping = threading.Event()

    def run(self) -> None:
        interval = self.jobs.app.config["JOBS_SWEEP_INTERVAL"]
        while not self.stopping.is_set():
            try:
                pushed, dropped = self.jobs.sweep()
                if pushed or dropped:
                    log.info("Sweeper: queued %d jobs again, dropped %d finished ones", pushed, dropped)
            except Exception:  # the database or the queue is away for a moment: the next round tries again
                log.exception("The job sweeper failed")
            self.stopping.wait(interval)

    def stop(self) -> None:
        self.stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=30)


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
                context=True,  # the runner learns whether huey will retry, and after how long
            )(self._runner(spec))

    def _runner(self, spec: JobSpec) -> Callable:
        app = self.app

        def run(*args, task=None, **kwargs):
            with app.app_context():
                outbox_id = kwargs.pop(OUTBOX_ID, None)
                if outbox_id is None:  # a message queued before the outbox existed: its arguments are its own
                    return self._run_unit(spec, args, kwargs)
                claim = self._claim(outbox_id)
                if claim is None:
                    return None
                arguments, lease = claim
                try:
                    return self._run_unit(spec, arguments["args"], arguments["kwargs"], (outbox_id, lease))
                except CancelExecution as error:
                    self._release(outbox_id, lease, error.__cause__, retry_in=None)
                    raise
                except Superseded:
                    log.warning("Job %s #%s outlived its lease and another run took it; this run's writes are undone",
                                spec.name, outbox_id)
                    return None
                except Exception as error:
                    # huey retries after task.retry_delay while retries are left: the row waits as long.
                    retry_in = task.retry_delay if task is not None and task.retries else None
                    self._release(outbox_id, lease, error, retry_in=retry_in)
                    raise

        return run

    def _run_unit(self, spec: JobSpec, args, kwargs, claim: tuple[int, datetime] | None = None):
        try:
            # A job is one unit of work, like a request: it commits what its services flushed, or nothing,
            # and its row in the outbox is marked done in the same transaction.
            with unit_of_work(capture=False):
                result = spec.func(*args, **kwargs)
                if claim is not None:
                    self._mark_row_done(*claim)
                return result
        except (GiveUp, DomainError) as error:
            # Trying again cannot change the answer.
            log.error("Job %s gave up: %s", spec.name, error)
            raise CancelExecution(retry=False) from error

    def _claim(self, outbox_id: int) -> tuple[dict, datetime] | None:
        """Take the job for one run (committed at once, so that other consumers see it): its arguments and the
        run's lease, which also tells this run from a later one; None: not ours to run."""
        now = utcnow()
        lease = now + timedelta(seconds=self.app.config["JOBS_LEASE_SECONDS"])
        try:
            claimed = db.session.execute(
                update(QueuedJob)
                .where(QueuedJob.id == outbox_id, QueuedJob.done_at.is_(None),
                       or_(QueuedJob.running_until.is_(None), QueuedJob.running_until <= now))
                .values(running_until=lease, sweep_at=lease, attempts=QueuedJob.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            arguments = db.session.scalar(select(QueuedJob.arguments).where(QueuedJob.id == outbox_id)) \
                if claimed else None
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        if not claimed:
            # Done already, pruned, or running in another consumer: a second delivery of the same message.
            log.info("Job #%s is done or taken; skipping this delivery", outbox_id)
        return (arguments, lease) if claimed else None

    def _mark_row_done(self, outbox_id: int, lease: datetime) -> None:
        # Only while the row is still this run's: a lease that ran out may have let another run take it.
        done = db.session.execute(
            update(QueuedJob).where(QueuedJob.id == outbox_id, QueuedJob.done_at.is_(None),
                                    QueuedJob.running_until == lease)
            .values(done_at=utcnow(), running_until=None, error=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            raise Superseded()

    def _release(self, outbox_id: int, lease: datetime, error: BaseException | None,
                 retry_in: float | None) -> None:
        """After a failed run (its writes rolled back): wait for huey's retry, or finish for good."""
        now = utcnow()
        values: dict = {"running_until": None, "error": (repr(error) if error else "gave up")[:500]}
        if retry_in is None:
            values["done_at"] = now  # no retry will come: the row is finished, and says why
        else:
            # The retry waits in huey's schedule; the sweeper steps in only if it never comes.
            values["sweep_at"] = now + timedelta(seconds=retry_in + self.app.config["JOBS_SWEEP_AFTER"])
        try:
            db.session.execute(update(QueuedJob)
                               .where(QueuedJob.id == outbox_id, QueuedJob.done_at.is_(None),
                                      QueuedJob.running_until == lease)
                               .values(**values).execution_options(synchronize_session=False))
            db.session.commit()
        except Exception:  # the lease runs out instead, and the sweeper queues the job again
            db.session.rollback()
            log.exception("Could not record the failure of job #%s", outbox_id)

    def task(self, name: str) -> TaskWrapper:
        self.huey  # noqa: B018  registers every job declared so far
        if name not in self._tasks:
            raise KeyError(f"No job is declared as {name!r}")
        return self._tasks[name]

    def enqueue(self, name: str, *args, **kwargs) -> None:
        """Record the job in the current transaction and queue it once that commits; a rollback leaves nothing."""
        self._record(name, args, kwargs, run_at=None)

    def enqueue_at(self, eta: datetime, name: str, *args) -> None:
        """Record the job to run at eta (naive UTC, as our columns keep time); queued once the transaction commits."""
        self._record(name, args, {}, run_at=eta.replace(tzinfo=None) if eta.tzinfo is None
                     else eta.astimezone(timezone.utc).replace(tzinfo=None))

    def enqueue_now(self, name: str, *args, **kwargs) -> None:
        """Record and queue the job in a transaction of its own (a CLI command, a test); not inside a request's."""
        with self.app.app_context(), unit_of_work(capture=False):
            self._record(name, args, kwargs, run_at=None)

    def _record(self, name: str, args: tuple, kwargs: dict, run_at: datetime | None) -> int:
        self.task(name)  # an unknown name fails here, in the request, not after the commit
        arguments = {"args": list(args), "kwargs": kwargs}
        json.dumps(arguments)  # arguments that JSON cannot keep fail here too
        due = max(run_at or utcnow(), utcnow())
        row = QueuedJob(name=name, arguments=arguments, run_at=run_at,
                        sweep_at=due + timedelta(seconds=self.app.config["JOBS_SWEEP_AFTER"]))
        db.session.add(row)
        db.session.flush()
        on_commit(db.session, partial(self._push, row.id, name, run_at))
        return row.id

    def _push(self, outbox_id: int, name: str, run_at: datetime | None) -> bool:
        """Hand the job's id to huey. A failure is logged, not raised: the row stays, and the sweeper pushes again."""
        try:
            task = self.task(name)
            if run_at is not None and run_at > utcnow():
                task.schedule(kwargs={OUTBOX_ID: outbox_id}, eta=run_at.replace(tzinfo=timezone.utc))
            else:
                self.huey.enqueue(task.s(**{OUTBOX_ID: outbox_id}))
            return True
        except Exception:
            # The arguments may hold a secret (a reset link): the log names the job only.
            log.exception("Could not queue job %s #%s; the sweeper will queue it again", name, outbox_id)
            return False

    def sweep(self) -> tuple[int, int]:
        """Drop rows done JOBS_KEEP_DONE ago, and queue again every job that is due, not done and not running.

        A job whose run's lease ran out (its consumer died: huey had taken its message) is queued again at
        once. One that was never taken is queued again only while huey's queue is empty: while consumers are
        behind, its message is most likely still waiting, and copies would only lengthen the queue.
        Returns (queued again, dropped). Safe to run in many processes at once.
        """
        config = self.app.config
        with self.app.app_context():
            now = utcnow()
            with unit_of_work(capture=False):
                dropped = db.session.execute(
                    delete(QueuedJob)
                    .where(QueuedJob.done_at < now - timedelta(seconds=config["JOBS_KEEP_DONE"]))
                    .execution_options(synchronize_session=False)
                ).rowcount
            lease_ran_out = QueuedJob.running_until <= now
            not_running = lease_ran_out if self.huey.pending_count() else \
                or_(QueuedJob.running_until.is_(None), lease_ran_out)
            lost = db.session.execute(
                select(QueuedJob.id, QueuedJob.name, QueuedJob.running_until)
                .where(QueuedJob.done_at.is_(None), QueuedJob.sweep_at <= now, not_running)
                .order_by(QueuedJob.sweep_at).limit(SWEEP_BATCH)
            ).all()
            db.session.rollback()
            pushed = 0
            for outbox_id, name, running_until in lost:
                if name not in _declared:  # its code is gone: running it again can never work
                    values = {"done_at": now, "error": f"no job is declared as {name!r}"}
                else:
                    values = {"sweep_at": now + timedelta(seconds=config["JOBS_SWEEP_AFTER"])}
                with unit_of_work(capture=False):
                    # Conditional, so that two sweepers queue it once.
                    taken = db.session.execute(
                        update(QueuedJob)
                        .where(QueuedJob.id == outbox_id, QueuedJob.done_at.is_(None), QueuedJob.sweep_at <= now,
                               not_running)
                        .values(**values).execution_options(synchronize_session=False)
                    ).rowcount
                if taken and "sweep_at" in values:
                    log.warning("Job %s #%s %s; queueing it again", name, outbox_id,
                                "outlived its lease" if running_until else "was never taken")
                    pushed += self._push(outbox_id, name, None)
        return pushed, dropped

    def overdue(self) -> int:
        """Jobs not done whose sweep_at has passed: lost and not yet swept, or consumers far behind."""
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(QueuedJob)
                                     .where(QueuedJob.done_at.is_(None), QueuedJob.sweep_at <= utcnow())) or 0

    def is_done(self, key: str) -> bool:
        """Whether a job recorded this key with mark_done: a retried or repeated job skips its work."""
        return self.huey.storage.has_data_for_key(f"done:{key}")

    def mark_done(self, key: str) -> None:
        huey = self.huey
        ttl = self.app.config["JOBS_MARKER_TTL"] if isinstance(huey, RedisExpireHuey) else None
        huey.storage.put_if_empty(f"done:{key}", b"1", ttl)

    def start_consumer(self, workers: int = 1, sweep: bool = False) -> Consumer:
        """Run a consumer on threads of this process (and the sweeper beside it if sweep); stop it with
        consumer.stop(graceful=True)."""
        consumer = InProcessConsumer(self.huey, workers=workers, worker_type="thread",
                                     max_delay=self.app.config["JOBS_POLL_SECONDS"],
                                     periodic=False, shutdown_timeout=self.app.config["JOBS_SHUTDOWN_TIMEOUT"])
        consumer.start()
        if sweep:
            consumer.sweeper = Sweeper(self)
            consumer.sweeper.start()
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
        log.setLevel(logging.INFO)
        consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=False,
                                             shutdown_timeout=app.config["JOBS_SHUTDOWN_TIMEOUT"])
        sweeper = Sweeper(jobs)  # queues again what was lost: by a killed consumer, a Redis restart
        sweeper.start()
        try:
            consumer.run()
        finally:
            sweeper.stop()

    @app.cli.command("jobs-sweep")
    def jobs_sweep():
        """Queue again the jobs that are due and were never run (lost with a consumer or a queue); for cron."""
        pushed, dropped = jobs.sweep()
        click.echo(f"Queued {pushed} jobs again; dropped {dropped} finished ones.")

    if app.config["JOBS_IN_PROCESS"] and not _reloader_parent(app):
        jobs.in_process_consumer = jobs.start_consumer(sweep=True)
        # Let a job that is running finish (up to JOBS_SHUTDOWN_TIMEOUT) when the server stops.
        atexit.register(jobs.in_process_consumer.stop, graceful=True)


def _reloader_parent(app: Flask) -> bool:
    """`flask run --debug` loads the app twice: in a watcher and in the server it restarts. Consume in the server."""
    return app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true"
