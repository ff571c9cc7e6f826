"""Buyers report listings; officers dismiss a report or take the listing down with a reason its merchant reads."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.moderation.models import ListingReport, ReportStatus

from ..helpers import Client, publish_product, text_of
from .conftest import BUYER, MERCHANT, OFFICER, login


def actions() -> list[str]:
    """The trail's entries about listings and reports (the demo's own entries left out)."""
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_kind.in_(
        ("product", "listing_report"))).order_by(AuditEntry.id)))


def report(client: Client, product_id: int, reason: str = "misleading", note: str = "Klaim tidak benar."):
    return client.post(f"/products/{product_id}/report", {"reason": reason, "note": note})


def test_a_buyer_reports_a_listing_and_an_officer_takes_it_down(app, demo):
    product = publish_product(app)
    anonymous = Client(app)
    assert "Report this listing" in text_of(anonymous.get(f"/products/{product}"))
    login_page = anonymous.get(f"/products/{product}/report")
    assert login_page.status_code == 302 and login_page.headers["Location"].startswith("/login")

    buyer = login(Client(app), BUYER)
    assert buyer.get(f"/products/{product}/report").status_code == 200
    refused = report(buyer, product, reason="other", note="")
    assert refused.status_code == 400 and "Tell the officers what is wrong." in text_of(refused)
    assert report(buyer, product).status_code == 302
    again = report(buyer, product)
    assert again.status_code == 400 and "You have already reported this listing." in text_of(again)

    officer = login(Client(app), OFFICER)
    assert "Take this listing down" in text_of(officer.get(f"/products/{product}"))
    queue = text_of(officer.get("/officer/reports/"))
    assert "Java Preanger Arabica Coffee 250 g" in queue and "Klaim tidak benar." in queue
    assert "1 open report." in queue
    refused = officer.post(f"/officer/reports/listings/{product}/take-down", {"reason": "", "note": ""})
    assert refused.status_code == 400
    response = officer.post(f"/officer/reports/listings/{product}/take-down",
                            {"reason": "misleading", "note": "Hapus klaim 'menyembuhkan' dari deskripsi."})
    assert response.status_code == 302

    assert anonymous.get(f"/products/{product}").status_code == 404
    assert "Java Preanger Arabica Coffee 250 g" not in text_of(anonymous.get("/products"))
    merchant = login(Client(app), MERCHANT)
    listing = text_of(merchant.get("/merchant/products/"))
    assert "Taken down by an officer" in listing and "Hapus klaim 'menyembuhkan' dari deskripsi." in listing
    edit = text_of(merchant.get(f"/merchant/products/{product}/edit"))
    assert "The name, photos or description are misleading." in edit
    republish = merchant.post(f"/merchant/products/{product}/status", {"status": "published", "back": "edit"})
    assert republish.status_code in (302, 409)
    duplicate = merchant.post(f"/merchant/products/{product}/duplicate", {})
    with app.app_context():
        assert db.session.get(Product, product).status == ProductStatus.DRAFT
        assert len(db.session.scalars(select(Product)).all()) == 1, duplicate.status_code
        assert db.session.scalar(select(ListingReport.status)) == ReportStatus.ACTIONED
        assert actions() == ["product.status_changed", "report.filed", "product.taken_down", "report.actioned"]

    assert officer.post(f"/officer/reports/listings/{product}/lift", {}).status_code == 302
    assert merchant.post(f"/merchant/products/{product}/status", {"status": "published", "back": "edit"}
                         ).status_code == 302
    assert anonymous.get(f"/products/{product}").status_code == 200
    with app.app_context():
        assert actions()[-2:] == ["product.takedown_lifted", "product.status_changed"]


def test_an_officer_dismisses_a_report_and_the_listing_stays(app, demo):
    product = publish_product(app)
    buyer = login(Client(app), BUYER)
    report(buyer, product, reason="counterfeit", note="")
    with app.app_context():
        report_id = db.session.scalar(select(ListingReport.id))
    officer = login(Client(app), OFFICER)
    assert officer.post(f"/officer/reports/{report_id}/dismiss", {"note": "Merek milik penjual sendiri."}
                        ).status_code == 302
    assert Client(app).get(f"/products/{product}").status_code == 200
    again = officer.post(f"/officer/reports/{report_id}/dismiss", {})
    assert again.status_code == 302
    with app.app_context():
        stored = db.session.get(ListingReport, report_id)
        assert stored.status == ReportStatus.DISMISSED and stored.resolution_note == "Merek milik penjual sendiri."
        assert actions()[-2:] == ["report.filed", "report.dismissed"]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.dismissed"))
        assert entry.object_kind == "listing_report" and entry.object_id == str(report_id)


def test_a_listing_nobody_may_see_cannot_be_reported(app, demo):
    from ..helpers import create_product
    draft = create_product(app, photos=1)
    buyer = login(Client(app), BUYER)
    assert buyer.get(f"/products/{draft}/report").status_code == 404
    assert report(buyer, draft).status_code == 404
