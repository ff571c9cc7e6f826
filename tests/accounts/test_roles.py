"""Each role sees its own area and navigation, and no one else's."""
from __future__ import annotations

import re

import pytest

from ..helpers import text_of

AREAS = ["/merchant/", "/merchant/shop", "/merchant/products/", "/merchant/verification/", "/buyer/profile",
         "/account/saved/",
         "/officer/", "/officer/rates/", "/officer/merchants/", "/officer/reports/", "/officer/showcases/",
         "/officer/requests/", "/officer/synonyms/", "/admin/", "/admin/outbox", "/admin/officers/invite", "/admin/stats-tokens"]
OFFICER_AREAS = {"/officer/", "/officer/rates/", "/officer/merchants/", "/officer/reports/", "/officer/showcases/",
                 "/officer/requests/", "/officer/synonyms/"}

ALLOWED = {
    "merchant@serumpun.example": {"/merchant/", "/merchant/shop", "/merchant/products/", "/merchant/verification/"},
    "buyer@serumpun.example": {"/buyer/profile", "/account/saved/"},
    "officer@serumpun.example": OFFICER_AREAS,
    "admin@serumpun.example": OFFICER_AREAS | {"/admin/", "/admin/outbox", "/admin/officers/invite", "/admin/stats-tokens"},
}


@pytest.mark.parametrize("email", list(ALLOWED))
def test_each_role_reaches_only_its_own_areas(client, demo, email):
    client.login(email)
    for url in AREAS:
        expected = 200 if url in ALLOWED[email] else 403
        assert client.get(url).status_code == expected, url


def test_anonymous_visitors_are_asked_to_sign_in(client):
    for url in AREAS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=")


def nav_links(response) -> list[str]:
    html = response.get_data(as_text=True)
    nav = html[html.index('<nav class="nav"'):html.index("</nav>", html.index('<nav class="nav"'))]
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in re.findall(r"<a [^>]*>.*?</a>", nav, re.S)]


@pytest.mark.parametrize(
    ("email", "links"),
    [
        (None, ["Home", "Products", "Showcases"]),
        ("merchant@serumpun.example", ["My shop", "Products", "Orders", "Inquiries", "Buying requests",
                                       "Shop details", "Statement", "Export readiness", "Account"]),
        ("buyer@serumpun.example", ["Home", "Products", "Saved", "Showcases", "Delivery address", "Orders", "Inquiries",
                                    "Buying requests", "Account"]),
        ("officer@serumpun.example", ["Dashboard", "Verification", "Showcases", "Reports", "Synonyms", "Payments",
                                      "Payables",
                                      "Exchange rates", "Couriers", "Customs rules", "Buying requests", "Audit trail",
                                      "Account"]),
        ("admin@serumpun.example", ["People", "Invite officer", "Commission", "Statistics feed", "Dashboard",
                                    "Verification", "Showcases", "Reports", "Synonyms", "Payments", "Payables",
                                    "Exchange rates",
                                    "Couriers", "Customs rules", "Buying requests", "Audit trail", "Outbox",
                                    "Account"]),
    ],
)
def test_navigation_follows_the_role(client, demo, email, links):
    if email:
        client.login(email)
        client.post("/language", {"language": "en", "next": "/"}, token_from="/")
    assert nav_links(client.get("/")) == links


def test_officer_sees_merchants_with_their_verification_status(client, demo):
    client.login("officer@serumpun.example")
    page = text_of(client.get("/officer/"))
    assert "Pemkot Bandung" in page
    for name in ("Sangrai Preanger Coffee", "Cibaduyut Leather Works", "Awi Craft Ujungberung"):
        assert name in page
    pending = text_of(client.get("/officer/?status=pending"))
    assert "Batik Kujang Pasundan" in pending
    assert "Sangrai Preanger Coffee" not in pending
    assert client.get("/officer/?status=nonsense").status_code == 200


