"""Flask extensions, created unbound; create_app binds them."""
from flask import Blueprint, request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .core.replica import RoutingSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# RoutingSession: catalog reads from a replica when DATABASE_REPLICA_URL is set (core.replica).
db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
_EXEMPT_BLUEPRINTS: set[str] = set()


def exempt_blueprint(blueprint: Blueprint) -> Blueprint:
    """A blueprint of read-only pages with no limits of their own: the limiter never looks at its requests.

    limiter.exempt alone still resolves each request's limits to find none, and evaluates that empty list
    (about 7% of a page served from the cache): skip_exempt_blueprints answers from the blueprint's name.
    Only for a blueprint without limits of its own: one set on the blueprint itself would be skipped too
    (a route's own @limiter.limit is still checked, inside the view).
    """
    limiter.exempt(blueprint)
    _EXEMPT_BLUEPRINTS.add(blueprint.name)
    return blueprint


def skip_exempt_blueprints(app) -> None:
    """After limiter.init_app: its check before each request is skipped for exempt_blueprint's blueprints.
    (Were Flask-Limiter to register its check differently, nothing is skipped: every request is checked.)"""
    hooks = app.before_request_funcs.setdefault(None, [])
    for index, hook in enumerate(hooks):
        if getattr(hook, "__self__", None) is limiter:
            hooks[index] = _unless_exempt(hook)


def _unless_exempt(check):
    def check_unless_exempt():
        if request.blueprint in _EXEMPT_BLUEPRINTS:
            return None
        return check()

    return check_unless_exempt
cache = Cache()
