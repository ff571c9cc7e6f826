"""The audit trail: officers' and admins' changes and product status changes, with who made them."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditEntry, AuditEntryImmutable
from marketplace.extensions import db

from ..helpers import Client, product_form, publish_product, text_of


@pytest.fixture()
def officer(app, demo) -> Client:
    client = Client(app)
    client.login("officer@serumpun.example")
    return client


def entries(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def courier_id(app, code: str) -> int:
    from marketplace.shipping.models import CourierService

    with app.app_context():
        return db.session.scalar(select(CourierService.id).where(CourierService.code == code))


def officer_changes_rate_courier_and_rule(officer: Client) -> None:
    saved = officer.post("/officer/rates/", {"currency": "MYR", "idr_per_unit": "3950.25", "effective_on": "2026-12-01",
                                             "source": "Bank Indonesia JISDOR"})
    assert saved.status_code == 302
    ems = courier_id(officer.app, "pos-ems")
    assert "Pos Indonesia EMS" in officer.get(f"/officer/couriers/{ems}").get_data(as_text=True)
    saved = officer.post(f"/officer/couriers/{ems}", {
        "code": "pos-ems", "name": "Pos Indonesia EMS", "level": "postal", "volumetric_divisor": "5000",
        "weight_step_g": "500", "max_weight_g": "30000", "max_longest_cm": "105", "max_sum_cm": "200",
        "transit_min_days": "3", "transit_max_days": "6", "west_first": "199000", "west_next": "48000",
        "east_first": "225000", "east_next": "56000", "active": "y", "sample": "y",
    })
    assert saved.status_code == 302
    saved = officer.post("/officer/customs/", {"key": "duty_chapter_62", "value": "20", "effective_on": "2026-12-01",
                                               "source": "Customs Duties Order 2022, chapter 62"})
    assert saved.status_code == 302


def test_the_trail_lists_an_officers_rate_courier_and_customs_changes_with_the_name(app, officer):
    start = max((e.id for e in entries(app)), default=0)
    officer_changes_rate_courier_and_rule(officer)
    page = officer.get("/officer/audit?since=2026-01-01")
    assert page.status_code == 200
    text = text_of(page)
    html = page.get_data(as_text=True)
    rows = [e for e in entries(app) if e.id > start]
    assert all(e.actor_name == "Rina Kartika <officer@serumpun.example>" for e in rows)
    assert html.count(">Rina Kartika &lt;officer@serumpun.example&gt;</td>") >= 3
    assert [e.action for e in rows] == ["rate.recorded", "courier.changed", "customs_rule.recorded"]
    # Newest first on the page: the customs rule, then the courier, then the rate.
    assert text.index("Customs rule recorded") < text.index("Courier service changed") < text.index(
        "Exchange rate recorded")
    courier = next(e for e in rows if e.action == "courier.changed")
    assert courier.before["transit_max_days"] == 7 and courier.after["transit_max_days"] == 6
    assert courier.before["rates"]["west"] == [195000, 48000] and courier.after["rates"]["west"] == [199000, 48000]
    rule = next(e for e in rows if e.action == "customs_rule.recorded")
    assert rule.before is None and rule.after == {"key": "duty_chapter_62", "value": "20", "effective_on": "2026-12-01",
                                                  "source": "Customs Duties Order 2022, chapter 62"}
    rate = next(e for e in rows if e.action == "rate.recorded")
    assert rate.after["idr_per_unit"] == "3950.25"


def test_the_trail_filters_by_object_actor_and_date(app, officer):
    officer_changes_rate_courier_and_rule(officer)
    only_rules = text_of(officer.get("/officer/audit?object_kind=customs_rule"))
    assert "Customs rule recorded" in only_rules and "Courier service changed" not in only_rules
    ems = courier_id(app, "pos-ems")
    courier = text_of(officer.get(f"/officer/audit?object_kind=courier_service&object_id={ems}"))
    assert "Courier service changed" in courier and "Exchange rate recorded" not in courier
    officer_id = next(e.actor_id for e in entries(app) if e.actor_name.endswith("<officer@serumpun.example>"))
    by_officer = text_of(officer.get(f"/officer/audit?actor={officer_id}"))
    assert "Exchange rate recorded" in by_officer
    assert "No changes match these filters." in text_of(officer.get("/officer/audit?since=2099-01-01"))
    everything = text_of(officer.get("/officer/audit?since=2000-01-01&until=2099-12-31"))
    assert "Exchange rate recorded" in everything
    bad = officer.get("/officer/audit?since=yesterday&actor=999999")
    assert bad.status_code == 400
    assert "Enter a date, like 2027-06-30." in text_of(bad)


def test_a_refused_change_writes_no_entry(app, officer):
    before = len(entries(app))
    refused = officer.post("/officer/customs/", {"key": "duty_chapter_62", "value": "twenty",
                                                 "effective_on": "2026-12-01", "source": "a source"})
    assert refused.status_code == 400
    assert len(entries(app)) == before


def test_product_status_changes_and_invitations_are_on_the_trail(app, demo):
    product_id = publish_product(app)
    admin = Client(app)
    admin.login("admin@serumpun.example")
    invited = admin.post("/admin/officers/invite", {"email": "rahmah@mbpj.example.my", "full_name": "Rahmah Ismail",
                                                     "organisation": "MBPJ", "country": "MY"})
    assert invited.status_code == 302
    found = {(e.action, e.object_id): e for e in entries(app)}
    published = found[("product.status_changed", str(product_id))]
    assert published.before == {"status": "draft"} and published.after == {"status": "published"}
    assert published.actor_name.endswith("<merchant@serumpun.example>")
    invitation = next(e for (action, _), e in found.items() if action == "officer.invited")
    assert invitation.after["email"] == "rahmah@mbpj.example.my"
    assert invitation.actor_name.endswith("<admin@serumpun.example>")
    trail = text_of(admin.get(f"/officer/audit?object_kind=product&object_id={product_id}"))
    assert "Product status changed" in trail and "published" in trail


def test_entries_are_never_changed_or_removed(app, officer):
    officer_changes_rate_courier_and_rule(officer)
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(AuditEntry))
        entry = db.session.scalars(select(AuditEntry)).first()
        entry.action = "rate.forgotten"
        with pytest.raises(AuditEntryImmutable):
            db.session.flush()
        db.session.rollback()
        entry = db.session.scalars(select(AuditEntry)).first()
        db.session.delete(entry)
        with pytest.raises(AuditEntryImmutable):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == count
        assert db.session.scalars(select(AuditEntry)).first().action != "rate.forgotten"


@pytest.mark.parametrize("email", ["merchant@serumpun.example", "buyer@serumpun.example", None])
def test_only_officers_and_admins_read_the_trail(app, demo, email):
    client = Client(app)
    if email:
        client.login(email)
    answer = client.get("/officer/audit")
    assert answer.status_code in (302, 403)
    assert "Audit trail" not in text_of(answer)


@pytest.mark.parametrize(("language", "title", "action"), [
    ("id", "Jejak audit", "Kurs dicatat"),
    ("ms", "Jejak audit", "Kadar pertukaran direkodkan"),
])
def test_the_trail_reads_in_indonesian_and_malay(app, officer, language, title, action):
    officer.post("/officer/rates/", {"currency": "MYR", "idr_per_unit": "3950.25", "effective_on": "2026-12-01",
                                     "source": "Bank Indonesia JISDOR"})
    officer.post("/language", {"language": language, "next": "/"}, token_from="/")
    text = text_of(officer.get("/officer/audit"))
    assert title in text and action in text


def test_a_product_form_refusal_leaves_no_status_entry(app, demo):
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    created = merchant.post("/merchant/products/new", product_form())
    product_id = int(created.headers["Location"].split("/")[-2])
    # No photo yet: publishing is refused, and nothing is written to the trail.
    merchant.post(f"/merchant/products/{product_id}/status", {"status": "published"}, token_from="/merchant/products/")
    assert not [e for e in entries(app) if e.object_kind == "product"]


def test_an_empty_filter_form_is_no_error_and_far_dates_are_no_500(app, officer):
    officer_changes_rate_courier_and_rule(officer)
    blank = officer.get("/officer/audit?object_kind=exchange_rate&object_id=&actor=&since=&until=")
    assert blank.status_code == 200
    assert "Exchange rate recorded" in text_of(blank) and "Enter a date" not in text_of(blank)
    far = officer.get("/officer/audit?since=0001-01-01&until=9999-12-31")
    assert far.status_code == 200 and "Customs rule recorded" in text_of(far)


def test_the_date_filter_reads_days_as_the_page_shows_them(app, demo):
    """Times show in Jakarta time (UTC+7): 20:00 UTC on 1 December is 3:00 on 2 December."""
    from datetime import datetime

    from marketplace.audit import services as audit

    with app.test_request_context():
        entry = AuditEntry(at=datetime(2026, 12, 1, 20, 0), actor_name="command line", action="rate.recorded",
                           object_kind="exchange_rate", object_id="1", after={"currency": "MYR"})
        db.session.add(entry)
        db.session.commit()
        on_second = audit.list_entries(audit.TrailFilter(since=date(2026, 12, 2), until=date(2026, 12, 2)), 1)[0]
        on_first = audit.list_entries(audit.TrailFilter(since=date(2026, 12, 1), until=date(2026, 12, 1)), 1)[0]
        assert entry.id in [e.id for e in on_second] and entry.id not in [e.id for e in on_first]


def test_a_staff_password_or_email_change_is_on_the_trail_without_the_password(app, officer):
    changed = officer.post("/account/email", {"em-current_password": "serumpun-demo",
                                              "em-email": "rina@pemkot-bandung.example"}, token_from="/account")
    assert changed.status_code == 302
    changed = officer.post("/account/password", {"pw-current_password": "serumpun-demo",
                                                 "pw-password": "kota-kembang-2026", "pw-confirm": "kota-kembang-2026"},
                           token_from="/account")
    assert changed.status_code == 302
    found = [e for e in entries(app) if e.action.startswith("account.")]
    assert [e.action for e in found] == ["account.email_changed", "account.password_changed"]
    assert found[0].before == {"email": "officer@serumpun.example"}
    assert found[0].after == {"email": "rina@pemkot-bandung.example"}
    assert found[1].before is None and found[1].after is None


def test_a_day_ends_at_midnight_in_jakarta_not_seven_minutes_earlier(app, demo):
    """pytz's Jakarta zone put on with replace() is +07:07 (its 1924 offset); 16:58 UTC is 23:58 on the 1st."""
    from datetime import datetime

    from marketplace.audit import services as audit

    with app.test_request_context():
        entry = AuditEntry(at=datetime(2026, 12, 1, 16, 58), actor_name="command line", action="rate.recorded",
                           object_kind="exchange_rate", object_id="1", after={"currency": "MYR"})
        db.session.add(entry)
        db.session.commit()
        on_first = audit.list_entries(audit.TrailFilter(since=date(2026, 12, 1), until=date(2026, 12, 1)), 1)[0]
        on_second = audit.list_entries(audit.TrailFilter(since=date(2026, 12, 2), until=date(2026, 12, 2)), 1)[0]
        assert entry.id in [e.id for e in on_first] and entry.id not in [e.id for e in on_second]
