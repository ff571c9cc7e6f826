"""Pages and the README promise only what exists: every page offers only what is built (the cart, checkout,
orders, payments, showcases, verifying merchants, inquiries and quotes are)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ..helpers import Client, text_of

UNBUILT = re.compile(r"\b(will check)\b", re.I)
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(("who", "pages"), [
    (None, ["/", "/signup", "/signup/buyer", "/signup/merchant"]),
    ("merchant@serumpun.example", ["/merchant/"]),
    ("batik@serumpun.example", ["/merchant/"]),  # pending verification
    ("leather@serumpun.example", ["/merchant/"]),  # not verified
    ("officer@serumpun.example", ["/officer/"]),
])
def test_pages_offer_nothing_that_is_not_built(app, demo, who, pages):
    client = Client(app)
    if who:
        client.login(who)
        client.post("/language", {"language": "en", "next": "/"}, token_from="/")  # merchants read Indonesian
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert UNBUILT.findall(text_of(response)) == [], url


def test_the_readme_says_what_officers_and_buyers_can_do_today():
    text = README.read_text()
    assert "verify merchants and curate showcases" not in text
    assert "What is not built yet:" in text
