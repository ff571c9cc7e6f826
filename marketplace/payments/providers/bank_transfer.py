"""Bank transfer (DuitNow or IBG in Malaysia): works offline; staff record the money when it arrives."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from ...orders.models import Order
from . import Provider, Started, register_provider


class BankTransfer(Provider):
    name = "bank_transfer"
    label = _l("Bank transfer (DuitNow or IBG)")

    def available(self, app: Flask) -> bool:
        return True

    def start(self, order: Order, config: dict, return_url: str, cancel_url: str) -> Started:
        """Nothing to start: the order page shows the account and the order number to use as the reference."""
        return Started(None)


register_provider(BankTransfer())
