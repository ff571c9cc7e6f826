"""gunicorn settings for an app server: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Every setting can be overridden from the environment (names below) or on the command line.
"""
import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers: each request holds one worker; 2 per core plus one keeps a core busy while another waits on
# PostgreSQL. WEB_CONCURRENCY overrides (gunicorn's own convention).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))  # a worker stuck longer is killed and replaced
graceful_timeout = 20  # on a restart, requests in flight get this long to finish
keepalive = 5  # behind HAProxy, which keeps connections open
# Replace each worker after about a thousand requests, at different moments (jitter), so that a slow leak
# never grows and the workers never all restart at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1000))
max_requests_jitter = 100
# Load the app once in the master, then fork: workers share its memory and a broken app fails at start.
preload_app = True
# HAProxy on the same host sets X-Forwarded-For/-Proto; only trust it from there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the app logs one JSON line per request, with its request id (LOG_REQUESTS)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "serumpun")

# Metrics from every worker are summed through files in one folder (prometheus_client's multiprocess
# mode); it must be set before the app is imported and emptied when the master starts.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="serumpun-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def post_fork(server, worker):
    # Connections opened by the master before the fork must not be shared by the workers.
    from marketplace.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
