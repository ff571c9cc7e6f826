"""Showcases: officers build them, buyers see the public ones (and only products they may see), the home page
shows them, the schedule opens and closes them to the second, and every change is on the audit trail."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.core.models import utcnow
from marketplace.extensions import db
from marketplace.showcases import queries, services
from marketplace.showcases.models import Showcase, ShowcaseStatus

from ..helpers import Client, publish_product, text_of
from ..images import png

OFFICER = "officer@serumpun.example"


def no_tiers() -> dict:
    return {"tiers-0-min_quantity": "", "tiers-0-unit_price": "", "tiers-1-min_quantity": "", "tiers-1-unit_price": ""}


def three_products(app) -> list[int]:
    return [
        publish_product(app, "merchant@serumpun.example", sku="SC-KOPI", name_en="Puntang Arabica Coffee 250 g",
                        name_id="Kopi Arabika Puntang 250 g"),
        publish_product(app, "keripik@serumpun.example", sku="SC-KRP", name_en="Balado Cassava Chips 200 g",
                        name_id="Keripik Singkong Balado 200 g", price="25.000", hs_code="2008.19",
                        category="snacks", moq="6", **no_tiers()),
        publish_product(app, "sambal@serumpun.example", sku="SC-SMB", name_en="Shallot Sambal 200 ml",
                        name_id="Sambal Bawang 200 ml", price="38.000", hs_code="2103.90",
                        category="sauces-spices", **no_tiers()),
    ]


def showcase_data(**overrides) -> services.ShowcaseData:
    values = dict(title_id="Pekan Dagang Petaling Jaya", title_en="Petaling Jaya Trade Week",
                  title_ms="Minggu Perdagangan Petaling Jaya", theme="trade-week",
                  story_en="Bandung's best at the trade week.", story_id="Produk terbaik Bandung.",
                  story_ms="Produk terbaik Bandung di minggu perdagangan.", event_name="Petaling Jaya Trade Week",
                  event_place="Dewan Sivik MBPJ")
    values.update(overrides)
    return services.ShowcaseData(**values)


def make_showcase(app, product_ids: list[int], **overrides) -> tuple[int, str]:
    """A showcase built through the services the officers' pages call; returns its id and address."""
    from marketplace.accounts.services import find_user_by_email

    status = overrides.pop("status", "published")
    with app.test_request_context():
        officer = find_user_by_email(OFFICER)
        showcase = services.create_showcase(officer, showcase_data(**overrides))
        for product_id in product_ids:
            services.add_product(officer, showcase.id, product_id)
        data = showcase_data(status=status, **overrides)
        services.update_showcase(officer, showcase.id, data)
        db.session.commit()
        return showcase.id, showcase.slug


@pytest.fixture()
def officer(app, demo) -> Client:
    client = Client(app)
    client.login(OFFICER)
    client.post("/language", {"language": "en", "next": "/"}, token_from="/")
    return client


def form(**overrides) -> dict:
    data = {"title_id": "Dapur Halal Bandung", "title_en": "A Halal Pantry from Bandung",
            "title_ms": "Dapur Halal dari Bandung", "story_id": "Sambal dan camilan halal.",
            "story_en": "Halal sambal and snacks.", "story_ms": "Sambal dan snek halal.", "theme": "halal-food",
            "event_name": "Petaling Jaya Trade Week", "event_place": "Dewan Sivik MBPJ",
            "event_starts_on": "2027-03-10", "event_ends_on": "2027-03-14", "status": "draft",
            "publish_from": "", "publish_until": "", "cover_alt": ""}
    data.update(overrides)
    return data


def audit_actions(app, showcase_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.object_kind == "showcase", AuditEntry.object_id == str(showcase_id)).order_by(AuditEntry.id)))


# ---- Who may enter ------------------------------------------------------------------------------------

