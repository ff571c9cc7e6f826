"""Account operations. They flush, never commit; the caller commits once."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from slugify import slugify
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..audit import services as audit
from ..core.errors import DomainError
from ..core.models import utcnow
from ..core.signals import announce_after_commit, catalog_changed
from ..extensions import db
from ..mail.services import send_mail
from ..money import DISPLAY_CURRENCIES
from . import verification
from .models import (
    BuyerProfile,
    MerchantCategory,
    MerchantProfile,
    OfficerProfile,
    Role,
    SignIn,
    User,
    VerificationStatus,
    new_auth_nonce,
)
from .passwords import hash_password, password_problem, verify_password


class EmailTaken(DomainError):
    status_code = 409
    default_message = _l("An account with this email already exists.")

    def __init__(self):
        super().__init__(field="email")


class NibTaken(DomainError):
    status_code = 409
    default_message = _l("A business with this NIB is already registered.")

    def __init__(self):
        super().__init__(field="nib")


class InvalidCredentials(DomainError):
    status_code = 401
    default_message = _l("The email or password is not right.")


class AccountDisabled(DomainError):
    status_code = 403
    default_message = _l("This account is disabled. Please contact Serumpun.")


class WeakPassword(DomainError):
    def __init__(self, message, field: str = "password"):
        super().__init__(message, field=field)


class InvalidToken(DomainError):
    default_message = _l("This link is invalid or has already been used. Please ask for a new one.")


class ExpiredToken(DomainError):
    default_message = _l("This link has expired. Please ask for a new one.")


@dataclass
class MerchantSignup:
    email: str
    password: str
    business_name: str
    owner_name: str
    whatsapp: str
    nib: str
    address_line: str
    kecamatan: str
    postcode: str
    categories: list[str]
    locale: str | None = None


@dataclass
class MerchantShop:
    business_name: str
    owner_name: str
    whatsapp: str
    address_line: str
    kecamatan: str
    postcode: str
    categories: list[str]
    npwp: str | None = None
    story: str | None = None


@dataclass
class BuyerDetails:
    full_name: str
    company: str | None
    country: str
    state: str | None
    region: str | None
    city: str
    postcode: str
    phone: str


@dataclass
class BuyerSignup:
    email: str
    password: str
    details: BuyerDetails
    locale: str | None = None


@dataclass
class Officer:
    email: str
    full_name: str
    organisation: str
    country: str = "ID"


def normalise_email(email: str) -> str:
    """Emails are compared and stored in lower case, without surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_user_by_session_id(session_id: str) -> User | None:
    """Flask-Login's loader: the id, the nonce and a sign-in that has not ended must all match."""
    user_id, _, rest = session_id.partition(":")
    nonce, _, token = rest.partition(":")
    if not user_id.isdigit() or not nonce or not token:
        return None
    user = db.session.scalar(select(User).join(SignIn, SignIn.user_id == User.id)
                             .where(User.id == int(user_id), SignIn.token_hash == _token_hash(token)))
    if user is None or not secrets.compare_digest(user.auth_nonce, nonce):
        return None
    user.sign_in_token = token
    return user


def start_sign_in(user: User) -> None:
    """Record a new signed-in device for the user; its cookies will carry the token (user.get_id())."""
    token = secrets.token_urlsafe(24)
    db.session.add(SignIn(user_id=user.id, token_hash=_token_hash(token)))
    db.session.flush()
    user.sign_in_token = token


def end_sign_in(user: User) -> None:
    """Sign out the device this request came from: copies of its cookies stop working, other devices do not."""
    if user.sign_in_token:
        db.session.execute(delete(SignIn).where(SignIn.user_id == user.id,
                                                SignIn.token_hash == _token_hash(user.sign_in_token)))
        user.sign_in_token = None
    db.session.flush()


def _end_every_sign_in(user: User) -> None:
    # With a new nonce every session of the user is dead anyway; the rows need not outlive them.
    user.auth_nonce = new_auth_nonce()
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id))
    user.sign_in_token = None


