"""flask seed-demo: the accounts the README promises, made once."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.accounts.models import MerchantProfile, Role, User
from marketplace.core.places import KECAMATAN, MALAYSIAN_STATES
from marketplace.extensions import db

from .helpers import Client


def test_seed_demo_is_idempotent_and_makes_every_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "17 created" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "0 created, 17 already there" in second.output
    with app.app_context():
        counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert counts == {Role.ADMIN: 1, Role.OFFICER: 2, Role.MERCHANT: 8, Role.BUYER: 6}
        merchants = db.session.scalars(select(MerchantProfile)).all()
        assert len({m.kecamatan for m in merchants}) == 8
        assert all(m.kecamatan in KECAMATAN for m in merchants)
        categories = {c for m in merchants for c in m.categories}
        assert {"coffee-tea", "snacks", "sauces-spices", "batik-textiles", "modest-fashion", "bags-leather",
                "crafts-decor", "beauty-herbal"} <= categories
        buyers = db.session.scalars(select(User).where(User.role == Role.BUYER)).all()
        assert len({b.buyer_profile.state for b in buyers}) == 6
        assert all(b.buyer_profile.state in MALAYSIAN_STATES for b in buyers)


def test_demo_sign_ins_work_with_the_demo_password(app, demo):
    expected = {
        "admin@serumpun.example": "/admin/",
        "officer@serumpun.example": "/officer/",
        "merchant@serumpun.example": "/merchant/",
        "buyer@serumpun.example": "/",
    }
    for email, home in expected.items():
        response = Client(app).login(email, "serumpun-demo")
        assert response.headers["Location"] == home, email


def test_no_demo_accounts_without_seed_demo(app):
    assert Client(app).login("admin@serumpun.example", "serumpun-demo").status_code == 400


def test_seed_demo_refuses_to_run_in_production(app_factory):
    app = app_factory(SERUMPUN_ENV="production", SECRET_KEY="a-long-production-secret", SERVER_NAME="localhost")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
