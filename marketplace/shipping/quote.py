"""Parcel quotes as pure functions over plain data: no Flask, no database.

Weights are grams, lengths millimetres, money whole rupiah.

How the box of a parcel is estimated (several items from one merchant travel in one box): the
items' total volume plus 10% room for padding, packed as near to a cube as the items allow. Each
side is at least the cube's side and at least the matching side of the largest item; the height
then makes up the volume. So the box is never smaller than the largest item, and grows with the
order the way a packer's carton does, rather than into a tower.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

PACKING_ROOM = 1.10


@dataclass(frozen=True)
class Item:
    """One product line of the parcel: its packed weight and box, and how many."""

    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    quantity: int = 1
    product_id: int | None = None

    @property
    def volume_mm3(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm


@dataclass(frozen=True)
class Rate:
    first_step_idr: int  # the first weight step
    next_step_idr: int  # each further step


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    level: str  # express, postal, economy
    divisor: int  # volumetric divisor, cm3 per kg
    step_g: int
    max_weight_g: int
    max_longest_mm: int
    max_sum_mm: int  # length + width + height
    transit_min: int
    transit_max: int
    rates: dict[str, Rate]  # by zone: "west", "east"
    sample: bool = False  # sample figures, not a courier's price list


@dataclass(frozen=True)
class Box:
    length_mm: int
    width_mm: int
    height_mm: int

    @property
    def longest_mm(self) -> int:
        return max(self.length_mm, self.width_mm, self.height_mm)

    @property
    def sum_mm(self) -> int:
        return self.length_mm + self.width_mm + self.height_mm


@dataclass(frozen=True)
class Parcel:
    items: tuple[Item, ...]
    weight_g: int
    box: Box


@dataclass(frozen=True)
class Option:
    service: Service
    parcels: tuple[Parcel, ...]
    chargeable_g: tuple[int, ...]  # per box
    box_prices_idr: tuple[int, ...]  # per box

    @property
    def price_idr(self) -> int:
        return sum(self.box_prices_idr)


@dataclass(frozen=True)
class Refusal:
    service: Service
    reason: str  # too_heavy_item, too_long, too_big, no_rate


@dataclass
class Quote:
    options: list[Option] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def cheapest(self) -> Option | None:
        return min(self.options, key=lambda o: (o.price_idr, o.service.transit_max), default=None)

    @property
    def fastest(self) -> Option | None:
        return min(self.options, key=lambda o: (o.service.transit_max, o.service.transit_min, o.price_idr),
                   default=None)


def estimate_box(items: tuple[Item, ...] | list[Item]) -> Box:
    """The documented estimate (see the module text); one single item keeps its own box."""
    if not items:
        raise ValueError("a parcel needs at least one item")
    if len(items) == 1 and items[0].quantity == 1:
        only = items[0]
        return Box(only.length_mm, only.width_mm, only.height_mm)
    sides = [sorted((i.length_mm, i.width_mm, i.height_mm), reverse=True) for i in items]
    volume = sum(i.volume_mm3 * i.quantity for i in items) * PACKING_ROOM
    cube = volume ** (1 / 3)
    length = _to_cm(max(cube, max(s[0] for s in sides)))
    width = _to_cm(max(cube, max(s[1] for s in sides)))
    height = _to_cm(max(max(s[2] for s in sides), volume / (length * width)))
    return Box(length, width, height)


def _to_cm(mm: float) -> int:
    """Cartons come in whole centimetres: round up."""
    return math.ceil(mm / 10) * 10


def parcel_of(items: tuple[Item, ...] | list[Item]) -> Parcel:
    items = tuple(items)
    return Parcel(items=items, weight_g=sum(i.weight_g * i.quantity for i in items), box=estimate_box(items))


def volumetric_g(box: Box, divisor: int) -> int:
    """L x W x H in cm, divided by the service's divisor, in grams (rounded up)."""
    cm3 = box.length_mm * box.width_mm * box.height_mm / 1000
    return math.ceil(cm3 * 1000 / divisor)


def chargeable_g(parcel: Parcel, service: Service) -> int:
    """The larger of actual and volumetric weight, rounded up to the service's step."""
    weight = max(parcel.weight_g, volumetric_g(parcel.box, service.divisor))
    return max(1, math.ceil(weight / service.step_g)) * service.step_g


def price_idr(chargeable: int, rate: Rate, step_g: int) -> int:
    steps = chargeable // step_g
    return rate.first_step_idr + max(0, steps - 1) * rate.next_step_idr


def fits(items: tuple[Item, ...], service: Service) -> str | None:
    """None when one box of these items is within the service's limits, else the first limit broken."""
    return parcel_refusal(parcel_of(items), service)


def parcel_refusal(parcel: Parcel, service: Service) -> str | None:
    """fits() for a parcel already estimated."""
    if parcel.weight_g > service.max_weight_g:
        return "too_heavy_item"
    if parcel.box.longest_mm > service.max_longest_mm:
        return "too_long"
    if parcel.box.sum_mm > service.max_sum_mm or chargeable_g(parcel, service) > service.max_weight_g:
        return "too_big"  # too large, or billed by its size above what the service carries
    return None


