"""CSV export and import of a merchant's products.

Import runs every row through the same product form and rules as the web page,
lists each problem (line, field, message), and writes nothing until the whole
file is clean and the merchant confirms.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..accounts.models import User
from ..core.errors import DomainError
from ..extensions import db
from . import services
from .forms import MAX_TIERS, CentimetreField, ProductForm, product_data_from
from .models import Product

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000

COLUMNS = [
    "sku", "name_id", "name_en", "description_id", "description_en", "category", "hs_code", "price_idr", "stock",
    "moq", "made_to_order_days", "tiers", "packed_weight_g", "box_length_cm", "box_width_cm", "box_height_cm",
    "net_content", "net_content_unit", "units_per_carton", "packaging_material", "recyclable", "plastic_free",
    "shelf_life_days", "storage_note", "label_languages", "halal_body", "halal_body_name", "halal_number",
    "halal_expires_on", "food_registration", "food_registration_number", "npra_notification",
]
EXPORT_ONLY = ["status", "url"]
REQUIRED = ["sku"]  # other columns may be left out: an update keeps what the file does not mention
YES = {"yes", "y", "ya", "true", "1", "ja"}
NO = {"no", "n", "tidak", "false", "0", ""}
# CSV column -> form field, where they differ.
FORM_NAMES = {"price_idr": "price"}


class CsvUnreadable(DomainError):
    pass


@dataclass
class RowResult:
    line: int
    sku: str
    action: str  # "create" or "update"
    problems: list[tuple[str, object]] = field(default_factory=list)
    data: services.ProductData | None = None
    product_id: int | None = None


@dataclass
class ImportPreview:
    rows: list[RowResult] = field(default_factory=list)
    file_problems: list[object] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_problems and bool(self.rows) and all(not r.problems for r in self.rows)

    @property
    def problem_count(self) -> int:
        return len(self.file_problems) + sum(len(r.problems) for r in self.rows)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A cell that a spreadsheet shows as text, never runs as a formula ("=HYPERLINK(...)")."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _uncell(value: str) -> str:
    """Undo _cell on the way back in."""
    return value[1:] if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_STARTS) else value


def product_row(product: Product) -> dict[str, str]:
    """A product in the CSV format (without the export-only columns)."""
    d = services.product_data(product)
    cm = [CentimetreField.format(mm) if mm is not None else "" for mm in
          (d.box_length_mm, d.box_width_mm, d.box_height_mm)]
    row = {
        **{name: getattr(d, name) for name in COLUMNS if hasattr(d, name)},
        "price_idr": d.price_idr,
        "tiers": ";".join(f"{t.min_quantity}:{t.unit_price_idr}" for t in d.tiers),
        "box_length_cm": cm[0], "box_width_cm": cm[1], "box_height_cm": cm[2],
        "recyclable": _yes_no(d.recyclable), "plastic_free": _yes_no(d.plastic_free),
        "label_languages": ";".join(d.label_languages),
        "halal_expires_on": d.halal_expires_on.isoformat() if d.halal_expires_on else "",
    }
    return {column: "" if row.get(column) is None else str(row[column]) for column in COLUMNS}


def export_products(user: User, product_url: Callable[[Product], str]) -> str:
    """Every product of the merchant, one row each, in the import's own format."""
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(out)
    writer.writerow(COLUMNS + EXPORT_ONLY)
    for product in sorted(services.list_own_products(user), key=lambda p: p.sku.lower()):
        row = product_row(product)
        writer.writerow([_cell(row[c]) for c in COLUMNS] + [product.status.value, product_url(product)])
    return out.getvalue()


def decode_upload(raw: bytes) -> str:
    if not raw.strip():
        raise CsvUnreadable(_l("The file is empty. Choose a CSV file exported from a spreadsheet."))
    if len(raw) > MAX_BYTES:
        raise CsvUnreadable(_l("The file is larger than 2 MB. Split it into smaller files."))
    if b"\x00" in raw:
        raise CsvUnreadable(_l("This is not a CSV file. In your spreadsheet, choose Save as, then CSV."))
    # A UTF-8 mark at the start means UTF-8: a bad byte after it is damage, not Windows-1252.
    for encoding in ("utf-8-sig",) if raw.startswith(b"\xef\xbb\xbf") else ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvUnreadable(_l("The file's characters could not be read. Save it as CSV UTF-8."))


def _rows(content: str) -> tuple[list[str], list[tuple[int, dict]]]:
    content = content.lstrip("\ufeff")
    first_line = content.split("\n", 1)[0]
    # Spreadsheets set to Indonesian write semicolons, since the comma is their decimal mark.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = []
    for record in reader:
        values = {k: _uncell((v or "").strip()) for k, v in record.items() if k and isinstance(v, str)}
        rows.append((reader.line_num, values))
        if len(rows) > MAX_ROWS:
            break
    return header, rows


