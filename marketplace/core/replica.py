"""Catalog reads from a PostgreSQL streaming replica when DATABASE_REPLICA_URL is set; unset, nothing changes.

How. The replica is a Flask-SQLAlchemy bind ("replica", its own engine and pool). Every session is a
RoutingSession, which overrides Session.get_bind (SQLAlchemy's documented way to choose an engine per
statement, "custom vertical partitioning"): a plain SELECT goes to the replica only when the request was
let read there; everything else (a flush, INSERT/UPDATE/DELETE, SELECT ... FOR UPDATE, text SQL, any
work outside a request) goes to the primary, as before.

Which requests read from the replica: GET and HEAD of the public catalog (READ_ENDPOINTS: home, search
and listing, product pages, storefronts, showcases, the API's reads), by a visitor or a buyer, when the
replica is healthy. Never checkout, cart, orders, accounts, or anything a merchant, an officer or an admin
does (their requests always read the primary, catalog pages included).

Read your writes. A request that wrote and committed stamps the time in the browser's session (Flask's
signed cookie). For READ_YOUR_WRITES seconds after that, the same browser reads everything from the primary:
the merchant who just saved a product, the buyer who just added to the cart, placed an order or signed in
sees it at once. The window is DATABASE_REPLICA_MAX_LAG (5 s) plus CHECK_SECONDS (5 s) = 10 s, and that
is the point: the replica is only used while it is at most MAX_LAG behind (checked every CHECK_SECONDS,
and it can fall at most that much further behind between checks), so a replica we read from has replayed
every commit older than the window. Normal streaming lag is well under a second; the margin is for bursts.
Shared cache entries follow the same rule (core.cache): an entry whose versions were bumped within the
window is built from the primary, else a page cached from a replica that had not replayed the change yet
would show the old state to everyone, the writer too, for the cache's whole timeout.

Health. Each worker asks the replica how far behind it is at most every CHECK_SECONDS (the primary's WAL
position against the replica's replayed position, and the age of the last replayed transaction). A
replica that is unreachable, not a standby, or more than MAX_LAG behind is not read from: catalog reads
fall back to the primary until a check finds it well again. An error on a replica connection marks it
down at once (that one request may fail; the next reads the primary). /readyz reports the replica but
stays ready while the primary answers: one missing replica must not take every app server out of the
load balancer.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_login import current_user
from flask_sqlalchemy.session import Session
from sqlalchemy import CompoundSelect, Select, event, text

REPLICA = "replica"  # the Flask-SQLAlchemy bind key (config.load_config sets SQLALCHEMY_BINDS)
CHECK_SECONDS = 5
WROTE_AT = "_wrote_at"  # in the session cookie: when this browser last wrote
READ_ENDPOINTS = frozenset({
    "site.home",
    "catalog.browse", "catalog.product_page", "catalog.storefront",
    "showcases.index_public", "showcases.detail", "showcases.line_sheet",
    "api.products", "api.product", "api.categories", "api.merchants", "api.merchant", "api.exchange_rates",
})
READER_ROLES = frozenset({"buyer"})  # signed in with another role: always the primary

# Flags on g (one request): its SELECTs may go to the replica; it wrote; it committed a write; how many
# primary_reads_if_changed blocks it is in.
_ON_REPLICA = "serumpun_replica_reads"
_REQUEST_WROTE = "serumpun_request_wrote"
_COMMITTED_WRITE = "serumpun_committed_write"
_PRIMARY_BLOCKS = "serumpun_primary_blocks"
_WROTE = "serumpun.wrote"  # session.info: this transaction wrote


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, reading from the replica where the request allows it."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self._reads_on_replica(clause):
            return self._db.engines[REPLICA]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    def _reads_on_replica(self, clause) -> bool:
        return (has_app_context() and g.get(_ON_REPLICA, False) and not g.get(_REQUEST_WROTE, False)
                and not g.get(_PRIMARY_BLOCKS, 0) and not self._flushing
                and isinstance(clause, Select | CompoundSelect) and getattr(clause, "_for_update_arg", None) is None)


def now() -> float:
    """The wall clock of every window here (the tests move it on)."""
    return time.time()


def read_your_writes_seconds(app: Flask) -> int:
    return int(app.config["DATABASE_REPLICA_MAX_LAG"]) + CHECK_SECONDS


class ReplicaHealth:
    """How far behind the replica is, asked at most every CHECK_SECONDS by each worker."""

    def __init__(self, app: Flask):
        self.app = app
        self.state = "unknown"
        self.lag: float | None = None
        self.checked_at = -math.inf
        self._lock = threading.Lock()

    def usable(self) -> bool:
        if time.monotonic() - self.checked_at >= CHECK_SECONDS and self._lock.acquire(blocking=False):
            try:
                self.check()
            finally:
                self._lock.release()
        return self.state == "ok"

    def check(self) -> str:
        """Ask now: "ok", "lagging" (more than DATABASE_REPLICA_MAX_LAG behind), "not a replica" or "unavailable"."""
        engines = self.app.extensions["sqlalchemy"].engines
        try:
            with engines[None].connect() as primary:
                position = primary.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
            with engines[REPLICA].connect() as replica:
                standby, caught_up, behind = replica.execute(text(
                    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= CAST(:position AS pg_lsn), "
                    "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float"),
                    {"position": position}).one()
        except Exception as exc:  # whatever broke, the answer is "do not read there"
            self.app.logger.warning("Read replica unavailable: %s", exc)
            self._set("unavailable", None)
            return self.state
        if not standby:
            self._set("not a replica", None)
        elif caught_up:
            self._set("ok", 0.0)
        else:
            # No transaction replayed since it started, yet behind: how far is unknown, so too far.
            close = behind is not None and behind <= self.app.config["DATABASE_REPLICA_MAX_LAG"]
            self._set("ok" if close else "lagging", behind)
        if self.state != "ok":
            self.app.logger.warning("Read replica %s: catalog reads go to the primary", self.state)
        return self.state

    def mark_unavailable(self) -> None:
        self._set("unavailable", None)

    def _set(self, state: str, lag: float | None) -> None:
        self.state, self.lag, self.checked_at = state, lag, time.monotonic()


def replica_health(app: Flask) -> ReplicaHealth | None:
    """The replica's health in this worker, or None when no replica is set."""
    return app.extensions.get("serumpun.replica")


