"""Officers keep the exchange rates."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.forms import status_for
from ..core.models import utcnow
from ..core.unit_of_work import unit_of_work
from . import services
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
            flash(_("Rate saved. Prices use it from %(date)s.", date=form.effective_on.data.isoformat()), "success")
            return redirect(url_for("rates.index"))
    today = utcnow().date()
    return render_template("officer/rates.html", form=form, in_force=services.rates_in_force(today),
                           history=services.rate_history()), status_for(form)
