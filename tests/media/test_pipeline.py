"""The photo pipeline on files made in the test: nothing but pixels comes out."""
from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from marketplace.media.pipeline import MAX_BYTES, ImageRejected, process_image

from ..images import gif, jpeg_with_gps_and_orientation, png, png_claiming_size, webp


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_gps_and_every_other_metadata_field_are_stripped():
    source = jpeg_with_gps_and_orientation()
    assert b"PhoneMaker" in source and Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)

    result = process_image(source)
    for file in result.files:
        image = decoded(file.data)
        assert not image.getexif(), file.name
        assert "exif" not in image.info and "icc_profile" not in image.info and "xmp" not in image.info
        assert b"PhoneMaker" not in file.data and b"Exif" not in file.data


def test_orientation_is_applied_before_the_metadata_goes():
    # 1200x800 landscape, EXIF orientation 6 = the camera was turned: show it 800x1200, red on top.
    result = process_image(jpeg_with_gps_and_orientation())
    assert (result.width, result.height) == (800, 1200)
    largest = decoded(result.variants[-1].jpeg.data).convert("RGB")
    top, bottom = largest.getpixel((400, 100)), largest.getpixel((400, 1100))
    assert top[0] > 150 and top[2] < 100, top  # red
    assert bottom[2] > 150 and bottom[0] < 100, bottom  # blue


def test_variants_in_webp_and_jpeg_at_a_few_widths_named_by_content():
    result = process_image(png(2400, 1600))
    assert [v.width for v in result.variants] == [320, 800, 1600]
    assert [v.height for v in result.variants] == [213, 533, 1067]
    for variant in result.variants:
        assert decoded(variant.webp.data).format == "WEBP"
        assert decoded(variant.jpeg.data).format == "JPEG"
        for file in (variant.webp, variant.jpeg):
            assert file.name == hashlib.sha256(file.data).hexdigest() + "." + file.name.rsplit(".", 1)[1]


def test_small_images_are_never_enlarged():
    result = process_image(webp(500, 500))
    assert [v.width for v in result.variants] == [320, 500]


def test_the_same_upload_gives_the_same_files():
    data = png(900, 600)
    assert [f.name for f in process_image(data).files] == [f.name for f in process_image(data).files]


def test_transparent_png_gets_a_white_background_in_jpeg():
    result = process_image(png(400, 400, colour=(0, 0, 0, 0), mode="RGBA"))
    assert decoded(result.variants[0].jpeg.data).convert("RGB").getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(("mode", "key"), [("RGB", (0, 0, 0)), ("L", 0)])
def test_a_transparent_colour_in_an_rgb_or_grey_png_becomes_white_too(mode, key):
    # No alpha channel: the PNG names one colour as transparent (a tRNS chunk), here black.
    out = io.BytesIO()
    Image.new(mode, (400, 400), key).save(out, "PNG", transparency=key)
    assert "transparency" in Image.open(io.BytesIO(out.getvalue())).info
    result = process_image(out.getvalue())
    assert decoded(result.variants[0].jpeg.data).convert("RGB").getpixel((10, 10)) == (255, 255, 255)


def test_camera_jpegs_with_extra_pictures_are_accepted():
    """Many cameras write MPO: a JPEG with more pictures after the first. The first is the photo."""
    first, second = Image.new("RGB", (900, 600), (10, 120, 200)), Image.new("RGB", (450, 300), (200, 10, 10))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    result = process_image(out.getvalue())
    assert (result.width, result.height) == (900, 600)
    assert decoded(result.variants[-1].jpeg.data).convert("RGB").getpixel((10, 10))[2] > 150


def test_trailing_html_does_not_survive_re_encoding():
    source = png(600, 400) + b"<html><script>alert('xss')</script></html>"
    result = process_image(source)
    for file in result.files:
        assert b"<script" not in file.data and b"alert" not in file.data


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"just some text, not an image", "format"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "format"),
        (b"%PDF-1.4 not an image", "format"),
        (gif(), "format"),
        (png_claiming_size(9000, 100), "dimensions"),
        (png_claiming_size(30000, 30000), "bomb"),
        (png_claiming_size(7000, 7000), "bomb"),
    ],
)
def test_refusals(data, code):
    with pytest.raises(ImageRejected) as refusal:
        process_image(data)
    assert refusal.value.code == code


def test_truncated_files_are_refused():
    whole = jpeg_with_gps_and_orientation()
    with pytest.raises(ImageRejected) as refusal:
        process_image(whole[: len(whole) // 2])
    assert refusal.value.code == "broken"
    whole_png = png(800, 600)
    with pytest.raises(ImageRejected):
        process_image(whole_png[:200])


def test_files_over_ten_megabytes_are_refused_before_decoding():
    with pytest.raises(ImageRejected) as refusal:
        process_image(png(10, 10) + b"\x00" * MAX_BYTES)
    assert refusal.value.code == "too_large"
