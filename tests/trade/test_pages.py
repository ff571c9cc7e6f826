"""Every trade page draws in Indonesian, English and Malay, for each party."""
from __future__ import annotations

import pytest

from .conftest import ask, request_form, send_quote, signed_in


@pytest.mark.parametrize("language", ["id", "en", "ms"])
def test_every_trade_page_draws_in_each_language(app, two_shops, demo, language):
    buyer = signed_in(app, "buyer@serumpun.example", language)
    merchant = signed_in(app, "merchant@serumpun.example", language)
    officer = signed_in(app, "officer@serumpun.example", language)
    inquiry_id = ask(buyer, two_shops["coffee"])
    send_quote(merchant, inquiry_id, two_shops["coffee"], shipping_terms="sea_freight", freight="900000",
               freight_days="20")
    request_id = int(buyer.post("/requests/new", request_form()).headers["Location"].rsplit("/", 1)[1])
    merchant.post(f"/requests/{request_id}/answer", {"body": "Bisa."})
    pages = {
        buyer: ["/inquiries/", f"/inquiries/{inquiry_id}", f"/inquiries/new?product={two_shops['coffee']}",
                "/inquiries/new?merchant=sangrai-preanger-coffee", "/requests/", "/requests/new",
                f"/requests/{request_id}", f"/products/{two_shops['coffee']}"],
        merchant: ["/inquiries/", f"/inquiries/{inquiry_id}", "/requests/", f"/requests/{request_id}"],
        officer: ["/officer/requests/", "/officer/requests/?unanswered=1", f"/requests/{request_id}", "/requests/new"],
    }
    for client, urls in pages.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'<html lang="{language}">' in response.get_data(as_text=True), url
