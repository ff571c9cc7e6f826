"""One set of figures for a range of days: the officers' dashboard shows it, the command-center feed sends it.

Days are read in one time zone (the app's, Asia/Jakarta by default: Bandung's days, as the ledger's),
both ends included. Export value is the goods of paid orders as they were sold (rupiah, and ringgit at
each order's own rate), without shipping and Malaysian taxes, leaving out parcels cancelled or refunded;
an order counts in the month it was paid.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from ..accounts import services as accounts
from ..accounts.models import VerificationStatus
from ..catalog.search import published_per_category
from ..core.errors import DomainError
from ..money import Rate
from ..orders import queries as orders
from ..orders.models import OrderStatus
from ..rates import services as rates

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_DAYS = 3 * 366 + 1  # three years: the monthly chart stays readable


class RangeRefused(DomainError):
    """The range of days cannot be read as asked; the message says why."""


@dataclass(frozen=True)
class DayRange:
    since: date
    until: date  # included

    def check(self) -> DayRange:
        """The range itself, or RangeRefused when it is backwards, too long or out of bounds."""
        if not (EARLIEST <= self.since <= LATEST and EARLIEST <= self.until <= LATEST):
            raise RangeRefused(_l("Choose dates from %(first)s to %(last)s.", first=EARLIEST.isoformat(),
                                  last=LATEST.isoformat()), field="since")
        if self.since > self.until:
            raise RangeRefused(_l("The first day must not be after the last."), field="until")
        if (self.until - self.since).days + 1 > MAX_DAYS:
            raise RangeRefused(_l("Choose at most three years."), field="since")
        return self

    def utc_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The range as naive UTC moments, as the tables store them: [start, end)."""
        def at_midnight(day: date) -> datetime:
            return datetime.combine(day, time.min, zone).astimezone(timezone.utc).replace(tzinfo=None)

        return at_midnight(self.since), at_midnight(self.until + timedelta(days=1))


def local_today(now: datetime, zone: ZoneInfo) -> date:
    """The day a naive UTC moment falls on in the zone."""
    return now.replace(tzinfo=timezone.utc).astimezone(zone).date()


def default_range(today: date) -> DayRange:
    """The last six months: from the first day of the month five months ago to today."""
    month, year = today.month - 5, today.year
    if month < 1:
        month, year = month + 12, year - 1
    return DayRange(date(year, month, 1), today)


def months_of(days: DayRange) -> list[date]:
    """The first day of every month the range touches, in order."""
    months, month = [], days.since.replace(day=1)
    while month <= days.until:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


@dataclass(frozen=True)
class MonthRow:
    month: date  # its first day
    orders: int
    idr: int
    sen: int


@dataclass(frozen=True)
class CategoryRow:
    code: str | None  # None: products deleted since they were sold
    published: int  # listed for buyers today
    units: int
    idr: int
    sen: int


@dataclass(frozen=True)
class StateRow:
    code: str  # ISO 3166-2:MY
    buyers: int
    orders: int
    idr: int
    sen: int


@dataclass(frozen=True)
class RateRow:
    rate: Rate
    age_days: int
    stale: bool


@dataclass(frozen=True)
class Figures:
    days: DayRange
    merchants: dict[VerificationStatus, int]  # today
    published_products: int  # today: what buyers may see
    orders_placed: dict[OrderStatus, int]  # placed in the range, by where they stand now
    paid_orders: int
    buyers: int  # buyers with a paid order in the range
    export_idr: int
    export_sen: int
    months: list[MonthRow]
    categories: list[CategoryRow]
    states: list[StateRow]
    rates: list[RateRow]  # in force today


def rate_rows(today: date, stale_days: int) -> list[RateRow]:
    """Each rate in force today, with its age and whether it is older than stale_days."""
    return [RateRow(rate, rates.rate_age_days(rate, today), rates.is_stale(rate, today, stale_days))
            for _, rate in sorted(rates.rates_in_force(today).items())]


def figures(days: DayRange, zone: ZoneInfo, today: date, stale_days: int) -> Figures:
    """Every figure for the range (RangeRefused if the range is wrong)."""
    days.check()
    start, end = days.utc_bounds(zone)
    paid = orders.paid_orders(start, end)

    by_month: dict[date, list] = {month: [0, 0, 0] for month in months_of(days)}
    by_state: dict[str, dict] = defaultdict(lambda: {"buyers": set(), "orders": 0, "idr": 0, "sen": 0})
    for order in paid:
        local = order.paid_at.replace(tzinfo=timezone.utc).astimezone(zone).date()
        month = by_month[local.replace(day=1)]
        month[0] += 1
        month[1] += order.goods_idr
        month[2] += order.goods_sen
        state = by_state[order.state]
        state["orders"] += 1
        state["idr"] += order.goods_idr
        state["sen"] += order.goods_sen
        if order.buyer_id is not None:
            state["buyers"].add(order.buyer_id)

    published = published_per_category()
    sold = {code: (units, idr, sen) for code, units, idr, sen in orders.exported_goods_by_category(start, end)}
    categories = [CategoryRow(code, published.get(code, 0) if code else 0, *sold.get(code, (0, 0, 0)))
                  for code in {*published, *sold} if (code in sold) or published.get(code)]
    categories.sort(key=lambda row: (-row.idr, -row.published, row.code or "~"))

    states = [StateRow(code, len(row["buyers"]), row["orders"], row["idr"], row["sen"]) for code, row in by_state.items()]
    states.sort(key=lambda row: (-row.idr, row.code))

    return Figures(
        days=days, merchants=accounts.count_merchants_by_status(), published_products=sum(published.values()),
        orders_placed=orders.orders_placed_by_status(start, end), paid_orders=len(paid),
        buyers=len({order.buyer_id for order in paid if order.buyer_id is not None}),
        export_idr=sum(order.goods_idr for order in paid), export_sen=sum(order.goods_sen for order in paid),
        months=[MonthRow(month, *values) for month, values in by_month.items()],
        categories=categories, states=states, rates=rate_rows(today, stale_days),
    )
