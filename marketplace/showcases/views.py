"""Showcases: the officers' desk where they are built, and the public pages and line sheets buyers see."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from ..accounts.models import Role
from ..catalog import pages, search
from ..core.auth import guard_blueprint
from ..core.cache import LISTING, PRICING, SHOWCASES, PageKey, cached, cached_page
from ..core.errors import NotFound
from ..core.forms import attach_refusal, status_for
from ..core.models import utcnow
from ..core.ui import add_dashboard_section, add_navigation
from ..core.unit_of_work import unit_of_work
from ..extensions import db, exempt_blueprint
from ..media.storage import storage
from ..rates.currency import request_rates
from . import queries, services, sheet
from .forms import STATUS_LABELS, CoverForm, ShowcaseForm, initial
from .models import Showcase

desk = Blueprint("showcase_desk", __name__, url_prefix="/officer/showcases")
guard_blueprint(desk, Role.OFFICER, Role.ADMIN)

public = exempt_blueprint(Blueprint("showcases", __name__))

SEARCH_RESULTS = 12


def language() -> str:
    return str(get_locale() or "id")


# ---- The officers' desk -------------------------------------------------------------------------------

@desk.route("/")
def index():
    """Every showcase with its status and window, and the products buyers can no longer see in them."""
    showcases = services.list_showcases()
    hidden: dict[int, int] = {}
    for item in queries.hidden_items([s.id for s in showcases]):
        hidden[item.showcase_id] = hidden.get(item.showcase_id, 0) + 1
    return render_template("officer/showcases/index.html", showcases=showcases, hidden=hidden,
                           counts=queries.visible_counts([s.id for s in showcases]), now=utcnow(),
                           is_live=queries.is_live, themes=services.THEMES)


@desk.route("/new", methods=["GET", "POST"])
def create():
    """Start a showcase: its text and theme first, then its cover and products."""
    form = ShowcaseForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            showcase = services.create_showcase(current_user, form.data_for_service())
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Showcase saved. Now add a cover and products."), "success")
            return redirect(url_for("showcase_desk.edit", showcase_id=showcase.id))
    return render_template("officer/showcases/form.html", form=form, showcase=None,
                           status_labels=STATUS_LABELS), status_for(form)


def _edit_page(showcase: Showcase, form: ShowcaseForm | None = None, cover_form: CoverForm | None = None):
    form = form or ShowcaseForm(formdata=None, data=initial(showcase))
    cover_form = cover_form or CoverForm(formdata=None)
    q = " ".join((request.args.get("q") or "").split())[:200]
    results = []
    if q:
        filters, _problems = search.parse_filters({"q": q}, "MYR")
        results = search.search(filters, None, utcnow().date(), per_page=SEARCH_RESULTS).products
    in_showcase = {item.product_id for item in showcase.items}
    hidden = {item.product_id: services.hidden_reason(item.product) for item in queries.hidden_items([showcase.id])}
    status = max(status_for(form), status_for(cover_form))
    return render_template("officer/showcases/form.html", form=form, cover_form=cover_form, showcase=showcase,
                           status_labels=STATUS_LABELS, q=q, results=results, in_showcase=in_showcase,
                           hidden=hidden, action_form=FlaskForm(), live=queries.is_live(showcase, utcnow()),
                           language=language(), today=utcnow().date()), status


@desk.route("/<id:showcase_id>", methods=["GET", "POST"])
def edit(showcase_id: int):
    """Change a showcase's text, event, theme and status; find products and put them in order."""
    showcase = services.get_showcase(showcase_id)
    if request.method == "GET":
        return _edit_page(showcase)
    form = ShowcaseForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.update_showcase(current_user, showcase_id, form.data_for_service())
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Showcase saved."), "success")
            return redirect(url_for("showcase_desk.edit", showcase_id=showcase_id))
    return _edit_page(services.get_showcase(showcase_id), form=form)


@desk.route("/<id:showcase_id>/cover", methods=["POST"])
def cover(showcase_id: int):
    """A new cover image, through the photo pipeline."""
    showcase = services.get_showcase(showcase_id)
    form = CoverForm()
    if form.validate_on_submit():
        upload = request.files.get(form.cover.name)
        with unit_of_work() as work:
            services.set_cover(current_user, showcase_id, upload.read() if upload else b"", storage(),
                               max_pixels=current_app.config["MAX_UPLOAD_PIXELS"])
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Cover saved."), "success")
            return redirect(url_for("showcase_desk.edit", showcase_id=showcase_id))
    return _edit_page(services.get_showcase(showcase.id), cover_form=form)


def _back_to(showcase_id: int):
    q = request.form.get("q", "")
    return redirect(url_for("showcase_desk.edit", showcase_id=showcase_id, q=q or None, _anchor="products"))


