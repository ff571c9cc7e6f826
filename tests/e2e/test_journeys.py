"""One journey per user, each ending in what the user sees."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import fits_the_screen, open_menu

pytestmark = pytest.mark.e2e


def test_merchant_signs_up_signs_out_and_signs_in_again(browser, live_server, screenshot):
    # A Bandung merchant on a phone, reading Indonesian.
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    open_menu(page).get_by_role("link", name="Daftar", exact=True).click()
    page.get_by_role("link", name="Daftar sebagai penjual").click()

    page.get_by_label("Nama usaha").fill("Keripik Pedas Mang Ujang")
    page.get_by_label("Nama pemilik").fill("Ujang Sutisna")
    page.get_by_label("NIB (Nomor Induk Berusaha)").fill("8120012345678")
    page.get_by_label("Nomor WhatsApp").fill("0812 2233 4455")
    page.get_by_label("Alamat jalan").fill("Jl. Cikutra No. 21")
    page.get_by_label("Kecamatan").select_option(label="Cibeunying Kidul")
    page.get_by_label("Kode pos").fill("40124")
    page.get_by_label("Camilan").check()
    page.get_by_label("Email").fill("mang.ujang@example.id")
    page.get_by_label("Kata sandi", exact=True).fill("keripik-pedas-level5")
    page.get_by_label("Ulangi kata sandi").fill("keripik-pedas-level5")
    page.get_by_role("button", name="Buat toko saya").click()

    expect(page).to_have_url(live_server.url + "/merchant/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Keripik Pedas Mang Ujang")
    expect(page.get_by_text("Belum terverifikasi", exact=True)).to_be_visible()
    screenshot(page, "merchant-dashboard")

    open_menu(page).get_by_role("button", name="Keluar").click()
    expect(open_menu(page).get_by_role("link", name="Masuk")).to_be_visible()

    page.get_by_role("link", name="Masuk").click()
    page.get_by_label("Email").fill("mang.ujang@example.id")
    page.get_by_label("Kata sandi").fill("keripik-pedas-level5")
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(live_server.url + "/merchant/")
    expect(page.get_by_text("Selamat datang kembali, Ujang Sutisna.")).to_be_visible()
    expect(open_menu(page).get_by_role("navigation", name="Utama").get_by_role("link", name="Toko saya")).to_be_visible()
    context.close()


def test_buyer_signs_up_and_switches_to_bahasa_melayu(browser, live_server, screenshot):
    # A shop owner in Petaling Jaya whose browser asks for English.
    context = browser.new_context(locale="en-MY", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/signup/buyer")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # In Malaysia by default: the state shows, the country and region only for someone living elsewhere.
    expect(page.get_by_role("radio", name="In Malaysia")).to_be_checked()
    expect(page.get_by_label("Country (outside Malaysia)")).to_be_hidden()
    page.get_by_role("radio", name="Outside Malaysia").check()
    expect(page.get_by_label("Country (outside Malaysia)")).to_be_visible()
    expect(page.get_by_label("State (Malaysia)")).to_be_hidden()
    page.get_by_role("radio", name="In Malaysia").check()

    page.get_by_label("Your name").fill("Nur Aisyah binti Hamzah")
    page.get_by_label("Company (optional)").fill("Kedai Runcit Aisyah")
    page.get_by_label("Phone").fill("012-345 6789")
    page.get_by_label("State (Malaysia)").select_option(label="Selangor")
    page.get_by_label("City").fill("Petaling Jaya")
    page.get_by_label("Postcode").fill("46050")
    page.get_by_label("Email").fill("aisyah@kedai.example")
    page.get_by_label("Password", exact=True).fill("teh-tarik-kurang-manis")
    page.get_by_label("Repeat password").fill("teh-tarik-kurang-manis")
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_text("Welcome to Serumpun! Your account is ready.")).to_be_visible()
    page.get_by_role("button", name="Bahasa Melayu").click()

    expect(page.locator("html")).to_have_attribute("lang", "ms")
    expect(page.get_by_role("heading", level=1)).to_have_text("Produk PKS Bandung, dihantar ke Malaysia.")
    expect(page.get_by_role("button", name="Log keluar")).to_be_visible()
    page.goto(live_server.url + "/buyer/profile")
    expect(page.get_by_label("Negeri (Malaysia)")).to_have_value("MY-10")
    screenshot(page, "buyer-profile-ms")
    context.close()

    # The choice stays on the account: a new device, whose browser asks for English, shows Malay once signed in.
    laptop = browser.new_context(locale="en-GB")
    page = laptop.new_page()
    page.goto(live_server.url + "/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Email").fill("aisyah@kedai.example")
    page.get_by_label("Password").fill("teh-tarik-kurang-manis")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("html")).to_have_attribute("lang", "ms")
    expect(page.get_by_text("Selamat kembali, Nur Aisyah binti Hamzah.")).to_be_visible()
    laptop.close()


def test_merchant_lists_a_product_with_two_photos_and_publishes_it(browser, live_server, demo, screenshot, tmp_path):
    from tests.images import jpeg_with_gps_and_orientation, png

    front, box = tmp_path / "kopi-depan.jpg", tmp_path / "kopi-kardus.png"
    front.write_bytes(jpeg_with_gps_and_orientation())
    box.write_bytes(png(1200, 900, (120, 80, 40)))

    # The coffee roaster, on a phone, in Indonesian.
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("merchant@serumpun.example")
    page.get_by_label("Kata sandi").fill("serumpun-demo")
    page.get_by_role("button", name="Masuk").click()
    open_menu(page).get_by_role("navigation", name="Utama").get_by_role("link", name="Produk").click()
    page.get_by_role("link", name="Tambah produk").first.click()

    page.get_by_label("Nama dalam bahasa Indonesia").fill("Kopi Puntang Honey 200 g")
    page.get_by_label("Kategori").select_option("coffee-tea")
    page.get_by_label("SKU (kode produk Anda)").fill("PUNTANG-HONEY-200")
    page.get_by_label("Kode HS").fill("0901.21")
    # The form folds into sections on a phone: the merchant opens the ones it needs.
    page.locator("summary", has_text="Dalam bahasa Inggris").click()
    page.get_by_label("Nama dalam bahasa Inggris").fill("Puntang Honey Process Coffee 200 g")
    page.locator("summary", has_text="Foto").click()
    page.locator("input[name=photos]").set_input_files([str(front), str(box)])  # two photos, in the same form
    page.locator("summary", has_text="Harga dan stok").click()
    page.get_by_label("Harga eceran (Rp)").fill("98.000")
    page.get_by_label("Stok", exact=True).fill("40")
    page.locator("summary", has_text="Kemasan").click()
    page.get_by_label("Berat kemasan (g)").fill("260")
    page.get_by_label("Panjang (cm)").fill("16")
    page.get_by_label("Lebar (cm)").fill("10")
    page.get_by_label("Tinggi (cm)").fill("6,5")
    # The courier preview follows what is typed, without a page load.
    expect(page.get_by_text("Ukuran kotak tidak menambah biaya")).to_be_visible()
    page.get_by_label("Tinggi (cm)").fill("60")
    expect(page.get_by_text(re.compile(r"Ditagih 2,0 kg karena ukurannya.*hemat Rp", re.S))).to_be_visible()
    page.get_by_label("Tinggi (cm)").fill("6,5")
    page.get_by_role("button", name="Simpan draf").click()

    # Saved with its photos: the details page follows, ready to publish.
    expect(page.get_by_role("link", name="Foto (2)")).to_be_visible()
    page.get_by_role("button", name="Tayangkan").click()
    expect(page.get_by_text("Sudah tayang")).to_be_visible()

    page.get_by_role("link", name="Lihat sebagai pembeli").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kopi Puntang Honey 200 g")
    expect(page.get_by_text("Rp98.000").first).to_be_visible()
    expect(page.locator(".gallery img")).to_have_count(2)
    screenshot(page, "product-page-id")
    product_url = page.url
    context.close()

    # A buyer in Malaysia, reading English, finds it at the same address, with clean photos.
    buyer = browser.new_context(locale="en-MY")
    page = buyer.new_page()
    page.goto(product_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Puntang Honey Process Coffee 200 g")
    main_photo = page.locator(".gallery__main img")
    expect(main_photo).to_be_visible()
    assert page.evaluate("() => document.querySelector('.gallery__main img').naturalWidth") > 0
    response = page.request.get(live_server.url + main_photo.get_attribute("src"))
    assert response.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in response.body() and b"PhoneMaker" not in response.body()
    buyer.close()


def test_buyer_searches_kopi_filters_halal_sorts_by_price_and_opens_a_product(browser, live_server, demo_catalog,
                                                                              screenshot):
    # A buyer in Petaling Jaya, on a phone, reading English; prices in ringgit.
    context = browser.new_context(locale="en-MY", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Search products").fill("kopi")
    page.get_by_label("Search products").press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"\d+ products for “kopi”"))).to_be_visible()
    all_count = int(re.match(r"\d+", page.get_by_role("heading", level=1).inner_text()).group(0))

    # The filters and the sort are folded at the top of the results; the count stays in sight.
    page.get_by_text("Filters and sort").click()
    page.get_by_label(re.compile(r"^\s*Halal certified")).check()
    page.get_by_label("Sort by").select_option("price_asc")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"halal=1"))
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    heading = page.get_by_role("heading", level=1)
    halal_count = int(re.match(r"\d+", heading.inner_text()).group(0))
    assert 0 < halal_count <= all_count
    assert heading.bounding_box()["y"] + heading.bounding_box()["height"] <= 740  # seen without scrolling
    expect(page.get_by_role("link", name="Remove filter Halal certified")).to_be_visible()

    prices = [float(re.sub(r"[^\d.]", "", text)) for text in page.locator(".price-tag__main").all_inner_texts()]
    assert prices == sorted(prices) and all(t.startswith("RM") for t in page.locator(".price-tag__main").all_inner_texts())
    expect(page.locator(".product-card .badge--halal")).to_have_count(halal_count if halal_count <= 24 else 24)
    screenshot(page, "search-kopi-halal")

    first_name = page.locator(".product-card__name").first.inner_text()
    page.locator(".product-card__name").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first_name)
    expect(page.locator(".price .price-tag__main")).to_contain_text("RM")
    expect(page.get_by_text(re.compile(r"1 RM = 3,924\.5"))).to_be_visible()

    page.go_back()
    expect(page.get_by_label(re.compile(r"^\s*Halal certified"))).to_be_checked()
    # Removing the halal chip is the same search without it, still sorted by price.
    page.get_by_role("link", name="Remove filter Halal certified").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(rf"^\s*{all_count} products"))
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    expect(page.get_by_role("link", name=re.compile("Remove filter"))).to_have_count(0)
    context.close()


def test_buyer_switches_the_delivery_state_to_sabah_and_sees_the_east_malaysia_price(browser, live_server,
                                                                                     demo_catalog, screenshot):
    context = browser.new_context(locale="en-MY", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(live_server.url + "/products?q=arabica")
    page.locator(".product-card__name").first.click()
    delivered = page.locator(".delivered")
    expect(delivered.get_by_label("State")).to_have_value("MY-10")
    west = delivered.locator(".delivered__head strong").first.inner_text()

    delivered.get_by_label("State").select_option(label="Sabah")
    delivered.get_by_role("button", name="Update").click()
    expect(page).to_have_url(re.compile(r"state=MY-12"))
    expect(delivered.get_by_label("State")).to_have_value("MY-12")
    east = delivered.locator(".delivered__head strong").first.inner_text()

    def ringgit(text: str) -> float:
        return float(re.search(r"RM([\d,]+\.\d\d)", text).group(1).replace(",", ""))

    assert ringgit(east) > ringgit(west)
    expect(delivered.get_by_text("Sales tax on low value goods").first).to_be_visible()
    expect(delivered.get_by_text("Total, estimated").first).to_be_visible()
    screenshot(page, "delivered-sabah")
    context.close()


def test_buyer_types_a_quantity_and_the_headline_price_follows_the_wholesale_tier(browser, live_server, app, demo,
                                                                                 screenshot):
    from tests.helpers import publish_product

    # Sold from 6 units at Rp 85,000; Rp 78,000 from 24, Rp 72,000 from 48.
    product_id = publish_product(app, moq="6", **{"tiers-0-min_quantity": "24", "tiers-1-min_quantity": "48"})
    context = browser.new_context(locale="en-MY", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{live_server.url}/products/{product_id}")
    headline = page.locator(".headline-price")
    expect(headline.locator(".price .price-tag__main")).to_have_text("RM21.66")
    expect(headline.locator("[data-price-tier]")).to_have_text("6+ units: RM21.66 per unit")

    asked = []
    page.on("request", lambda request: asked.append(request.url))
    quantity = page.locator(".buy-form").get_by_label("Quantity")
    quantity.fill("24")
    expect(headline.locator(".price .price-tag__main")).to_have_text("RM19.88")
    expect(headline.locator(".price .price-tag__idr")).to_have_text("IDR78,000")
    expect(headline.locator("[data-price-tier]")).to_have_text("24+ units: RM19.88 per unit")
    expect(headline.locator("[data-price-total]")).to_have_text("RM477.12")
    expect(headline.locator("[data-price-total-idr]")).to_have_text("IDR1,872,000")
    expect(page.locator(".tiers-table__current td").first).to_have_text("24+")
    expect(page.locator(".buy-form output")).to_have_text("Line total: 24 × RM19.88 = RM477.12 IDR1,872,000")
    drawn = " ".join(headline.inner_text().split())
    screenshot(page, "product-tier-price")

    quantity.fill("23")  # one below the tier: back to the list price
    expect(headline.locator("[data-price-tier]")).to_have_text("6+ units: RM21.66 per unit")
    expect(headline.locator("[data-price-total]")).to_have_text("RM498.18")
    quantity.fill("lima puluh")  # not a number: the price stays as it was
    expect(headline.locator("[data-price-total]")).to_have_text("RM498.18")
    assert asked == []  # all of it without a request

    # What the script drew is what the server draws for that quantity.
    page.goto(f"{live_server.url}/products/{product_id}?qty=24")
    assert " ".join(page.locator(".headline-price").inner_text().split()) == drawn
    page.locator(".buy-form").get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("In your cart: 24.")).to_be_visible()
    context.close()


def test_an_english_reader_finds_a_sambal_written_only_in_indonesian_marked_as_such(browser, live_server,
                                                                                    demo_catalog, screenshot):
    # The sambal maker published its dried sambal in Indonesian only: a buyer reading English still finds it.
    context = browser.new_context(locale="en-MY", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(live_server.url + "/merchants/sambal-teh-euis")
    expect(page.locator(".storefront-head .lang-label")).to_have_text("in Indonesian")  # the shop's story
    card = page.locator(".product-card", has_text="Sambal Dadak Kering 100 g")
    expect(card.locator(".lang-label")).to_have_text("in Indonesian")
    card.locator(".product-card__name").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Sambal Dadak Kering 100 gin Indonesian")
    assert heading.get_attribute("lang") == "id"
    expect(page.locator(".prose[lang='id']")).to_contain_text("Sambal dadak khas Sunda")
    assert fits_the_screen(page)
    screenshot(page, "product-page-indonesian-only-en")
    context.close()
