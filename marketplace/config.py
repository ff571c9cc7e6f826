"""Settings, read from the environment once, when the app is created.

SERUMPUN_ENV picks the profile: development (default), test or production.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the app refuses to start."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


def instance_path() -> Path:
    return Path(os.environ.get("SERUMPUN_INSTANCE_PATH", ROOT / "instance")).resolve()


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str = ""
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # A PostgreSQL streaming replica for the catalog's reads (see marketplace/core/replica.py); unset: none.
    DATABASE_REPLICA_URL = ""
    # PostgreSQL's JIT compiles a query the planner thinks dear: 0.2 s of compiling for a search that then
    # runs in 0.6 s (1,000,000 products). Off for the app's connections, as usual for short queries; behind
    # PgBouncer, which refuses startup options unless told to ignore them, set it False and jit = off in
    # postgresql.conf instead.
    DATABASE_JIT_OFF = True
    # A replica further behind the primary than this many seconds is not read from until it catches up.
    DATABASE_REPLICA_MAX_LAG = 5

    # Sessions and cookies: the browser never lets scripts read them.
    SESSION_COOKIE_NAME = "serumpun_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_NAME = "serumpun_remember"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    LANGUAGE_COOKIE_NAME = "serumpun_lang"

    # A request may carry up to 8 product photos of at most 10 MB each.
    MAX_CONTENT_LENGTH = 85 * 1024 * 1024
    # ... and at most this many pixels in all, read from the headers before anything is decoded: eight
    # 12-megapixel phone photos fit; seven 8000 x 5000 PNGs of a few KB each (280 million) do not.
    MAX_UPLOAD_PIXELS = 100_000_000

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    WTF_I18N_ENABLED = False  # every message is ours, translated in our catalogs

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "translations")
    LANGUAGES = ("id", "en", "ms")

    # Shared pieces of catalog pages; with REDIS_URL every worker and server shares them.
    CACHE_TYPE = "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 60
    CACHE_THRESHOLD = 5000
    CACHE_KEY_PREFIX = "serumpun:"

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"
    # Limits kept in Redis: while it is down, requests pass unlimited (the error is logged) rather than
    # fail, and the same storage counts again once it answers.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    LOGIN_RATE_LIMIT = "10 per 5 minutes"  # per client address
    LOGIN_ACCOUNT_RATE_LIMIT = "20 per hour"  # per email typed, from anywhere
    SIGNUP_RATE_LIMIT = "20 per hour"
    RESET_RATE_LIMIT = "5 per 15 minutes"

    # Operations: logs as text or JSON lines (with the request id), one line per request, /metrics for a
    # Prometheus holding METRICS_TOKEN (unset: no /metrics), error reports to Sentry when SENTRY_DSN is set.
    LOG_FORMAT = "text"
    LOG_REQUESTS = False
    METRICS_TOKEN = ""
    SENTRY_DSN = ""
    SENTRY_TRACES_SAMPLE_RATE = "0"

    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's default: scrypt with n=2**15
    PASSWORD_RESET_MAX_AGE = 3600
    INVITE_MAX_AGE = 7 * 24 * 3600

    MAIL_BACKEND = "outbox"
    MAIL_SERVER = ""
    MAIL_PORT = 587
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "Serumpun <no-reply@serumpun.example>"
    MAIL_TIMEOUT = 10

    # Background jobs (huey): a SQLite file in the instance folder, or Redis when REDIS_URL is set.
    JOBS_BACKEND = "sqlite"
    JOBS_SQLITE_PATH = ""  # instance/jobs.sqlite
    JOBS_REDIS_URL = ""
    JOBS_NAME = "serumpun"  # the queue's name; in Redis, part of every key
    # A failing job is tried again up to JOBS_RETRIES times, the first after JOBS_RETRY_DELAY seconds and
    # each later one JOBS_RETRY_BACKOFF times as long after the last: 30 s, 1 min, 2 min, ... about 2 hours.
    JOBS_RETRIES = 8
    JOBS_RETRY_DELAY = 30
    JOBS_RETRY_BACKOFF = 2.0
    JOBS_MARKER_TTL = 7 * 24 * 3600  # how long Redis remembers that an idempotent job was done
    JOBS_SHUTDOWN_TIMEOUT = 30  # a stopping consumer waits this long for a running job
    JOBS_POLL_SECONDS = 1.0  # an idle consumer looks at the queue this often (and notices a stop this fast)
    JOBS_IN_PROCESS = False  # `make run` sets it: a consumer inside the development server
    # The job outbox (README "Background jobs"): every job is also a row of job_outbox, written in the
    # transaction that asked for it. A consumer holds a job it runs for JOBS_LEASE_SECONDS (longer than the
    # longest job: past it the job counts as lost with its consumer); a job nobody took JOBS_SWEEP_AFTER
    # seconds after it was due is queued again by the sweeper, which runs every JOBS_SWEEP_INTERVAL seconds
    # in each `flask jobs-worker` and drops finished rows older than JOBS_KEEP_DONE seconds.
    JOBS_LEASE_SECONDS = 300
    JOBS_SWEEP_AFTER = 120
    JOBS_SWEEP_INTERVAL = 30
    JOBS_KEEP_DONE = 7 * 24 * 3600

    # Links in emails need an absolute address outside a request.
    SERVER_NAME: str | None = None
    # Without SERVER_NAME, mails sent by jobs link to this address (`make run` sets it to its host and port).
    SITE_URL = "http://127.0.0.1:5000"
    PREFERRED_URL_SCHEME = "http"

    SECURITY_HSTS = False

    # Product photos: "local" keeps them in MEDIA_ROOT (instance/media by default); "s3" in a bucket.
    MEDIA_STORAGE = "local"
    MEDIA_ROOT = ""
    # Merchants' certificates: private, read only through the app (see media.storage.build_document_storage).
    DOCUMENTS_ROOT = ""
    DOCUMENTS_S3_BUCKET = ""
    S3_BUCKET = ""
    S3_ENDPOINT_URL = ""
    S3_PUBLIC_URL = ""
    S3_REGION = ""
    S3_ACCESS_KEY_ID = ""
    S3_SECRET_ACCESS_KEY = ""

    # An exchange rate older than this many days is flagged to officers on their dashboard, and buyers read
    # "rate of <date>" beside converted prices.
    RATE_STALE_DAYS = 7
    # Buying. A checkout holds its stock this long for the payment; then the order expires.
    ORDER_HOLD_MINUTES = 30
    # A bank transfer (IBG, or staff checking the account) takes longer than a card: its hold, in hours.
    BANK_TRANSFER_HOLD_HOURS = 24
    # Bank transfer, the default way to pay: the account buyers pay into (DuitNow or IBG) with the order number
    # as reference. The demo's account is an example, not a real one.
    BANK_NAME = "Maybank"
    BANK_ACCOUNT_NAME = "Serumpun Trade Sdn Bhd"
    BANK_ACCOUNT_NUMBER = "5140 1234 5678"
    # Stripe Checkout is offered when both keys are set. STRIPE_API_BASE points the stripe library at another
    # host (the tests' local stand-in); empty means Stripe itself.
    STRIPE_SECRET_KEY = ""
    STRIPE_WEBHOOK_SECRET = ""
    STRIPE_API_BASE = ""
    STRIPE_PAYMENT_METHOD_TYPES = "card,fpx"  # FPX needs a Malaysian Stripe account; "card" elsewhere

    # How many proxies in front of the app set X-Forwarded-For/-Proto; 0 trusts none.
    # Rate limits count by client address, so behind a load balancer this must be right.
    TRUST_PROXY_HOPS = 0


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"


class TestConfig(BaseConfig):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    # Still scrypt, at a cost that keeps a suite of hundreds of sign-ins quick.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    JOBS_POLL_SECONDS = 0.1  # consumers in tests start and stop many times


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    LOG_FORMAT = "json"
    LOG_REQUESTS = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    SECURITY_HSTS = True
    MAIL_BACKEND = "log"


# Settings that the environment may set, and how to read each.
FROM_ENVIRONMENT = {
    "LOG_FORMAT": os.environ.get,
    # Only for load tests on one machine, where every simulated buyer has the same address (as make bench).
    "RATELIMIT_ENABLED": _bool,
    # Only for a production setup tried over plain http on one machine (make cluster): cookies without Secure.
    "SESSION_COOKIE_SECURE": _bool,
    "REMEMBER_COOKIE_SECURE": _bool,
    "LOG_REQUESTS": _bool,
    "METRICS_TOKEN": os.environ.get,
    "SENTRY_DSN": os.environ.get,
    "DATABASE_REPLICA_URL": os.environ.get,
    "DATABASE_JIT_OFF": _bool,
    "DATABASE_REPLICA_MAX_LAG": _int,
    "SENTRY_TRACES_SAMPLE_RATE": os.environ.get,
    "MAX_CONTENT_LENGTH": _int,
    "MAX_UPLOAD_PIXELS": _int,
    "LOGIN_RATE_LIMIT": os.environ.get,
    "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get,
    "SIGNUP_RATE_LIMIT": os.environ.get,
    "RESET_RATE_LIMIT": os.environ.get,
    "MAIL_SERVER": os.environ.get,
    "MAIL_PORT": _int,
    "MAIL_USERNAME": os.environ.get,
    "MAIL_PASSWORD": os.environ.get,
    "MAIL_USE_TLS": _bool,
    "MAIL_USE_SSL": _bool,
    "MAIL_DEFAULT_SENDER": os.environ.get,
    "MAIL_TIMEOUT": _int,
    "JOBS_NAME": os.environ.get,
    "JOBS_BACKEND": os.environ.get,  # REDIS_URL sets both outside tests
    "JOBS_REDIS_URL": os.environ.get,
    "JOBS_RETRIES": _int,
    "JOBS_RETRY_DELAY": _int,
    "JOBS_IN_PROCESS": _bool,
    "JOBS_LEASE_SECONDS": _int,
    "JOBS_SWEEP_AFTER": _int,
    "JOBS_SWEEP_INTERVAL": _int,
    "JOBS_KEEP_DONE": _int,
    "SERVER_NAME": os.environ.get,
    "SITE_URL": os.environ.get,
    "PREFERRED_URL_SCHEME": os.environ.get,
    "TRUST_PROXY_HOPS": _int,
    "ORDER_HOLD_MINUTES": _int,
    "BANK_TRANSFER_HOLD_HOURS": _int,
    "RATE_STALE_DAYS": _int,
    "BANK_NAME": os.environ.get,
    "BANK_ACCOUNT_NAME": os.environ.get,
    "BANK_ACCOUNT_NUMBER": os.environ.get,
    "STRIPE_SECRET_KEY": os.environ.get,
    "STRIPE_WEBHOOK_SECRET": os.environ.get,
    "STRIPE_API_BASE": os.environ.get,
    "STRIPE_PAYMENT_METHOD_TYPES": os.environ.get,
    "CACHE_TYPE": os.environ.get,
    "MEDIA_STORAGE": os.environ.get,
    "MEDIA_ROOT": os.environ.get,
    "DOCUMENTS_ROOT": os.environ.get,
    "DOCUMENTS_S3_BUCKET": os.environ.get,
    "S3_BUCKET": os.environ.get,
    "S3_ENDPOINT_URL": os.environ.get,
    "S3_PUBLIC_URL": os.environ.get,
    "S3_REGION": os.environ.get,
    "S3_ACCESS_KEY_ID": os.environ.get,
    "S3_SECRET_ACCESS_KEY": os.environ.get,
}

PROFILES = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def _dev_secret_key(folder: Path) -> str:
    """A development key kept in instance/ so that sessions survive a restart."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(profile: str | None = None, overrides: dict | None = None) -> dict:
    """Merge a profile with the environment and explicit overrides, and check it."""
    name = profile or os.environ.get("SERUMPUN_ENV", "development")
    if name not in PROFILES:
        raise ConfigError(f"SERUMPUN_ENV must be one of {', '.join(PROFILES)}, got {name!r}")
    cls = PROFILES[name]
    config = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    folder = instance_path()
    for key, read in FROM_ENVIRONMENT.items():
        if os.environ.get(key):
            config[key] = read(key, config[key])

    config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or config["SECRET_KEY"]
    default_db = f"sqlite:///{folder / 'serumpun.sqlite'}"
    if name == "test":
        default_db = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL") if name != "test" else default_db
    config["SQLALCHEMY_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"] or default_db

    redis_url = os.environ.get("REDIS_URL")
    if redis_url and name != "test":
        config["RATELIMIT_STORAGE_URI"] = redis_url
        if not os.environ.get("CACHE_TYPE"):
            # core.redis_cache: Redis failing is a cache miss, never an error page; a Redis that hangs holds
            # a request at most these timeouts.
            config["CACHE_TYPE"] = "marketplace.core.redis_cache.TolerantRedisCache"
            config["CACHE_OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
        config["CACHE_REDIS_URL"] = redis_url
        config["JOBS_BACKEND"] = "redis"
        config["JOBS_REDIS_URL"] = redis_url
    if config["MAIL_SERVER"]:
        config["MAIL_BACKEND"] = "smtp"
    config["MAIL_BACKEND"] = os.environ.get("MAIL_BACKEND", config["MAIL_BACKEND"])

    config.update(overrides or {})
    config["MEDIA_ROOT"] = config["MEDIA_ROOT"] or str(folder / "media")
    config["DOCUMENTS_ROOT"] = config["DOCUMENTS_ROOT"] or str(folder / "documents")
    config["JOBS_SQLITE_PATH"] = config["JOBS_SQLITE_PATH"] or str(folder / "jobs.sqlite")

    if name == "production" and not config.get("SERVER_NAME"):
        # Links in mail (password resets, invitations) must not follow a request's Host header.
        raise ConfigError("SERVER_NAME must be set in production, e.g. SERVER_NAME=serumpun.example.")
    if not config.get("SECRET_KEY"):
        if name == "production":
            raise ConfigError("SECRET_KEY must be set in production (SERUMPUN_ENV=production).")
        config["SECRET_KEY"] = _dev_secret_key(folder)
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") and config["DATABASE_JIT_OFF"]:
        options = config["SQLALCHEMY_ENGINE_OPTIONS"]
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": {
            **options.get("connect_args", {}), "options": "-c jit=off"}}
    if config["DATABASE_REPLICA_URL"]:
        config["DATABASE_REPLICA_URL"] = normalise_database_url(config["DATABASE_REPLICA_URL"])
        if not (config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
                and config["DATABASE_REPLICA_URL"].startswith("postgresql")):
            raise ConfigError("DATABASE_REPLICA_URL is a PostgreSQL streaming replica of a PostgreSQL DATABASE_URL.")
        # A Flask-SQLAlchemy bind of its own: its engine and pool, made and disposed of with the app's.
        # The short connect timeout keeps an unreachable replica from holding a request for minutes.
        config["SQLALCHEMY_BINDS"] = {**config.get("SQLALCHEMY_BINDS", {}), "replica": {
            **config["SQLALCHEMY_ENGINE_OPTIONS"], "url": config["DATABASE_REPLICA_URL"],
            "connect_args": {**config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}), "connect_timeout": 3}}}
    return config


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
