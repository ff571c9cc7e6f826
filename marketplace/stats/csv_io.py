"""Every table of the dashboard as a CSV file: plain integers (rupiah; ringgit in sen), ISO dates and codes,
with names in the reader's language beside the codes."""
from __future__ import annotations

import csv
import io

from ..core.places import state_name
from ..core.taxonomy import category_name
from .figures import Figures

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TABLES = ("months", "merchants", "orders", "categories", "states", "rates")


def _text(value) -> str:
    """Text as a spreadsheet shows it, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows(figures: Figures, table: str, status_names: dict) -> list[list]:
    """The table's header and rows (status_names: how the reader's language names each status)."""
    if table == "months":
        return [["month", "paid_orders", "export_idr", "export_myr_sen"],
                *[[m.month.strftime("%Y-%m"), m.orders, m.idr, m.sen] for m in figures.months]]
    if table == "merchants":
        return [["verification_status", "name", "merchants"],
                *[[status.value, _text(status_names.get(status, status.value)), count]
                  for status, count in figures.merchants.items()]]
    if table == "orders":
        return [["status", "name", "orders_placed"],
                *[[status.value, _text(status_names.get(status, status.value)), count]
                  for status, count in figures.orders_placed.items()]]
    if table == "categories":
        return [["category", "name", "published_products", "units", "export_idr", "export_myr_sen"],
                *[[c.code or "", _text(category_name(c.code) if c.code else ""), c.published, c.units, c.idr, c.sen]
                  for c in figures.categories]]
    if table == "states":
        return [["state", "name", "buyers", "paid_orders", "export_idr", "export_myr_sen"],
                *[[s.code, _text(state_name(s.code)), s.buyers, s.orders, s.idr, s.sen] for s in figures.states]]
    if table == "rates":
        return [["currency", "idr_per_unit", "effective_on", "age_days", "stale", "source"],
                *[[r.rate.currency, format(r.rate.idr_per_unit, "f"), r.rate.effective_on.isoformat(), r.age_days,
                   "yes" if r.stale else "no", _text(r.rate.source)] for r in figures.rates]]
    raise KeyError(table)


def export(figures: Figures, table: str, status_names: dict) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    csv.writer(out).writerows(rows(figures, table, status_names))
    return out.getvalue()
