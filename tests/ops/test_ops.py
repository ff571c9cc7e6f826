"""Running on several servers: request ids in responses and logs, /readyz, /metrics, error reports."""
from __future__ import annotations

import gzip
import http.server
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from marketplace.ops.logs import configure_logging
from tests.orders.conftest import place, two_shops  # noqa: F401  (two_shops is a fixture)

ROOT = Path(__file__).resolve().parents[2]


def test_every_response_carries_a_request_id_and_keeps_the_balancers(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["X-Request-ID"] != made
    passed = client.get("/healthz", headers={"X-Request-ID": "haproxy-0A1B2C3D:1234"})
    assert passed.headers["X-Request-ID"] == "haproxy-0A1B2C3D:1234"
    # A header that could forge log lines is replaced, not echoed.
    forged = client.get("/healthz", headers={"X-Request-ID": 'x" level="ERROR'})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])


def test_json_logs_carry_the_request_id(app_factory):
    app = app_factory(LOG_FORMAT="json", LOG_REQUESTS=True)
    stream = io.StringIO()
    import logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(app, stream)

        @app.route("/test-log")
        def test_log():
            app.logger.warning("stock low for %s", "kopi")
            return "ok"

        response = app.test_client().get("/test-log", headers={"X-Request-ID": "req-12345678"})
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    warning = next(line for line in lines if line["message"] == "stock low for kopi")
    assert warning["level"] == "WARNING" and warning["request_id"] == "req-12345678"
    request = next(line for line in lines if line["message"] == "request")
    assert request["path"] == "/test-log" and request["status"] == 200 and request["request_id"] == "req-12345678"
    assert response.headers["X-Request-ID"] == "req-12345678"


def test_readyz_says_ready_when_database_and_storage_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "database": "ok", "redis": "not used", "storage": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_checks_the_shared_redis(app_factory):
    up = app_factory(JOBS_REDIS_URL="redis://127.0.0.1:6379/15").test_client().get("/readyz")
    assert up.status_code == 200 and up.get_json()["redis"] == "ok"
    down = app_factory(CACHE_REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/readyz")
    assert down.status_code == 503
    assert down.get_json() == {"status": "unavailable", "database": "ok", "redis": "unavailable", "storage": "ok"}


def test_readyz_says_when_media_storage_cannot_be_written(app_factory, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    response = app_factory(MEDIA_ROOT=str(blocked / "media")).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["storage"] == "unavailable"


def metric(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus's text format (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0])) if "{" in line else {}
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_need_the_token_and_count_requests_by_endpoint(app_factory, demo):
    app = app_factory(METRICS_TOKEN="scrape-secret")
    client = app.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert app_factory().test_client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404

    def scrape() -> str:
        response = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    before = scrape()
    for _ in range(3):
        client.get("/readyz")
    client.get("/no-such-page-" + "x" * 20)
    client.open("/", method="X0ZZ")
    client.open("/", method="X1ZZ")
    after = scrape()
    assert metric(after, "serumpun_http_requests_total", endpoint="ops.readyz", status="200") == \
        metric(before, "serumpun_http_requests_total", endpoint="ops.readyz", status="200") + 3
    assert metric(after, "serumpun_http_request_duration_seconds_count", endpoint="ops.readyz") >= 3
    assert "no-such-page" not in after and "X0ZZ" not in after  # unmatched paths and odd methods share labels
    assert metric(after, "serumpun_http_requests_total", method="other") >= 2
    assert metric(after, "serumpun_http_requests_total", endpoint="unmatched", status="404") >= 1
    assert "serumpun_job_queue_depth " in after
    assert "serumpun_jobs_overdue 0.0" in after


def test_metrics_count_orders_and_parcels_by_state(app, app_factory, two_shops):  # noqa: F811
    place(app, {two_shops["coffee"]: 6})
    place(app, {two_shops["coffee"]: 6, two_shops["keripik"]: 1})
    scraper = app_factory(METRICS_TOKEN="t0ken").test_client()
    text = scraper.get("/metrics", headers={"Authorization": "Bearer t0ken"}).get_data(as_text=True)
    assert metric(text, "serumpun_orders", state="pending_payment") == 2
    assert metric(text, "serumpun_parcels") == 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.mark.skipif(not Path(sys.executable).with_name("gunicorn").exists(), reason="gunicorn is installed with the app")
def test_gunicorn_config_serves_with_several_workers_and_sums_their_metrics(tmp_path):
    env = {**os.environ, "SERUMPUN_ENV": "development", "SERUMPUN_INSTANCE_PATH": str(tmp_path / "instance"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'ops.sqlite'}", "METRICS_TOKEN": "m", "WEB_CONCURRENCY": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "JOBS_IN_PROCESS": "0"}
    env.pop("TEST_DATABASE_URL", None)
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "flask"), "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([str(bin_dir / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "-b", f"127.0.0.1:{port}",
                               "app:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(base + "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, server.stdout.read().decode()[-3000:]
            time.sleep(0.2)
        # Parallel requests, so that both workers answer some.
        results = []
        threads = [threading.Thread(target=lambda: results.append(get(base + "/readyz", **{"X-Request-ID": "lb-req-0001"})))
                   for _ in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [r[0] for r in results] == [200] * 40
        assert {r[1]["X-Request-ID"] for r in results} == {"lb-req-0001"}
        status, _, text = get(base + "/metrics", Authorization="Bearer m")
        assert status == 200
        # Every worker's count is in the sum (the readiness polls before the burst count too).
        assert metric(text, "serumpun_http_requests_total", endpoint="ops.readyz", status="200") >= 41
        pids = set(re.findall(r"counter_(\d+)\.db", " ".join(os.listdir(tmp_path / "metrics"))))
        assert len(pids) == 2, os.listdir(tmp_path / "metrics")
    finally:
        server.terminate()
        server.wait(timeout=30)


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802  (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        type(self).received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


SENTRY_PROBE = """
import sys
from marketplace import create_app
app = create_app({"SENTRY_DSN": sys.argv[1]})

@app.route("/test-boom")
def boom():
    raise RuntimeError("boom for sentry")

assert app.test_client().get("/test-boom").status_code == 500
import sentry_sdk
sentry_sdk.flush(timeout=10)
"""


def test_with_a_sentry_dsn_a_server_error_is_reported(tmp_path):
    # In a process of its own: sentry_sdk.init patches the standard library for the whole process.
    collector = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.received = []
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    try:
        env = {**os.environ, "SERUMPUN_ENV": "test", "SERUMPUN_INSTANCE_PATH": str(tmp_path)}
        subprocess.run([sys.executable, "-c", SENTRY_PROBE, f"http://publickey@127.0.0.1:{collector.server_port}/42"],
                       cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
        assert b"boom for sentry" in b"".join(_Collector.received)
    finally:
        collector.shutdown()
