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
