"""Serving media files: right type, nosniff, cached for a year (names never change meaning)."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, send_file

from ..extensions import limiter
from .storage import CONTENT_TYPES, LocalStorage, storage, valid_name

bp = Blueprint("media", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.route("/media/<name>")
@limiter.exempt
def serve(name: str):
    """One processed image file."""
    if not valid_name(name):
        abort(404)
    backend = storage()
    content_type = CONTENT_TYPES[name.rsplit(".", 1)[1]]
    if isinstance(backend, LocalStorage):
        path = backend.path(name)
        if not path.exists():
            abort(404)
        response = send_file(path, mimetype=content_type, max_age=ONE_YEAR, conditional=True, etag=name)
    else:
        data = backend.open(name)
        if data is None:
            abort(404)
        response = Response(data, mimetype=content_type)
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def register(app: Flask) -> None:
    """Stored photos, and the template helper that lists a photo's sizes."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(photo_sources=photo_sources)


def photo_sources(photo) -> dict:
    """srcset strings for a processed photo, WebP and JPEG."""
    backend = storage()
    variants = photo.variants
    middle = variants[min(1, len(variants) - 1)]
    return {
        "webp": ", ".join(f"{backend.url(v['webp'])} {v['width']}w" for v in variants),
        "jpeg": ", ".join(f"{backend.url(v['jpeg'])} {v['width']}w" for v in variants),
        "src": backend.url(middle["jpeg"]),
        "largest": backend.url(variants[-1]["jpeg"]),
        "width": middle["width"],
        "height": middle["height"],
    }
