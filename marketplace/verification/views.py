"""The merchant's export-readiness page, its documents (never public), and the officers' verification queue."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from ..accounts import verification as machine
from ..accounts.models import Role, VerificationStatus
from ..core.auth import guard_blueprint
from ..core.forms import attach_refusal, status_for
from ..core.models import utcnow
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from ..media.storage import document_storage, storage
from . import services
from .forms import DocumentForm, ReadinessForm, RejectForm, SuspendForm, WorkshopPhotoForm

bp = Blueprint("verification", __name__, url_prefix="/merchant/verification")
guard_blueprint(bp, Role.MERCHANT)

documents_bp = Blueprint("documents", __name__, url_prefix="/documents")
guard_blueprint(documents_bp, Role.MERCHANT, Role.OFFICER, Role.ADMIN)

officer_bp = Blueprint("officer_merchants", __name__, url_prefix="/officer/merchants")
guard_blueprint(officer_bp, Role.OFFICER, Role.ADMIN)


def _readiness_form(merchant, formdata=None) -> ReadinessForm:
    profile = services.export_profile_of(merchant)
    data = {"legal_name": merchant.legal_name, "nib": merchant.nib, "npwp": merchant.npwp}
    if profile is not None:
        data.update(monthly_capacity=profile.monthly_capacity, capacity_unit=profile.capacity_unit or "",
                    export_experience=profile.export_experience.value if profile.export_experience else "",
                    export_notes=profile.export_notes,
                    can_get_form_d={True: "yes", False: "no"}.get(profile.can_get_form_d, ""))
    if formdata is None:
        return ReadinessForm(formdata=None, data=data)
    return ReadinessForm()


def _page(readiness: ReadinessForm | None = None, document_form: DocumentForm | None = None,
          photo_form: WorkshopPhotoForm | None = None, submit_error=None):
    merchant = current_user.merchant_profile
    readiness = readiness or _readiness_form(merchant)
    document_form = document_form or DocumentForm(formdata=None)
    photo_form = photo_form or WorkshopPhotoForm(formdata=None)
    status = max(status_for(readiness), status_for(document_form), status_for(photo_form),
                 400 if submit_error else 200)
    return render_template(
        "verification/readiness.html", merchant=merchant, form=readiness, document_form=document_form,
        photo_form=photo_form, action_form=FlaskForm(), documents=services.documents_of(merchant),
        photos=services.workshop_photos_of(merchant.id), missing=services.missing_for_review(merchant),
        submit_error=submit_error, kinds=services.DOCUMENT_KINDS, max_photos=services.MAX_WORKSHOP_PHOTOS,
    ), status


def _reopened_message(changed: bool) -> None:
    if changed:
        flash(_("You changed data that your verification vouched for: an officer will review your shop again. "
                "Until then buyers do not see the Verified badge."), "warning")


@bp.route("/", methods=["GET", "POST"])
def readiness():
    """The merchant's export-readiness profile: legal identity, capacity, experience and Form D."""
    merchant = current_user.merchant_profile
    if request.method == "GET":
        return _page()
    form = _readiness_form(merchant, request.form)
    if form.validate_on_submit():
        was_verified = merchant.is_verified
        with unit_of_work() as work:
            services.save_readiness(current_user, form.data_for_service())
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Your export-readiness profile has been saved."), "success")
            _reopened_message(was_verified and not current_user.merchant_profile.is_verified)
            return redirect(url_for("verification.readiness"))
    return _page(readiness=form)


@bp.route("/documents", methods=["POST"])
def add_document():
    """Upload a certificate: checked, then kept where only this merchant and officers can read it."""
    form = DocumentForm()
    if form.validate_on_submit():
        upload = request.files.get(form.file.name)
        filename, data = (upload.filename or "", upload.read()) if upload is not None else ("", b"")
        was_verified = current_user.merchant_profile.is_verified
        with unit_of_work() as work:
            services.add_document(current_user, form.kind_value, filename, data, form.number.data,
                                  form.expires_on.data, document_storage(), utcnow().date())
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Document uploaded."), "success")
            _reopened_message(was_verified and not current_user.merchant_profile.is_verified)
            return redirect(url_for("verification.readiness") + "#documents")
    return _page(document_form=form)


@bp.route("/documents/<id:document_id>/delete", methods=["POST"])
def remove_document(document_id: int):
    """Remove one of the merchant's documents."""
    if FlaskForm().validate_on_submit():
        was_verified = current_user.merchant_profile.is_verified
        with unit_of_work() as work:
            services.remove_document(current_user, document_id, document_storage())
        if work.refused:
            flash(str(work.refused.message), "error")
        else:
            flash(_("Document removed."), "success")
            _reopened_message(was_verified and not current_user.merchant_profile.is_verified)
    return redirect(url_for("verification.readiness") + "#documents")


@bp.route("/photos", methods=["POST"])
def add_photos():
    """Upload workshop photos for the storefront."""
    form = WorkshopPhotoForm()
    if form.validate_on_submit():
        uploads = [(f.filename or "", f.read()) for f in request.files.getlist(form.photos.name)]
        with unit_of_work() as work:
            added = services.add_workshop_photos(current_user, uploads, storage(),
                                                 max_pixels=current_app.config["MAX_UPLOAD_PIXELS"])
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("%(n)d photo(s) added.", n=len(added)), "success")
            return redirect(url_for("verification.readiness") + "#workshop")
    return _page(photo_form=form)


