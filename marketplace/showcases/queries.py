"""Which showcases are public, and which of their products buyers may see.

A showcase is public ("live") when it is published, or scheduled and the moment is within its window:
from publish_from (included) until publish_until (excluded), so that at the closing instant it is gone
and two windows that meet never overlap. Its products are filtered by the catalog's one visibility rule
(catalog.queries.only_visible): a product its merchant unpublishes, or that a later rule hides, leaves
every showcase at once.
"""
from __future__ import annotations

from bisect import bisect_right
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..catalog.models import Product
from ..catalog.queries import only_visible
from ..core.cache import SHOWCASES, cached
from ..extensions import db
from .models import Showcase, ShowcaseItem, ShowcaseStatus


def live_condition(now: datetime):
    """The SQL twin of is_live()."""
    return or_(Showcase.status == ShowcaseStatus.PUBLISHED,
               and_(Showcase.status == ShowcaseStatus.SCHEDULED, Showcase.publish_from <= now,
                    Showcase.publish_until > now))


def is_live(showcase: Showcase, now: datetime) -> bool:
    """Whether buyers see the showcase at this moment."""
    if showcase.status == ShowcaseStatus.PUBLISHED:
        return True
    return (showcase.status == ShowcaseStatus.SCHEDULED and showcase.publish_from is not None
            and showcase.publish_until is not None and showcase.publish_from <= now < showcase.publish_until)


def _boundaries() -> tuple[datetime, ...]:
    rows = db.session.execute(select(Showcase.publish_from, Showcase.publish_until)
                              .where(Showcase.status == ShowcaseStatus.SCHEDULED)).all()
    return tuple(sorted({moment for row in rows for moment in row if moment is not None}))


def schedule_phase(now: datetime) -> int:
    """How many schedule boundaries have passed: it changes exactly when a scheduled showcase opens or closes.

    Part of the cache key of every page that shows showcases, so that a cached page never outlives a
    window by even a second, at the cost of no query: the boundaries are cached until a showcase changes.
    """
    return bisect_right(cached("showcase-boundaries", (), _boundaries, versions=(SHOWCASES,)), now)


def visible_products(showcase_id: int) -> list[Product]:
    """The showcase's products that buyers may see, in the officer's order."""
    query = (only_visible(select(Product))
             .join(ShowcaseItem, ShowcaseItem.product_id == Product.id)
             .where(ShowcaseItem.showcase_id == showcase_id)
             .options(contains_eager(Product.merchant), selectinload(Product.photos), selectinload(Product.tiers))
             .order_by(ShowcaseItem.position, ShowcaseItem.id))
    return list(db.session.scalars(query).unique())


def visible_counts(showcase_ids: list[int]) -> dict[int, int]:
    """How many products buyers may see in each showcase."""
    if not showcase_ids:
        return {}
    rows = db.session.execute(
        only_visible(select(ShowcaseItem.showcase_id, func.count()).select_from(Product))
        .join(ShowcaseItem, ShowcaseItem.product_id == Product.id)
        .where(ShowcaseItem.showcase_id.in_(showcase_ids)).group_by(ShowcaseItem.showcase_id)).all()
    return {showcase_id: count for showcase_id, count in rows}


def live_showcases(now: datetime, limit: int | None = None) -> list[tuple[Showcase, int]]:
    """Public showcases that have at least one product to show, newest first, with that count."""
    showcases = list(db.session.scalars(select(Showcase).where(live_condition(now))
                                        .order_by(Showcase.created_at.desc(), Showcase.id.desc())))
    counts = visible_counts([s.id for s in showcases])
    shown = [(s, counts[s.id]) for s in showcases if counts.get(s.id)]
    return shown[:limit] if limit is not None else shown


def live_by_slug(slug: str, now: datetime) -> Showcase | None:
    return db.session.scalar(select(Showcase).where(Showcase.slug == slug, live_condition(now)))


def hidden_items(showcase_ids: list[int] | None = None) -> list[ShowcaseItem]:
    """Items whose product buyers can no longer see (of these showcases, or of every one not in drafts)."""
    visible = only_visible(select(Product.id)).where(Product.id == ShowcaseItem.product_id).exists()
    query = (select(ShowcaseItem).join(Showcase).where(~visible)
             .options(selectinload(ShowcaseItem.product).selectinload(Product.merchant),
                      contains_eager(ShowcaseItem.showcase))
             .order_by(Showcase.id, ShowcaseItem.position))
    if showcase_ids is not None:
        query = query.where(ShowcaseItem.showcase_id.in_(showcase_ids))
    else:
        query = query.where(Showcase.status != ShowcaseStatus.DRAFT)
    return list(db.session.scalars(query).unique())
