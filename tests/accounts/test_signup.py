"""Registration: what a merchant or buyer types, and what we refuse."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import BuyerProfile, MerchantProfile, Role, User, VerificationStatus
from marketplace.extensions import db

from ..helpers import buyer_form, merchant_form, text_of


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_merchant_signs_up_unverified_and_lands_in_the_shop(app, client):
    response = client.post("/signup/merchant", merchant_form(email="  Toko@Example.ID "))
    assert response.status_code == 302
    assert response.headers["Location"] == "/merchant/"

    page = client.get("/merchant/")
    assert page.status_code == 200
    assert "Kopi Gunung Puntang" in text_of(page)

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "toko@example.id"))
        assert user.role == Role.MERCHANT
        assert user.full_name == "Ujang Sutisna"
        profile = user.merchant_profile
        assert profile.verification_status == VerificationStatus.UNVERIFIED
        assert profile.whatsapp == "+6281221435566"
        assert profile.nib == "1234567890123"
        assert profile.kecamatan == "coblong"
        assert profile.categories == ["coffee-tea"]
        assert profile.slug == "kopi-gunung-puntang"
        assert user.password_hash.startswith("scrypt:")
        assert "kopi-sangrai-2026" not in user.password_hash


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nib": "12345"}, "nib", "Enter exactly 13 digits."),
        ({"nib": "12345678901234"}, "nib", "Enter exactly 13 digits."),
        ({"nib": "12345678901ab"}, "nib", "Enter exactly 13 digits."),
        ({"nib": "１２３４５６７８９０１２３"}, "nib", "Enter exactly 13 digits."),
        ({"nib": "١٢٣٤٥٦٧٨٩٠١٢٣"}, "nib", "Enter exactly 13 digits."),
        ({"whatsapp": "12345"}, "whatsapp", "This phone number does not look right."),
        ({"whatsapp": "022 2501234"}, "whatsapp", "WhatsApp needs a mobile number."),
        ({"kecamatan": "kuta"}, "kecamatan", "Please choose one of the options."),
        ({"kecamatan": ""}, "kecamatan", "Please choose one."),
        ({"categories": []}, "categories", "Choose at least one category."),
        ({"categories": ["coffee-tea", "weapons"]}, "categories", "Please choose only from the options."),
        ({"postcode": "4013"}, "postcode", "Enter exactly 5 digits."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
        ({"business_name": ""}, "business_name", "This field is required."),
        ({"password": "short", "confirm": "short"}, "password", "Use at least 10 characters."),
        ({"password": "password123", "confirm": "password123"}, "password", "too common"),
        ({"password": "1234567890", "confirm": "1234567890"}, "password", "too common"),
        ({"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"}, "password", "too common"),
        ({"confirm": "something-else-entirely"}, "confirm", "The two passwords are not the same."),
    ],
)
def test_merchant_signup_refuses_bad_input_and_writes_nothing(app, client, overrides, field, message):
    response = client.post("/signup/merchant", merchant_form(**overrides))
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count(app, User) == 0
    assert count(app, MerchantProfile) == 0


def test_duplicate_email_and_nib_are_refused_with_a_clear_message(app, client, another_client):
    assert client.post("/signup/merchant", merchant_form()).status_code == 302

    again = another_client.post("/signup/merchant", merchant_form(email="TOKO@example.id", nib="9999999999999"))
    assert again.status_code == 400
    assert "An account with this email already exists." in text_of(again)

    same_nib = another_client.post("/signup/merchant", merchant_form(email="other@example.id"))
    assert same_nib.status_code == 400
    assert "A business with this NIB is already registered." in text_of(same_nib)
    assert count(app, User) == 1


def test_signup_form_offers_the_thirty_kecamatan_of_bandung(client):
    page = client.get("/signup/merchant").get_data(as_text=True)
    select_html = page[page.index('id="kecamatan"'):page.index("</select>", page.index('id="kecamatan"'))]
    assert select_html.count("<option") == 31  # 30 kecamatan and the prompt
    for name in ("Coblong", "Ujungberung", "Sumur Bandung", "Babakan Ciparay", "Gedebage"):
        assert name in select_html


def test_html_in_a_business_name_is_shown_as_text(app, client):
    name = "<script>alert(1)</script> Keripik 🌶️"
    client.post("/signup/merchant", merchant_form(business_name=name))
    page = client.get("/merchant/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Keripik 🌶️" in page


def test_buyer_signs_up_in_malaysia_by_default(app, client):
    form_page = client.get("/signup/buyer").get_data(as_text=True)
    assert re.search(r'<input checked id="lives_in-\d" name="lives_in" required type="radio" value="MY">', form_page)
    # Without JavaScript both groups are on the page; the choice above says which one counts.
    assert 'id="state"' in form_page and 'id="country"' in form_page and 'id="region"' in form_page

    response = client.post("/signup/buyer", buyer_form(company="Kedai Runcit Aminah"))
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "aminah@example.my"))
        assert user.role == Role.BUYER
        buyer = user.buyer_profile
        assert (buyer.country, buyer.state, buyer.city, buyer.postcode) == ("MY", "MY-10", "Petaling Jaya", "46100")
        assert buyer.phone == "+60123456789"
        assert buyer.company == "Kedai Runcit Aminah"
        assert buyer.is_business


def test_buyer_signup_offers_thirteen_states_and_three_federal_territories(client):
    page = client.get("/signup/buyer").get_data(as_text=True)
    start = page.index('id="state"')
    select_html = page[start:page.index("</select>", start)]
    assert select_html.count("<option") == 17
    for name in ("Selangor", "Sabah", "Sarawak", "Kuala Lumpur", "Labuan", "Putrajaya"):
        assert name in select_html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"state": ""}, "Choose your state or federal territory."),
        ({"state": "MY-99"}, "Please choose one of the options."),
        ({"postcode": "4610"}, "A Malaysian postcode has 5 digits."),
        ({"postcode": "46l00"}, "A Malaysian postcode has 5 digits."),
        ({"postcode": "４６１００"}, "A Malaysian postcode has 5 digits."),
        ({"phone": "12"}, "phone number"),
        ({"country": "US"}, "Please choose one of the options."),
        ({"city": ""}, "This field is required."),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_buyer_signup_refuses_bad_input_and_writes_nothing(app, client, overrides, message):
    response = client.post("/signup/buyer", buyer_form(**overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert count(app, User) == 0
    assert count(app, BuyerProfile) == 0


def test_buyer_outside_malaysia_gives_a_country_and_region_and_no_malaysian_state(app, client):
    response = client.post(
        "/signup/buyer",
        buyer_form(lives_in="abroad", country="SG", state="MY-10", region="Central Region", city="Singapore",
                   postcode="018956", phone="+65 6123 4567"),
    )
    assert response.status_code == 302
    with app.app_context():
        buyer = db.session.scalar(select(BuyerProfile))
        assert (buyer.country, buyer.state, buyer.region, buyer.postcode) == ("SG", None, "Central Region", "018956")


def test_buyer_outside_malaysia_must_name_the_country_and_region(app, client):
    response = client.post("/signup/buyer", buyer_form(lives_in="abroad", country="", state="MY-10", region="",
                                                       city="Singapore", postcode="018956", phone="+65 6123 4567"))
    assert response.status_code == 400
    text = text_of(response)
    assert "Choose your country." in text
    assert "Enter your state, province or region." in text
    assert "Choose your state or federal territory." not in text
    assert count(app, User) == 0


def test_buyer_outside_malaysia_cannot_pick_malaysia_as_the_country(app, client):
    response = client.post("/signup/buyer", buyer_form(lives_in="abroad", country="MY", region="Selangor"))
    assert response.status_code == 400
    assert "Please choose one of the options." in text_of(response)
    assert count(app, User) == 0


def test_buyer_in_malaysia_keeps_no_country_or_region_typed_in_the_other_group(app, client):
    response = client.post("/signup/buyer", buyer_form(lives_in="MY", country="SG", region="Central Region"))
    assert response.status_code == 302
    with app.app_context():
        buyer = db.session.scalar(select(BuyerProfile))
        assert (buyer.country, buyer.state, buyer.region) == ("MY", "MY-10", None)


def test_signed_in_users_are_sent_away_from_signup(client, demo):
    client.login("buyer@serumpun.example")
    assert client.get("/signup/merchant").status_code == 302


@pytest.mark.commits
def test_a_concurrent_signup_with_the_same_email_gets_a_message_not_an_error(app):
    """Another request inserts the same email and commits while ours is running: ours hears why, no 500.

    On PostgreSQL our "email free?" check passes and the insert then meets the unique index;
    on SQLite our transaction waits for the other one's lock and the check sees the row.
    """
    import threading
    import time

    from sqlalchemy import insert

    from marketplace.accounts import services
    from marketplace.core.models import utcnow

    form = merchant_form(email="race@example.id")
    with app.app_context():
        other = db.engine.connect()
        transaction = other.begin()
        other.execute(insert(User.__table__).values(
            email="race@example.id", password_hash="x", role="buyer", full_name="Other", auth_nonce="n",
            active=True, is_demo=False, created_at=utcnow(), updated_at=utcnow(),
        ))

        def commit_soon():
            time.sleep(0.5)
            transaction.commit()

        committer = threading.Thread(target=commit_soon)
        committer.start()
        try:
            with app.test_request_context(method="POST"):  # a sign-up is a POST: it writes
                with pytest.raises(services.EmailTaken):
                    services.register_merchant(services.MerchantSignup(
                        email=form["email"], password=form["password"], business_name="Kopi Race",
                        owner_name="Ujang", whatsapp="+6281221435566", nib="2222222222222",
                        address_line="Jl. Dago 1", kecamatan="coblong", postcode="40135", categories=["coffee-tea"],
                    ))
                db.session.rollback()
        finally:
            committer.join()
            other.close()
        assert db.session.scalar(select(func.count()).select_from(MerchantProfile)) == 0
