"""The home page and the health check."""
from __future__ import annotations

from sqlalchemy import create_engine

from ..helpers import text_of


def test_home_page_explains_serumpun_and_invites_both_sides(client):
    page = text_of(client.get("/"))
    assert "Bandung UMKM products, delivered to Malaysia." in page
    assert "Shop as a buyer" in page and "Sell as a Bandung UMKM" in page
    for category in ("Coffee and tea", "Batik and textiles", "Beauty and herbal"):
        assert category in page


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_says_when_the_database_is_down(app_factory, tmp_path):
    app = app_factory()
    from marketplace.extensions import db

    with app.app_context():
        real = db.engines[None]
        # Point the app at a database server that is not there.
        db.engines[None] = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                                         connect_args={"connect_timeout": 1})
        try:
            response = app.test_client().get("/healthz")
        finally:
            db.engines[None] = real
    assert response.status_code == 503
    assert response.json == {"status": "degraded", "database": "unavailable"}