def test_only_officers_and_admins_reach_the_showcase_desk(app, demo):
    products = three_products(app)
    showcase_id, _slug = make_showcase(app, products[:1])
    pages = ["/officer/showcases/", "/officer/showcases/new", f"/officer/showcases/{showcase_id}"]
    posts = [("/officer/showcases/new", form()), (f"/officer/showcases/{showcase_id}", form()),
             (f"/officer/showcases/{showcase_id}/products", {"product_id": str(products[1])}),
             (f"/officer/showcases/{showcase_id}/products/{products[0]}/move", {"direction": "down"}),
             (f"/officer/showcases/{showcase_id}/products/{products[0]}/remove", {})]
    anonymous = Client(app)
    for url in pages:
        response = anonymous.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url
    for url, data in posts:
        response = anonymous.post(url, data, token_from="/login")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url
    for email in ("buyer@serumpun.example", "merchant@serumpun.example"):
        client = Client(app)
        client.login(email)
        for url in pages:
            assert client.get(url).status_code == 403, (email, url)
        for url, data in posts:
            assert client.post(url, data, token_from="/").status_code == 403, (email, url)
    for email in (OFFICER, "admin@serumpun.example"):
        client = Client(app)
        client.login(email)
        for url in pages:
            assert client.get(url).status_code == 200, (email, url)
    with app.app_context():  # nobody but officers changed anything
        showcase = db.session.get(Showcase, showcase_id)
        assert [item.product_id for item in showcase.items] == products[:1]
        assert db.session.scalar(select(db.func.count()).select_from(Showcase)) == 1


# ---- Building one --------------------------------------------------------------------------------------

def test_an_officer_builds_a_showcase_in_order_and_publishes_it_with_every_step_on_the_trail(app, officer):
    first, second, third = three_products(app)
    created = officer.post("/officer/showcases/new", form())
    assert created.status_code == 302
    showcase_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    edit = f"/officer/showcases/{showcase_id}"

    found = text_of(officer.get(edit + "?q=balado"))
    assert "Balado Cassava Chips 200 g" in found and "Shallot Sambal" not in found
    for product_id in (first, second, third):
        response = officer.post(edit + "/products", {"product_id": str(product_id), "q": "kopi"})
        assert response.status_code == 302 and "q=kopi" in response.headers["Location"]
    again = officer.post(edit + "/products", {"product_id": str(first)})
    assert "This product is in the showcase already." in text_of(officer.get(again.headers["Location"]))

    officer.post(f"{edit}/products/{third}/move", {"direction": "up"})
    officer.post(f"{edit}/products/{first}/move", {"direction": "up"})  # the first stays first
    officer.post(f"{edit}/products/{second}/remove", {})
    with app.app_context():
        assert [i.product_id for i in db.session.get(Showcase, showcase_id).items] == [first, third]
    officer.post(edit + "/products", {"product_id": str(second)})

    saved = officer.post(edit, form(status="published"))
    assert saved.status_code == 302
    with app.app_context():
        showcase = db.session.get(Showcase, showcase_id)
        assert showcase.status == ShowcaseStatus.PUBLISHED
        assert showcase.slug == "a-halal-pantry-from-bandung"
        assert [i.product_id for i in showcase.items] == [first, third, second]

    page = text_of(Client(app).get("/showcases/a-halal-pantry-from-bandung"))
    assert page.index("Puntang Arabica Coffee") < page.index("Shallot Sambal") < page.index("Balado Cassava Chips")
    assert audit_actions(app, showcase_id) == [
        "showcase.created", "showcase.product_added", "showcase.product_added", "showcase.product_added",
        "showcase.products_reordered", "showcase.product_removed", "showcase.product_added", "showcase.changed"]
    trail = text_of(officer.get(f"/officer/audit?object_kind=showcase&object_id={showcase_id}"))
    assert "Showcase created" in trail and "Showcase products reordered" in trail and "Rina Kartika" in trail