def _check_password(password: str, email: str) -> None:
    problem = password_problem(password, email)
    if problem:
        raise WeakPassword(problem)


def _ensure_email_free(email: str) -> None:
    if find_user_by_email(email) is not None:
        raise EmailTaken()


def _flush_unique() -> None:
    """Flush; if a concurrent request took the same email or NIB first, say so instead of failing."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        detail = str(exc.orig).lower()
        if "nib" in detail:
            raise NibTaken() from exc
        if "email" in detail:
            raise EmailTaken() from exc
        raise


def _unique_slug(name: str) -> str:
    base = slugify(name, max_length=120, word_boundary=True) or "toko"
    slug, n = base, 1
    while db.session.scalar(select(MerchantProfile.id).where(MerchantProfile.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _new_user(email: str, password: str | None, role: Role, full_name: str, locale: str | None) -> User:
    email = normalise_email(email)
    _ensure_email_free(email)
    if password is None:
        # Invited users choose their password from the link; until then nothing matches.
        password_hash = "!" + secrets.token_hex(16)
    else:
        _check_password(password, email)
        password_hash = hash_password(password)
    user = User(email=email, password_hash=password_hash, role=role, full_name=full_name.strip(), locale=locale)
    db.session.add(user)
    return user


def _set_categories(profile: MerchantProfile, categories: list[str]) -> None:
    wanted = list(dict.fromkeys(categories))
    kept = [link for link in profile.category_links if link.category in wanted]
    have = {link.category for link in kept}
    profile.category_links = kept + [MerchantCategory(category=c) for c in wanted if c not in have]


def register_merchant(data: MerchantSignup) -> User:
    """A new, unverified merchant who can set up the shop at once."""
    if db.session.scalar(select(MerchantProfile.id).where(MerchantProfile.nib == data.nib)) is not None:
        raise NibTaken()
    slug = _unique_slug(data.business_name)  # before anything is pending: this query would flush it
    user = _new_user(data.email, data.password, Role.MERCHANT, data.owner_name, data.locale)
    profile = MerchantProfile(
        user=user,
        business_name=data.business_name.strip(),
        slug=slug,
        whatsapp=data.whatsapp,
        nib=data.nib,
        address_line=data.address_line.strip(),
        kecamatan=data.kecamatan,
        postcode=data.postcode,
        verification_status=VerificationStatus.UNVERIFIED,
    )
    _set_categories(profile, data.categories)
    db.session.add(profile)
    _flush_unique()
    return user


def update_merchant_shop(user: User, data: MerchantShop) -> MerchantProfile:
    """The merchant edits its own shop details."""
    profile = user.merchant_profile
    if profile is None:
        raise DomainError(_l("Only merchants have a shop."))
    user.full_name = data.owner_name.strip()
    changed = ["business_name"] if profile.business_name != data.business_name.strip() else []
    profile.business_name = data.business_name.strip()
    profile.whatsapp = data.whatsapp
    profile.address_line = data.address_line.strip()
    profile.kecamatan = data.kecamatan
    profile.postcode = data.postcode
    profile.npwp = data.npwp or None
    profile.story = (data.story or "").strip() or None
    _set_categories(profile, data.categories)
    db.session.flush()
    verification.reopen_after_change(profile, user, changed)
    # The storefront, its product pages and its cards show these details.
    announce_after_commit(db.session, catalog_changed, "accounts", merchant_id=profile.id, shop=True)
    return profile


def update_legal_identity(user: User, legal_name: str, nib: str, npwp: str | None) -> list[str]:
    """The merchant's legal name, NIB and NPWP; a verified merchant that changes the name or NIB goes back for
    review. Returns what changed of the key data."""
    profile = user.merchant_profile
    if profile is None:
        raise DomainError(_l("Only merchants have a shop."))
    legal_name = " ".join(legal_name.split())
    if nib != profile.nib and db.session.scalar(
            select(MerchantProfile.id).where(MerchantProfile.nib == nib, MerchantProfile.id != profile.id)):
        raise NibTaken()
    changed = [name for name, new in (("legal_name", legal_name), ("nib", nib)) if getattr(profile, name) != new]
    profile.legal_name, profile.nib, profile.npwp = legal_name, nib, npwp or None
    _flush_unique()
    verification.reopen_after_change(profile, user, changed)
    return changed


def _apply_buyer_details(user: User, profile: BuyerProfile, details: BuyerDetails) -> None:
    user.full_name = details.full_name.strip()
    profile.company = (details.company or "").strip() or None
    profile.country = details.country
    profile.state = details.state if details.country == "MY" else None
    profile.region = None if details.country == "MY" else ((details.region or "").strip() or None)
    profile.city = details.city.strip()
    profile.postcode = details.postcode
    profile.phone = details.phone


def register_buyer(data: BuyerSignup) -> User:
    """A buyer, consumer or business, who can shop at once."""
    user = _new_user(data.email, data.password, Role.BUYER, data.details.full_name, data.locale)
    profile = BuyerProfile(user=user)
    _apply_buyer_details(user, profile, data.details)
    db.session.add(profile)
    _flush_unique()
    return user


def update_buyer_details(user: User, details: BuyerDetails) -> BuyerProfile:
    """The buyer edits its own name, company and address."""
    profile = user.buyer_profile
    if profile is None:
        raise DomainError(_l("Only buyers have a delivery address."))
    _apply_buyer_details(user, profile, details)
    db.session.flush()
    return profile


def create_staff(
    actor: User | None, email: str, password: str | None, role: Role, full_name: str, organisation: str | None = None,
    country: str = "ID",
) -> User:
    """An officer or admin, made from the command line (actor None) or by an admin's invitation."""
    if role not in (Role.OFFICER, Role.ADMIN):
        raise DomainError(_l("Only officers and admins are created this way."))
    user = _new_user(email, password, role, full_name, None)
    if role == Role.OFFICER:
        if not (organisation or "").strip():
            raise DomainError(_l("An officer needs an organisation."), field="organisation")
        db.session.add(OfficerProfile(user=user, organisation=organisation.strip(), country=country))
    _flush_unique()
    audit.record(actor, "officer.invited" if password is None else "staff.created", "user", user.id,
                 after={"email": user.email, "role": role.value, "full_name": user.full_name,
                        "organisation": (organisation or "").strip() or None, "country": country})
    return user


