"""Storage backends: the local folder, and S3 over HTTP against a local S3-compatible server (moto)."""
from __future__ import annotations

import io
import socket
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer

from marketplace.media.storage import LocalStorage, S3Storage

from ..helpers import Client, product_form
from ..images import png

NAME = "a" * 64 + ".webp"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def s3_endpoint(monkeypatch):
    """An S3-speaking server on 127.0.0.1; boto3 talks real S3 HTTP to it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets per process: start each test from an empty store.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=5)
    boto3.client("s3", endpoint_url=endpoint, region_name="ap-southeast-1").create_bucket(
        Bucket="serumpun-media", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
    )
    yield endpoint
    server.stop()


def test_local_storage_keeps_files_by_name_and_refuses_other_names(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.save(NAME, b"RIFF....WEBP", "image/webp")
    assert storage.exists(NAME) and storage.open(NAME) == b"RIFF....WEBP"
    assert (tmp_path / "aa" / NAME).exists()
    assert (tmp_path / "aa" / NAME).stat().st_mode & 0o777 == 0o644  # readable by a web server in front
    storage.delete(NAME)
    assert not storage.exists(NAME) and storage.open(NAME) is None
    for bad in ("../secret_key", "x.webp", NAME.replace(".webp", ".html")):
        with pytest.raises(ValueError):
            storage.save(bad, b"x", "text/html")


def test_s3_storage_round_trip(s3_endpoint):
    storage = S3Storage(bucket="serumpun-media", endpoint_url=s3_endpoint, public_url="https://cdn.serumpun.example",
                        region="ap-southeast-1")
    storage.save(NAME, b"webp-bytes", "image/webp")
    assert storage.exists(NAME) and storage.open(NAME) == b"webp-bytes"
    head = storage.client.head_object(Bucket="serumpun-media", Key=NAME)
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert storage.url(NAME) == f"https://cdn.serumpun.example/{NAME}"
    storage.delete(NAME)
    assert not storage.exists(NAME)


def test_photos_go_to_s3_when_configured(app_factory, demo, s3_endpoint):
    app = app_factory(MEDIA_STORAGE="s3", S3_BUCKET="serumpun-media", S3_ENDPOINT_URL=s3_endpoint,
                      S3_REGION="ap-southeast-1", S3_PUBLIC_URL="")
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    created = merchant.post("/merchant/products/new", product_form())
    product_id = int(created.headers["Location"].split("/")[-2])
    response = merchant.post(f"/merchant/products/{product_id}/photos", {"photos": [(io.BytesIO(png()), "a.png")]},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=s3_endpoint, region_name="ap-southeast-1")
            .list_objects_v2(Bucket="serumpun-media").get("Contents", [])]
    assert len(keys) == 6  # 320, 800 and 1000 px, each as WebP and JPEG
    served = merchant.get(f"/media/{keys[0]}")  # without a public URL the app serves them itself
    assert served.status_code == 200
    assert "public" in served.headers["Cache-Control"] and "immutable" in served.headers["Cache-Control"]
