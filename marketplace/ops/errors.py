"""Error reports to Sentry (or a compatible service) when SENTRY_DSN is set; nothing is sent otherwise."""
from __future__ import annotations

from flask import Flask


def register_error_reporting(app: Flask) -> None:
    dsn = app.config["SENTRY_DSN"]
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    # Sentry's default sends no personal data (no buyer's email, address or cookies); keep it so.
    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration()],
        environment=app.config["ENV_NAME"],
        traces_sample_rate=float(app.config["SENTRY_TRACES_SAMPLE_RATE"] or 0),
    )
