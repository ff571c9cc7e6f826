"""Balances and statements as CSV files for spreadsheets (Python's csv module; amounts as plain integers)."""
from __future__ import annotations

import csv
import io

from . import services

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BALANCE_COLUMNS = ["merchant_id", "merchant", "balance_idr", "entries", "last_entry_on"]
# reference: the parcel's number for sales, commissions and refunds, the bank's for payouts.
STATEMENT_COLUMNS = ["entry_id", "entry_date", "kind", "reference", "amount_idr", "balance_idr",
                     "commission_percent", "note", "recorded_at_utc"]


def _text(value) -> str:
    """Typed text as a spreadsheet shows it, never run as a formula ("=HYPERLINK(...)")."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _writer() -> tuple[io.StringIO, csv.writer]:
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    return out, csv.writer(out)


def export_balances() -> str:
    """Every merchant with an entry: what Serumpun owes it now."""
    out, writer = _writer()
    writer.writerow(BALANCE_COLUMNS)
    for row in services.balances():
        writer.writerow([row.merchant_id, _text(row.name), row.balance_idr, row.entries,
                         row.last_entry_on.isoformat() if row.last_entry_on else ""])
    return out.getvalue()


def export_statement(merchant_id: int) -> str:
    """One merchant's entries, oldest first, with the balance after each."""
    out, writer = _writer()
    writer.writerow(STATEMENT_COLUMNS)
    lines, _ = services.statement(merchant_id, per_page=None, newest_first=False)
    for line in lines:
        entry = line.entry
        percent = "" if entry.basis_points is None else services.percent_text(entry.basis_points)
        writer.writerow([entry.id, entry.entry_date.isoformat(), entry.kind,
                         _text(entry.reference), entry.amount_idr, line.balance_idr,
                         percent, _text(entry.note), entry.created_at.isoformat(timespec="seconds")])
    return out.getvalue()
