"""Announcements a domain package makes for whoever listens: the cache today, the audit log and search later.

A package that changes something says so here instead of calling its listeners, so core (the cache)
never imports a domain package and a domain package never imports its listeners. Signals are sent
only once the change is committed: a rolled-back change was never seen, and must not be announced.
"""
from __future__ import annotations

from functools import partial

from blinker import Namespace
from sqlalchemy.orm import Session, scoped_session

from .transactions import on_commit

signals = Namespace()

catalog_changed = signals.signal("catalog-changed", doc="""Something buyers see of the catalog changed.

Keyword arguments, each optional; the sender says what changed, the listeners decide what it means to them:
    product_id: this product's own page changed (any detail, its stock, its status, a photo).
    merchant_id: the merchant the change belongs to.
    listed: what lists of products show or count changed: a product appeared or left (publish, unpublish,
        archive), or something a card, a filter, a facet or a sort uses (name, price, category, cover photo,
        certificates, in or out of stock). A change that is not listed (only the stock count, a storage note)
        leaves every list as it was.
    shop: the merchant's own details changed (name, story, address, verification): every page that shows them.
    prices: something every delivered price depends on changed (courier rates, customs rules).
""")

showcases_changed = signals.signal("showcases-changed", doc="""An officers' showcase changed: its text, cover,
products, order or status (and so when it is public). No arguments but the sender.""")

synonyms_changed = signals.signal("synonyms-changed", doc="""The officers' table of search synonyms changed: every
search for words may now find other products. No arguments but the sender.""")


def announce_after_commit(session: Session | scoped_session, signal, sender: str, **data) -> None:
    """Send signal(sender, **data) once the session's transaction commits; never if it does not."""
    on_commit(session, partial(signal.send, sender, **data))
