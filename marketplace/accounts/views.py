"""Signing up, signing in and out, password resets and account settings."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import DomainError
from ..core.forms import attach_refusal, status_for
from ..core.security import safe_next_url
from ..core.ui import kept_at_sign_in
from ..core.unit_of_work import unit_of_work
from ..extensions import limiter
from . import services
from .forms import (
    BuyerSignupForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    MerchantSignupForm,
    ResetPasswordForm,
)
from .models import Role, User

bp = Blueprint("accounts", __name__)


def home_for(user: User) -> str:
    """Where each role starts after signing in."""
    return {
        Role.MERCHANT: url_for("merchant.dashboard"),
        Role.BUYER: url_for("site.home"),
        Role.OFFICER: url_for("officer.dashboard"),
        Role.ADMIN: url_for("admin.dashboard"),
    }[user.role]


def start_session(user: User, remember: bool = False) -> None:
    """A fresh session for the signed-in user: nothing from before survives but what a package keeps (a cart)."""
    kept = {key: session[key] for key in kept_at_sign_in() if key in session}
    session.clear()
    session.update(kept)
    services.start_sign_in(user)
    login_user(user, remember=remember)
    # Without "keep me signed in", the session ends when the browser closes.
    session.permanent = remember
    services.record_login(user)


def current_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _redirect_signed_in():
    return redirect(home_for(current_user)) if current_user.is_authenticated else None


@bp.route("/signup")
def signup():
    """Choose to sign up as a merchant or a buyer."""
    return _redirect_signed_in() or render_template("accounts/signup_choose.html")


@bp.route("/signup/merchant", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
def signup_merchant():
    """A Bandung UMKM opens its account and shop."""
    if (done := _redirect_signed_in()) is not None:
        return done
    form = MerchantSignupForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            user = services.register_merchant(
                services.MerchantSignup(
                    email=form.email.data, password=form.password.data, business_name=form.business_name.data,
                    owner_name=form.owner_name.data, whatsapp=form.whatsapp.data, nib=form.nib.data,
                    address_line=form.address_line.data, kecamatan=form.kecamatan.data,
                    postcode=form.postcode.data, categories=form.categories.data, locale=current_locale(),
                )
            )
            start_session(user)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Welcome to Serumpun! Your shop is ready to set up. An officer will verify your business."), "success")
            return redirect(url_for("merchant.dashboard"))
    return render_template("accounts/signup_merchant.html", form=form), status_for(form)


@bp.route("/signup/buyer", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
def signup_buyer():
    """A consumer or a business in Malaysia opens a buyer account."""
    if (done := _redirect_signed_in()) is not None:
        return done
    form = BuyerSignupForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            user = services.register_buyer(
                services.BuyerSignup(
                    email=form.email.data, password=form.password.data, details=buyer_details(form),
                    locale=current_locale(),
                )
            )
            start_session(user)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Welcome to Serumpun! Your account is ready."), "success")
            return redirect(url_for("site.home"))
    return render_template("accounts/signup_buyer.html", form=form), status_for(form)


def buyer_details(form) -> services.BuyerDetails:
    return services.BuyerDetails(
        full_name=form.full_name.data, company=form.company.data, country=form.country_code,
        state=(form.state.data or None) if form.in_malaysia else None,
        region=None if form.in_malaysia else form.region.data, city=form.city.data,
        postcode=form.postcode.data, phone=form.phone.data,
    )


def _typed_email() -> str:
    """The account a sign-in attempt is for, however the body was sent (Flask-WTF also reads JSON)."""
    body = request.get_json(silent=True) if request.is_json else request.form
    email = body.get("email") if isinstance(body, dict) or hasattr(body, "get") else ""
    return "login:" + (email if isinstance(email, str) else "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], methods=["POST"], key_func=_typed_email)
def login():
    """Sign in with email and password."""
    next_url = safe_next_url(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or home_for(current_user))
    form = LoginForm(next=next_url or "")
    if form.validate_on_submit():
        with unit_of_work() as work:
            user = services.authenticate(form.email.data, form.password.data)
            start_session(user, remember=form.remember.data)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Welcome back, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next_url(form.next.data) or home_for(user))
    return render_template("accounts/login.html", form=form), status_for(form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out and forget the session, here and on the server: a copy of its cookies no longer signs anyone in."""
    if current_user.is_authenticated:
        with unit_of_work():
            services.end_sign_in(current_user._get_current_object())
    session.clear()
    # After clear(): logout_user leaves the mark that makes Flask-Login delete the remember cookie.
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("site.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    """Ask for a password reset link by email."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with unit_of_work(capture=False):
            services.request_password_reset(form.email.data)
        flash(_("If an account exists for that email, we have sent a link to reset the password. "
                "It works for one hour."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), status_for(form)


def _password_from_link(purpose: str, token: str, template: str, done_message: str):
    try:
        # Check the link before the form, so that a dead link says so at once.
        services.check_link(purpose, token)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            user = services.set_password_from_link(purpose, token, form.password.data)
            start_session(user)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(done_message, "success")
            return redirect(home_for(user))
    return render_template(template, form=form), status_for(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    return _password_from_link("reset", token, "accounts/reset_password.html", _("Your password has been changed."))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])
def accept_invite(token: str):
    """An invited officer chooses a password."""
    return _password_from_link("invite", token, "accounts/accept_invite.html", _("Welcome to Serumpun."))


@bp.route("/account")
@login_required
def settings():
    """Account settings: password, email and language."""
    return render_template(
        "accounts/settings.html",
        password_form=ChangePasswordForm(prefix="pw"),
        email_form=ChangeEmailForm(prefix="em"),
        language_form=LanguageForm(prefix="lang", language=current_locale()),
    )


def _settings_with(status: int = 400, **forms):
    defaults = {
        "password_form": ChangePasswordForm(prefix="pw", formdata=None),
        "email_form": ChangeEmailForm(prefix="em", formdata=None),
        "language_form": LanguageForm(prefix="lang", formdata=None, language=current_locale()),
    }
    defaults.update(forms)
    return render_template("accounts/settings.html", **defaults), status


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def change_password():
    """Change the password; other devices are signed out."""
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.change_password(current_user, form.current_password.data, form.password.data)
            # The nonce changed: renew this session so that only this device stays signed in.
            start_session(current_user._get_current_object())
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.settings"))
    return _settings_with(password_form=form)


@bp.route("/account/email", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def change_email():
    """Move the account to another email address."""
    form = ChangeEmailForm(prefix="em")
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.change_email(current_user, form.current_password.data, form.email.data)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Your email address has been changed."), "success")
            return redirect(url_for("accounts.settings"))
    return _settings_with(email_form=form)


@bp.route("/account/language", methods=["POST"])
@login_required
def change_language():
    """Keep a language for this account on every device."""
    form = LanguageForm(prefix="lang")
    if form.validate_on_submit():
        with unit_of_work(capture=False):
            services.set_locale(current_user, form.language.data)
        response = redirect(url_for("accounts.settings"))
        remember_language_cookie(response, form.language.data)
        return response
    return _settings_with(language_form=form)


def remember_language_cookie(response, language: str):
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE_NAME"], language, max_age=365 * 24 * 3600,
        samesite="Lax", httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
