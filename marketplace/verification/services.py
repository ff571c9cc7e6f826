"""Export readiness and verification: the merchant's profile, documents and workshop photos, and the officers'
review queue. Flush, never commit; the state machine itself is accounts.verification."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..accounts import services as accounts
from ..accounts import verification as machine
from ..accounts.models import MerchantProfile, User, VerificationStatus
from ..core.errors import DomainError, NotFound
from ..core.signals import announce_after_commit, catalog_changed
from ..core.transactions import on_commit, on_rollback
from ..extensions import db
from ..media.documents import CheckedDocument, check_document
from ..media.pipeline import ImageRejected, ProcessedImage, pixel_count, process_image
from ..media.services import delete_after_commit, store_image
from ..media.storage import StorageBackend
from .models import DocumentKind, ExportExperience, ExportProfile, MerchantDocument, WorkshopPhoto

MAX_DOCUMENTS_PER_KIND = 5
MAX_WORKSHOP_PHOTOS = 6
CAPACITY_UNITS = {
    "kg": _l("kilograms"),
    "litre": _l("litres"),
    "pcs": _l("pieces"),
    "pack": _l("packs"),
    "bottle": _l("bottles"),
    "metre": _l("metres of cloth"),
}
EXPERIENCE_NAMES = {
    ExportExperience.NONE: _l("Not yet: sells in Indonesia only"),
    ExportExperience.INDIRECT: _l("Through a trader or an exporter"),
    ExportExperience.DIRECT: _l("Ships abroad itself"),
}
DOCUMENT_KINDS = {
    DocumentKind.NIB: _l("NIB certificate (OSS)"),
    DocumentKind.HALAL: _l("Halal certificate"),
    DocumentKind.BPOM: _l("BPOM registration"),
    DocumentKind.OTHER: _l("Other document"),
}
DOCUMENT_REFUSALS = {
    "empty": _l("%(name)s is empty."),
    "too_large": _l("%(name)s is larger than 10 MB."),
    "format": _l("%(name)s is not a PDF, JPEG, PNG or WebP file."),
    "broken": _l("%(name)s is damaged or incomplete and cannot be opened."),
    "encrypted": _l("%(name)s is protected by a password. Please upload a copy without one."),
    "pages": _l("%(name)s has more than 30 pages. Please upload only the certificate."),
    "dimensions": _l("%(name)s is larger than 8000 pixels on a side."),
    "bomb": _l("%(name)s has too many pixels."),
}
PHOTO_REFUSALS = {
    "empty": _l("%(name)s is empty."),
    "too_large": _l("%(name)s is larger than 10 MB."),
    "format": _l("%(name)s is not a JPEG, PNG or WebP image."),
    "dimensions": _l("%(name)s is larger than 8000 pixels on a side."),
    "bomb": _l("%(name)s has too many pixels to be a photo."),
    "broken": _l("%(name)s is damaged or incomplete."),
}


class UploadRefused(DomainError):
    def __init__(self, message, field: str = "file"):
        super().__init__(message, field=field)


class NotReady(DomainError):
    """The profile misses something an officer needs; each missing item is listed."""

    def __init__(self, missing: list):
        self.missing = missing
        super().__init__(_l("Your profile is not complete yet: %(missing)s.",
                            missing=", ".join(str(m) for m in missing)))


@dataclass
class ReadinessData:
    legal_name: str
    nib: str
    npwp: str | None
    monthly_capacity: int | None
    capacity_unit: str | None
    export_experience: ExportExperience | None
    export_notes: str | None
    can_get_form_d: bool | None


def _merchant_of(user: User) -> MerchantProfile:
    if user is None or user.merchant_profile is None:
        raise DomainError(_l("Only merchants have a shop."))
    return user.merchant_profile


def export_profile_of(merchant: MerchantProfile) -> ExportProfile | None:
    return db.session.scalar(select(ExportProfile).where(ExportProfile.merchant_id == merchant.id))


def documents_of(merchant: MerchantProfile) -> list[MerchantDocument]:
    return list(db.session.scalars(select(MerchantDocument).where(MerchantDocument.merchant_id == merchant.id)
                                   .order_by(MerchantDocument.kind, MerchantDocument.uploaded_at)))


def workshop_photos_of(merchant_id: int) -> list[WorkshopPhoto]:
    return list(db.session.scalars(select(WorkshopPhoto).where(WorkshopPhoto.merchant_id == merchant_id)
                                   .order_by(WorkshopPhoto.position, WorkshopPhoto.id)))


def save_readiness(user: User, data: ReadinessData) -> list[str]:
    """The merchant's legal identity and export readiness; a verified merchant that changes its NIB or legal
    name goes back for review. Returns what changed of the key data."""
    merchant = _merchant_of(user)
    if data.monthly_capacity is not None and not data.capacity_unit:
        raise DomainError(_l("Choose the unit of the capacity."), field="capacity_unit")
    if data.capacity_unit and data.capacity_unit not in CAPACITY_UNITS:
        raise DomainError(_l("Please choose one of the options."), field="capacity_unit")
    changed = accounts.update_legal_identity(user, data.legal_name, data.nib, data.npwp)
    profile = export_profile_of(merchant)
    if profile is None:
        profile = ExportProfile(merchant_id=merchant.id)
        db.session.add(profile)
    profile.monthly_capacity = data.monthly_capacity
    profile.capacity_unit = data.capacity_unit if data.monthly_capacity is not None else None
    profile.export_experience = data.export_experience
    profile.export_notes = (data.export_notes or "").strip() or None
    profile.can_get_form_d = data.can_get_form_d
    db.session.flush()
    return changed


def missing_for_review(merchant: MerchantProfile) -> list:
    """What an officer needs that the profile does not have yet (empty: ready to send)."""
    profile = export_profile_of(merchant)
    missing = []
    if not merchant.legal_name:
        missing.append(_l("legal name"))
    if profile is None or profile.monthly_capacity is None:
        missing.append(_l("production capacity per month"))
    if profile is None or profile.export_experience is None:
        missing.append(_l("export experience"))
    if profile is None or profile.can_get_form_d is None:
        missing.append(_l("whether you can obtain a Form D"))
    if not documents_of(merchant):
        missing.append(_l("at least one document (the NIB certificate from OSS, a halal or a BPOM certificate)"))
    return missing


def submit_for_review(user: User) -> None:
    """The merchant sends its profile to the officers: pending until one of them decides."""
    merchant = _merchant_of(user)
    if merchant.verification_status == VerificationStatus.PENDING:
        raise DomainError(_l("Your profile is already waiting for an officer."))
    if merchant.verification_status == VerificationStatus.VERIFIED:
        raise DomainError(_l("Your shop is already verified."))
    missing = missing_for_review(merchant)
    if missing:
        raise NotReady(missing)
    machine.move(merchant, VerificationStatus.PENDING, user)


def _refusal(messages: dict, filename: str, rejection: ImageRejected, field: str) -> UploadRefused:
    return UploadRefused(messages.get(rejection.code, messages["broken"]) % {"name": filename}, field=field)


def _delete_all(backend: StorageBackend, names: list[str]) -> None:
    for name in names:
        backend.delete(name)


def _store_document(backend: StorageBackend, document: CheckedDocument) -> None:
    """Write the file; if this transaction rolls back and it created the file, the file goes too."""
    if backend.exists(document.name):
        return
    backend.save(document.name, document.data, document.content_type)
    on_rollback(db.session, partial(_delete_all, backend, [document.name]))


def add_document(user: User, kind: DocumentKind, filename: str, data: bytes, number: str | None,
                 expires_on: date | None, backend: StorageBackend, today: date) -> MerchantDocument:
    """Check an uploaded certificate and keep it privately; a verified merchant goes back for review."""
    merchant = _merchant_of(user)
    shown = (filename or "document")[:80]
    if not data and not filename:
        raise UploadRefused(_l("Choose a file to upload."))
    if expires_on is not None and expires_on < today:
        raise DomainError(_l("This certificate has already expired."), field="expires_on")
    count = db.session.scalar(select(func.count()).select_from(MerchantDocument).where(
        MerchantDocument.merchant_id == merchant.id, MerchantDocument.kind == kind)) or 0
    if count >= MAX_DOCUMENTS_PER_KIND:
        raise UploadRefused(_l("You can keep at most %(n)d documents of one kind. Remove an old one first.",
                               n=MAX_DOCUMENTS_PER_KIND))
    try:
        checked = check_document(data)
    except ImageRejected as rejection:
        raise _refusal(DOCUMENT_REFUSALS, shown, rejection, "file") from rejection
    document = MerchantDocument(merchant_id=merchant.id, kind=kind, number=(number or "").strip() or None,
                                expires_on=expires_on, file_name=checked.name, content_type=checked.content_type,
                                original_name=shown, size_bytes=len(checked.data), pages=checked.pages)
    db.session.add(document)
    db.session.flush()
    _store_document(backend, checked)
    machine.reopen_after_change(merchant, user, ["documents"])
    return document


def remove_document(user: User, document_id: int, backend: StorageBackend) -> None:
    """The merchant removes one of its documents; a verified merchant goes back for review."""
    merchant = _merchant_of(user)
    document = db.session.get(MerchantDocument, document_id)
    if document is None or document.merchant_id != merchant.id:
        raise NotFound()
    name = document.file_name
    db.session.delete(document)
    db.session.flush()
    still_used = db.session.scalar(select(func.count()).select_from(MerchantDocument)
                                   .where(MerchantDocument.file_name == name))
    if not still_used:
        on_commit(db.session, partial(_delete_all, backend, [name]))
    machine.reopen_after_change(merchant, user, ["documents"])


def open_document(viewer: User, document_id: int, backend: StorageBackend) -> tuple[MerchantDocument, bytes]:
    """A document's bytes, for its own merchant or an officer; anyone else learns nothing (NotFound)."""
    document = db.session.get(MerchantDocument, document_id)
    if document is None:
        raise NotFound()
    own = viewer.merchant_profile is not None and viewer.merchant_profile.id == document.merchant_id
    if not (own or viewer.is_officer):
        raise NotFound()
    data = backend.open(document.file_name)
    if data is None:
        raise NotFound()
    return document, data


