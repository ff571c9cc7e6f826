"""The merchant's orders: parcels to pack and ship, each with its timeline, a packing slip and a commercial invoice.

Every move goes through orders.lifecycle in one unit of work: a refused move is flashed and changes
nothing. Another merchant's parcel is not found, on every page and every action.
"""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.errors import DomainError
from ..core.models import utcnow
from ..core.pagination import Page, page_number
from ..core.ui import add_dashboard_section, add_navigation
from ..core.unit_of_work import unit_of_work
from . import lifecycle, papers, queries
from .merchant_forms import CancelParcelForm, MoveForm, ShipForm
from .models import MerchantOrder, ParcelStatus

P = ParcelStatus
bp = Blueprint("merchant_orders", __name__, url_prefix="/merchant/orders")
guard_blueprint(bp, Role.MERCHANT)
PER_PAGE = 30


class PapersNotReady(DomainError):
    """A parcel that was never paid has no packing slip or invoice: it may never ship."""

    status_code = 409
    default_message = _l("This parcel is not paid yet. Its packing slip and invoice are ready once the buyer pays.")


def _merchant_id() -> int:
    return current_user.merchant_profile.id


def _today():
    """Today where the merchant is (the app's time zone, Bandung's)."""
    return to_user_timezone(utcnow()).date()


def _ship_form(parcel: MerchantOrder, formdata=None) -> ShipForm:
    form = ShipForm(formdata=formdata, earliest=to_user_timezone(parcel.order.created_at).date(), latest=_today())
    if formdata is None and form.shipped_on.data is None:
        form.shipped_on.data = _today()
    return form


def allowed_moves(parcel: MerchantOrder) -> set[str]:
    """The merchant's moves from the parcel's status, as the transition table allows them."""
    moves = lifecycle.PARCEL_MOVES[parcel.status]
    allowed = {name for name, to in (("pack", P.PACKED), ("ship", P.SHIPPED), ("deliver", P.DELIVERED))
               if to in moves}
    if P.CANCELLED in moves and parcel.status != P.PENDING_PAYMENT:  # an unpaid order is cancelled as a whole
        allowed.add("cancel")
    return allowed


@bp.route("/")
def index():
    """The merchant's parcels, what to do first at the top; one status when a tab is chosen."""
    merchant_id = _merchant_id()
    status = request.args.get("status")
    status = P(status) if status in {s.value for s in P} else None
    counts = queries.merchant_parcel_counts(merchant_id)
    total = counts.get(status, 0) if status else sum(counts.values())
    pager = Page(page_number(), PER_PAGE, total)
    parcels = queries.merchant_parcels(merchant_id, status, limit=PER_PAGE, offset=(pager.number - 1) * PER_PAGE)
    tabs = [s for s in queries.WORK_ORDER if counts.get(s)]
    return render_template("merchant/orders/index.html", parcels=parcels, status=status, counts=counts, tabs=tabs,
                           total=sum(counts.values()), pager=pager, units=papers.units)


def _detail_page(parcel: MerchantOrder, ship_form: ShipForm | None = None,
                 cancel_form: CancelParcelForm | None = None, status: int = 200):
    moves = lifecycle.history("parcel", [parcel.id])[parcel.id]
    return render_template(
        "merchant/orders/detail.html", parcel=parcel, order=parcel.order, moves=moves,
        allowed=allowed_moves(parcel), move_form=MoveForm(), ship_form=ship_form or _ship_form(parcel),
        cancel_form=cancel_form or CancelParcelForm(formdata=None), papers_ready=papers.papers_ready(parcel),
        units=papers.units(parcel)), status


@bp.route("/<number>")
def detail(number: str):
    """One parcel: what to pack, where it goes, its timeline, and the moves allowed now."""
    return _detail_page(queries.merchant_parcel_for_reading(_merchant_id(), number))


