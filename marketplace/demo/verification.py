"""Demo data for the officers' verification and moderation: a batik maker waiting for review with its documents
(a small PDF and a scanned certificate, made here: nothing is downloaded), export profiles of the verified
roaster, and a buyer's report waiting in the queue."""
from __future__ import annotations

import io
from datetime import date

from PIL import Image, ImageDraw
from sqlalchemy import select

from ..accounts import services as accounts
from ..accounts.models import VerificationStatus
from ..catalog.models import Product, ProductStatus
from ..extensions import db
from ..media.storage import StorageBackend
from ..moderation import services as moderation
from ..moderation.models import ListingReport
from ..verification import services as verification
from ..verification.models import DocumentKind, ExportExperience


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def certificate_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with a title and lines of text in Helvetica, written by hand with a correct xref."""
    stream_lines = ["BT", "/F1 18 Tf", "56 770 Td", f"({_pdf_text(title)}) Tj", "/F1 11 Tf", "0 -32 Td"]
    for line in lines:
        stream_lines += [f"({_pdf_text(line)}) Tj", "0 -18 Td"]
    stream_lines.append("ET")
    stream = "\n".join(stream_lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def certificate_scan(title: str, lines: list[str]) -> bytes:
    """A "phone photo" of a paper certificate: a cream sheet with a border, a stamp and text, as a JPEG."""
    image = Image.new("RGB", (1240, 1754), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 1180, 1694), fill=(252, 250, 243), outline=(120, 90, 40), width=8)
    draw.rectangle((90, 90, 1150, 1664), outline=(170, 140, 80), width=3)
    draw.text((140, 180), title, fill=(40, 40, 40), font_size=44)
    for index, line in enumerate(lines):
        draw.text((140, 300 + index * 56), line, fill=(50, 50, 50), font_size=30)
    draw.ellipse((860, 1300, 1080, 1520), outline=(180, 30, 40), width=10)
    draw.text((905, 1395), "DISKOPUKM", fill=(180, 30, 40), font_size=26)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def seed_verification(photos: StorageBackend, documents: StorageBackend, today: date) -> None:
    """A pending verification with documents, the roaster's export profile, and one open report (idempotent)."""
    _seed_pending_batik(documents, today)
    _seed_roaster_profile(documents, today)
    _seed_report()


def _seed_pending_batik(documents: StorageBackend, today: date) -> None:
    user = accounts.find_user_by_email("batik@serumpun.example")
    if user is None or user.merchant_profile is None or verification.documents_of(user.merchant_profile):
        return
    merchant = user.merchant_profile
    verification.save_readiness(user, verification.ReadinessData(
        legal_name="CV Batik Kujang Pasundan", nib=merchant.nib, npwp="012345678424000", monthly_capacity=400,
        capacity_unit="metre", export_experience=ExportExperience.INDIRECT,
        export_notes="Sejak 2023 mengirim batik tulis ke butik di Kuala Lumpur lewat eksportir di Jakarta; "
                     "ikut pameran INACRAFT 2024.",
        can_get_form_d=True))
    nib_pdf = certificate_pdf("PERIZINAN BERUSAHA BERBASIS RISIKO", [
        "NOMOR INDUK BERUSAHA (NIB): " + merchant.nib,
        "Nama Pelaku Usaha: CV BATIK KUJANG PASUNDAN",
        "Alamat: Jl. Moh. Toha No. 77, Bandung Kidul, Kota Bandung 40252",
        "KBLI 13134 - Industri Batik",
        "Diterbitkan oleh Lembaga OSS (contoh dokumen untuk demo Serumpun)",
    ])
    verification.add_document(user, DocumentKind.NIB, "NIB-Batik-Kujang-Pasundan.pdf", nib_pdf, merchant.nib, None,
                              documents, today)
    scan = certificate_scan("SERTIFIKAT INDUSTRI KECIL MENENGAH", [
        "Diberikan kepada: CV Batik Kujang Pasundan",
        "Produk: Batik tulis dan batik cap pewarna alam",
        "Dinas Koperasi dan UKM Kota Bandung",
        "(contoh dokumen untuk demo Serumpun)",
    ])
    verification.add_document(user, DocumentKind.OTHER, "sertifikat-ikm.jpg", scan, "IKM/2024/0457",
                              date(today.year + 2, 6, 30), documents, today)
    if merchant.verification_status == VerificationStatus.PENDING and merchant.submitted_at is None:
        # seed_accounts set the status by hand; send it for review properly, so that the move is on record.
        merchant.verification_status = VerificationStatus.UNVERIFIED
        verification.submit_for_review(user)


def _seed_roaster_profile(documents: StorageBackend, today: date) -> None:
    user = accounts.find_user_by_email("merchant@serumpun.example")
    if user is None or user.merchant_profile is None or verification.documents_of(user.merchant_profile):
        return
    merchant = user.merchant_profile
    status, verified_at, verified_by = merchant.verification_status, merchant.verified_at, merchant.verified_by_id
    # The demo shop was verified before it had documents on file: fill them in without sending it back for review.
    merchant.verification_status = VerificationStatus.UNVERIFIED
    verification.save_readiness(user, verification.ReadinessData(
        legal_name="CV Sangrai Preanger", nib=merchant.nib, npwp=None, monthly_capacity=1200, capacity_unit="kg",
        export_experience=ExportExperience.DIRECT,
        export_notes="Mengirim kopi sangrai ke kafe di Selangor dan Johor sejak 2022.", can_get_form_d=True))
    halal = certificate_pdf("SERTIFIKAT HALAL", [
        "Nomor: ID32110000123450923",
        "Nama Pelaku Usaha: CV SANGRAI PREANGER",
        "Produk: Kopi sangrai dan kopi bubuk arabika",
        "Badan Penyelenggara Jaminan Produk Halal (contoh dokumen untuk demo Serumpun)",
    ])
    verification.add_document(user, DocumentKind.HALAL, "sertifikat-halal.pdf", halal, "ID32110000123450923",
                              date(today.year + 3, 9, 30), documents, today)
    merchant.verification_status, merchant.verified_at, merchant.verified_by_id = status, verified_at, verified_by


def _seed_report() -> None:
    if db.session.scalar(select(ListingReport.id).limit(1)) is not None:
        return
    buyer = accounts.find_user_by_email("buyer.penang@serumpun.example")
    herbal = accounts.find_user_by_email("herbal@serumpun.example")
    if buyer is None or herbal is None or herbal.merchant_profile is None:
        return
    product = db.session.scalar(select(Product).where(Product.merchant_id == herbal.merchant_profile.id,
                                                      Product.status == ProductStatus.PUBLISHED)
                                .order_by(Product.id).limit(1))
    if product is not None:
        moderation.report_listing(buyer, product.id, "misleading",
                                  "The description says it cures skin diseases. Is that claim allowed? "
                                  "No NPRA notification is shown.")
