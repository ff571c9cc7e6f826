"""A request id on every request and log line, and logs as JSON lines for a log collector.

The id comes from the load balancer (HAProxy sets X-Request-ID, see deploy/haproxy.cfg.in) or is made here;
it goes back in the response, so a buyer's report and every server's log line can be matched.
"""
from __future__ import annotations

import logging
import re
import secrets
import time

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
requests_log = logging.getLogger("marketplace.requests")


def request_id() -> str:
    """The current request's id, or "-" outside a request (a job, a command)."""
    return getattr(g, "request_id", "-") if has_request_context() else "-"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


def configure_logging(app: Flask, stream=None) -> logging.Handler:
    """Plain lines for a person at a terminal; LOG_FORMAT=json for production, one object per line."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                           rename_fields={"levelname": "level", "asctime": "time"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    handler.serumpun = True
    root = logging.getLogger()
    # Replace our own handler from an earlier app in this process; leave anyone else's (a test's capture).
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "serumpun", False)] + [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("marketplace").setLevel(logging.INFO)
    return handler


def register_request_ids(app: Flask) -> None:
    @app.before_request
    def take_request_id():
        offered = request.headers.get(REQUEST_ID_HEADER)
        g.request_id = offered if offered and _VALID_ID.fullmatch(offered) else secrets.token_hex(16)
        g.request_started = time.perf_counter()  # also the metrics' clock

    @app.after_request
    def give_request_id(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        if app.config["LOG_REQUESTS"]:
            started = getattr(g, "request_started", None)
            requests_log.info("request", extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                "endpoint": request.endpoint or "-",
            })
        return response