def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(app, officer):
    products = three_products(app)
    showcase_id, slug = make_showcase(app, [], status="draft")
    edit = f"/officer/showcases/{showcase_id}"
    cases = [
        (form(title_en=""), "Title in English: This field is required."),
        (form(theme="disco"), "Please choose one of the options."),
        (form(status="public"), "Please choose one of the options."),
        (form(event_starts_on="2027-03-14", event_ends_on="2027-03-10"), "The event cannot end before it starts."),
        (form(status="scheduled", publish_from="2027-03-01T09:00"), "A scheduled showcase needs the moment it closes."),
        (form(status="scheduled", publish_from="2027-03-01T09:00", publish_until="2027-03-01T09:00"),
         "It must close after it opens."),
        (form(status="scheduled", publish_from="tomorrow", publish_until="2027-03-01T09:00"),
         "Enter a date and time, like 2027-06-30 09:00."),
        (form(status="published"), "Add at least one product buyers can see before publishing."),
    ]
    for data, message in cases:
        response = officer.post(edit, data)
        assert response.status_code == 400, message
        assert message in text_of(response), message
    response = officer.post(edit + "/products", {"product_id": "999999"})
    assert "Only products buyers can see can go in a showcase." in text_of(officer.get(response.headers["Location"]))
    refused_cover = officer.post(edit + "/cover", {"cover": (io.BytesIO(b"not an image"), "cover.png")},
                                 content_type="multipart/form-data")
    assert refused_cover.status_code == 400
    assert "The cover is not a JPEG, PNG or WebP image." in text_of(refused_cover)
    with app.app_context():
        showcase = db.session.get(Showcase, showcase_id)
        assert (showcase.status, showcase.title_en, showcase.items, showcase.cover) == (
            ShowcaseStatus.DRAFT, "Petaling Jaya Trade Week", [], None)
    assert audit_actions(app, showcase_id) == ["showcase.created"]  # the draft was saved unchanged
    assert products  # published, but never added