def _product_id() -> int | None:
    raw = request.form.get("product_id", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


@desk.route("/<id:showcase_id>/products", methods=["POST"])
def add_product(showcase_id: int):
    """Put a product found by search at the end of the showcase."""
    services.get_showcase(showcase_id)
    product_id = _product_id()
    if FlaskForm().validate_on_submit() and product_id is not None:
        with unit_of_work() as work:
            services.add_product(current_user, showcase_id, product_id)
        if work.refused:
            flash(str(work.refused.message), "error")
        else:
            flash(_("Product added."), "success")
    else:
        flash(_("The request could not be completed."), "error")
    return _back_to(showcase_id)


@desk.route("/<id:showcase_id>/products/<id:product_id>/move", methods=["POST"])
def move_product(showcase_id: int, product_id: int):
    """Move a product up or down the showcase."""
    if FlaskForm().validate_on_submit():
        with unit_of_work() as work:
            services.move_product(current_user, showcase_id, product_id, request.form.get("direction", ""))
        if work.refused:
            flash(str(work.refused.message), "error")
    return _back_to(showcase_id)


@desk.route("/<id:showcase_id>/products/<id:product_id>/remove", methods=["POST"])
def remove_product(showcase_id: int, product_id: int):
    """Take a product out of the showcase."""
    if FlaskForm().validate_on_submit():
        with unit_of_work(capture=False):
            services.remove_product(current_user, showcase_id, product_id)
        flash(_("Product taken out."), "success")
    return _back_to(showcase_id)


# ---- Public pages ------------------------------------------------------------------------------------

def _phase() -> int:
    return queries.schedule_phase(utcnow())


def _list_key() -> PageKey:
    return PageKey((_phase(), request.host_url, *pages.reader_parts()), (LISTING, SHOWCASES))


@public.route("/showcases")
@cached_page(_list_key)
def index_public():
    """Every public showcase."""
    return render_template("showcases/index.html", showcases=queries.live_showcases(utcnow()), language=language(),
                           event_line=sheet.event_line, themes=services.THEMES)


def _detail_key(slug: str) -> PageKey:
    return PageKey((slug, _phase(), request.host_url, *pages.listing_parts()), (LISTING, SHOWCASES, PRICING))


def _showcase_for_reader(slug: str) -> tuple[Showcase, bool]:
    """The public showcase; officers may also preview one that is not public (yet, or any more)."""
    showcase = queries.live_by_slug(slug, utcnow())
    if showcase is not None:
        return showcase, False
    if current_user.is_authenticated and current_user.is_officer:
        showcase = db.session.scalar(db.select(Showcase).where(Showcase.slug == slug))
        if showcase is not None:
            return showcase, True
    raise NotFound()


@public.route("/showcases/<slug>")
@cached_page(_detail_key)
def detail(slug: str):
    """A showcase as buyers see it, with Open Graph tags for sharing."""
    showcase, preview = _showcase_for_reader(slug)
    products = queries.visible_products(showcase.id)
    lang = language()
    image = None
    if showcase.cover is not None:
        image = storage().url(showcase.cover.variants[-1]["jpeg"])
    elif products and products[0].cover is not None:
        image = storage().url(products[0].cover.variants[-1]["jpeg"])
    return render_template("showcases/detail.html", showcase=showcase, products=products, preview=preview,
                           cards=pages.card_prices(products),
                           language=lang, today=utcnow().date(), event_line=sheet.event_line(showcase),
                           og_image=request.host_url.rstrip("/") + image if image and image.startswith("/") else image,
                           accent=services.THEMES.get(showcase.theme, services.THEMES["trade-week"])[1])


@public.route("/showcases/<slug>/line-sheet.pdf")
def line_sheet(slug: str):
    """The showcase's line sheet, a PDF to print for a trade fair."""
    showcase, _preview = _showcase_for_reader(slug)
    with_phone = current_user.is_authenticated
    rate = request_rates().get("MYR")
    now = utcnow()

    def build() -> bytes:
        return sheet.line_sheet(showcase, queries.visible_products(showcase.id), rate, now, storage(), with_phone)

    data = cached("line-sheet", (showcase.id, with_phone, _phase(), request.host_url, *pages.reader_parts()), build,
                  versions=(LISTING, PRICING, SHOWCASES))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="serumpun-{showcase.slug}.pdf"'
    return response


def _dashboard_notice(user) -> dict:
    """For the officers' dashboard: showcases with products buyers can no longer see."""
    hidden: dict[int, Showcase] = {}
    for item in queries.hidden_items():
        hidden.setdefault(item.showcase_id, item.showcase)
    return {"showcases_with_hidden_products": list(hidden.values())}


def register(app: Flask) -> None:
    """The officers' showcase desk, the public showcase pages, and a notice on the officers' dashboard."""
    app.register_blueprint(desk)
    app.register_blueprint(public)
    add_navigation(app, ("officer", "admin"), "showcase_desk.index", _l("Showcases"), 42)
    add_navigation(app, (None, "buyer"), "showcases.index_public", _l("Showcases"), 25)
    add_dashboard_section(app, "officer", _dashboard_notice)
