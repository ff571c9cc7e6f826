"""PostgreSQL ending a connection after the page was made (a restart does so to every connection): the reader
still gets the page, and the next request gets a new connection (core.errors.register_session_close)."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from marketplace.extensions import db

from ..helpers import Client

ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")

pytestmark = [pytest.mark.skipif(not ON_POSTGRESQL, reason="ends a PostgreSQL connection from another one"),
              pytest.mark.commits]


def test_a_page_made_before_the_database_ended_the_connection_is_still_served(app_factory):
    app = app_factory()
    admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    ended = []

    @app.after_request
    def database_ends_the_connection(response):
        if not ended:  # once: as PostgreSQL stopping does, while the request's transaction is still open
            pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            ended.append(pid)
        return response

    try:
        first = Client(app).get("/products")
        assert ended and first.status_code == 200
        second = Client(app).get("/products")  # the pool's pre-ping finds the connection dead and opens another
        assert second.status_code == 200
        with app.app_context():
            assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != ended[0]
    finally:
        admin.dispose()
