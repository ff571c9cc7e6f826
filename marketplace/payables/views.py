"""The merchant's own statement: what Serumpun owes the shop, entry by entry (staff pages live in officers/admin)."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Flask, Response, render_template
from flask_babel import format_percent
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.models import utcnow
from ..core.pagination import Page, page_number
from ..core.ui import add_navigation
from . import csv_io, services

bp = Blueprint("payables", __name__, url_prefix="/merchant")
guard_blueprint(bp, Role.MERCHANT)
PER_PAGE = 50


@bp.route("/statement")
def statement():
    """The signed-in merchant's balance and entries, newest first (a merchant sees only its own)."""
    merchant_id = current_user.merchant_profile.id
    page = page_number()
    lines, total = services.statement(merchant_id, page, PER_PAGE)
    return render_template("merchant/statement.html", lines=lines, pager=Page(page, PER_PAGE, total),
                           balance=services.balance_of(merchant_id),
                           rate=services.rate_at(utcnow()))


@bp.route("/statement.csv")
def statement_csv():
    """The signed-in merchant's statement as a spreadsheet."""
    profile = current_user.merchant_profile
    return csv_response(csv_io.export_statement(profile.id), f"serumpun-statement-{profile.slug}-{utcnow():%Y%m%d}.csv")


def csv_response(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv",  # werkzeug adds "; charset=utf-8" to text types
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def format_basis_points(basis_points: int | None) -> str:
    """750 as 7.5% (7,5% in Indonesian)."""
    if basis_points is None:
        return ""
    return format_percent(Decimal(basis_points) / 10_000, format="#,##0.##%")


def register(app: Flask) -> None:
    """The ledger's listener, the merchant's statement and its menu entry, and how pages name entries."""
    services.connect_listener(app)
    app.register_blueprint(bp)
    add_navigation(app, ("merchant",), "payables.statement", _l("Statement"), 35)
    app.jinja_env.filters.update(basis_points=format_basis_points)
    app.jinja_env.globals.update(ledger_kind_names=services.KIND_NAMES)
