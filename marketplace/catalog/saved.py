"""A buyer's list of saved products: kept to come back to, shown only while buyers may see them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core.errors import DomainError, NotFound
from ..extensions import db
from .models import Product, SavedProduct
from .queries import is_visible, only_visible


class NotABuyer(DomainError):
    """Only buyers keep a list of saved products."""

    status_code = 403
    default_message = _l("Only buyers can save products.")


def _buyer(user: User) -> User:
    if not user.is_buyer:
        raise NotABuyer()
    return user


def save_product(buyer: User, product_id: int) -> SavedProduct:
    """Put a product buyers may see on the buyer's list; saving it again changes nothing."""
    _buyer(buyer)
    product = db.session.get(Product, product_id)
    if product is None or not is_visible(product):
        raise NotFound()
    existing = db.session.scalar(select(SavedProduct).where(SavedProduct.buyer_id == buyer.id,
                                                            SavedProduct.product_id == product_id))
    if existing is not None:
        return existing
    saved = SavedProduct(buyer_id=buyer.id, product_id=product_id)
    try:
        with db.session.begin_nested():  # a second tab saving the same product at once: keep the first
            db.session.add(saved)
    except IntegrityError:
        return db.session.scalar(select(SavedProduct).where(SavedProduct.buyer_id == buyer.id,
                                                            SavedProduct.product_id == product_id))
    return saved


def remove_saved(buyer: User, product_id: int) -> bool:
    """Take a product off the buyer's own list (never anyone else's); whether it was there."""
    _buyer(buyer)
    result = db.session.execute(delete(SavedProduct).where(SavedProduct.buyer_id == buyer.id,
                                                           SavedProduct.product_id == product_id))
    return bool(result.rowcount)


def is_saved(buyer: User | None, product_id: int) -> bool:
    """Whether this product is on the buyer's list."""
    if buyer is None or not buyer.is_buyer:
        return False
    return db.session.scalar(select(SavedProduct.id).where(SavedProduct.buyer_id == buyer.id,
                                                           SavedProduct.product_id == product_id)) is not None


def saved_products(buyer: User) -> list[Product]:
    """The buyer's saved products that buyers may see now, the most recently saved first."""
    _buyer(buyer)
    query = (only_visible(select(Product)).join(SavedProduct, SavedProduct.product_id == Product.id)
             .where(SavedProduct.buyer_id == buyer.id)
             .options(selectinload(Product.photos), selectinload(Product.tiers))
             .order_by(SavedProduct.created_at.desc(), SavedProduct.id.desc()))
    return list(db.session.scalars(query))