def _image_key(image: ProcessedImage) -> str:
    return image.variants[-1].webp.name.split(".")[0]


def _announce_shop(merchant: MerchantProfile) -> None:
    announce_after_commit(db.session, catalog_changed, "verification", merchant_id=merchant.id, shop=True)


def add_workshop_photos(user: User, uploads: list[tuple[str, bytes]], backend: StorageBackend,
                        max_pixels: int | None = None) -> list[WorkshopPhoto]:
    """Workshop and team photos for the storefront, through the photo pipeline; all or none are kept."""
    merchant = _merchant_of(user)
    uploads = [(name, data) for name, data in uploads if name or data]
    if not uploads:
        raise UploadRefused(_l("Choose at least one photo."), field="photos")
    existing = workshop_photos_of(merchant.id)
    if len(existing) + len(uploads) > MAX_WORKSHOP_PHOTOS:
        raise UploadRefused(_l("You can show at most %(n)d workshop photos.", n=MAX_WORKSHOP_PHOTOS), field="photos")

    def step(filename, run, data):
        try:
            return run(data)
        except ImageRejected as rejection:
            raise _refusal(PHOTO_REFUSALS, (filename or "photo")[:80], rejection, "photos") from rejection

    sizes = [step(filename, pixel_count, data) for filename, data in uploads]
    if max_pixels is not None and sum(sizes) > max_pixels:
        raise UploadRefused(_l("Together these photos have too many pixels. Upload them a few at a time."),
                            field="photos")
    processed = [step(filename, process_image, data) for filename, data in uploads]
    position = max((p.position for p in existing), default=-1)
    added = []
    for image in processed:
        store_image(db.session, backend, image)
        position += 1
        photo = WorkshopPhoto(merchant_id=merchant.id, position=position, image_key=_image_key(image),
                              width=image.width, height=image.height,
                              variants=[{"width": v.width, "height": v.height, "webp": v.webp.name,
                                         "jpeg": v.jpeg.name} for v in image.variants])
        db.session.add(photo)
        added.append(photo)
    db.session.flush()
    _announce_shop(merchant)
    return added


