"""Pages for everyone: home, language choice and the health check."""
from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..accounts import services as accounts
from ..accounts.forms import CurrencyForm, LanguageForm
from ..accounts.views import remember_language_cookie
from ..catalog import pages, search
from ..catalog import services as catalog
from ..core.cache import SHOWCASES, PageKey, cached, cached_page
from ..core.models import utcnow
from ..core.security import safe_next_url
from ..core.taxonomy import CATEGORIES
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from ..rates.currency import remember_currency_cookie
from ..showcases import queries as showcases
from ..showcases.services import THEMES
from ..showcases.sheet import event_line

bp = Blueprint("site", __name__)
HOME_SHOWCASES = 3


def home_key() -> PageKey:
    """The catalog's home key, and the showcases: any change to one, and each scheduled opening or closing."""
    key = pages.home_key()
    return PageKey((*key.parts, showcases.schedule_phase(utcnow())), (*key.versions, SHOWCASES))


@bp.route("/")
@cached_page(home_key)
def home():
    """What Serumpun is, and the way in for merchants and buyers."""
    language, today = str(get_locale() or "id"), utcnow().date()

    def sections() -> str:
        new_arrivals = catalog.new_arrivals()
        return render_template(
            "site/_home_sections.html",
            categories=CATEGORIES,
            category_counts=search.published_per_category(),
            new_arrivals=new_arrivals,
            cards=pages.card_prices(new_arrivals),
            merchants=catalog.showcase_merchants(),
            showcases=showcases.live_showcases(utcnow(), limit=HOME_SHOWCASES),
            event_line=event_line,
            themes=THEMES,
            language=language,
            today=today,
        )

    # The sections are the same for every reader in a language and currency; the welcome above them is not.
    key = home_key()
    return render_template("site/home.html", sections_html=Markup(cached("home", key.parts, sections,
                                                                         versions=key.versions)))


def _remember_choice(form, field: str, save_on_account, set_cookie):
    """A reader's choice (language or currency): on the account when signed in, in a cookie always."""
    target = safe_next_url(form.next.data) or url_for("site.home")
    if not form.validate_on_submit():
        return redirect(target)
    value = getattr(form, field).data
    if current_user.is_authenticated:
        with unit_of_work(capture=False):
            save_on_account(current_user, value)
    return set_cookie(redirect(target), value)


@bp.route("/language", methods=["POST"])
def set_language():
    """Show the site in another language, remembered in a cookie and on the account."""
    return _remember_choice(LanguageForm(), "language", accounts.set_locale, remember_language_cookie)


@bp.route("/currency", methods=["POST"])
def set_currency():
    """Show prices in another currency, remembered in a cookie and on the account."""
    return _remember_choice(CurrencyForm(), "currency", accounts.set_currency, remember_currency_cookie)


def register(app: Flask) -> None:
    """The home page and the language and currency choices."""
    app.register_blueprint(bp)
    add_navigation(app, (None, "buyer"), "site.home", _l("Home"), 10)