def authenticate(email: str, password: str) -> User:
    """The user with this email and password, or one message for every failure."""
    user = find_user_by_email(email)
    if user is None:
        verify_password(None, password)
        raise InvalidCredentials()
    if not verify_password(user.password_hash, password):
        raise InvalidCredentials()
    if not user.active:
        raise AccountDisabled()
    return user


def record_login(user: User) -> None:
    """Remember when the user last signed in, for admins and for security notices."""
    user.last_login_at = utcnow()
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password and sign out every other session of this user."""
    if not verify_password(user.password_hash, current_password):
        raise WeakPassword(_l("Your current password is not right."), field="current_password")
    _check_password(new_password, user.email)
    user.password_hash = hash_password(new_password)
    _end_every_sign_in(user)
    db.session.flush()
    if user.role in (Role.OFFICER, Role.ADMIN):  # staff actions are on the trail; the password itself never is
        audit.record(user, "account.password_changed", "user", user.id)


def change_email(user: User, current_password: str, new_email: str) -> None:
    """Move the account to a new address, and tell the old one."""
    if not verify_password(user.password_hash, current_password):
        raise WeakPassword(_l("Your current password is not right."), field="current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        return
    _ensure_email_free(new_email)
    old_email = user.email
    user.email = new_email
    _flush_unique()
    if user.role in (Role.OFFICER, Role.ADMIN):
        audit.record(user, "account.email_changed", "user", user.id, {"email": old_email}, {"email": new_email})
    send_mail(old_email, "email_changed", user.locale, user=user, new_email=new_email)


def set_currency(user: User, currency: str) -> None:
    """Keep the currency prices are shown in on the account."""

    if currency not in DISPLAY_CURRENCIES:
        raise DomainError(_l("That currency is not available."))
    user.currency = currency
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    """Keep the user's language on the account, for every device and for mail."""
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(_l("That language is not available."))
    user.locale = locale
    db.session.flush()