@bp.route("/photos/<id:photo_id>/delete", methods=["POST"])
def remove_photo(photo_id: int):
    """Remove a workshop photo."""
    if FlaskForm().validate_on_submit():
        with unit_of_work(capture=False):
            services.remove_workshop_photo(current_user, photo_id, storage())
        flash(_("Photo removed."), "success")
    return redirect(url_for("verification.readiness") + "#workshop")


@bp.route("/submit", methods=["POST"])
def submit():
    """Send the profile to the officers for review."""
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("verification.readiness"))
    with unit_of_work() as work:
        services.submit_for_review(current_user)
    if work.refused:
        return _page(submit_error=work.refused.message)
    flash(_("Sent for review. An officer will look at your profile and documents; you will see the answer here "
            "and on your dashboard."), "success")
    return redirect(url_for("merchant.dashboard"))


@documents_bp.route("/<id:document_id>")
def open_document(document_id: int):
    """One document, for its merchant or an officer only: never cached, never from a public address."""
    document, data = services.open_document(current_user, document_id, document_storage())
    response = Response(data, mimetype=document.content_type)
    extension = "pdf" if document.is_pdf else "jpg"
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="document-{document.id}.{extension}"'
    response.headers["Cache-Control"] = "private, no-store, max-age=0"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Shown beside the profile on the officer's review page (an iframe of ours), and nowhere else; nothing
    # in the file may run scripts or load anything.
    response.headers["Content-Security-Policy"] = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                                                   "frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# The officers' side.

@officer_bp.route("/")
def queue():
    """Merchants to verify: pending first, longest waiting first; filters by status and suspension."""
    status_value = request.args.get("status", "")
    status = VerificationStatus(status_value) if status_value in set(VerificationStatus) else None
    suspended = request.args.get("suspended") == "1"
    return render_template("verification/queue.html", merchants=services.review_queue(status, suspended),
                           status=status, suspended=suspended, statuses=list(VerificationStatus),
                           pending=services.count_pending())


def _review_page(merchant_id: int, reject_form: RejectForm | None = None, suspend_form: SuspendForm | None = None):
    merchant = services.merchant_for_review(merchant_id)
    reject_form = reject_form or RejectForm(prefix="reject", formdata=None)
    suspend_form = suspend_form or SuspendForm(prefix="suspend", formdata=None)
    return render_template(
        "verification/review.html", merchant=merchant, profile=services.export_profile_of(merchant),
        documents=services.documents_of(merchant), photos=services.workshop_photos_of(merchant.id),
        history=machine.history(merchant), reject_form=reject_form, suspend_form=suspend_form,
        action_form=FlaskForm(), kinds=services.DOCUMENT_KINDS, units=services.CAPACITY_UNITS,
        experiences=services.EXPERIENCE_NAMES, today=utcnow().date(),
    ), max(status_for(reject_form), status_for(suspend_form))


@officer_bp.route("/<id:merchant_id>")
def review(merchant_id: int):
    """One merchant's profile and documents side by side, with the decisions an officer may take."""
    return _review_page(merchant_id)


@officer_bp.route("/<id:merchant_id>/approve", methods=["POST"])
def approve(merchant_id: int):
    """Verify the merchant."""
    if FlaskForm().validate_on_submit():
        with unit_of_work() as work:
            merchant = services.approve(current_user, merchant_id)
        if work.refused:
            flash(str(work.refused.message), "error")
        else:
            flash(_("%(name)s is verified.", name=merchant.business_name), "success")
    return redirect(url_for("officer_merchants.review", merchant_id=merchant_id))


@officer_bp.route("/<id:merchant_id>/reject", methods=["POST"])
def reject(merchant_id: int):
    """Send the profile back with a reason the merchant reads."""
    form = RejectForm(prefix="reject")
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.reject(current_user, merchant_id, form.reason.data, form.note.data)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("The merchant has been told what to fix."), "success")
            return redirect(url_for("officer_merchants.review", merchant_id=merchant_id))
    return _review_page(merchant_id, reject_form=form)


@officer_bp.route("/<id:merchant_id>/suspend", methods=["POST"])
def suspend(merchant_id: int):
    """Suspend the merchant: its products are hidden from buyers at once."""
    form = SuspendForm(prefix="suspend")
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.suspend(current_user, merchant_id, form.reason.data, form.note.data)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("The merchant is suspended: its products are hidden from buyers."), "success")
            return redirect(url_for("officer_merchants.review", merchant_id=merchant_id))
    return _review_page(merchant_id, suspend_form=form)


@officer_bp.route("/<id:merchant_id>/lift", methods=["POST"])
def lift(merchant_id: int):
    """Lift the merchant's suspension."""
    if FlaskForm().validate_on_submit():
        with unit_of_work() as work:
            services.lift_suspension(current_user, merchant_id)
        if work.refused:
            flash(str(work.refused.message), "error")
        else:
            flash(_("The suspension is lifted: the merchant's published products are back."), "success")
    return redirect(url_for("officer_merchants.review", merchant_id=merchant_id))


def register(app: Flask) -> None:
    """The export-readiness page, the documents view and the officers' verification queue."""
    for blueprint in (bp, documents_bp, officer_bp):
        app.register_blueprint(blueprint)
    add_navigation(app, ("merchant",), "verification.readiness", _l("Export readiness"), 35)
    add_navigation(app, ("officer", "admin"), "officer_merchants.queue", _l("Verification"), 42)
