"""Officers keep the courier services and rates that every delivered price uses."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.forms import attach_refusal, status_for
from ..core.i18n import LANGUAGE_NAMES
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from . import couriers, csv_io
from .forms import CourierServiceForm, service_data_from


class CourierImportForm(FlaskForm):
    file = FileField()

bp = Blueprint("couriers", __name__, url_prefix="/officer/couriers")
guard_blueprint(bp, Role.OFFICER, Role.ADMIN)


@bp.route("/")
def index():
    """Every service with its limits, transit times and rates per zone."""
    missing = [(service, ", ".join(LANGUAGE_NAMES[language] for language in languages))
               for service, languages in couriers.missing_translations()]
    return render_template("officer/couriers.html", services=couriers.list_services(), missing=missing)


def _initial(service) -> dict:
    rates = {r.zone: r for r in service.rates}
    return {
        "code": service.code, "name": service.name, "name_id": service.name_id, "name_ms": service.name_ms,
        "level": service.level,
        "volumetric_divisor": service.volumetric_divisor, "weight_step_g": service.weight_step_g,
        "max_weight_g": service.max_weight_g, "max_longest_cm": service.max_longest_mm // 10,
        "max_sum_cm": service.max_sum_mm // 10, "transit_min_days": service.transit_min_days,
        "transit_max_days": service.transit_max_days,
        "west_first": rates["west"].first_step_idr if "west" in rates else None,
        "west_next": rates["west"].next_step_idr if "west" in rates else None,
        "east_first": rates["east"].first_step_idr if "east" in rates else None,
        "east_next": rates["east"].next_step_idr if "east" in rates else None,
        "tracking_url_template": service.tracking_url_template, "active": service.active, "sample": service.sample,
    }


@bp.route("/export.csv")
def export_csv():
    """The services as a spreadsheet, in the import's own format."""
    return Response(csv_io.export_services(), mimetype="text/csv",  # werkzeug adds "; charset=utf-8" to text types
                    headers={"Content-Disposition": 'attachment; filename="serumpun-couriers.csv"'})


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    """Import services by code: every row is checked, and nothing is saved unless all are right."""
    form = CourierImportForm()
    problems = []
    if form.validate_on_submit():
        upload = request.files.get(form.file.name)
        raw = upload.read() if upload else b""
        try:
            content = raw.decode("utf-8-sig") if b"\x00" not in raw and len(raw) <= 512 * 1024 else None
        except UnicodeDecodeError:
            content = None
        if content is None:
            problems = [(1, "file", _("This is not a CSV file. In your spreadsheet, choose Save as, then CSV."))]
        else:
            with unit_of_work() as work:
                saved = csv_io.import_services(current_user, content)
            if not work.refused:
                flash(_("%(n)d courier service(s) saved.", n=saved), "success")
                return redirect(url_for("couriers.index"))
            problems = getattr(work.refused, "problems", None) or [(1, "file", work.refused.message)]
    return render_template("officer/courier_import.html", form=form, problems=problems), 400 if problems else 200


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<id:service_id>", methods=["GET", "POST"])
def edit(service_id: int | None = None):
    """Add a service or change one."""
    current = couriers.get_service(service_id) if service_id else None
    form = CourierServiceForm(data=_initial(current) if current else None)
    if form.validate_on_submit():
        with unit_of_work() as work:
            couriers.save_service(current_user, service_id, service_data_from(form))
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Courier service saved. Delivered prices use it now."), "success")
            return redirect(url_for("couriers.index"))
    return render_template("officer/courier_form.html", form=form, service=current), status_for(form)


def register(app: Flask) -> None:
    """The officers' courier pages."""
    app.register_blueprint(bp)
    add_navigation(app, ("officer", "admin"), "couriers.index", _l("Couriers"), 60)
