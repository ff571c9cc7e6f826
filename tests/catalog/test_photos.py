"""Photos through the web: what is stored, what is served, and what a refusal leaves behind."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.catalog.models import ProductPhoto
from marketplace.extensions import db

from ..helpers import text_of
from ..images import jpeg_with_gps_and_orientation, png, png_claiming_size, webp


def media_files(app) -> set[str]:
    root = Path(app.config["MEDIA_ROOT"])
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def photo_rows(app) -> list[ProductPhoto]:
    with app.app_context():
        return list(db.session.scalars(select(ProductPhoto).order_by(ProductPhoto.position)))


def upload(client, product_id, *files):
    return client.post(
        f"/merchant/products/{product_id}/photos",
        {"photos": [(io.BytesIO(data), name) for name, data in files]},
        content_type="multipart/form-data",
    )


def test_two_photos_are_processed_stored_and_served_clean(app, merchant, make_product):
    product_id = make_product()
    response = upload(merchant, product_id, ("kopi.jpg", jpeg_with_gps_and_orientation()), ("box.png", png()))
    assert response.status_code == 302
    photos = photo_rows(app)
    assert [p.position for p in photos] == [0, 1]
    assert (photos[0].width, photos[0].height) == (800, 1200)  # turned upright
    assert len(media_files(app)) == len(photos[0].files) + len(photos[1].files)

    for name in photos[0].files:
        served = merchant.get(f"/media/{name}")
        assert served.status_code == 200
        assert served.headers["Content-Type"] == ("image/webp" if name.endswith(".webp") else "image/jpeg")
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age=31536000" in served.headers["Cache-Control"]
        assert "immutable" in served.headers["Cache-Control"]
        image = Image.open(io.BytesIO(served.data))
        assert not image.getexif()
        assert b"PhoneMaker" not in served.data
        assert b"GPS" not in served.data


def test_product_page_uses_srcset_for_webp_and_jpeg(app, merchant, make_product):
    product_id = make_product()
    upload(merchant, product_id, ("a.png", png(2000, 2000)))
    page = merchant.get(f"/products/{product_id}").get_data(as_text=True)
    assert '<source type="image/webp" srcset="/media/' in page
    assert " 320w, /media/" in page and " 1600w" in page
    assert 'srcset="/media/' in page.split("<img", 1)[1]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.jpg", b"", "is empty"),
        ("notes.jpg", b"this is not an image at all", "is not a JPEG, PNG or WebP image"),
        ("bomb.png", png_claiming_size(30000, 30000), "has too many pixels"),
        ("huge.png", png_claiming_size(9000, 500), "is larger than 8000 pixels on a side"),
        ("half.jpg", jpeg_with_gps_and_orientation()[:3000], "is damaged or incomplete"),
    ],
)
def test_a_refused_upload_leaves_no_row_and_no_file(app, merchant, make_product, name, data, message):
    product_id = make_product()
    response = upload(merchant, product_id, ("good.png", png()), (name, data))
    assert response.status_code == 400
    assert f"{name} {message}" in text_of(response)
    assert photo_rows(app) == []
    assert media_files(app) == set()


def test_a_png_named_jpg_is_accepted_by_its_content(app, merchant, make_product):
    product_id = make_product()
    assert upload(merchant, product_id, ("photo.jpg", png(700, 500))).status_code == 302
    assert photo_rows(app)[0].width == 700


def test_at_most_eight_photos(app, merchant, make_product):
    product_id = make_product()
    upload(merchant, product_id, *[(f"p{i}.webp", webp(400 + i, 400)) for i in range(6)])
    refused = upload(merchant, product_id, ("p7.png", png(500, 500)), ("p8.png", png(501, 500)),
                     ("p9.png", png(502, 500)))
    assert refused.status_code == 400
    assert "at most 8 photos" in text_of(refused)
    assert len(photo_rows(app)) == 6


def test_reorder_cover_and_alt_text(app, merchant, make_product):
    product_id = make_product()
    upload(merchant, product_id, ("a.png", png(600, 400, (255, 0, 0))), ("b.png", png(600, 400, (0, 255, 0))),
           ("c.png", png(600, 400, (0, 0, 255))))
    a, b, c = photo_rows(app)
    base = f"/merchant/products/{product_id}/photos"
    merchant.post(f"{base}/{c.id}/move", {"direction": "cover"}, token_from=base)
    assert [p.id for p in photo_rows(app)] == [c.id, a.id, b.id]
    merchant.post(f"{base}/{a.id}/move", {"direction": "down"}, token_from=base)
    assert [p.id for p in photo_rows(app)] == [c.id, b.id, a.id]
    merchant.post(f"{base}/{a.id}/move", {"direction": "up"}, token_from=base)
    assert [p.id for p in photo_rows(app)] == [c.id, a.id, b.id]
    merchant.post(f"{base}/{c.id}/alt", {f"photo-{c.id}-alt_text": "Kemasan kopi dengan label biru"}, token_from=base)
    assert photo_rows(app)[0].alt_text == "Kemasan kopi dengan label biru"
    assert 'alt="Kemasan kopi dengan label biru"' in merchant.get(f"/products/{product_id}").get_data(as_text=True)


def test_deleting_a_photo_removes_its_files_unless_a_copy_still_uses_them(app, merchant, make_product):
    product_id = make_product()
    upload(merchant, product_id, ("a.png", png(600, 400)), ("b.png", png(640, 400)))
    first, second = photo_rows(app)
    merchant.post(f"/merchant/products/{product_id}/duplicate", token_from="/merchant/products/")
    base = f"/merchant/products/{product_id}/photos"
    merchant.post(f"{base}/{first.id}/delete", token_from=base)
    assert set(first.files) <= media_files(app)  # the copy still shows this photo
    copy_photos = [p for p in photo_rows(app) if p.image_key == first.image_key]
    copy_id = copy_photos[0].product_id
    merchant.post(f"/merchant/products/{copy_id}/photos/{copy_photos[0].id}/delete",
                  token_from=f"/merchant/products/{copy_id}/photos")
    assert not set(first.files) & media_files(app)
    assert set(second.files) <= media_files(app)


def test_files_written_for_a_transaction_that_rolls_back_are_removed(app):
    """If the database refuses the request after the files were written, the files go too."""
    from marketplace.media.pipeline import process_image
    from marketplace.media.services import store_image
    from marketplace.media.storage import storage

    with app.test_request_context(method="POST"):
        store_image(db.session, storage(), process_image(png(500, 300)))
        assert media_files(app)
        db.session.rollback()
    assert media_files(app) == set()


def test_another_merchant_cannot_add_or_change_photos(app, merchant, rival, make_product):
    product_id = make_product()
    upload(merchant, product_id, ("a.png", png(600, 400)))
    [photo] = photo_rows(app)
    assert upload(rival, product_id, ("x.png", png(300, 300))).status_code == 404
    base = f"/merchant/products/{product_id}/photos/{photo.id}"
    for action, data in (("move", {"direction": "cover"}), ("alt", {}), ("delete", {})):
        assert rival.post(f"{base}/{action}", data, token_from="/merchant/products/").status_code == 404
    assert len(photo_rows(app)) == 1
    assert set(photo.files) <= media_files(app)


def test_unknown_or_malformed_media_names_are_not_found(client):
    assert client.get("/media/" + "a" * 64 + ".webp").status_code == 404
    assert client.get("/media/..%2F..%2Fsecret_key").status_code == 404
    assert client.get("/media/notahash.jpg").status_code == 404


def test_published_product_keeps_at_least_one_photo(app, merchant, make_product):
    product_id = make_product()
    upload(merchant, product_id, ("a.png", png(600, 400)))
    merchant.post(f"/merchant/products/{product_id}/status", {"status": "published"}, token_from="/merchant/products/")
    [photo] = photo_rows(app)
    base = f"/merchant/products/{product_id}/photos"
    response = merchant.post(f"{base}/{photo.id}/delete", token_from=base)
    assert "needs at least one photo" in text_of(merchant.get(response.headers["Location"]))
    assert len(photo_rows(app)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProductPhoto)) == 1


def one_bit_png(width=8000, height=5000) -> bytes:
    """A few kilobytes of PNG that decode to width x height pixels."""
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG", optimize=True)
    return out.getvalue()


def test_seven_huge_one_bit_pngs_are_refused_from_their_headers_and_nothing_is_saved(app, merchant, make_product):
    # Seven 8000 x 5000 PNGs are a few dozen KB but 280 million pixels: decoding them took seconds of
    # server time. Each alone is a photo we accept; together they pass the request's pixel budget.
    product_id = make_product()
    big = one_bit_png()
    assert len(big) * 7 < 150_000
    response = upload(merchant, product_id, *[(f"scan-{i}.png", big) for i in range(7)])
    assert response.status_code == 400
    assert "Together these photos have 280 million pixels; one upload may have at most 100 million." \
        in text_of(response)
    assert photo_rows(app) == [] and media_files(app) == set()


def test_the_pixel_budget_is_a_setting_and_reads_in_the_merchants_language(app_factory, demo):
    from ..helpers import Client, product_form

    app = app_factory(MAX_UPLOAD_PIXELS=1_500_000)  # on the database that demo has filled
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    created = merchant.post("/merchant/products/new", product_form())
    product_id = int(created.headers["Location"].split("/")[-2])
    merchant.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    two = upload(merchant, product_id, ("a.png", png(1000, 1000)), ("b.png", png(1000, 1000)))  # 2 million pixels
    assert two.status_code == 400
    assert "Foto-foto ini seluruhnya berisi 2 juta piksel; satu unggahan paling banyak 1 juta." in text_of(two)
    assert photo_rows(app) == []
    assert upload(merchant, product_id, ("a.png", png(1000, 1000))).status_code == 302
