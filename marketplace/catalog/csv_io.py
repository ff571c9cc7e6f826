"""CSV export and import of a merchant's products.

Import runs every row through the same product form and rules as the web page,
lists each problem (line, field, message), and writes nothing until the whole
file is clean and the merchant confirms.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..accounts.models import User
from ..core.errors import DomainError
from ..extensions import db
from . import services
from .forms import CentimetreField, ProductForm, product_data_from
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
REQUIRED = ["sku", "name_id", "category", "price_idr", "stock"]
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


def export_products(user: User) -> str:
    """Every product of the merchant, one row each, in the import's own format."""
    from flask import url_for

    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(out)
    writer.writerow(COLUMNS + EXPORT_ONLY)
    for product in sorted(services.list_own_products(user), key=lambda p: p.sku.lower()):
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
            "status": product.status.value,
            "url": url_for("catalog.product_page", product_id=product.id, _external=True),
        }
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in COLUMNS + EXPORT_ONLY])
    return out.getvalue()


def decode_upload(raw: bytes) -> str:
    if not raw.strip():
        raise CsvUnreadable(_l("The file is empty. Choose a CSV file exported from a spreadsheet."))
    if len(raw) > MAX_BYTES:
        raise CsvUnreadable(_l("The file is larger than 2 MB. Split it into smaller files."))
    if b"\x00" in raw[:4096]:
        raise CsvUnreadable(_l("This is not a CSV file. In your spreadsheet, choose Save as, then CSV."))
    for encoding in ("utf-8-sig", "cp1252"):
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
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in record.items() if k}))
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
            for index, part in enumerate(filter(None, (p.strip() for p in value.split(";")))):
                quantity, _, price = part.partition(":")
                if not price:
                    problems.append(("tiers", _l("Write tiers as quantity:price;quantity:price, like 10:42000;50:40000.")))
                    break
                data[f"tiers-{index}-min_quantity"] = quantity.strip()
                data[f"tiers-{index}-unit_price"] = price.strip()
        elif column == "made_to_order_days":
            data["processing"] = "made_to_order" if value else "ready"
            data[column] = value
        else:
            data[FORM_NAMES.get(column, column)] = value
    return data, problems


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
    header, rows = _rows(content)
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
        data, result.problems = _form_data(row)
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