def test_admin_invites_an_officer_who_sets_a_password(app, client, demo):
    client.login("admin@serumpun.example")
    response = client.post("/admin/officers/invite", {
        "email": "dinas.perdagangan@bandung.example", "full_name": "Yudi Pratama",
        "organisation": "Dinas Perdagangan Kota Bandung", "country": "ID",
    })
    assert response.status_code == 302
    outbox = text_of(client.get("/admin/outbox"))
    assert "dinas.perdagangan@bandung.example" in outbox
    link = re.search(r"http://localhost(/invite/\S+)", outbox).group(1)

    from ..helpers import Client

    officer = Client(app)
    # Until the invitation is accepted there is no password that works.
    assert officer.login("dinas.perdagangan@bandung.example", "anything-at-all").status_code == 400
    done = officer.post(link, {"password": "verifikasi-umkm-27", "confirm": "verifikasi-umkm-27"})
    assert done.headers["Location"] == "/officer/"
    assert officer.get("/officer/").status_code == 200
    assert officer.get(link).status_code == 302  # the invitation is spent


def test_admin_cannot_invite_an_existing_email(client, demo):
    client.login("admin@serumpun.example")
    response = client.post("/admin/officers/invite", {
        "email": "officer@serumpun.example", "full_name": "Again", "organisation": "Pemkot Bandung", "country": "ID",
    })
    assert response.status_code == 400
    assert "An account with this email already exists." in text_of(response)


def test_merchant_edits_its_shop_and_cannot_change_its_nib(app, client, demo):
    client.login("merchant@serumpun.example")
    client.post("/language", {"language": "en", "next": "/"}, token_from="/")
    response = client.post("/merchant/shop", {
        "business_name": "Sangrai Preanger Coffee & Tea", "owner_name": "Dadang Suherman",
        "whatsapp": "+62 812 2143 0001", "address_line": "Jl. Dago No. 112", "kecamatan": "coblong",
        "postcode": "40135", "categories": ["coffee-tea", "snacks"], "npwp": "01.234.567.8-901.000",
        "story": "Kopi dari Gunung Puntang.", "nib": "0000000000000",
    })
    assert response.status_code == 302
    page = text_of(client.get("/merchant/"))
    assert "Sangrai Preanger Coffee & Tea" in page
    assert "9120001230001" in page  # the NIB is not on the form and did not change
    assert "Snacks" in page

    bad = client.post("/merchant/shop", {
        "business_name": "", "owner_name": "Dadang", "whatsapp": "0812", "address_line": "Jl. Dago",
        "kecamatan": "coblong", "postcode": "40135", "categories": ["coffee-tea"], "npwp": "123",
    })
    assert bad.status_code == 400
    assert "An NPWP has 15 or 16 digits." in text_of(bad)
    assert "Sangrai Preanger Coffee & Tea" in text_of(client.get("/merchant/"))


def test_buyer_edits_the_delivery_address(client, demo):
    client.login("buyer@serumpun.example")
    response = client.post("/buyer/profile", {
        "full_name": "Nur Aisyah", "company": "Kedai Serumpun PJ", "country": "MY", "state": "MY-12",
        "city": "Kota Kinabalu", "postcode": "88000", "phone": "088-212 345", "region": "",
    })
    assert response.status_code == 302
    page = client.get("/buyer/profile").get_data(as_text=True)
    assert '<option selected value="MY-12">Sabah</option>' in page


def test_buyer_moves_abroad_on_the_profile_page_and_back(client, demo):
    client.login("buyer@serumpun.example")
    address = {"full_name": "Nur Aisyah", "company": "", "city": "Singapore", "postcode": "018956",
               "phone": "+65 6123 4567"}
    refused = client.post("/buyer/profile", {**address, "lives_in": "abroad", "state": "MY-10", "country": "",
                                             "region": ""})
    assert refused.status_code == 400
    assert "Choose your country." in text_of(refused) and "Enter your state, province or region." in text_of(refused)

    moved = client.post("/buyer/profile", {**address, "lives_in": "abroad", "state": "MY-10", "country": "SG",
                                           "region": "Central Region"})
    assert moved.status_code == 302
    page = client.get("/buyer/profile").get_data(as_text=True)
    assert '<input checked id="lives_in-1" name="lives_in" required type="radio" value="abroad">' in page
    assert '<option selected value="SG">' in page
    assert 'value="Central Region"' in page

    back = client.post("/buyer/profile", {**address, "lives_in": "MY", "state": "MY-12", "country": "SG",
                                          "region": "Central Region", "city": "Kota Kinabalu", "postcode": "88000",
                                          "phone": "088-212 345"})
    assert back.status_code == 302
    page = client.get("/buyer/profile").get_data(as_text=True)
    assert '<input checked id="lives_in-0" name="lives_in" required type="radio" value="MY">' in page
    assert '<option selected value="MY-12">Sabah</option>' in page
    assert 'value="Central Region"' not in page