def test_a_cover_goes_through_the_photo_pipeline_and_is_on_the_trail(app, officer):
    showcase_id, slug = make_showcase(app, three_products(app))
    response = officer.post(f"/officer/showcases/{showcase_id}/cover",
                            {"cover": (io.BytesIO(png(2400, 1200, (180, 80, 40))), "cover.png")},
                            content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        cover = db.session.get(Showcase, showcase_id).cover
        assert [v["width"] for v in cover.variants] == [320, 800, 1600]
    page = Client(app).get(f"/showcases/{slug}").get_data(as_text=True)
    assert cover.variants[-1]["jpeg"] in page
    assert audit_actions(app, showcase_id)[-1] == "showcase.cover_changed"


# ---- Scheduling at its boundaries -------------------------------------------------------------------------

def test_a_scheduled_showcase_is_public_from_its_opening_instant_until_just_before_its_closing_one(app, demo):
    opens, closes = datetime(2027, 3, 10, 1, 0), datetime(2027, 3, 15, 16, 0)
    showcase_id, slug = make_showcase(app, three_products(app), status="scheduled", publish_from=opens,
                                      publish_until=closes)
    tick = timedelta(microseconds=1)
    expected = [(opens - tick, False), (opens, True), (opens + tick, True), (closes - tick, True), (closes, False),
                (closes + tick, False)]
    with app.test_request_context():
        showcase = db.session.get(Showcase, showcase_id)
        phases = []
        for moment, live in expected:
            assert queries.is_live(showcase, moment) is live, moment
            in_sql = [s.id for s, _count in queries.live_showcases(moment)]
            assert (showcase_id in in_sql) is live, moment
            assert (queries.live_by_slug(slug, moment) is not None) is live, moment
            phases.append(queries.schedule_phase(moment))
        # The cache key's phase changes exactly at the two boundaries, and nowhere else.
        assert phases == [0, 1, 1, 1, 2, 2]


def test_a_window_around_now_is_public_and_one_in_the_past_is_not(app, demo):
    products = three_products(app)
    now = utcnow()
    _open_id, open_slug = make_showcase(app, products, title_en="Open now", status="scheduled",
                                        publish_from=now - timedelta(hours=1), publish_until=now + timedelta(hours=1))
    _past_id, past_slug = make_showcase(app, products, title_en="Over", status="scheduled",
                                        publish_from=now - timedelta(days=2), publish_until=now - timedelta(days=1))
    visitor = Client(app)
    assert visitor.get(f"/showcases/{open_slug}").status_code == 200
    assert visitor.get(f"/showcases/{past_slug}").status_code == 404
    assert visitor.get(f"/showcases/{past_slug}/line-sheet.pdf").status_code == 404
    home = text_of(visitor.get("/"))
    assert "Open now" in home and "Over" not in home


def test_the_schedule_form_reads_the_officers_clock(app, officer):
    showcase_id, _slug = make_showcase(app, three_products(app), status="draft")
    response = officer.post(f"/officer/showcases/{showcase_id}", form(
        status="scheduled", publish_from="2027-03-10T08:00", publish_until="2027-03-15T23:00"))
    assert response.status_code == 302
    with app.app_context():
        showcase = db.session.get(Showcase, showcase_id)
        # Typed in Jakarta time (UTC+7): stored in UTC.
        assert (showcase.publish_from, showcase.publish_until) == (datetime(2027, 3, 10, 1, 0),
                                                                   datetime(2027, 3, 15, 16, 0))
    page = officer.get(f"/officer/showcases/{showcase_id}").get_data(as_text=True)
    assert 'value="2027-03-10T08:00"' in page and 'value="2027-03-15T23:00"' in page


# ---- What buyers see --------------------------------------------------------------------------------------

def test_a_product_that_stops_being_visible_drops_out_and_the_officer_is_told(app, officer):
    coffee, chips, sambal = three_products(app)
    showcase_id, slug = make_showcase(app, [coffee, chips, sambal])
    visitor = Client(app)
    assert "Balado Cassava Chips" in text_of(visitor.get(f"/showcases/{slug}"))  # now cached for visitors
    assert "Balado Cassava Chips" in text_of(visitor.get("/"))

    merchant = Client(app)
    merchant.login("keripik@serumpun.example")
    assert merchant.post(f"/merchant/products/{chips}/status", {"status": "draft"}).status_code == 302

    page = text_of(visitor.get(f"/showcases/{slug}"))
    assert "Balado Cassava Chips" not in page and "Puntang Arabica Coffee" in page
    assert "2 products" in text_of(visitor.get("/"))
    edit = text_of(officer.get(f"/officer/showcases/{showcase_id}"))
    assert "1 product here is no longer visible to buyers" in edit
    assert "its merchant moved it back to drafts" in edit
    dashboard = text_of(officer.get("/officer/"))
    assert "Products buyers can no longer see have dropped out of these showcases: Petaling Jaya Trade Week" in dashboard
    assert "1 no longer visible" in text_of(officer.get("/officer/showcases/"))


def test_drafts_are_for_officers_only_and_public_pages_follow_changes_at_once(app, officer):
    products = three_products(app)
    showcase_id, slug = make_showcase(app, products, status="draft")
    visitor = Client(app)
    assert visitor.get(f"/showcases/{slug}").status_code == 404
    assert "Petaling Jaya Trade Week" not in text_of(visitor.get("/"))  # the home page is now cached
    preview = text_of(officer.get(f"/showcases/{slug}"))
    assert "Preview: buyers do not see this showcase now." in preview

    assert officer.post(f"/officer/showcases/{showcase_id}", form(
        title_en="Petaling Jaya Trade Week", status="published")).status_code == 302
    home = visitor.get("/").get_data(as_text=True)
    assert f'href="/showcases/{slug}"' in home and "Petaling Jaya Trade Week" in home
    assert "Petaling Jaya Trade Week" in text_of(visitor.get("/showcases"))
    assert visitor.get(f"/showcases/{slug}").status_code == 200


def test_the_public_page_has_open_graph_tags_for_sharing(app, demo):
    showcase_id, slug = make_showcase(app, three_products(app))
    html = Client(app).get(f"/showcases/{slug}").get_data(as_text=True)
    tags = dict(re.findall(r'<meta property="(og:[a-z_]+)" content="([^"]*)"', html))
    assert tags["og:title"] == "Petaling Jaya Trade Week"
    assert tags["og:description"] == "Bandung&#39;s best at the trade week."
    assert tags["og:url"] == f"http://localhost/showcases/{slug}"
    # No cover yet: the first product's photo, as an absolute address that a chat app can fetch.
    assert re.fullmatch(r"http://localhost/media/[0-9a-f]{64}\.jpg", tags["og:image"])
    assert Client(app).get(tags["og:image"].removeprefix("http://localhost")).status_code == 200


@pytest.mark.parametrize(("language", "title", "words"), [
    ("id", "Pekan Dagang Petaling Jaya", "Lembar produk (PDF)"),
    ("ms", "Minggu Perdagangan Petaling Jaya", "Helaian produk (PDF)"),
])
def test_the_page_reads_in_indonesian_and_malay(app, demo, language, title, words):
    _id, slug = make_showcase(app, three_products(app))
    visitor = Client(app)
    visitor.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    page = text_of(visitor.get(f"/showcases/{slug}"))
    assert title in page and words in page


# ---- The line sheet -----------------------------------------------------------------------------------------

def pdf_pages(data: bytes):
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(data)
    return [document[i] for i in range(len(document))]


def test_the_line_sheet_is_a_pdf_with_every_product_and_a_qr_code_to_each_page(app, demo):
    coffee, chips, sambal = three_products(app)
    _id, slug = make_showcase(app, [coffee, chips, sambal])
    response = Client(app).get(f"/showcases/{slug}/line-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    pages = pdf_pages(data)
    text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pages)
    for words in ("Petaling Jaya Trade Week", "Puntang Arabica Coffee 250 g", "Balado Cassava Chips 200 g",
                  "Shallot Sambal 200 ml", "Minimum order: 6 units", "From 12 units: RM19.88 (IDR78,000) per unit",
                  "Delivered to Selangor, 6 units: RM", "Keripik Ceu Enok", "Sangrai Preanger Coffee"):
        assert words in text, words
    # An anonymous reader gets the shop's address, not the merchant's phone number.
    assert "http://localhost/merchants/sangrai-preanger-coffee" in text and "WhatsApp" not in text

    expected = {f"http://localhost/products/{product_id}" for product_id in (coffee, chips, sambal)}
    try:
        import zxingcpp
    except ImportError:  # no decoder here: check what segno was asked to encode
        from marketplace.showcases.pdf import QrCode

        assert all(QrCode(url).code.matrix for url in expected)
        return
    decoded = set()
    for page in pages:
        image = page.render(scale=3).to_pil()
        decoded |= {result.text for result in zxingcpp.read_barcodes(image)}
    assert decoded == expected


def test_a_signed_in_reader_gets_the_merchants_phone_on_the_line_sheet(app, officer):
    _id, slug = make_showcase(app, three_products(app))
    text = " ".join(page.get_textpage().get_text_range() for page in pdf_pages(
        officer.get(f"/showcases/{slug}/line-sheet.pdf").get_data()))
    assert "WhatsApp +62 812-2143-0001" in " ".join(text.split())


def test_the_line_sheet_follows_the_catalog(app, demo):
    coffee, chips, sambal = three_products(app)
    _id, slug = make_showcase(app, [coffee, chips, sambal])
    visitor = Client(app)
    assert "Shallot Sambal" in " ".join(p.get_textpage().get_text_range() for p in pdf_pages(
        visitor.get(f"/showcases/{slug}/line-sheet.pdf").get_data()))
    merchant = Client(app)
    merchant.login("sambal@serumpun.example")
    merchant.post(f"/merchant/products/{sambal}/status", {"status": "archived"})
    text = " ".join(page.get_textpage().get_text_range() for page in pdf_pages(
        visitor.get(f"/showcases/{slug}/line-sheet.pdf").get_data()))
    assert "Shallot Sambal" not in text and "Balado Cassava Chips" in text


def test_the_html_page_has_a_print_stylesheet(app, demo):
    css = Client(app).get("/static/css/serumpun.css").get_data(as_text=True)
    printing = css[css.rindex("@media print"):]
    assert ".showcase__actions" in printing and ".print-only" in printing
