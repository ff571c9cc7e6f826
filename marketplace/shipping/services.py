"""Courier data for quotes, and the delivered price of a product to a Malaysian state."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import MerchantProfile
from ..catalog.models import Product
from ..core.cache import PRICING, cached
from ..core.places import MALAYSIAN_STATES
from ..customs import declaration, landed
from ..customs.services import rules_in_force
from ..extensions import db
from ..money import Money, Rate, from_idr
from . import quote
from .models import CourierRate, CourierService


def quote_services() -> list[quote.Service]:
    """Active courier services as the quote engine wants them (cached until a courier service changes)."""

    def load() -> list[quote.Service]:
        rows = db.session.scalars(select(CourierService).where(CourierService.active.is_(True))
                                  .options(selectinload(CourierService.rates)).order_by(CourierService.id))
        return [quote.Service(
            code=s.code, name=s.name, level=s.level, divisor=s.volumetric_divisor, step_g=s.weight_step_g,
            max_weight_g=s.max_weight_g, max_longest_mm=s.max_longest_mm, max_sum_mm=s.max_sum_mm,
            transit_min=s.transit_min_days, transit_max=s.transit_max_days,
            rates={r.zone: quote.Rate(r.first_step_idr, r.next_step_idr) for r in s.rates}, sample=s.sample,
        ) for s in rows]

    return cached("couriers", (), load, versions=(PRICING,))


def shipping_myr(option: quote.Option, rate: Rate) -> Money:
    """The option's price in ringgit: each box is its own line, converted and rounded once."""
    per_price = Counter(option.box_prices_idr)
    return Money(sum(count * from_idr(price, rate).amount for price, count in per_price.items()), "MYR")


@dataclass(frozen=True)
class Delivered:
    option: quote.Option
    shipping: Money
    breakdown: landed.Breakdown
    arrives_min: int  # days from the order: processing plus transit
    arrives_max: int

    @property
    def total(self) -> Money:
        return Money(self.breakdown.total_sen, "MYR")


@dataclass(frozen=True)
class DeliveredPrice:
    state: str
    cheapest: Delivered | None
    fastest: Delivered | None
    refusals: tuple[quote.Refusal, ...]


PROCESSING_READY_DAYS = (1, 2)


def delivered_price(product: Product, quantity: int, state: str, rate: Rate | None, today: date) -> DeliveredPrice | None:
    """Cheapest and fastest ways to get this product to the state, tax included; None if it cannot be estimated."""
    if rate is None or rate.currency != "MYR" or state not in MALAYSIAN_STATES or not product.packed_weight_g \
            or product.box_length_mm is None or not product.hs_code:
        return None
    rules = rules_in_force(today)
    if rules is None:
        return None
    item = quote.Item(product.packed_weight_g, product.box_length_mm, product.box_width_mm, product.box_height_mm,
                      quantity, product.id)
    result = quote.quote([item], quote_services(), MALAYSIAN_STATES[state].zone)
    unit_sen = from_idr(product.unit_price_for(quantity), rate).amount
    making = (product.made_to_order_days, product.made_to_order_days) if product.made_to_order_days \
        else PROCESSING_READY_DAYS

    def delivered(option: quote.Option | None) -> Delivered | None:
        if option is None:
            return None
        shipping = shipping_myr(option, rate)
        breakdown = landed.landed_cost([landed.Line(product.hs_code, unit_sen, quantity)], shipping.amount, rules)
        return Delivered(option, shipping, breakdown, making[0] + option.service.transit_min,
                         making[1] + option.service.transit_max)

    return DeliveredPrice(state, delivered(result.cheapest), delivered(result.fastest), tuple(result.refusals))


