"""The photo pipeline: decode, check, orient, strip, re-encode. Pure Pillow; no Flask.

Nothing of the uploaded file reaches a buyer except its pixels: every variant
is encoded anew from decoded pixel data, with no metadata carried over.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# The decoders Pillow may try. MPO, a JPEG with extra pictures inside that many cameras write, is
# opened by the JPEG decoder; its first picture is the photo.
DECODERS = ["JPEG", "PNG", "WEBP"]
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 8000
# Pillow refuses anything over twice this outright; we refuse at once.
MAX_PIXELS = 40_000_000
WIDTHS = (320, 800, 1600)
WEBP_QUALITY = 82
JPEG_QUALITY = 85


class ImageRejected(ValueError):
    """The upload is not a photo we accept; code says why, for a translated message."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class EncodedFile:
    name: str  # sha256 of the bytes, with the extension
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    webp: EncodedFile
    jpeg: EncodedFile


@dataclass(frozen=True)
class ProcessedImage:
    width: int
    height: int
    variants: tuple[Variant, ...]

    @property
    def files(self) -> list[EncodedFile]:
        return [f for v in self.variants for f in (v.webp, v.jpeg)]


def _content_named(data: bytes, extension: str, content_type: str) -> EncodedFile:
    return EncodedFile(f"{hashlib.sha256(data).hexdigest()}.{extension}", data, content_type)


@contextmanager
def _refusing_bad_files():
    """Pillow's ways of saying "not a photo we can use", as one ImageRejected each."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("bomb", str(exc)) from exc
    except UnidentifiedImageError as exc:
        raise ImageRejected("format", "not an image") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected("broken", str(exc)) from exc


def _open(data: bytes) -> Image.Image:
    """The image with its header read and checked; no pixel is decoded yet."""
    if not data:
        raise ImageRejected("empty")
    if len(data) > MAX_BYTES:
        raise ImageRejected("too_large", f"{len(data)} bytes")
    with _refusing_bad_files():
        image = Image.open(io.BytesIO(data), formats=DECODERS)
        if image.format not in ACCEPTED_FORMATS:
            raise ImageRejected("format", str(image.format))
        width, height = image.size
        if width > MAX_SIDE or height > MAX_SIDE:
            raise ImageRejected("dimensions", f"{width}x{height}")
        if width * height > MAX_PIXELS:
            raise ImageRejected("bomb", f"{width}x{height}")
    return image


def pixel_count(data: bytes) -> int:
    """How many pixels the file would decode to, from its header alone (cheap), or ImageRejected.

    A few kilobytes of PNG can decode to 40 million pixels; a caller can bound the work of a whole
    request with this before decoding anything.
    """
    width, height = _open(data).size
    return width * height


def _decode(data: bytes) -> Image.Image:
    image = _open(data)
    with _refusing_bad_files():
        image.load()  # decode every pixel now: a truncated file fails here
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # an animated file: keep its first frame only
    return image


def _normalise(image: Image.Image) -> Image.Image:
    """Upright, in RGB or RGBA, and with nothing but pixels."""
    image = ImageOps.exif_transpose(image)
    # A transparent colour ("transparency" in the info: a PNG tRNS chunk) counts as alpha in any mode,
    # RGB and grey included, so its pixels become white on the JPEG, not black.
    if image.mode != "RGBA" and (image.mode in ("LA", "PA") or "transparency" in image.info):
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def process_image(data: bytes) -> ProcessedImage:
    """Turn uploaded bytes into clean WebP and JPEG variants, or raise ImageRejected."""
    image = _normalise(_decode(data))
    width, height = image.size
    widths = [w for w in WIDTHS if w < width] + [min(width, WIDTHS[-1])]
    variants = []
    for target in sorted(set(widths)):
        resized = image if target == width else image.resize(
            (target, max(1, round(height * target / width))), Image.Resampling.LANCZOS
        )
        webp = io.BytesIO()
        resized.save(webp, "WEBP", quality=WEBP_QUALITY, method=4)
        jpeg = io.BytesIO()
        _flatten(resized).save(jpeg, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        variants.append(
            Variant(
                width=resized.width,
                height=resized.height,
                webp=_content_named(webp.getvalue(), "webp", "image/webp"),
                jpeg=_content_named(jpeg.getvalue(), "jpg", "image/jpeg"),
            )
        )
    largest = variants[-1]
    return ProcessedImage(width=largest.width, height=largest.height, variants=tuple(variants))


DOCUMENT_MAX_SIDE = 2400  # a scanned certificate stays legible; a 12-megapixel phone photo gets lighter
DOCUMENT_JPEG_QUALITY = 88


def process_document_image(data: bytes) -> EncodedFile:
    """A photo or scan of a document, checked like a photo and re-encoded as one clean JPEG (no metadata)."""
    image = _flatten(_normalise(_decode(data)))
    image.thumbnail((DOCUMENT_MAX_SIDE, DOCUMENT_MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=DOCUMENT_JPEG_QUALITY, optimize=True)
    return _content_named(out.getvalue(), "jpg", "image/jpeg")
