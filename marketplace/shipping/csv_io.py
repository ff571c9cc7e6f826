"""Courier services as CSV: exported for a spreadsheet, imported back (by code) all or nothing."""
from __future__ import annotations

import csv
import io

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ..core.errors import DomainError
from . import couriers
from .forms import CourierServiceForm, service_data_from

COLUMNS = ["code", "name", "name_id", "name_ms", "level", "volumetric_divisor", "weight_step_g", "max_weight_g", "max_longest_cm",
           "max_sum_cm", "transit_min_days", "transit_max_days", "west_first", "west_next", "east_first", "east_next",
           "tracking_url_template", "active", "sample"]


def export_services() -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for service in couriers.list_services():
        west, east = service.rate_for("west"), service.rate_for("east")
        writer.writerow([
            service.code, service.name, service.name_id or "", service.name_ms or "", service.level, service.volumetric_divisor, service.weight_step_g,
            service.max_weight_g, service.max_longest_mm // 10, service.max_sum_mm // 10, service.transit_min_days,
            service.transit_max_days, west.first_step_idr if west else "", west.next_step_idr if west else "",
            east.first_step_idr if east else "", east.next_step_idr if east else "",
            service.tracking_url_template or "", "yes" if service.active else "no", "yes" if service.sample else "no",
        ])
    return out.getvalue()


class ImportRefused(DomainError):
    """Some rows are wrong: each problem is (line, column, message), and nothing is saved."""

    def __init__(self, problems: list[tuple[int, str, object]]):
        self.problems = problems
        super().__init__(problems[0][2], field=problems[0][1])


def import_services(actor, content: str) -> int:
    """Check every row with the officers' form; save them all (and return how many) only if every row is right."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline=""))
    problems: list[tuple[int, str, object]] = []
    rows: list[tuple[int, CourierServiceForm]] = []
    seen: dict[str, int] = {}  # code -> the line it was first on
    existing = {s.code: s for s in couriers.list_services()}
    try:
        for record in reader:
            data = MultiDict({k.strip().lower(): (v or "").strip() for k, v in record.items() if k and isinstance(v, str)})
            known = existing.get(data.get("code", ""))
            for column in ("name_id", "name_ms"):
                if column not in data and known is not None:
                    # A file from before the names in other languages: keep the ones the service has.
                    data[column] = getattr(known, column) or ""
            for flag in ("active", "sample"):
                if data.get(flag, "").lower() in ("yes", "ya", "y", "1", "true"):
                    data[flag] = "y"
                else:
                    data.pop(flag, None)
            form = CourierServiceForm(formdata=data, meta={"csrf": False})
            if not form.validate():
                problems += [(reader.line_num, name, message) for name, messages in form.errors.items()
                             for message in messages]
            elif form.code.data in seen:
                problems.append((reader.line_num, "code", _l("This code is already on line %(line)d.",
                                                             line=seen[form.code.data])))
            else:
                seen[form.code.data] = reader.line_num
                rows.append((reader.line_num, form))
    except csv.Error:
        problems.append((reader.line_num, "file", _l("The file could not be read as CSV.")))
    if problems or not rows:
        raise ImportRefused(problems or [(1, "file", _l("The file has no services in it."))])
    for line, form in rows:
        known = existing.get(form.code.data)
        try:
            couriers.save_service(actor, known.id if known else None, service_data_from(form))
        except couriers.ServiceRefused as refusal:  # the caller's unit of work rolls back what was flushed
            raise ImportRefused([(line, refusal.field, refusal.message)]) from refusal
    return len(rows)