def split(items: tuple[Item, ...] | list[Item], service: Service) -> list[tuple[Item, ...]] | str:
    """Units into boxes the service can carry, by weight and by size; or why one unit alone cannot go.

    Each box is filled line by line, heaviest first, with as many units of each line as still fit
    (found by halving, since a box only grows as units are added); a box that the remaining units
    would fill again identically is repeated by arithmetic. So a large order costs a few box
    estimates per kind of box, not one per unit.
    """
    lines = sorted(items, key=lambda i: -i.weight_g)
    for line in lines:
        reason = fits((replace(line, quantity=1),), service)
        if reason:
            return reason
    remaining = [line.quantity for line in lines]
    boxes: list[tuple[Item, ...]] = []
    while any(remaining):
        taken: list[tuple[int, int]] = []  # (line, units) in this box
        for index in range(len(lines)):
            inside = tuple(replace(lines[i], quantity=n) for i, n in taken)
            low, high = 0, remaining[index]  # the most units of this line that still fit
            while low < high:
                middle = (low + high + 1) // 2
                if fits((*inside, replace(lines[index], quantity=middle)), service) is None:
                    low = middle
                else:
                    high = middle - 1
            if low:
                taken.append((index, low))
                remaining[index] -= low
        packed = tuple(replace(lines[i], quantity=n) for i, n in taken)
        # While every line of this box has as many units left again, the next box comes out the same.
        repeat = 1 + min(remaining[i] // n for i, n in taken)
        boxes.extend([packed] * repeat)
        for i, n in taken:
            remaining[i] -= n * (repeat - 1)
    return boxes


def quote(items: list[Item], services: list[Service], zone: str) -> Quote:
    """What each service would charge to carry these items to the zone, and why others cannot."""
    result = Quote()
    # The whole order in one box, estimated once for every service: the usual case, and what split() finds
    # whenever the service can carry it.
    whole = parcel_of(tuple(sorted(items, key=lambda i: -i.weight_g))) if items else None
    for service in services:
        rate = service.rates.get(zone)
        if rate is None:
            result.refusals.append(Refusal(service, "no_rate"))
            continue
        if whole is not None and parcel_refusal(whole, service) is None:
            charged = chargeable_g(whole, service)
            result.options.append(Option(service, (whole,), (charged,), (price_idr(charged, rate, service.step_g),)))
            continue
        groups = split(tuple(items), service)
        if isinstance(groups, str):
            result.refusals.append(Refusal(service, groups))
            continue
        # Boxes repeat in a large order: each kind is estimated and priced once.
        kinds: dict[tuple[Item, ...], tuple[Parcel, int, int]] = {}
        for group in groups:
            if group not in kinds:
                parcel = parcel_of(group)
                charged = chargeable_g(parcel, service)
                kinds[group] = (parcel, charged, price_idr(charged, rate, service.step_g))
        boxes = [kinds[group] for group in groups]
        result.options.append(Option(service, tuple(b[0] for b in boxes), tuple(b[1] for b in boxes),
                                     tuple(b[2] for b in boxes)))
    return result


def zone_prices(chargeable: int, service: Service) -> dict[str, int]:
    """What one box billed at this weight costs to each zone the service goes to."""
    return {zone: price_idr(chargeable, rate, service.step_g) for zone, rate in service.rates.items()}


@dataclass(frozen=True)
class BoxCheck:
    service: Service
    volumetric_g: int
    chargeable_g: int
    refusal: str | None  # None when the service can carry the box
    price_idr: dict[str, int]  # by zone, for one box; empty when refused


@dataclass(frozen=True)
class Advice:
    service: Service
    billed_g: int  # what the box is billed as now, because of its size
    smaller_box: Box
    smaller_billed_g: int
    saving_idr: dict[str, int]  # by zone, per box sent in the smaller one


def check_box(weight_g: int, box: Box, services: list[Service]) -> tuple[list[BoxCheck], Advice | None]:
    """How each service bills one packed product, and a smaller box when the size costs money."""
    parcel = Parcel(items=(Item(weight_g, box.length_mm, box.width_mm, box.height_mm),), weight_g=weight_g, box=box)
    checks, advice = [], None
    for service in services:
        refusal = None
        if weight_g > service.max_weight_g:
            refusal = "too_heavy_item"
        elif box.longest_mm > service.max_longest_mm:
            refusal = "too_long"
        elif box.sum_mm > service.max_sum_mm:
            refusal = "too_big"
        charged = chargeable_g(parcel, service)
        if charged > service.max_weight_g and refusal is None:
            refusal = "too_big"  # billed by size above what the service carries

        checks.append(BoxCheck(service, volumetric_g(box, service.divisor), charged, refusal,
                               zone_prices(charged, service) if refusal is None else {}))
        by_weight = max(1, math.ceil(weight_g / service.step_g)) * service.step_g
        if refusal is None and charged > by_weight and advice is None:
            # The same proportions, shrunk until the volume bills no more than the weight does.
            target_mm3 = by_weight * service.divisor  # grams x cm3/kg = mm3
            factor = (target_mm3 / (box.length_mm * box.width_mm * box.height_mm)) ** (1 / 3)
            smaller = Box(*(max(10, math.floor(side * factor / 10) * 10) for side in
                            (box.length_mm, box.width_mm, box.height_mm)))
            smaller_billed = chargeable_g(Parcel(parcel.items, weight_g, smaller), service)
            now, then = zone_prices(charged, service), zone_prices(smaller_billed, service)
            advice = Advice(service, charged, smaller, smaller_billed, {zone: now[zone] - then[zone] for zone in now})
    return checks, advice