# Tokens: signed, timed, and bound to the current password hash, so that a
# link stops working once it has been used or the password has changed.

RESET_SALT = "serumpun.password-reset"
INVITE_SALT = "serumpun.officer-invite"
LINK_PURPOSES = {
    "reset": (RESET_SALT, "PASSWORD_RESET_MAX_AGE"),
    "invite": (INVITE_SALT, "INVITE_MAX_AGE"),
}


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_token(user: User, salt: str) -> str:
    """A signed link token, spent as soon as the password changes."""
    return _serializer(salt).dumps({"u": user.id, "h": _fingerprint(user)})


def user_for_token(token: str, salt: str, max_age: int) -> User:
    """The user a token belongs to, or InvalidToken / ExpiredToken."""
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ExpiredToken() from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not secrets.compare_digest(_fingerprint(user), str(payload.get("h"))):
        raise InvalidToken()
    if not user.active:
        raise AccountDisabled()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    link = url_for("accounts.reset_password", token=make_token(user, RESET_SALT), _external=True)
    send_mail(user.email, "reset_password", user.locale, user=user, link=link)


def check_link(purpose: str, token: str) -> User:
    """The user a reset ("reset") or invitation ("invite") link belongs to, if it still works."""
    salt, max_age_setting = LINK_PURPOSES[purpose]
    return user_for_token(token, salt, current_app.config[max_age_setting])


def set_password_from_link(purpose: str, token: str, new_password: str) -> User:
    """Set a new password from an emailed link; the link is then spent."""
    user = check_link(purpose, token)
    _check_password(new_password, user.email)
    user.password_hash = hash_password(new_password)
    _end_every_sign_in(user)
    db.session.flush()
    if user.role in (Role.OFFICER, Role.ADMIN):  # staff actions are on the trail; the password itself never is
        audit.record(user, "account.password_changed", "user", user.id)
    return user


def invite_officer(actor: User, data: Officer) -> User:
    """An admin invites an officer, who sets a password from the emailed link."""
    if not actor.is_admin:
        raise DomainError(_l("Only admins can invite officers."))
    user = create_staff(actor, data.email, None, Role.OFFICER, data.full_name, data.organisation, data.country)
    link = url_for("accounts.accept_invite", token=make_token(user, INVITE_SALT), _external=True)
    send_mail(user.email, "officer_invite", None, user=user, link=link, inviter=actor)
    return user


def count_users_by_role() -> dict[str, int]:
    """How many accounts each role has, zero included."""
    rows = db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
    counts = {role.value: 0 for role in Role}
    counts.update({role.value if isinstance(role, Role) else role: n for role, n in rows})
    return counts


def count_merchants_by_status() -> dict[VerificationStatus, int]:
    """How many merchants have each verification status, zero included."""
    rows = db.session.execute(select(MerchantProfile.verification_status, func.count())
                              .group_by(MerchantProfile.verification_status)).all()
    counts = {status: 0 for status in VerificationStatus}
    counts.update({VerificationStatus(status): n for status, n in rows})
    return counts


def list_users(page: int, per_page: int = 50, role: Role | None = None) -> tuple[list[User], int]:
    """One page of accounts, newest first, and how many there are."""
    query = select(User)
    count_query = select(func.count()).select_from(User)
    if role is not None:
        query = query.where(User.role == role)
        count_query = count_query.where(User.role == role)
    total = db.session.scalar(count_query) or 0
    users = db.session.scalars(query.order_by(User.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return list(users), total


def list_merchants(status: VerificationStatus | None = None) -> list[MerchantProfile]:
    """Merchants by name, optionally only those with one verification status."""
    query = (
        select(MerchantProfile)
        .options(selectinload(MerchantProfile.user), selectinload(MerchantProfile.category_links))
        .order_by(MerchantProfile.business_name)
    )
    if status is not None:
        query = query.where(MerchantProfile.verification_status == status)
    return list(db.session.scalars(query).all())
