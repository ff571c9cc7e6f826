"""Guards for blueprints: who may enter an area."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from ..extensions import login_manager


def guard_blueprint(bp: Blueprint, *roles: str) -> None:
    """Let only signed-in users with one of these roles into the blueprint."""

    @bp.before_request
    def check_role():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None
