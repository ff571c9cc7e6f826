"""Who may see which product: the one rule, as a query and as a check.

A buyer (or any reader of the catalog: search, facets, home, storefront, product
page, API, delivered price, quotes, and later the cart and checkout) may see a
product when it is published and its merchant's account is active. A new rule
(moderation, a merchant's suspension by an officer) is added here and nowhere else.
"""
from __future__ import annotations

from sqlalchemy import and_

from ..accounts.models import MerchantProfile, User
from .models import Product, ProductStatus


def only_visible(query):
    """Restrict a query over Product to what buyers may see (it joins the merchant and its account)."""
    return (query.join(MerchantProfile, MerchantProfile.id == Product.merchant_id)
            .join(User, and_(User.id == MerchantProfile.user_id, User.active.is_(True)))
            .where(Product.status == ProductStatus.PUBLISHED))


def is_visible(product: Product) -> bool:
    """The same rule for one product already loaded."""
    return product.status == ProductStatus.PUBLISHED and product.merchant.user.active


def may_preview(product: Product, viewer: User | None) -> bool:
    """A merchant sees its own drafts as buyers would see them once published."""
    return viewer is not None and viewer.merchant_profile is not None \
        and viewer.merchant_profile.id == product.merchant_id
