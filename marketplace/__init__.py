"""Serumpun: Bandung UMKM products, delivered to buyers in Malaysia."""
from __future__ import annotations

from flask import Flask

from .config import ROOT, instance_path, load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration first, then each part in turn."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(instance_path()),
    )
    # config may name its profile with SERUMPUN_ENV; otherwise the environment does.
    app.config.from_mapping(load_config((config or {}).get("SERUMPUN_ENV"), config))
    register_operations(app)
    register_extensions(app)
    register_security(app)
    register_media(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_templates(app)
    register_commands(app)
    register_jobs(app)
    return app


def register_operations(app: Flask) -> None:
    """Request ids and logs, /readyz, metrics and (with SENTRY_DSN) error reports: see marketplace.ops."""
    from .ops import health
    from .ops.errors import register_error_reporting
    from .ops.logs import configure_logging, register_request_ids
    from .ops.metrics import register_metrics

    if not app.debug and not app.testing:
        configure_logging(app)
    register_error_reporting(app)
    register_request_ids(app)
    register_metrics(app)
    health.register(app)


def register_extensions(app: Flask) -> None:
    from flask_sqlalchemy.session import Session

    from . import models  # noqa: F401  every table, so that Alembic sees them all
    from .accounts.services import load_user_by_session_id
    from .core.errors import register_session_close, unauthorized
    from .core.i18n import select_locale
    from .core.replica import register_replica
    from .core.schema import include_object
    from .core.transactions import install_transaction_hooks
    from .extensions import babel, cache, csrf, db, limiter, login_manager, migrate, skip_exempt_blueprints

    db.init_app(app)
    register_session_close(app)
    install_transaction_hooks(Session)
    register_replica(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from .core.sqlite import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True,
                     include_object=include_object)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    skip_exempt_blueprints(app)
    cache.init_app(app)

    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_by_session_id)
    login_manager.unauthorized_handler(unauthorized)


def register_media(app: Flask) -> None:
    from .media.storage import build_document_storage, build_storage

    app.extensions["serumpun.storage"] = build_storage(app)
    app.extensions["serumpun.documents"] = build_document_storage(app)


def register_blueprints(app: Flask) -> None:
    """Each package registers its own pages, menu entries and template helpers."""
    from .accounts import areas as accounts
    from .admin import views as admin
    from .api import views as api
    from .catalog import views as catalog
    from .checkout import views as checkout
    from .customs import views as customs
    from .media import views as media
    from .moderation import views as moderation
    from .officers import views as officers
    from .orders import views as orders
    from .payables import views as payables
    from .payments import views as payments
    from .rates import views as rates
    from .shipping import views as shipping
    from .showcases import views as showcases
    from .site import views as site
    from .trade import views as trade
    from .verification import views as verification

    for package in (site, accounts, catalog, orders, checkout, payments, payables, media, officers, verification,
                    moderation, rates, shipping, customs, admin, api, showcases, trade):
        package.register(app)


def register_error_handlers(app: Flask) -> None:
    from .core.errors import register_error_handlers as register

    register(app)


def register_security(app: Flask) -> None:
    from .core.security import BoundedJSONProvider, register_security_headers

    app.json = BoundedJSONProvider(app)
    register_security_headers(app)


def register_templates(app: Flask) -> None:
    from .core.templating import register_template_helpers

    register_template_helpers(app)


def register_jobs(app: Flask) -> None:
    # Last: every domain package has declared its jobs by now.
    from .core.jobs import register_jobs as register

    register(app)


def register_commands(app: Flask) -> None:
    from .accounts.cli import register_account_commands
    from .demo.cli import register_demo_commands
    from .ops.backup import register_backup_commands
    from .orders.cli import register_order_commands
    from .rates.cli import register_rate_commands

    register_account_commands(app)
    register_demo_commands(app)
    register_rate_commands(app)
    register_order_commands(app)
    register_backup_commands(app)
