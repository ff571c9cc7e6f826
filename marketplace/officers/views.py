"""The officers' area: the merchants they will verify and the first figures."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ..accounts import services as accounts
from ..accounts.models import Role, VerificationStatus
from ..core.auth import guard_blueprint

bp = Blueprint("officer", __name__, url_prefix="/officer")
guard_blueprint(bp, Role.OFFICER, Role.ADMIN)


@bp.route("/")
def dashboard():
    """Counts of merchants and buyers, and the merchants by verification status."""
    status_value = request.args.get("status", "")
    status = VerificationStatus(status_value) if status_value in set(VerificationStatus) else None
    return render_template(
        "officer/dashboard.html",
        counts=accounts.count_users_by_role(),
        merchants=accounts.list_merchants(status),
        status=status,
        statuses=list(VerificationStatus),
    )
