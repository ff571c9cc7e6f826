"""The verification journey: a merchant, on a phone in Indonesian, fills in its export-readiness profile with a
certificate and sends it; an officer reads it beside the document at a desk (and on a phone) and verifies it;
a buyer sees the Verified badge with its date on the storefront."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from marketplace.demo.verification import certificate_pdf
from tests.helpers import DEMO_PASSWORD, fits_the_screen

pytestmark = pytest.mark.e2e


def sign_in(browser, base: str, email: str, locale: str, width: int):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    return context, page


def test_an_officer_verifies_a_merchant_that_sent_its_profile(browser, live_server, demo, screenshot):
    base = live_server.url
    merchant, page = sign_in(browser, base, "leather@serumpun.example", "id-ID", 360)
    page.get_by_role("link", name="Buka profil kesiapan ekspor Anda").click()
    expect(page.get_by_role("heading", name="Kesiapan ekspor")).to_be_visible()
    page.locator("input[name=legal_name]").fill("CV Cibaduyut Leather Works")
    page.locator("input[name=monthly_capacity]").fill("300")
    page.locator("select[name=capacity_unit]").select_option("pcs")
    page.locator("select[name=export_experience]").select_option("indirect")
    page.locator("textarea[name=export_notes]").fill("Tas kulit ke Johor lewat pedagang sejak 2023.")
    page.locator("select[name=can_get_form_d]").select_option("yes")
    page.locator("#profile").get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Profil kesiapan ekspor Anda sudah disimpan.")).to_be_visible()

    page.locator("select[name=kind]").select_option("nib")
    page.locator("input[name=file]").set_input_files(files=[{
        "name": "NIB-Cibaduyut.pdf", "mimeType": "application/pdf",
        "buffer": certificate_pdf("PERIZINAN BERUSAHA BERBASIS RISIKO", ["NIB: 9120001230006",
                                                                        "CV CIBADUYUT LEATHER WORKS"])}])
    page.get_by_role("button", name="Unggah dokumen").click()
    expect(page.get_by_text("Dokumen diunggah.")).to_be_visible()
    expect(page.get_by_role("link", name="NIB-Cibaduyut.pdf")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "merchant-export-readiness")
    page.locator("#send").get_by_role("button", name="Ajukan pemeriksaan").click()
    expect(page.get_by_text("Sudah diajukan. Petugas akan memeriksa profil")).to_be_visible()
    merchant.close()

    officer, page = sign_in(browser, base, "officer@serumpun.example", "en-MY", 1280)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Verification").click()
    expect(page.get_by_text("2 merchants wait for a review.")).to_be_visible()  # and the demo's batik maker
    page.get_by_role("link", name="Cibaduyut Leather Works").click()
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    expect(page.locator("iframe.document__view")).to_have_count(1)
    expect(page.get_by_text("300 pieces")).to_be_visible()
    screenshot(page, "officer-verification-review")
    page.set_viewport_size({"width": 360, "height": 780})
    assert fits_the_screen(page), page.evaluate("""[...document.querySelectorAll('body *')].filter(
        e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(
        e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Verify this merchant").click()
    expect(page.get_by_text("Cibaduyut Leather Works is verified.")).to_be_visible()
    expect(page.locator(".page-head .badge")).to_have_text("Verified")
    expect(page.get_by_text("Verified on")).to_be_visible()
    page.locator("#main").get_by_role("link", name="Audit trail").click()
    expect(page.get_by_text("Merchant verified")).to_be_visible()
    officer.close()

    # The same queue on the officer's phone: rows stacked, nothing off to the side.
    officer, page = sign_in(browser, base, "officer@serumpun.example", "en-MY", 360)
    page.goto(base + "/officer/merchants/")
    expect(page.get_by_role("link", name="Cibaduyut Leather Works")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "officer-verification-queue")
    officer.close()

    buyer = browser.new_context(locale="en-MY", viewport={"width": 360, "height": 780})
    page = buyer.new_page()
    page.goto(base + "/merchants/cibaduyut-leather-works")
    expect(page.get_by_text("Verified by a trade officer on")).to_be_visible()
    buyer.close()
