"""A quote refusal reads in the reader's language, like every other refusal."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize(("language", "message"), [
    ("id", "Produk 999999 tidak dijual."),
    ("ms", "Produk 999999 tidak dijual."),
    ("en", "Product 999999 is not for sale."),
])
def test_a_quote_refusal_speaks_the_readers_language(client, demo, language, message):
    response = client.http.post("/api/v1/quotes", json={"state": "Selangor", "items": [{"product_id": 999999}]},
                                headers={"Accept-Language": language})
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]