def _form_data(row: dict) -> tuple[MultiDict, list[tuple[str, object]]]:
    problems = []
    data = MultiDict()
    for column in COLUMNS:
        value = row.get(column, "")
        if column in ("recyclable", "plastic_free"):
            if value.lower() not in YES | NO:
                problems.append((column, _l("Write yes or no.")))
            elif value.lower() in YES:
                data[column] = "y"
        elif column == "label_languages":
            for code in filter(None, (c.strip().lower() for c in value.replace(",", ";").split(";"))):
                data.add(column, code)
        elif column == "tiers":
            parts = [p.strip() for p in value.split(";") if p.strip()]
            if len(parts) > MAX_TIERS:
                problems.append(("tiers", _l("At most %(n)d wholesale tiers.", n=MAX_TIERS)))
                parts = parts[:MAX_TIERS]
            for index, part in enumerate(parts):
                quantity, _, price = part.partition(":")
                if not price:
                    problems.append(("tiers", _l("Write tiers as quantity:price;quantity:price, like 10:42000;50:40000.")))
                    break
                data[f"tiers-{index}-min_quantity"] = quantity.strip()
                data[f"tiers-{index}-unit_price"] = price.strip()
        elif column == "made_to_order_days":
            data["processing"] = "made_to_order" if value else "ready"
            data[column] = value
        elif column == "hs_code" and re.fullmatch(r"[0-9]{5}", value):
            data[column] = "0" + value  # spreadsheets drop the leading zero of chapters 01-09
        elif column == "halal_expires_on":
            data[column] = _iso_date(value)
        else:
            data[FORM_NAMES.get(column, column)] = value
    return data, problems


def _iso_date(value: str) -> str:
    """2029-01-31, as typed or as a spreadsheet rewrote it (31/01/2029, 31-01-2029)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    return value  # the form says what is wrong with it


def _form_problems(form: ProductForm) -> list[tuple[str, object]]:
    columns = {v: k for k, v in FORM_NAMES.items()}
    problems = []
    for name, messages in form.errors.items():
        if name == "tiers":
            problems.append(("tiers", _l("Check the wholesale tiers: quantities of at least 2 and prices in rupiah.")))
            continue
        for message in messages:
            problems.append((columns.get(name, name), message))
    return problems


def preview_import(user: User, content: str) -> ImportPreview:
    """Check every row as if it were typed into the product form; change nothing."""
    preview = ImportPreview()
    try:
        header, rows = _rows(content)
    except csv.Error:
        preview.file_problems.append(_l("The file could not be read as CSV: a cell may be too long or a quote "
                                        "left open."))
        return preview
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS and c not in EXPORT_ONLY]
    if missing:
        preview.file_problems.append(_l("These columns are missing: %(columns)s.", columns=", ".join(missing)))
    if unknown:
        preview.file_problems.append(_l("These columns are not known: %(columns)s.", columns=", ".join(unknown)))
    if len(rows) > MAX_ROWS:
        preview.file_problems.append(_l("A file can have at most %(n)d products.", n=MAX_ROWS))
    if not rows and not missing:
        preview.file_problems.append(_l("The file has no products in it."))
    if preview.file_problems:
        return preview

    merchant = user.merchant_profile
    existing = {p.sku.lower(): p for p in db.session.scalars(select(Product).where(Product.merchant_id == merchant.id))}
    seen: dict[str, int] = {}
    for line, row in rows:
        sku = row.get("sku", "")
        product = existing.get(sku.lower())
        result = RowResult(line=line, sku=sku, action="update" if product else "create",
                           product_id=product.id if product else None)
        # A column the file does not have keeps its value: importing a price list changes only prices.
        full_row = {**(product_row(product) if product else {"moq": "1"}),
                    **{column: value for column, value in row.items() if column in header}}
        data, result.problems = _form_data(full_row)
        form = ProductForm(formdata=data, meta={"csrf": False})
        if not form.validate():
            result.problems += _form_problems(form)
        elif not result.problems:
            parsed = product_data_from(form)
            result.problems += [(columns_for(p.field), p.message)
                                for p in services.check_product(merchant, parsed, product)]
            result.data = parsed
        if sku and sku.lower() in seen:
            result.problems.append(("sku", _l("This SKU is also on line %(line)d.", line=seen[sku.lower()])))
        seen.setdefault(sku.lower(), line)
        preview.rows.append(result)
    return preview


def columns_for(form_field: str) -> str:
    if form_field.startswith("tiers"):
        return "tiers"
    return {v: k for k, v in FORM_NAMES.items()}.get(form_field, form_field)


def apply_import(user: User, preview: ImportPreview) -> tuple[int, int]:
    """Write a clean preview: create new SKUs, update existing ones."""
    created = updated = 0
    for row in preview.rows:
        if row.product_id is None:
            services.create_product(user, row.data)
            created += 1
        else:
            services.update_product(user, row.product_id, row.data)
            updated += 1
    return created, updated