def _wrote_recently(app: Flask) -> bool:
    if app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return False  # no session to read (and reading it would add "Vary: Cookie" to the API's answers)
    wrote_at = session.get(WROTE_AT)
    return isinstance(wrote_at, int | float) and now() - wrote_at < read_your_writes_seconds(app)


def _may_read_replica(app: Flask, health: ReplicaHealth) -> bool:
    return (request.method in ("GET", "HEAD") and request.endpoint in READ_ENDPOINTS
            and not _wrote_recently(app)
            and (not current_user.is_authenticated or current_user.role in READER_ROLES)
            and health.usable())


@contextmanager
def primary_reads_if_changed(changed_at: Iterable[float]) -> Iterator[None]:
    """Read from the primary inside this block if anything it shows changed within the read-your-writes
    window (core.cache builds shared entries in it)."""
    switch = (has_request_context() and g.get(_ON_REPLICA, False)
              and any(now() - moment < read_your_writes_seconds(current_app) for moment in changed_at))
    if switch:
        setattr(g, _PRIMARY_BLOCKS, g.get(_PRIMARY_BLOCKS, 0) + 1)
    try:
        yield
    finally:
        if switch:
            setattr(g, _PRIMARY_BLOCKS, g.get(_PRIMARY_BLOCKS) - 1)


def _wrote(session) -> None:
    session.info[_WROTE] = True
    if has_app_context():
        setattr(g, _REQUEST_WROTE, True)  # the rest of this request reads what it wrote


_installed = False


def install_write_tracking(session_class) -> None:
    """Once per process: note each transaction that writes, and each request that commits one."""
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(session_class, "after_flush")
    def after_flush(session, flush_context):
        _wrote(session)

    @event.listens_for(session_class, "do_orm_execute")
    def on_execute(state):
        if state.is_insert or state.is_update or state.is_delete:
            _wrote(state.session)

    @event.listens_for(session_class, "after_commit")
    def after_commit(session):
        if session.info.pop(_WROTE, False) and has_request_context():
            setattr(g, _COMMITTED_WRITE, True)

    @event.listens_for(session_class, "after_transaction_end")
    def after_transaction_end(session, transaction):
        if transaction.parent is None:
            session.info.pop(_WROTE, None)


def register_replica(app: Flask) -> None:
    """With DATABASE_REPLICA_URL set: choose each request's reader, and remember each browser's writes."""
    if not app.config["DATABASE_REPLICA_URL"]:
        return
    health = app.extensions["serumpun.replica"] = ReplicaHealth(app)
    install_write_tracking(Session)
    with app.app_context():
        replica_engine = app.extensions["sqlalchemy"].engines[REPLICA]

    @event.listens_for(replica_engine, "handle_error")
    def replica_failed(context):
        if context.is_disconnect or context.connection is None:
            health.mark_unavailable()

    @app.before_request
    def choose_reader():
        if _may_read_replica(app, health):
            setattr(g, _ON_REPLICA, True)

    @app.after_request
    def remember_write(response):
        if g.get(_COMMITTED_WRITE):
            session[WROTE_AT] = round(now(), 1)
        return response