def remove_workshop_photo(user: User, photo_id: int, backend: StorageBackend) -> None:
    """Remove a workshop photo; its files go once nothing else uses them and the change is committed."""
    merchant = _merchant_of(user)
    photo = db.session.get(WorkshopPhoto, photo_id)
    if photo is None or photo.merchant_id != merchant.id:
        raise NotFound()
    files, key = photo.files, photo.image_key
    db.session.delete(photo)
    db.session.flush()
    still_used = db.session.scalar(select(func.count()).select_from(WorkshopPhoto)
                                   .where(WorkshopPhoto.image_key == key))
    if not still_used and not _product_photo_uses(key):
        delete_after_commit(db.session, backend, files)
    _announce_shop(merchant)


def workshop_photo_uses(image_key: str) -> bool:
    """Whether a workshop photo shares these files: the catalog asks before it deletes a product photo's files."""
    return bool(db.session.scalar(select(func.count()).select_from(WorkshopPhoto)
                                  .where(WorkshopPhoto.image_key == image_key)))


def _product_photo_uses(image_key: str) -> bool:
    """Whether a product photo shares these files (the same upload): catalog's table, read by name only."""
    table = db.metadata.tables["product_photos"]
    return bool(db.session.scalar(select(func.count()).select_from(table).where(table.c.image_key == image_key)))


