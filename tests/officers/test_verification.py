"""A merchant's export-readiness profile and documents, and the officers' review: approve, reject, re-review."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select

from marketplace.accounts.models import VerificationMove, VerificationStatus
from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.verification.models import MerchantDocument

from ..helpers import Client, publish_product, text_of
from .conftest import (
    BUYER,
    MERCHANT,
    OFFICER,
    OTHER_MERCHANT,
    PENDING,
    a_pdf,
    a_scan,
    login,
    profile_of,
    readiness_form,
    upload,
)


def audit_actions(merchant_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_kind == "merchant", AuditEntry.object_id == str(merchant_id)).order_by(AuditEntry.id)))


def documents_root(app) -> Path:
    return Path(app.config["DOCUMENTS_ROOT"])


def stored_files(app) -> list[Path]:
    root = documents_root(app)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_merchant_fills_the_profile_uploads_documents_and_sends_it_for_review(app, ready_merchant):
    client = ready_merchant
    assert upload(client, a_scan(), "ikm.png", kind="other", number="IKM/1").status_code == 302
    page = text_of(client.get("/merchant/verification/"))
    assert "Halal certificate" in page and "ikm.png" in page and "Everything an officer needs is here." in page
    response = client.post("/merchant/verification/submit", {})
    assert response.status_code == 302
    with app.app_context():
        profile = profile_of(MERCHANT)
        assert profile.verification_status == VerificationStatus.PENDING and profile.submitted_at is not None
        assert profile.legal_name == "CV Sangrai Preanger"
        moves = db.session.scalars(select(VerificationMove).where(VerificationMove.merchant_id == profile.id)).all()
        assert [(m.from_status, m.to_status) for m in moves] == [("unverified", "pending")]
        assert audit_actions(profile.id) == ["merchant.submitted"]
        documents = db.session.scalars(select(MerchantDocument).where(MerchantDocument.merchant_id == profile.id)).all()
        assert {d.content_type for d in documents} == {"application/pdf", "image/jpeg"}
        assert next(d for d in documents if d.is_pdf).pages == 1
    assert "Waiting for an officer since" in text_of(client.get("/merchant/"))


def test_an_incomplete_profile_cannot_be_sent_and_says_what_is_missing(app, demo, client):
    login(client, "leather@serumpun.example")
    response = client.post("/merchant/verification/submit", {})
    assert response.status_code == 400
    page = text_of(response)
    assert "legal name" in page and "production capacity per month" in page and "at least one document" in page
    with app.app_context():
        assert profile_of("leather@serumpun.example").verification_status == VerificationStatus.UNVERIFIED


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("rahasia")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"%PDF-1.4\nthis is not really a PDF at all", "fake.pdf", "fake.pdf is damaged or incomplete"),
    (b"Nomor halal: 123", "halal.txt", "halal.txt is not a PDF, JPEG, PNG or WebP file."),
    (b"", "empty.pdf", "empty.pdf is empty."),
    (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "huge.pdf", "huge.pdf is larger than 10 MB."),
    ("encrypted", "locked.pdf", "locked.pdf is protected by a password."),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "cert.gif", "cert.gif is not a PDF, JPEG, PNG or WebP file."),
    (a_pdf()[:300], "cut.pdf", "cut.pdf is damaged or incomplete"),
])
def test_a_bad_upload_is_refused_with_a_clear_message_and_nothing_is_kept(app, demo, client, data, filename,
                                                                          message):
    login(client, MERCHANT)
    data = encrypted_pdf() if data == "encrypted" else data
    response = upload(client, data, filename)
    assert response.status_code == 400
    assert message in text_of(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MerchantDocument)) == 0
        assert profile_of(MERCHANT).verification_status == VerificationStatus.VERIFIED  # nothing changed
    assert stored_files(app) == []


def test_an_expired_certificate_is_refused(app, demo, client):
    login(client, MERCHANT)
    response = upload(client, a_pdf(), expires_on="2020-01-31")
    assert response.status_code == 400 and "This certificate has already expired." in text_of(response)
    assert stored_files(app) == []


def test_documents_are_read_only_by_their_merchant_and_officers_never_publicly(app, demo, client, another_client):
    login(client, MERCHANT)
    assert upload(client, a_pdf()).status_code == 302
    assert upload(client, a_scan(), "scan.png", kind="bpom").status_code == 302
    with app.app_context():
        documents = db.session.scalars(select(MerchantDocument).order_by(MerchantDocument.id)).all()
        pdf, image = (d.id for d in documents)
        names = [d.file_name for d in documents]
    for document_id in (pdf, image):
        url = f"/documents/{document_id}"
        own = client.get(url)
        assert own.status_code == 200
        assert own.headers["Cache-Control"] == "private, no-store, max-age=0"
        assert own.headers["Content-Disposition"].startswith("inline; filename=")
        assert own.headers["X-Content-Type-Options"] == "nosniff"
        assert client.get(url + "?download=1").headers["Content-Disposition"].startswith("attachment;")

        anonymous = Client(app)
        response = anonymous.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        for email, status in ((BUYER, 403), (OTHER_MERCHANT, 404), (OFFICER, 200)):
            other = login(Client(app), email)
            assert other.get(url).status_code == status, email
    assert client.get(f"/documents/{pdf}").data.startswith(b"%PDF-")
    assert client.get(f"/documents/{image}").mimetype == "image/jpeg"
    # The files are not under the photos' folder, and /media/ never serves them.
    assert not any(Path(app.config["MEDIA_ROOT"]).rglob(names[0]))
    for name in names:
        assert another_client.get(f"/media/{name}").status_code == 404
    assert client.get("/documents/999999").status_code == 404


def test_a_merchant_removes_a_document_and_its_file_goes(app, demo, client):
    login(client, MERCHANT)
    upload(client, a_pdf())
    with app.app_context():
        document_id = db.session.scalar(select(MerchantDocument.id))
    assert len(stored_files(app)) == 1
    other = login(Client(app), OTHER_MERCHANT)
    assert other.post(f"/merchant/verification/documents/{document_id}/delete", {}).status_code == 404
    assert client.post(f"/merchant/verification/documents/{document_id}/delete", {}).status_code == 302
    assert stored_files(app) == []


def test_an_officer_verifies_a_pending_merchant_and_the_badge_shows_with_its_date(app, ready_merchant):
    ready_merchant.post("/merchant/verification/submit", {})
    with app.app_context():
        merchant_id = profile_of(MERCHANT).id
    product = publish_product(app)
    officer = Client(app)
    officer.login(OFFICER)
    queue = text_of(officer.get("/officer/merchants/"))
    assert queue.index("Sangrai Preanger Coffee") < queue.index("Awi Craft Ujungberung")  # pending first
    review = officer.get(f"/officer/merchants/{merchant_id}")
    page = text_of(review)
    assert "CV Sangrai Preanger" in page and "1200 kilograms" in page and "Ships abroad itself" in page
    assert 'src="/documents/' in review.get_data(as_text=True)
    # An anonymous reader has the storefront cached before the decision.
    anonymous = Client(app)
    assert "Verified by a trade officer" not in text_of(anonymous.get("/merchants/sangrai-preanger-coffee"))
    assert officer.post(f"/officer/merchants/{merchant_id}/approve", {}).status_code == 302
    with app.app_context():
        profile = profile_of(MERCHANT)
        assert profile.is_verified and profile.verified_at is not None
        assert audit_actions(merchant_id) == ["merchant.submitted", "merchant.verified"]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "merchant.verified"))
        assert entry.actor_name.startswith("Rina Kartika") and entry.after["verification_status"] == "verified"
    storefront = text_of(anonymous.get("/merchants/sangrai-preanger-coffee"))
    assert "Verified by a trade officer on" in storefront
    assert "since" in text_of(anonymous.get(f"/products/{product}"))
    assert "Verified on" in text_of(ready_merchant.get("/merchant/"))


def test_a_rejection_reaches_the_merchant_in_indonesian(app, ready_merchant):
    ready_merchant.post("/merchant/verification/submit", {})
    with app.app_context():
        merchant_id = profile_of(MERCHANT).id
    officer = Client(app)
    officer.login(OFFICER)
    refused = officer.post(f"/officer/merchants/{merchant_id}/reject", {"reject-reason": "other", "reject-note": ""})
    assert refused.status_code == 400 and "Write what the merchant should fix." in text_of(refused)
    response = officer.post(f"/officer/merchants/{merchant_id}/reject",
                            {"reject-reason": "certificate_expired", "reject-note": "Sertifikat halal berakhir 2024."})
    assert response.status_code == 302
    ready_merchant.post("/language", {"language": "id", "next": "/"}, token_from="/")
    dashboard = text_of(ready_merchant.get("/merchant/"))
    assert "Sertifikat halal atau BPOM sudah kedaluwarsa." in dashboard
    assert "Sertifikat halal berakhir 2024." in dashboard
    with app.app_context():
        assert audit_actions(merchant_id) == ["merchant.submitted", "merchant.rejected"]
        assert profile_of(MERCHANT).verification_status == VerificationStatus.REJECTED
    # Fixed and sent again: pending, and the old reason is gone.
    assert ready_merchant.post("/merchant/verification/submit", {}).status_code == 302
    with app.app_context():
        profile = profile_of(MERCHANT)
        assert profile.verification_status == VerificationStatus.PENDING and profile.review_reason is None


def test_only_a_pending_merchant_can_be_approved(app, demo):
    officer = Client(app)
    officer.login(OFFICER)
    with app.app_context():
        unverified = profile_of("leather@serumpun.example").id
    officer.post(f"/officer/merchants/{unverified}/approve", {})
    with app.app_context():
        assert profile_of("leather@serumpun.example").verification_status == VerificationStatus.UNVERIFIED
        assert audit_actions(unverified) == []


@pytest.mark.parametrize("change", ["nib", "legal_name", "business_name", "document"])
def test_a_verified_merchant_that_changes_key_data_goes_back_for_review(app, demo, client, change):
    login(client, MERCHANT)
    with app.app_context():
        merchant_id = profile_of(MERCHANT).id
    if change == "nib":
        response = client.post("/merchant/verification/", readiness_form(nib="9120001239999"))
    elif change == "legal_name":
        response = client.post("/merchant/verification/", readiness_form(legal_name="PT Sangrai Preanger Nusantara"))
    elif change == "business_name":
        page = client.get("/merchant/shop").get_data(as_text=True)
        assert "Sangrai Preanger Coffee" in page
        from ..helpers import merchant_form
        form = {k: v for k, v in merchant_form(business_name="Sangrai Preanger Roastery").items()
                if k not in ("email", "password", "password_confirm", "nib", "accept_terms")}
        response = client.post("/merchant/shop", form)
    else:
        response = upload(client, a_pdf())
    assert response.status_code == 302, text_of(response)
    with app.app_context():
        profile = profile_of(MERCHANT)
        assert profile.verification_status == VerificationStatus.PENDING and profile.verified_at is None
        assert audit_actions(merchant_id)[-1] == "merchant.reopened"
        move = db.session.scalar(select(VerificationMove).where(VerificationMove.merchant_id == merchant_id))
        assert (move.from_status, move.to_status, move.reason) == ("verified", "pending", "key_data")


def test_saving_the_profile_unchanged_keeps_the_verification(app, demo, client):
    login(client, MERCHANT)
    with app.app_context():
        profile_of(MERCHANT).legal_name = "CV Sangrai Preanger"
        db.session.commit()
    assert client.post("/merchant/verification/", readiness_form(monthly_capacity="900")).status_code == 302
    with app.app_context():
        assert profile_of(MERCHANT).is_verified


def test_a_taken_nib_is_refused(app, demo, client):
    login(client, MERCHANT)
    response = client.post("/merchant/verification/", readiness_form(nib="9120001230002"))
    assert response.status_code == 400
    with app.app_context():
        assert profile_of(MERCHANT).nib == "9120001230001"


def test_the_demo_pending_merchant_is_first_in_the_queue(app, demo):
    officer = Client(app)
    officer.login(OFFICER)
    queue = text_of(officer.get("/officer/merchants/?status=pending"))
    assert "Batik Kujang Pasundan" in queue and "Sangrai Preanger Coffee" not in queue
    with app.app_context():
        assert profile_of(PENDING).verification_status == VerificationStatus.PENDING


def test_workshop_photos_go_through_the_photo_pipeline_onto_the_storefront(app, demo, client):
    from marketplace.verification.models import WorkshopPhoto

    from ..images import jpeg_with_gps_and_orientation, png

    anonymous = Client(app)
    assert "The workshop of" not in anonymous.get("/merchants/sangrai-preanger-coffee").get_data(as_text=True)
    login(client, MERCHANT)
    refused = client.post("/merchant/verification/photos", {"photos": [(io.BytesIO(b"not an image"), "x.jpg")]},
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and "x.jpg is not a JPEG, PNG or WebP image." in text_of(refused)
    response = client.post("/merchant/verification/photos", {"photos": [
        (io.BytesIO(jpeg_with_gps_and_orientation()), "roastery.jpg"), (io.BytesIO(png()), "team.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        photos = db.session.scalars(select(WorkshopPhoto).order_by(WorkshopPhoto.position)).all()
        assert len(photos) == 2 and photos[0].height > photos[0].width  # turned upright
        first = photos[0].id
    storefront = anonymous.get("/merchants/sangrai-preanger-coffee").get_data(as_text=True)
    assert storefront.count("The workshop of Sangrai Preanger Coffee") == 2
    assert client.post(f"/merchant/verification/photos/{first}/delete", {}).status_code == 302
    assert anonymous.get("/merchants/sangrai-preanger-coffee").get_data(as_text=True).count(
        "The workshop of Sangrai Preanger Coffee") == 1
