"""Prometheus metrics through prometheus_client, summed over every gunicorn worker.

With PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.conf.py sets it), each worker writes its counts to
files there and /metrics reads them all; without it (one process, `make run`) counts live in memory.
Queue depth and orders per state are read when Prometheus asks, not counted as they happen.
"""
from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from ..core.jobs import jobs_of
from ..extensions import csrf, db, limiter
from ..orders.models import MerchantOrder, Order

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUESTS = Counter("serumpun_http_requests", "Requests answered, by endpoint, method and status.",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("serumpun_http_request_duration_seconds", "Time to answer a request, by endpoint.",
                    ["endpoint", "method"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


class ReadAtScrape:
    """What is true now rather than counted: the job queue's depth and how many orders are in each state."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        with self.app.app_context():
            queue = GaugeMetricFamily("serumpun_job_queue_depth", "Jobs waiting in the queue.")
            queue.add_metric([], jobs_of(self.app).huey.pending_count())
            yield queue
            overdue = GaugeMetricFamily("serumpun_jobs_overdue",
                                        "Jobs in the outbox past their time and not done (lost, or consumers behind).")
            overdue.add_metric([], jobs_of(self.app).overdue())
            yield overdue
            orders = GaugeMetricFamily("serumpun_orders", "Orders by state.", labels=["state"])
            for state, count in db.session.execute(select(Order.status, func.count()).group_by(Order.status)):
                orders.add_metric([state.value], count)
            yield orders
            parcels = GaugeMetricFamily("serumpun_parcels", "Merchant orders (parcels) by state.", labels=["state"])
            for state, count in db.session.execute(
                    select(MerchantOrder.status, func.count()).group_by(MerchantOrder.status)):
                parcels.add_metric([state.value], count)
            yield parcels


def registry_for(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(ReadAtScrape(app))
    return registry


def register_metrics(app: Flask) -> None:
    """Count every request; serve /metrics to a scraper holding METRICS_TOKEN (no token set: no /metrics)."""

    @app.after_request
    def count(response):
        started = g.get("request_started")  # set by ops.logs' first hook
        # The rule's endpoint, never the raw path: a scanner's random URLs must not grow the label set.
        endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
        # Likewise the method: any token a client invents is "other".
        method = request.method if request.method in METHODS else "other"
        if started is not None and endpoint != "metrics":
            REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
            LATENCY.labels(endpoint, method).observe(time.perf_counter() - started)
        return response

    def metrics():
        """Prometheus's text format, for a scraper with the bearer token."""
        token = current_app.config["METRICS_TOKEN"]
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token or not hmac.compare_digest(offered.encode(), token.encode()):
            abort(404)
        response = Response(generate_latest(registry_for(current_app)), content_type=CONTENT_TYPE_LATEST)
        response.headers["Cache-Control"] = "no-store"
        return response

    app.add_url_rule("/metrics", "metrics", limiter.exempt(csrf.exempt(metrics)))
