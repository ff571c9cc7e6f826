"""A showcase's line sheet as an A4 PDF: one block per product with its photo, terms and a QR code.

ReportLab draws it (a pure wheel: no system library to install, unlike HTML-to-PDF engines) with the
Bitstream Vera fonts ReportLab ships, and segno makes the QR codes, drawn as vector squares so that they
scan from any printer. Everything here is plain data in, bytes out: the texts arrive translated and
formatted (see sheet.py), so this module knows nothing of Flask, the database or the reader.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONT, FONT_BOLD = "SerumpunVera", "SerumpunVeraBold"
INK = colors.HexColor("#2b2622")
MUTED = colors.HexColor("#6b625a")
RULE = colors.HexColor("#d9d1c7")
PHOTO = 34 * mm
QR_SIZE = 30 * mm


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "VeraBd.ttf")))


@dataclass(frozen=True)
class Entry:
    """One product as the sheet prints it; every text already in the reader's language."""

    name: str
    url: str  # the product's page: printed, and in the QR code
    lines: tuple[str, ...]  # minimum order, prices per tier, delivered price, certificates
    contact: tuple[str, ...]  # the merchant: name, place, phone where the reader may see it
    photo: bytes | None = None  # a JPEG


@dataclass(frozen=True)
class Sheet:
    title: str
    subtitle: str  # the event and its dates, or the theme
    notes: tuple[str, ...]  # the rate used, what the delivered price assumes
    footer: str
    accent: str = "#b4532a"
    entries: tuple[Entry, ...] = field(default_factory=tuple)
    empty: str = ""


class QrCode(Flowable):
    """A QR code drawn square by square from segno's matrix, with its quiet zone."""

    def __init__(self, data: str, size: float = QR_SIZE):
        super().__init__()
        self.code = segno.make(data, error="m", micro=False)
        self.size = size
        self.width = self.height = size

    def draw(self):
        rows = list(self.code.matrix_iter(border=4))
        cell = self.size / len(rows)
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for r, row in enumerate(rows):
            y = self.size - (r + 1) * cell
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    # A run of dark modules as one rectangle, a hair wider so that no seam shows between runs.
                    canvas.rect(start * cell, y, (c - start) * cell, cell * 1.02, stroke=0, fill=1)
                else:
                    c += 1


def _styles(accent) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=18, leading=22, textColor=INK),
        "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=10.5, leading=14, textColor=accent),
        "note": ParagraphStyle("note", fontName=FONT, fontSize=7.5, leading=9.5, textColor=MUTED),
        "name": ParagraphStyle("name", fontName=FONT_BOLD, fontSize=11, leading=13.5, textColor=INK),
        "line": ParagraphStyle("line", fontName=FONT, fontSize=8.5, leading=11, textColor=INK),
        "contact": ParagraphStyle("contact", fontName=FONT, fontSize=8, leading=10, textColor=MUTED),
        "url": ParagraphStyle("url", fontName=FONT, fontSize=6.5, leading=8, textColor=MUTED, alignment=TA_RIGHT),
    }


def _photo(data: bytes | None):
    if not data:
        return Spacer(PHOTO, PHOTO)
    reader = ImageReader(io.BytesIO(data))
    width, height = reader.getSize()
    scale = min(PHOTO / width, PHOTO / height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale)


def render(sheet: Sheet) -> bytes:
    """The sheet as PDF bytes."""
    _fonts()
    accent = colors.HexColor(sheet.accent)
    styles = _styles(accent)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                                 bottomMargin=16 * mm, title=sheet.title, author="Serumpun",
                                 subject=sheet.subtitle, creator="Serumpun")
    story: list = [Paragraph(escape(sheet.title), styles["title"])]
    if sheet.subtitle:
        story.append(Paragraph(escape(sheet.subtitle), styles["subtitle"]))
    story.append(Spacer(1, 2 * mm))
    story += [Paragraph(escape(note), styles["note"]) for note in sheet.notes]
    story.append(Spacer(1, 4 * mm))
    text_width = A4[0] - 28 * mm - PHOTO - QR_SIZE - 8 * mm
    for entry in sheet.entries:
        middle = [Paragraph(escape(entry.name), styles["name"]), Spacer(1, 1 * mm)]
        middle += [Paragraph(escape(line), styles["line"]) for line in entry.lines]
        middle.append(Spacer(1, 1.5 * mm))
        middle += [Paragraph(escape(line), styles["contact"]) for line in entry.contact]
        right = [QrCode(entry.url), Paragraph(escape(entry.url), styles["url"])]
        table = Table([[_photo(entry.photo), middle, right]], colWidths=[PHOTO + 4 * mm, text_width, QR_SIZE + 4 * mm])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 3 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
        ]))
        story.append(KeepTogether([table]))
    if not sheet.entries and sheet.empty:
        story.append(Paragraph(escape(sheet.empty), styles["line"]))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFillColor(accent)
        canvas.rect(0, A4[1] - 5 * mm, A4[0], 5 * mm, stroke=0, fill=1)
        canvas.setFont(FONT, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(14 * mm, 9 * mm, sheet.footer)
        canvas.drawRightString(A4[0] - 14 * mm, 9 * mm, str(doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
