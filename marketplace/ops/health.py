"""/healthz: is this process alive and does it reach its database? /readyz: may this server take traffic
(the load balancer asks it every few seconds)?"""
from __future__ import annotations

import redis
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from ..core.replica import replica_health
from ..extensions import csrf, db, limiter
from ..media.storage import storage

bp = Blueprint("ops", __name__)


def shared_redis_urls(config) -> set[str]:
    """Every Redis the app leans on: rate limits, page cache, job queue (one URL in the usual setup)."""
    urls = {config.get("CACHE_REDIS_URL") or "", config.get("JOBS_REDIS_URL") or ""}
    limits = config.get("RATELIMIT_STORAGE_URI") or ""
    if limits.startswith(("redis://", "rediss://")):
        urls.add(limits)
    return {url for url in urls if url}


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # the answer must come back whatever broke
        current_app.logger.warning("Health check: database unreachable: %s", exc)
        db.session.rollback()
        return "unavailable"


def _redis() -> str:
    urls = shared_redis_urls(current_app.config)
    if not urls:
        return "not used"
    try:
        for url in urls:
            client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
            try:
                client.ping()
            finally:
                client.close()
        return "ok"
    except Exception as exc:
        current_app.logger.warning("Readiness: Redis unreachable: %s", exc)
        return "unavailable"


def _storage() -> str:
    try:
        storage().check()
        return "ok"
    except Exception as exc:
        current_app.logger.warning("Readiness: media storage unreachable: %s", exc)
        return "unavailable"


def _replica() -> dict:
    """With DATABASE_REPLICA_URL: how the replica is, and where catalog reads go because of it."""
    health = replica_health(current_app)
    if health is None:
        return {}
    state = health.check()
    return {"replica": state, "replica_lag_seconds": None if health.lag is None else round(health.lag, 3),
            "catalog_reads": "replica" if state == "ok" else "primary"}


def _no_store(response, status: int):
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.route("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    """Whether the app can reach its database, for monitors."""
    database = _database()
    return _no_store(jsonify(status="ok" if database == "ok" else "degraded", database=database),
                     200 if database == "ok" else 503)


@bp.route("/readyz")
@limiter.exempt
@csrf.exempt
def readyz():
    """200 when the database, Redis (if used) and media storage all answer; 503 naming what does not.

    A replica that lags or is down is reported but leaves the server ready: catalog reads fall back to the
    primary (core.replica), so taking every app server out of the balancer for it would help nobody.
    """
    parts = {"database": _database(), "redis": _redis(), "storage": _storage()}
    ready = all(state in ("ok", "not used") for state in parts.values())
    return _no_store(jsonify(status="ready" if ready else "unavailable", **parts, **_replica()),
                     200 if ready else 503)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
