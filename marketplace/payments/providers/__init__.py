"""Payment providers behind one small interface; the configuration decides which are offered.

A provider starts a payment for an order (Payment row, and for Stripe a hosted page to send the
buyer to). Money arriving is reported to payments.services (a recorded transfer, a webhook), which
checks the amount and moves the order. Only payments.providers.stripe imports the stripe library.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from ...orders.models import Order
from ..models import Payment


@dataclass(frozen=True)
class Started:
    payment: Payment | None  # None for a bank transfer: its payment is recorded when the money arrives
    redirect_url: str | None = None  # where the buyer goes to pay (Stripe's hosted page), or None: our order page


class Provider:
    """One way to pay: a name for the registry, whether it can run with this configuration, and a start."""

    name = ""
    label = None  # a lazy string for the checkout page

    def available(self, app: Flask) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def start(self, order: Order, config: dict, return_url: str, cancel_url: str) -> Started:  # pragma: no cover
        raise NotImplementedError

    def close(self, order: Order, config: dict) -> None:
        """The order ended unpaid: stop any payment page of ours still open for it (nothing to do by default)."""

    def page_origins(self, config: dict) -> list[str]:
        """Origins of the provider's own pages that the buyer is sent to (a form's answer may redirect there)."""
        return []


_registry: dict[str, Provider] = {}


def register_provider(provider: Provider) -> Provider:
    _registry[provider.name] = provider
    return provider


def provider(name: str) -> Provider:
    return _registry[name]


def available_providers(app: Flask) -> list[Provider]:
    """The ways to pay this site offers now, the default (bank transfer) first."""
    return [p for p in _registry.values() if p.available(app)]


def page_origins(app: Flask) -> list[str]:
    """Where the ways to pay offered now may send a buyer: for the pages whose forms start a payment."""
    return [origin for p in available_providers(app) for origin in p.page_origins(app.config)]