def seed_sample_couriers() -> None:
    """Three services with plausible rates from Bandung, marked as sample data (not a courier's price list)."""
    if db.session.scalar(select(CourierService.id).limit(1)):
        return
    samples = [
        # code, name, level, divisor, step g, max g, longest cm, L+W+H cm, transit days, rates (first, next)
        ("express", "Express courier (DHL Express class)", "express", 5000, 500, 30_000, 120, 300, 1, 3,
         {"west": (310_000, 85_000), "east": (360_000, 98_000)}),
        ("pos-ems", "Pos Indonesia EMS", "postal", 5000, 500, 30_000, 105, 200, 3, 7,
         {"west": (195_000, 48_000), "east": (225_000, 56_000)}),
        ("economy", "Economy consolidated (J&T class)", "economy", 6000, 500, 20_000, 100, 300, 5, 10,
         {"west": (95_000, 32_000), "east": (125_000, 41_000)}),
    ]
    for code, name, level, divisor, step, max_g, longest, total, tmin, tmax, rates in samples:
        db.session.add(CourierService(
            code=code, name=name, level=level, volumetric_divisor=divisor, weight_step_g=step, max_weight_g=max_g,
            max_longest_mm=longest * 10, max_sum_mm=total * 10, transit_min_days=tmin,
            transit_max_days=tmax, sample=True,
            rates=[CourierRate(zone=zone, first_step_idr=first, next_step_idr=nxt) for zone, (first, nxt) in rates.items()],
        ))
    db.session.flush()


@dataclass(frozen=True)
class MerchantParcel:
    merchant: object  # MerchantProfile
    actual_g: int
    quote: quote.Quote
    landed: landed.Breakdown | None  # with the cheapest service
    declarations: tuple[tuple[int, declaration.Declaration], ...] = ()  # (boxes, CN22 / CN23) with the cheapest


@dataclass(frozen=True)
class OrderQuote:
    state: str
    parcels: tuple[MerchantParcel, ...]


class QuoteRefused(ValueError):
    """The request cannot be quoted; the message says why (for a 400)."""


def state_code(value: str) -> str | None:
    """"Selangor", "selangor", "MY-10" or "Pulau Pinang": the ISO code, or None."""
    from flask_babel import force_locale

    wanted = (value or "").strip().lower()
    for code, state in MALAYSIAN_STATES.items():
        if wanted == code.lower():
            return code
        for language in ("en", "ms", "id"):
            with force_locale(language):
                if wanted == str(state.name).lower():
                    return code
    return None


def quote_order(lines: list[tuple[int, int]], state: str, rate: Rate | None, today: date) -> OrderQuote:
    """Parcels per merchant (they ship separately), each with its services and, at the cheapest, its landed cost."""
    if rate is None or rate.currency != "MYR":
        raise QuoteRefused("No ringgit exchange rate is in force.")
    rules = rules_in_force(today)
    if rules is None:
        raise QuoteRefused("No customs rules are in force.")
    # The same product on two lines is one line: its tier and MOQ go by the whole quantity.
    wanted: dict[int, int] = {}
    for product_id, quantity in lines:
        wanted[product_id] = wanted.get(product_id, 0) + quantity
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(list(wanted))).options(
            selectinload(Product.tiers), selectinload(Product.merchant).selectinload(MerchantProfile.user)))}
    groups: dict[int, list[tuple[Product, int]]] = {}
    for product_id, quantity in wanted.items():
        product = products.get(product_id)
        if product is None or not product.is_published or not product.merchant.user.active:
            raise QuoteRefused(f"Product {product_id} is not for sale.")
        if product.packed_weight_g is None or product.box_length_mm is None or not product.hs_code:
            raise QuoteRefused(f"Product {product_id} has no packed weight, box or HS code yet.")
        if quantity < product.moq:
            raise QuoteRefused(f"Product {product_id} is sold from {product.moq} units.")
        groups.setdefault(product.merchant_id, []).append((product, quantity))
    services, zone = quote_services(), MALAYSIAN_STATES[state].zone
    parcels = []
    for group in groups.values():
        items = [quote.Item(p.packed_weight_g, p.box_length_mm, p.box_width_mm, p.box_height_mm, q, p.id)
                 for p, q in group]
        result = quote.quote(items, services, zone)
        breakdown, declarations = None, ()
        unit_sen = {p.id: from_idr(p.unit_price_for(q), rate).amount for p, q in group}
        if result.cheapest is not None:
            shipping = shipping_myr(result.cheapest, rate).amount
            breakdown = landed.landed_cost([landed.Line(p.hs_code, unit_sen[p.id], q) for p, q in group],
                                           shipping, rules)
            declarations = box_declarations(result.cheapest, products, unit_sen, rate, rules)
        parcels.append(MerchantParcel(group[0][0].merchant, sum(i.weight_g * i.quantity for i in items), result,
                                      breakdown, declarations))
    return OrderQuote(state, tuple(parcels))


