"""Officers keep the exchange rates."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.forms import status_for
from ..core.models import utcnow
from ..core.templating import format_day
from ..core.ui import add_navigation, add_reader_part
from ..core.unit_of_work import unit_of_work
from ..money import DISPLAY_CURRENCIES
from . import services
from .currency import price_for, rate_is_stale, ringgit_for_reader, select_currency
from .forms import RateForm

bp = Blueprint("rates", __name__, url_prefix="/officer/rates")
guard_blueprint(bp, Role.OFFICER, Role.ADMIN)


@bp.route("/", methods=["GET", "POST"])
def index():
    """The rates in force, their history, and a form for a new one."""
    form = RateForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.record_rate(current_user, form.currency.data, form.idr_per_unit.rate, form.effective_on.data,
                                 form.source.data)
        if work.refused:
            form.form_errors.append(work.refused.message)
        else:
            flash(_("Rate saved. Prices use it from %(date)s.", date=format_day(form.effective_on.data)), "success")
            return redirect(url_for("rates.index"))
    today = utcnow().date()
    return render_template("officer/rates.html", form=form, in_force=services.rates_in_force(today),
                           history=services.rate_history()), status_for(form)


def register(app: Flask) -> None:
    """The officers' rates page, and prices in the reader's currency on every page."""
    app.register_blueprint(bp)
    add_navigation(app, ("officer", "admin"), "rates.index", _l("Exchange rates"), 50)
    add_reader_part(app, select_currency)  # the header shows the reader's currency
    app.jinja_env.globals.update(price_for=price_for, rate_is_stale=rate_is_stale, ringgit_for_reader=ringgit_for_reader)

    @app.context_processor
    def currency_for_templates():
        return {"current_currency": select_currency(), "display_currencies": DISPLAY_CURRENCIES}
