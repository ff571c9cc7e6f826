"""Backups that restore: `flask backup DEST` then `flask restore SRC` into an empty database and empty storage.

Each test backs up the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL: pg_dump and pg_restore
then run for real) and restores into a database of its own, made empty for it and dropped after it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from pathlib import Path

import boto3
import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from marketplace import create_app
from marketplace.config import normalise_database_url
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.verification.models import MerchantDocument
from tests.helpers import Client
from tests.media.test_storage import s3_endpoint  # noqa: F401  (a fixture)
from tests.officers.conftest import a_pdf, upload
from tests.orders.conftest import BUYER, place, two_shops  # noqa: F401  (two_shops is a fixture)

pytestmark = pytest.mark.commits  # pg_dump and SQLite's backup API read what is committed
PHOTO = re.compile(r"/media/([0-9a-f]{64}\.(?:webp|jpg))")
REGION = "ap-southeast-1"


@pytest.fixture()
def empty_target(tmp_path, monkeypatch):
    """make(**config): an app on a new empty database and empty media and documents folders."""
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path / "restored-instance"))
    server = os.environ.get("TEST_DATABASE_URL")
    admin = None
    made_databases, apps = [], []
    if server:
        base = make_url(normalise_database_url(server))
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def make(**config):
        if admin is not None:
            name = f"serumpun_restore_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            made_databases.append(name)
            url = base.set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tmp_path / f'restored-{len(apps)}.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                          "MEDIA_ROOT": str(tmp_path / f"restored-media-{len(apps)}"),
                          "DOCUMENTS_ROOT": str(tmp_path / f"restored-documents-{len(apps)}"), **config})
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            for name in made_databases:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def tables_of(app) -> list[str]:
    with app.app_context(), db.engine.connect() as conn:
        return inspect(conn).get_table_names()


def files_under(root) -> list[str]:
    root = Path(root)
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture()
def shop_with_an_order(app, two_shops, client):  # noqa: F811
    """An order for coffee and keripik, and a halal certificate uploaded by the coffee roaster."""
    number = place(app, {two_shops["coffee"]: 6, two_shops["keripik"]: 2})
    client.login("merchant@serumpun.example")
    assert upload(client, a_pdf()).status_code == 302
    with app.app_context():
        document = db.session.scalar(select(MerchantDocument))
        return {"order": number, "product": two_shops["coffee"], "document": document.id}


def served_photos(app, product_id: int) -> list[str]:
    """The product page as a buyer gets it, and every photo it links to fetched and checked against its name."""
    buyer = Client(app)
    page = buyer.get(f"/products/{product_id}", follow_redirects=True)
    assert page.status_code == 200
    names = sorted(set(PHOTO.findall(page.get_data(as_text=True))))
    assert names, "the product page shows no photo"
    for name in names:
        photo = buyer.get(f"/media/{name}")
        assert photo.status_code == 200, name
        assert hashlib.sha256(photo.get_data()).hexdigest() == name.split(".")[0]
    return names


def assert_restored(restored, shop) -> None:
    """The buyer sees the order, the product page shows its photos, an officer opens the certificate."""
    assert "Coffee C-1" in Client(restored).get(f"/products/{shop['product']}", follow_redirects=True).get_data(
        as_text=True)
    served_photos(restored, shop["product"])
    buyer = Client(restored)
    buyer.login(BUYER)
    order_page = buyer.get(f"/orders/{shop['order']}")
    assert order_page.status_code == 200 and shop["order"] in order_page.get_data(as_text=True)
    officer = Client(restored)
    officer.login("officer@serumpun.example")
    document = officer.get(f"/documents/{shop['document']}")
    assert document.status_code == 200 and document.get_data() == a_pdf()


def test_an_order_placed_before_the_backup_is_there_after_restoring_into_an_empty_database(
        app, shop_with_an_order, empty_target, tmp_path):
    shop = shop_with_an_order
    before = served_photos(app, shop["product"])
    backup = tmp_path / "backup"
    made = run(app, "backup", str(backup))
    assert made.exit_code == 0, made.output

    manifest = json.loads((backup / "manifest.json").read_text())
    kind = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    assert manifest["database"]["kind"] == kind and manifest["alembic_revision"] and manifest["created_at"]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert {f"media/{name}" for name in before} <= listed.keys()
    assert any(path.startswith("documents/") for path in listed)
    for path, entry in listed.items():  # every file is what the manifest says
        assert hashlib.sha256((backup / path).read_bytes()).hexdigest() == entry["sha256"]

    restored = empty_target()
    done = run(restored, "restore", str(backup))
    assert done.exit_code == 0, done.output
    assert "match their checksums" in done.output
    assert_restored(restored, shop)
    assert served_photos(restored, shop["product"]) == before


def test_a_restore_into_a_database_with_tables_is_refused_and_changes_nothing(
        app, shop_with_an_order, empty_target, tmp_path):
    backup = tmp_path / "backup"
    assert run(app, "backup", str(backup)).exit_code == 0
    # Another backup into the same folder would mix two backups.
    again = run(app, "backup", str(backup))
    assert again.exit_code != 0 and "already holds files" in again.output

    # Into the running shop itself: it has tables, photos and documents.
    with app.app_context():
        orders_before = db.session.scalar(select(func.count()).select_from(Order))
    media_before = files_under(app.config["MEDIA_ROOT"])
    refused = run(app, "restore", str(backup))
    assert refused.exit_code != 0
    assert "only into an empty database" in refused.output and "already has" in refused.output
    assert "Nothing was changed" in refused.output and "--force" in refused.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == orders_before
    assert files_under(app.config["MEDIA_ROOT"]) == media_before
    assert served_photos(app, shop_with_an_order["product"])

    # An empty database, but a media folder already holding a file.
    target = empty_target()
    stray = Path(target.config["MEDIA_ROOT"]) / "ab" / ("ab" + "0" * 62 + ".jpg")
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"someone else's photo")
    refused = run(target, "restore", str(backup))
    assert refused.exit_code != 0 and "media storage" in refused.output and "already holds files" in refused.output
    assert tables_of(target) == []
    assert files_under(target.config["MEDIA_ROOT"]) == [stray.name]


def test_a_tampered_file_in_the_backup_fails_the_restore_before_the_target_is_touched(
        app, shop_with_an_order, empty_target, tmp_path):
    backup = tmp_path / "backup"
    assert run(app, "backup", str(backup)).exit_code == 0
    photo = sorted((backup / "media").iterdir())[0]
    data = bytearray(photo.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    photo.write_bytes(bytes(data))

    target = empty_target()
    failed = run(target, "restore", str(backup))
    assert failed.exit_code != 0
    assert f"media/{photo.name}: checksum mismatch" in failed.output
    assert "nothing was restored" in failed.output
    assert tables_of(target) == []
    assert files_under(target.config["MEDIA_ROOT"]) == [] and files_under(target.config["DOCUMENTS_ROOT"]) == []


def test_a_backup_to_s3_restores_into_s3_storage(app, shop_with_an_order, empty_target, s3_endpoint, tmp_path):  # noqa: F811
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    for bucket in ("serumpun-backups", "restored-media", "restored-documents"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    app.config.update(S3_ENDPOINT_URL=s3_endpoint, S3_REGION=REGION)  # the backup's bucket is reached with these

    made = run(app, "backup", "s3://serumpun-backups/nightly/2026-12-02")
    assert made.exit_code == 0, made.output
    keys = {item["Key"]: item["Size"] for item in
            s3.list_objects_v2(Bucket="serumpun-backups", Prefix="nightly/2026-12-02/")["Contents"]}
    manifest = json.loads(s3.get_object(Bucket="serumpun-backups",
                                        Key="nightly/2026-12-02/manifest.json")["Body"].read())
    assert {f"nightly/2026-12-02/{e['path']}": e["size"] for e in manifest["files"]}.items() <= keys.items()
    media = sorted(e["path"] for e in manifest["files"] if e["path"].startswith("media/"))
    assert media

    restored = empty_target(MEDIA_STORAGE="s3", S3_BUCKET="restored-media", DOCUMENTS_S3_BUCKET="restored-documents",
                            S3_ENDPOINT_URL=s3_endpoint, S3_REGION=REGION, S3_PUBLIC_URL="")
    done = run(restored, "restore", "s3://serumpun-backups/nightly/2026-12-02")
    assert done.exit_code == 0, done.output
    in_bucket = sorted(f"media/{o['Key']}" for o in s3.list_objects_v2(Bucket="restored-media")["Contents"])
    assert in_bucket == media
    assert_restored(restored, shop_with_an_order)

    # And the restored shop, its photos now in S3, backs up the same files again.
    second = tmp_path / "second"
    assert run(restored, "backup", str(second)).exit_code == 0
    again = json.loads((second / "manifest.json").read_text())
    assert sorted((e["path"], e["sha256"]) for e in again["files"] if e["path"] != again["database"]["file"]) == \
        sorted((e["path"], e["sha256"]) for e in manifest["files"] if e["path"] != manifest["database"]["file"])


def test_a_photo_lost_from_storage_is_named_by_the_backup_and_by_the_restore(
        app, shop_with_an_order, empty_target, tmp_path):
    lost = served_photos(app, shop_with_an_order["product"])[0]
    (Path(app.config["MEDIA_ROOT"]) / lost[:2] / lost).unlink()
    backup = tmp_path / "backup"
    made = run(app, "backup", str(backup))
    assert made.exit_code != 0 and f"media/{lost}" in made.output and "storage does not hold" in made.output
    assert json.loads((backup / "manifest.json").read_text())["missing_at_backup"] == [f"media/{lost}"]

    target = empty_target()
    done = run(target, "restore", str(backup))
    assert done.exit_code != 0
    assert f"media/{lost}: missing from storage" in done.output
