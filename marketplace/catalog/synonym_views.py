"""The officers' table of search synonyms: add and remove groups of words that find each other."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.forms import attach_refusal, status_for
from ..core.taxonomy import category_name
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from . import synonyms
from .forms import SynonymGroupForm

desk = Blueprint("synonyms", __name__, url_prefix="/officer/synonyms")
guard_blueprint(desk, Role.OFFICER, Role.ADMIN)


def _page(form: SynonymGroupForm):
    sections: list[tuple[str, list]] = []
    for group in synonyms.list_groups():
        title = category_name(group.category) if group.category else str(_l("All categories"))
        if not sections or sections[-1][0] != title:
            sections.append((title, []))
        sections[-1][1].append(group)
    return render_template("officer/synonyms.html", form=form, sections=sections,
                           remove_form=FlaskForm()), status_for(form)


@desk.route("/", methods=["GET", "POST"])
def index():
    """The synonym groups by category, and a form for a new one: search uses a new group at once."""
    form = SynonymGroupForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            group = synonyms.add_group(current_user, form.category.data or None, form.terms.data or "")
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Saved: a search for any of %(terms)s now finds them all.", terms=", ".join(group.term_list)),
                  "success")
            return redirect(url_for("synonyms.index"))
    return _page(form)


@desk.route("/<id:group_id>/remove", methods=["POST"])
def remove(group_id: int):
    """Take a group out: its words no longer find each other."""
    if not FlaskForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("synonyms.index"))
    with unit_of_work(capture=False):
        synonyms.remove_group(current_user, group_id)
    flash(_("Group removed."), "success")
    return redirect(url_for("synonyms.index"))


def register(app: Flask) -> None:
    """The synonym table, for officers and admins."""
    app.register_blueprint(desk)
    add_navigation(app, ("officer", "admin"), "synonyms.index", _l("Synonyms"), 44)
