"""Images made in the test, with the properties the pipeline must handle."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def jpeg_with_gps_and_orientation(width=1200, height=800, orientation=6) -> bytes:
    """A landscape photo whose EXIF says "rotate 90°" and carries a GPS position.

    The left half is red and the right half blue, so a test can tell whether it was turned.
    """
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "S", 2: (6.0, 53.0, 40.0), 3: "E", 4: (107.0, 36.0, 36.0)}  # Bandung
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png(width=1000, height=700, colour=(20, 140, 60), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), colour).save(out, "PNG")
    return out.getvalue()


def webp(width=900, height=900) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 200, 40)).save(out, "WEBP")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (50, 50)).save(out, "GIF")
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * width
    body = zlib.compress(row * 4)  # far too little data: a bomb or a truncated file either way
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
