"""The papers of a parcel, read from what was copied at checkout: what goes in each box, and its customs data.

Nothing here is recomputed from live products or rules: the boxes and their CN22 / CN23 are the
declarations kept on the MerchantOrder when the order was placed.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..catalog.hs import customs_description
from ..customs.declaration import describe
from .models import MerchantOrder, ParcelStatus

ORIGIN_NAMES = {"ID": "Indonesia"}


@dataclass(frozen=True)
class BoxLine:
    description: str  # in English, as declared
    name_id: str | None  # the product's Indonesian name, for the one who packs
    hs_code: str
    quantity: int
    weight_g: int
    value_sen: int
    origin: str
    lvg_taxed: bool


@dataclass(frozen=True)
class BoxKind:
    """Identical boxes: how many, which numbers they carry (first..last), what each holds, its declaration."""

    first: int
    last: int
    form: str
    lines: tuple[BoxLine, ...]
    postage_sen: int
    currency: str
    category: str
    lvg_registration_number: str | None
    certificate_of_origin: str | None

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def weight_g(self) -> int:
        return sum(line.weight_g for line in self.lines)

    @property
    def value_sen(self) -> int:
        return sum(line.value_sen for line in self.lines)

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


def papers_ready(parcel: MerchantOrder) -> bool:
    """A packing slip and an invoice are for parcels that were paid; an unpaid one may never ship."""
    return parcel.status != ParcelStatus.PENDING_PAYMENT and parcel.order.paid_at is not None


def box_kinds(parcel: MerchantOrder) -> list[BoxKind]:
    """Each kind of box of the parcel, numbered 1..boxes in the order they were declared."""
    names = {}
    for line in parcel.lines:
        names.setdefault((line.hs_code, describe(customs_description(line.name_en, line.name_id, line.hs_code))),
                         line.name_id)
    kinds, number = [], 1
    for declared in parcel.declarations or []:
        count = int(declared.get("boxes") or 1)
        lines = tuple(BoxLine(
            description=item["description"], name_id=names.get((item["hs_code"], item["description"])),
            hs_code=item["hs_code"], quantity=item["quantity"], weight_g=item["weight_g"],
            value_sen=item["value_sen"], origin=item.get("origin") or "ID", lvg_taxed=bool(item.get("lvg_taxed")),
        ) for item in declared.get("lines", []))
        kinds.append(BoxKind(
            first=number, last=number + count - 1, form=declared["form"], lines=lines,
            postage_sen=declared.get("postage_sen") or 0, currency=declared.get("currency") or "MYR",
            category=declared.get("category") or "sale_of_goods",
            lvg_registration_number=declared.get("lvg_registration_number"),
            certificate_of_origin=declared.get("certificate_of_origin")))
        number += count
    return kinds


def units(parcel: MerchantOrder) -> int:
    """How many units the parcel holds, all lines together."""
    return sum(line.quantity for line in parcel.lines)
