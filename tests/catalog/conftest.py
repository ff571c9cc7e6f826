from __future__ import annotations

import re

import pytest

from ..helpers import Client, product_form


@pytest.fixture()
def merchant(app, demo) -> Client:
    """The demo coffee roaster, signed in, reading English."""
    client = Client(app)
    client.login("merchant@serumpun.example")
    client.post("/language", {"language": "en", "next": "/"}, token_from="/")
    return client


@pytest.fixture()
def rival(app, demo) -> Client:
    """Another merchant: the keripik maker."""
    client = Client(app)
    client.login("keripik@serumpun.example")
    client.post("/language", {"language": "en", "next": "/"}, token_from="/")
    return client


@pytest.fixture()
def make_product(merchant):
    """Create a draft through the form; returns its id."""

    def make(**overrides) -> int:
        response = merchant.post("/merchant/products/new", product_form(**overrides))
        errors = re.findall(r'class="field__error"[^>]*>([^<]+)<', response.get_data(as_text=True))
        assert response.status_code == 302, errors
        return int(response.headers["Location"].split("/")[-2])

    return make