def box_declarations(option: quote.Option, products: dict[int, Product], unit_sen: dict[int, int], rate: Rate,
                     rules: landed.Rules) -> tuple[tuple[int, declaration.Declaration], ...]:
    """The customs declaration of each kind of box the service carries, with how many such boxes go.

    A large order is many identical full boxes and a last one: each kind is declared once, with
    its own postage converted as the shipping line is, so boxes x postage adds up to the shipping.
    """
    kinds: dict[tuple, list] = {}
    for box, price in zip(option.parcels, option.box_prices_idr, strict=True):
        kinds.setdefault((box.items, price), [box, price, 0])[2] += 1
    result = []
    for box, price, count in kinds.values():
        goods = [declaration.Good(
            description=products[i.product_id].name_en or products[i.product_id].name_id,
            hs_code=products[i.product_id].hs_code, quantity=i.quantity, unit_weight_g=i.weight_g,
            unit_price_sen=unit_sen[i.product_id]) for i in box.items]
        result.append((count, declaration.declare(goods, from_idr(price, rate).amount, rules)))
    return tuple(result)


def packaging_check(weight_g: int | None, box_mm: tuple[int | None, int | None, int | None]):
    """(checks per service, advice) for the product form's preview; ([], None) until the data is complete."""
    if not weight_g or any(side is None or side <= 0 for side in box_mm):
        return [], None
    return quote.check_box(weight_g, quote.Box(*box_mm), quote_services())


@dataclass
class ServiceData:
    code: str
    name: str
    level: str
    volumetric_divisor: int
    weight_step_g: int
    max_weight_g: int
    max_longest_mm: int
    max_sum_mm: int
    transit_min_days: int
    transit_max_days: int
    rates: dict[str, tuple[int, int]]  # zone -> (first step, each further step)
    tracking_url_template: str | None = None
    active: bool = True
    sample: bool = False


class ServiceRefused(ValueError):
    def __init__(self, message, field: str = "code"):
        self.message, self.field = message, field
        super().__init__(str(message))


def list_services() -> list[CourierService]:
    """Every courier service, active or not, with its rates."""
    return list(db.session.scalars(select(CourierService).options(selectinload(CourierService.rates))
                                   .order_by(CourierService.id)))


def get_service(service_id: int) -> CourierService:
    """One courier service, or a 404."""
    from ..core.errors import NotFound

    service = db.session.get(CourierService, service_id)
    if service is None:
        raise NotFound()
    return service


def save_service(service_id: int | None, data: ServiceData) -> CourierService:
    """Create or change a courier service and its rates; quotes use it from the next request."""
    from flask_babel import lazy_gettext as _l

    from ..core.signals import announce_after_commit, catalog_changed

    service = db.session.get(CourierService, service_id) if service_id else CourierService()
    if service is None:
        raise ServiceRefused(_l("There is no such service."))
    clash = db.session.scalar(select(CourierService.id).where(CourierService.code == data.code,
                                                             CourierService.id != (service_id or 0)))
    if clash:
        raise ServiceRefused(_l("Another service has this code."))
    for name in ("code", "name", "level", "volumetric_divisor", "weight_step_g", "max_weight_g", "max_longest_mm",
                 "max_sum_mm", "transit_min_days", "transit_max_days", "tracking_url_template", "active", "sample"):
        setattr(service, name, getattr(data, name))
    by_zone = {r.zone: r for r in service.rates}
    service.rates = [by_zone.get(zone) or CourierRate(zone=zone) for zone in data.rates]
    for rate in service.rates:
        rate.first_step_idr, rate.next_step_idr = data.rates[rate.zone]
    db.session.add(service)
    db.session.flush()
    announce_after_commit(db.session, catalog_changed, "shipping", prices=True)  # every delivered price may change
    return service
