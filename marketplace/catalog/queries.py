"""Who may see which product: the one rule, as a query and as a check.

A buyer (or any reader of the catalog: search, facets, home, storefront, product
page, API, delivered price, quotes, and later the cart and checkout) may see a
product when it is published and its merchant's account is active and not suspended by an
officer. A new rule is added here and nowhere else. (An officer's takedown of one listing puts it
back to draft, so the status says it; see catalog.services.take_down.)
"""
from __future__ import annotations

from sqlalchemy import and_

from ..accounts.models import MerchantProfile, User
from .models import Product, ProductStatus


def only_visible(query):
    """Restrict a query over Product to what buyers may see (it joins the merchant and its account)."""
    return (query.join(MerchantProfile, and_(MerchantProfile.id == Product.merchant_id,
                                             MerchantProfile.suspended_at.is_(None)))
            .join(User, and_(User.id == MerchantProfile.user_id, User.active.is_(True)))
            .where(Product.status == ProductStatus.PUBLISHED))


def is_visible(product: Product) -> bool:
    """The same rule for one product already loaded."""
    return product.status == ProductStatus.PUBLISHED and shop_is_open(product.merchant)


def shop_is_open(merchant: MerchantProfile) -> bool:
    """Whether buyers may see this merchant's shop and products at all: an active account, not suspended."""
    return merchant.user.active and merchant.suspended_at is None


def may_preview(product: Product, viewer: User | None) -> bool:
    """A merchant sees its own drafts as buyers would see them once published."""
    return viewer is not None and viewer.merchant_profile is not None \
        and viewer.merchant_profile.id == product.merchant_id
