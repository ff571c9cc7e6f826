"""Courier services and their rates: what officers keep, and what the quote engine reads."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..audit import services as audit
from ..core.cache import PRICING, cached
from ..core.errors import DomainError, NotFound
from ..core.signals import announce_after_commit, catalog_changed
from ..extensions import db
from . import quote
from .models import CourierRate, CourierService


def reader_language() -> str:
    """The language of the page being made ("en" outside a request: a job, a command)."""
    locale = get_locale()
    return locale.language if locale else "en"


def quote_services() -> list[quote.Service]:
    """Active courier services as the quote engine wants them, named in the reader's language (English where
    that name is missing); cached per language until a courier service changes."""
    language = reader_language()

    def load() -> list[quote.Service]:
        # One query (a join, not a second select): with the cache off, every page of product cards reads it.
        rows = db.session.scalars(select(CourierService).where(CourierService.active.is_(True))
                                  .options(joinedload(CourierService.rates)).order_by(CourierService.id)).unique()
        return [quote.Service(
            code=s.code, name=s.name_in(language), level=s.level, divisor=s.volumetric_divisor, step_g=s.weight_step_g,
            max_weight_g=s.max_weight_g, max_longest_mm=s.max_longest_mm, max_sum_mm=s.max_sum_mm,
            transit_min=s.transit_min_days, transit_max=s.transit_max_days,
            rates={r.zone: quote.Rate(r.first_step_idr, r.next_step_idr) for r in s.rates}, sample=s.sample,
        ) for s in rows]

    return cached("couriers", (language,), load, versions=(PRICING,))


def english_names(codes: set[str]) -> dict[str, str]:
    """Services' English names by code: what a parcel keeps, so that the merchant's papers, the courier and
    customs read one name whichever language the buyer chose."""
    return dict(db.session.execute(select(CourierService.code, CourierService.name)
                                   .where(CourierService.code.in_(codes))).all())


def packaging_check(weight_g: int | None, box_mm: tuple[int | None, int | None, int | None]):
    """(checks per service, advice) for the product form's preview; ([], None) until the data is complete."""
    if not weight_g or any(side is None or side <= 0 for side in box_mm):
        return [], None
    return quote.check_box(weight_g, quote.Box(*box_mm), quote_services())


def seed_sample_couriers() -> None:
    """Three services with plausible rates from Bandung, marked as sample data (not a courier's price list)."""
    if db.session.scalar(select(CourierService.id).limit(1)):
        return
    samples = [
        # code, names (en, id, ms), level, divisor, step g, max g, longest cm, L+W+H cm, transit days,
        # rates (first, next). The economy service is named in English only: officers see it as missing.
        ("express", ("Express courier (DHL Express class)", "Kurir ekspres (kelas DHL Express)",
                     "Kurier ekspres (kelas DHL Express)"), "express", 5000, 500, 30_000, 120, 300, 1, 3,
         {"west": (310_000, 85_000), "east": (360_000, 98_000)}),
        ("pos-ems", ("Pos Indonesia EMS", "Pos Indonesia EMS", "Pos Indonesia EMS"), "postal", 5000, 500, 30_000,
         105, 200, 3, 7, {"west": (195_000, 48_000), "east": (225_000, 56_000)}),
        ("economy", ("Economy consolidated (J&T class)", None, None), "economy", 6000, 500, 20_000, 100, 300, 5, 10,
         {"west": (95_000, 32_000), "east": (125_000, 41_000)}),
    ]
    for code, (name, name_id, name_ms), level, divisor, step, max_g, longest, total, tmin, tmax, rates in samples:
        db.session.add(CourierService(
            code=code, name=name, name_id=name_id, name_ms=name_ms, level=level, volumetric_divisor=divisor,
            weight_step_g=step, max_weight_g=max_g,
            max_longest_mm=longest * 10, max_sum_mm=total * 10, transit_min_days=tmin,
            transit_max_days=tmax, sample=True,
            rates=[CourierRate(zone=zone, first_step_idr=first, next_step_idr=nxt) for zone, (first, nxt) in rates.items()],
        ))
    db.session.flush()


@dataclass
class ServiceData:
    code: str
    name: str  # in English
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
    name_id: str | None = None  # the name in Indonesian and in Malay; English is shown where one is missing
    name_ms: str | None = None


class ServiceRefused(DomainError):
    """A courier service cannot be saved as typed; the message names the field's problem."""

    def __init__(self, message, field: str = "code"):
        super().__init__(message, field=field)


def list_services() -> list[CourierService]:
    """Every courier service, active or not, with its rates."""
    return list(db.session.scalars(select(CourierService).options(selectinload(CourierService.rates))
                                   .order_by(CourierService.id)))


def missing_translations() -> list[tuple[CourierService, list[str]]]:
    """Services whose name buyers read in English because it is missing in Indonesian or Malay, with those
    languages."""
    return [(service, service.missing_languages) for service in list_services() if service.missing_languages]


def get_service(service_id: int) -> CourierService:
    """One courier service, or a 404."""
    service = db.session.get(CourierService, service_id)
    if service is None:
        raise NotFound()
    return service


AUDITED_FIELDS = ("code", "name", "name_id", "name_ms", "level", "volumetric_divisor", "weight_step_g", "max_weight_g",
                  "max_longest_mm", "max_sum_mm", "transit_min_days", "transit_max_days", "tracking_url_template", "active", "sample")


def _audited(service: CourierService) -> dict:
    values = audit.snapshot(service, AUDITED_FIELDS)
    values["rates"] = {r.zone: [r.first_step_idr, r.next_step_idr] for r in sorted(service.rates, key=lambda r: r.zone)}
    return values


def save_service(actor, service_id: int | None, data: ServiceData) -> CourierService:
    """Create or change a courier service and its rates; quotes use it from the next request."""
    service = db.session.get(CourierService, service_id) if service_id else CourierService()
    if service is None:
        raise ServiceRefused(_l("There is no such service."))
    before = _audited(service) if service_id else None
    clash = db.session.scalar(select(CourierService.id).where(CourierService.code == data.code,
                                                             CourierService.id != (service_id or 0)))
    if clash:
        raise ServiceRefused(_l("Another service has this code."))
    for name in AUDITED_FIELDS:
        setattr(service, name, getattr(data, name))
    by_zone = {r.zone: r for r in service.rates}
    service.rates = [by_zone.get(zone) or CourierRate(zone=zone) for zone in data.rates]
    for rate in service.rates:
        rate.first_step_idr, rate.next_step_idr = data.rates[rate.zone]
    db.session.add(service)
    db.session.flush()
    audit.record(actor, "courier.changed" if before else "courier.created", "courier_service", service.id, before,
                 _audited(service))
    announce_after_commit(db.session, catalog_changed, "shipping", prices=True)  # every delivered price may change
    return service
