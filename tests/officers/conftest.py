"""Helpers for the officers' verification and moderation tests: a merchant's readiness form, documents to upload."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from marketplace.accounts.models import MerchantProfile, User
from marketplace.demo.verification import certificate_pdf, certificate_scan
from marketplace.extensions import db

from ..helpers import Client

MERCHANT = "merchant@serumpun.example"  # Sangrai Preanger Coffee, verified in the demo
PENDING = "batik@serumpun.example"  # Batik Kujang Pasundan, pending in the demo
OTHER_MERCHANT = "keripik@serumpun.example"
BUYER = "buyer@serumpun.example"
OFFICER = "officer@serumpun.example"


def a_pdf(title: str = "SERTIFIKAT HALAL") -> bytes:
    return certificate_pdf(title, ["Nomor: ID32110000123450923", "Contoh untuk pengujian"])


def a_scan() -> bytes:
    return certificate_scan("SERTIFIKAT", ["Contoh untuk pengujian"])


def login(client: Client, email: str, language: str = "en") -> Client:
    """Sign in and read the pages in a language (demo merchants chose Indonesian)."""
    client.login(email)
    client.post("/language", {"language": language, "next": "/"}, token_from="/")
    return client


def readiness_form(**overrides) -> dict:
    data = {"legal_name": "CV Sangrai Preanger", "nib": "9120001230001", "npwp": "", "monthly_capacity": "1.200",
            "capacity_unit": "kg", "export_experience": "direct", "export_notes": "Ke Selangor sejak 2022.",
            "can_get_form_d": "yes"}
    data.update(overrides)
    return data


def upload(client: Client, data: bytes, filename: str = "halal.pdf", kind: str = "halal", **fields):
    form = {"kind": kind, "file": (io.BytesIO(data), filename), "number": "", "expires_on": "", **fields}
    return client.post("/merchant/verification/documents", form, token_from="/merchant/verification/",
                       content_type="multipart/form-data")


def merchant(app, email: str) -> MerchantProfile:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        profile = user.merchant_profile
        db.session.expunge_all()
        return profile


def profile_of(email: str) -> MerchantProfile:
    """Read inside an app context."""
    return db.session.scalar(select(User).where(User.email == email)).merchant_profile


@pytest.fixture()
def ready_merchant(app, demo, client):
    """The coffee roaster, signed in, with a complete readiness profile and a halal PDF, made unverified."""
    with app.app_context():
        profile = profile_of(MERCHANT)
        profile.verification_status = profile.verification_status.UNVERIFIED
        profile.verified_at = None
        db.session.commit()
    login(client, MERCHANT)
    assert client.post("/merchant/verification/", readiness_form()).status_code == 302
    assert upload(client, a_pdf()).status_code == 302
    return client


# --- trade for the dashboard's tests: orders placed and paid through the services, then dated ---
from datetime import datetime

from sqlalchemy import update

from marketplace.accounts import services as accounts
from marketplace.core.unit_of_work import unit_of_work
from marketplace.orders import checkout, lifecycle
from marketplace.orders.models import Order

from ..orders.conftest import place, two_shops  # noqa: F401  two_shops is a fixture used here
from ..payables.conftest import pay

KL = checkout.Address("Tan Mei Ling", "+60123456701", "12 Jalan Tun Razak", None, "Kuala Lumpur", "50450", "MY-14")


def paid_at(app, number: str, moment: datetime) -> None:
    """Date an order's payment (naive UTC), as if it had been paid then."""
    with app.app_context():
        db.session.execute(update(Order).where(Order.number == number).values(paid_at=moment, created_at=moment))
        db.session.commit()


def refund_parcel(app, number: str) -> None:
    """Cancel the order's first parcel after payment and refund it: its goods leave the export value."""
    with app.test_request_context(method="POST"), unit_of_work(capture=False):
        order = db.session.scalar(select(Order).where(Order.number == number))
        officer = accounts.find_user_by_email("officer@serumpun.example")
        lifecycle.cancel_parcel(officer, order.parcels[0], "out of stock after all")
        lifecycle.mark_refunded(officer, order.parcels[0], "DUITNOW-REFUND-1")


@pytest.fixture()
def trade(app, two_shops):  # noqa: F811
    """Four orders around the end of September 2026 (Bandung time, UTC+7):

    - A: buyer@ (Selangor), 24 coffee at the 78,000 tier and 3 keripik at 25,000; paid 30 Sep 23:59:59 WIB.
    - B: buyer.kl@ (Kuala Lumpur), 6 coffee at 85,000; paid 1 Oct 00:00:00 WIB.
    - C: buyer.kl@, 2 tea at 85,000, paid 15 Oct, its parcel then cancelled and refunded.
    - D: buyer@, 1 tea, placed 20 Oct and never paid.
    """
    a = place(app, {two_shops["coffee"]: 24, two_shops["keripik"]: 3})
    pay(app, a)
    paid_at(app, a, datetime(2026, 9, 30, 16, 59, 59))
    b = place(app, {two_shops["coffee"]: 6}, buyer_email="buyer.kl@serumpun.example", address=KL)
    pay(app, b)
    paid_at(app, b, datetime(2026, 9, 30, 17, 0, 0))
    c = place(app, {two_shops["tea"]: 2}, buyer_email="buyer.kl@serumpun.example", address=KL)
    pay(app, c)
    paid_at(app, c, datetime(2026, 10, 15, 3, 0, 0))
    refund_parcel(app, c)
    d = place(app, {two_shops["tea"]: 1})
    with app.app_context():
        db.session.execute(update(Order).where(Order.number == d).values(created_at=datetime(2026, 10, 20, 3, 0)))
        db.session.commit()
    return {"a": a, "b": b, "c": c, "d": d, **two_shops}
