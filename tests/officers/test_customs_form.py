"""The customs rules page reads like a rule book: each rule named in words, with the right input for its kind."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.customs.models import CustomsRule
from marketplace.extensions import db

from ..helpers import Client, text_of


def officer(app, language: str = "en") -> Client:
    client = Client(app)
    client.login("officer@serumpun.example")
    client.post("/language", {"language": language, "next": "/"}, token_from="/")
    return client


def stored(app, key: str, day: str) -> str | None:
    day = date.fromisoformat(day)
    with app.app_context():
        row = db.session.scalar(select(CustomsRule).where(CustomsRule.key == key,
                                                          CustomsRule.effective_on == day))
        return row.value if row else None


def test_each_rule_has_a_labelled_input_of_its_kind_and_no_raw_keys_show(app, demo):
    response = officer(app).get("/officer/customs/")
    html, page = response.get_data(as_text=True), text_of(response)
    for words in ("Sales tax on low value goods, in percent 10%", "Low value goods: items sold at no more than RM500.00",
                  "Form D claimed: no duty on Indonesian goods Yes", "HS chapters at the reduced rate 09, 19, 20, 21"):
        assert words in page, words
    assert not re.search(r"_sen\b|duty_chapter_|lvg_rate|1 yes, 0 no", page)
    # A percentage and an amount in ringgit are typed on a number pad, labelled with their unit.
    assert re.search(r'<label class="field__label" for="lvg_rate-value">New rate, in percent</label>', html)
    assert re.search(r'<input[^>]*id="lvg_rate-value"[^>]*inputmode="decimal"', html)
    assert re.search(r'<label class="field__label" for="de_minimis_sen-value">New amount, in ringgit \(RM\)</label>',
                     html)
    assert re.search(r'<input[^>]*id="de_minimis_sen-value"[^>]*value="500.00"', html)
    # Form D is a yes or a no, the one in force chosen.
    assert '<legend class="field__label">Form D claimed: no duty on Indonesian goods</legend>' in html
    assert re.search(r'<input checked id="form_d-value-0" name="value"( required)? type="radio" value="1">', html)
    assert re.search(r'<input id="form_d-value-1" name="value"( required)? type="radio" value="0">', html)
    # Each rule's form has ids of its own, so every label points at its own input.
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_values_are_typed_as_people_write_them_and_stored_as_the_rules_need(app, demo):
    client = officer(app)
    # "1.750,00" is how an Indonesian officer writes RM 1,750.00: never read as RM 1.75.
    for key, value, expected in (("de_minimis_sen", "RM 1,000.50", "100050"), ("cn22_limit_sen", "1.750,00", "175000"),
                                 ("lvg_rate", "7,5", "7.5"),
                                 ("form_d", "0", "0"), ("reduced_chapters", "20, 09", "09,20"),
                                 ("lvg_registration_number", "", "")):
        response = client.post("/officer/customs/", {"key": key, "value": value, "effective_on": "2026-12-01",
                                                     "source": "Test order 2026"})
        assert response.status_code == 302, (key, text_of(response))
        assert response.headers["Location"].endswith(f"#rule-{key}")
        assert stored(app, key, "2026-12-01") == expected, key
    page = text_of(client.get("/officer/customs/"))
    assert "Form D claimed: no duty on Indonesian goods No" in page
    assert "Serumpun's LVG registration number (empty: not registered, no LVG tax) Not registered" in page


def test_a_chapters_duty_is_chosen_by_its_chapter_and_audited(app, demo):
    client = officer(app)
    response = client.post("/officer/customs/", {"key": "duty_chapter", "chapter": "16", "value": "5",
                                                 "effective_on": "2026-12-01", "source": "Customs Duties Order 2022"})
    assert response.status_code == 302
    assert stored(app, "duty_chapter_16", "2026-12-01") == "5"
    assert "Import duty without a Form D, HS chapter 16 5%" in text_of(client.get("/officer/customs/"))
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "customs_rule.recorded"))
        assert entry.after["key"] == "duty_chapter_16" and entry.actor_id is not None


@pytest.mark.parametrize(("form", "field_id", "message"), [
    ({"key": "duty_chapter", "chapter": "6", "value": "5"}, "duty_chapter-chapter", "Enter exactly 2 digits."),
    ({"key": "duty_chapter", "chapter": "62", "value": "120"}, "duty_chapter-value",
     "Enter a percentage from 0 to 100, like 10 or 7.5."),
    ({"key": "cn22_limit_sen", "value": "1750.005"}, "cn22_limit_sen-value",
     "Enter an amount in ringgit, like 500 or 1,750.00 (at most two decimals)."),
    ({"key": "form_d", "value": ""}, "form_d-value", "Please choose one."),
    ({"key": "sales_tax_standard", "value": "ten"}, "sales_tax_standard-value",
     "Enter a percentage from 0 to 100, like 10 or 7.5."),
])
def test_a_wrong_value_is_refused_beside_its_rule_and_changes_nothing(app, demo, form, field_id, message):
    client = officer(app)
    response = client.post("/officer/customs/", {**form, "effective_on": "2026-12-01", "source": "Test source"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<p class="field__error" id="{field_id}-error">{message}</p>' in html
    assert re.search(rf'<details class="rule__change" open>\s*<summary>Record (a new value|a chapter.s duty)</summary>'
                     rf'\s*<form[^>]*>\s*<input[^>]*csrf_token[^>]*>\s*<input type="hidden" name="key" '
                     rf'value="{form["key"]}">', html)
    with app.app_context():
        assert db.session.scalar(select(CustomsRule).where(CustomsRule.effective_on == date(2026, 12, 1))) is None
    assert client.post("/officer/customs/", {"key": "nonsense", "value": "1"}).status_code == 400


def test_the_rule_book_reads_in_indonesian(app, demo):
    page = text_of(officer(app, "id").get("/officer/customs/"))
    assert "Catat nilai baru" in page and "Ya" in page