def _move(number: str, make_form, action, done: str, form_name: str | None = None):
    """Run one move on the merchant's own parcel, locked, in a unit of work.

    Someone else's parcel is not found, whatever was posted. A refused move is flashed and changes
    nothing; a form with mistakes is shown again with them (form_name: which form of the page it is).
    """
    with unit_of_work() as work:
        parcel = lifecycle.merchant_parcel(_merchant_id(), number)
        form = make_form(parcel)
        valid = form.validate_on_submit()
        if valid:
            action(parcel, form)
    back = redirect(url_for("merchant_orders.detail", number=number), 303)
    if work.refused:
        flash(str(work.refused.message), "error")
    elif not valid:
        if "csrf_token" in form.errors or form_name is None:
            flash(_("Your form expired. Please send it again."), "error")
        else:
            return _detail_page(parcel, **{form_name: form}, status=400)
    else:
        flash(done, "success")
    return back


@bp.route("/<number>/pack", methods=["POST"])
def pack(number: str):
    """The merchant packed a paid parcel."""
    return _move(number, lambda parcel: MoveForm(), lambda parcel, form: lifecycle.pack(current_user, parcel),
                 _("Parcel %(number)s is packed. Ship it and add its tracking number.", number=number))


@bp.route("/<number>/ship", methods=["POST"])
def ship(number: str):
    """The parcel left with a courier: its tracking number and date, kept and shown to the buyer."""
    return _move(number, lambda parcel: _ship_form(parcel, request.form), lambda parcel, form: lifecycle.ship(
        current_user, parcel, form.courier.data, form.tracking_number.data, form.shipped_on.data,
        form.tracking_url.data), _("Parcel %(number)s is shipped. The buyer can follow it now.", number=number),
        "ship_form")


@bp.route("/<number>/deliver", methods=["POST"])
def deliver(number: str):
    """The merchant saw in the courier's tracking that the parcel arrived."""
    return _move(number, lambda parcel: MoveForm(),
                 lambda parcel, form: lifecycle.mark_delivered(current_user, parcel),
                 _("Parcel %(number)s is delivered.", number=number))


@bp.route("/<number>/cancel", methods=["POST"])
def cancel(number: str):
    """The merchant cannot send a parcel: it is cancelled before it ships, its stock goes back."""
    return _move(number, lambda parcel: CancelParcelForm(),
                 lambda parcel, form: lifecycle.cancel_parcel(current_user, parcel, form.reason.data),
                 _("Parcel %(number)s is cancelled and its stock is back on sale.", number=number), "cancel_form")


def _papers_of(number: str) -> MerchantOrder:
    parcel = queries.merchant_parcel_for_reading(_merchant_id(), number)
    if not papers.papers_ready(parcel):
        raise PapersNotReady()
    return parcel


@bp.route("/<number>/packing-slip")
def packing_slip(number: str):
    """What goes in each box, to print and pack by."""
    parcel = _papers_of(number)
    return render_template("merchant/orders/packing_slip.html", parcel=parcel, order=parcel.order,
                           kinds=papers.box_kinds(parcel), units=papers.units(parcel))


@bp.route("/<number>/invoice")
def invoice(number: str):
    """The commercial invoice with the CN22 / CN23 data of each box, to print and put on the parcel.

    The document itself is in English, the language Malaysian customs and the couriers read; what
    the merchant reads around it is in the merchant's language.
    """
    parcel = _papers_of(number)
    values = dict(parcel=parcel, order=parcel.order, kinds=papers.box_kinds(parcel),
                  seller=current_user.merchant_profile, origin_names=papers.ORIGIN_NAMES)
    with force_locale("en"):
        document = Markup(render_template("merchant/orders/_invoice_document.html", **values))
    return render_template("merchant/orders/invoice.html", document=document, **values)


def _dashboard(user) -> dict:
    return {"parcels_to_pack": queries.parcels_to_pack(user.merchant_profile.id)} if user.merchant_profile else {}


def register(app: Flask) -> None:
    """The merchant's orders, their menu entry, and the count to pack on the merchant's dashboard."""
    app.register_blueprint(bp)
    add_navigation(app, ("merchant",), "merchant_orders.index", _l("Orders"), 25)
    add_dashboard_section(app, "merchant", _dashboard)