# The officers' side.

QUEUE_ORDER = case(
    (MerchantProfile.verification_status == VerificationStatus.PENDING, 0),
    (MerchantProfile.verification_status == VerificationStatus.REJECTED, 1),
    (MerchantProfile.verification_status == VerificationStatus.UNVERIFIED, 2),
    else_=3,
)


def review_queue(status: VerificationStatus | None = None, suspended: bool = False) -> list[MerchantProfile]:
    """Merchants for the officers: pending first (longest waiting first), then the others by name."""
    query = (select(MerchantProfile)
             .options(selectinload(MerchantProfile.user), selectinload(MerchantProfile.category_links))
             .order_by(QUEUE_ORDER,
                       case((MerchantProfile.verification_status == VerificationStatus.PENDING,
                             MerchantProfile.submitted_at)),
                       MerchantProfile.business_name))
    if status is not None:
        query = query.where(MerchantProfile.verification_status == status)
    if suspended:
        query = query.where(MerchantProfile.suspended_at.is_not(None))
    return list(db.session.scalars(query))


def count_pending() -> int:
    return db.session.scalar(select(func.count()).select_from(MerchantProfile).where(
        MerchantProfile.verification_status == VerificationStatus.PENDING)) or 0


def merchant_for_review(merchant_id: int) -> MerchantProfile:
    merchant = db.session.get(MerchantProfile, merchant_id)
    if merchant is None:
        raise NotFound()
    return merchant


def approve(actor: User, merchant_id: int) -> MerchantProfile:
    """An officer verifies a merchant: the badge shows, with today's date."""
    merchant = merchant_for_review(merchant_id)
    machine.move(merchant, VerificationStatus.VERIFIED, actor)
    return merchant


def reject(actor: User, merchant_id: int, reason: str, note: str | None) -> MerchantProfile:
    """An officer sends a merchant's profile back with a reason the merchant reads."""
    if reason not in machine.REJECTION_REASONS:
        raise DomainError(_l("Please choose one of the options."), field="reason")
    if reason == "other" and not (note or "").strip():
        raise DomainError(_l("Write what the merchant should fix."), field="note")
    merchant = merchant_for_review(merchant_id)
    machine.move(merchant, VerificationStatus.REJECTED, actor, reason=reason, note=(note or "").strip() or None)
    return merchant


def suspend(actor: User, merchant_id: int, reason: str, note: str | None) -> MerchantProfile:
    """An officer suspends a merchant: its products leave the catalog, cart and checkout at once."""
    if reason == "other" and not (note or "").strip():
        raise DomainError(_l("Write why the merchant is suspended."), field="note")
    merchant = merchant_for_review(merchant_id)
    machine.suspend(actor, merchant, reason, (note or "").strip() or None)
    return merchant


def lift_suspension(actor: User, merchant_id: int) -> MerchantProfile:
    """An officer lifts a suspension: the merchant's published products are back."""
    merchant = merchant_for_review(merchant_id)
    machine.lift_suspension(actor, merchant)
    return merchant
