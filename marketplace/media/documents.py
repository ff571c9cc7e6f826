"""Documents merchants upload for their verification (certificates): PDFs or images, checked before they are kept.

A PDF must start with the PDF signature, be at most 10 MB, open with pypdf without a password and have
between 1 and MAX_PAGES pages; it is kept byte for byte, since a certificate's own file is the evidence.
An image goes through the photo pipeline's decoder (JPEG, PNG or WebP by content, size and pixel limits)
and is kept re-encoded as one JPEG with no metadata. No Flask here.
"""
from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from .pipeline import MAX_BYTES, ImageRejected, process_document_image

PDF_SIGNATURE = b"%PDF-"
MAX_PAGES = 30
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckedDocument:
    name: str  # sha256 of the bytes kept, with the extension
    data: bytes
    content_type: str
    pages: int | None


def _pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImageRejected("encrypted")
        pages = len(reader.pages)
        for page in reader.pages:  # every page's tree must be readable: an officer will open it
            _ = page.mediabox
    except ImageRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf has many ways to say "not a PDF I can read"
        log.info("refused a PDF: %r", exc)
        raise ImageRejected("broken", str(exc)[:200]) from exc
    if pages < 1:
        raise ImageRejected("broken", "no pages")
    if pages > MAX_PAGES:
        raise ImageRejected("pages", str(pages))
    return pages


def check_document(data: bytes) -> CheckedDocument:
    """The file as it will be kept, or ImageRejected with a code (empty, too_large, format, broken, encrypted,
    pages, dimensions, bomb)."""
    if not data:
        raise ImageRejected("empty")
    if len(data) > MAX_BYTES:
        raise ImageRejected("too_large", f"{len(data)} bytes")
    if data.startswith(PDF_SIGNATURE):
        pages = _pdf_pages(data)
        return CheckedDocument(f"{hashlib.sha256(data).hexdigest()}.pdf", data, "application/pdf", pages)
    try:
        encoded = process_document_image(data)
    except ImageRejected as rejection:
        if rejection.code == "format":
            raise ImageRejected("format", "neither a PDF nor an image") from rejection
        raise
    return CheckedDocument(encoded.name, encoded.data, encoded.content_type, None)
