"""Where processed files live: a small interface, a local folder, or S3-compatible storage.

Files are named by their content (sha256), so a name never changes meaning and
may be cached forever.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from flask import Flask, current_app, url_for

NAME = re.compile(r"^[0-9a-f]{64}\.(webp|jpg)$")
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}
# Merchants' documents: kept apart from photos, never public (see build_document_storage).
DOCUMENT_NAME = re.compile(r"^[0-9a-f]{64}\.(pdf|jpg)$")
DOCUMENT_CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg"}


def valid_name(name: str) -> bool:
    return bool(NAME.match(name))


def valid_document_name(name: str) -> bool:
    return bool(DOCUMENT_NAME.match(name))


class StorageBackend:
    """Keep, read, delete and link to files named by their content."""

    def exists(self, name: str) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def save(self, name: str, data: bytes, content_type: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def open(self, name: str) -> bytes | None:  # pragma: no cover
        raise NotImplementedError

    def delete(self, name: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def url(self, name: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def check(self) -> None:  # pragma: no cover
        """Raise when the store cannot be reached or written: what /readyz asks."""
        raise NotImplementedError

    def names(self):  # pragma: no cover
        """Every file kept here (names this store accepts; anything else is not ours), in no order."""
        raise NotImplementedError


class LocalStorage(StorageBackend):
    """instance/media, served by the app itself (or by a web server in front of it)."""

    def __init__(self, root: str | os.PathLike, name_check=valid_name, public: bool = True):
        self.root = Path(root)
        self.name_check = name_check
        self.public = public

    def path(self, name: str) -> Path:
        if not self.name_check(name):
            raise ValueError(f"not a media file name: {name!r}")
        return self.root / name[:2] / name

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def save(self, name: str, data: bytes, content_type: str) -> None:
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            # mkstemp makes 0600; a web server in front may serve photos as another user (never documents)
            os.chmod(tmp, 0o644 if self.public else 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, name: str) -> bytes | None:
        try:
            return self.path(name).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def url(self, name: str) -> str:
        if not self.public:
            raise ValueError("private files have no public address")
        return url_for("media.serve", name=name)

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise OSError(f"{self.root} is not writable")

    def names(self):
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/*"):
            if self.name_check(path.name) and path.parent.name == path.name[:2] and path.is_file():
                yield path.name


class S3Storage(StorageBackend):
    """Any S3-compatible object store; files are public and cached for a year."""

    def __init__(self, bucket: str, endpoint_url: str | None, public_url: str | None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None, name_check=valid_name,
                 cache_control: str = "public, max-age=31536000, immutable"):
        import boto3

        self.bucket = bucket
        self.name_check = name_check
        self.cache_control = cache_control
        self.public_url = (public_url or "").rstrip("/")
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
        )

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=name)
            return True
        except ClientError:
            return False

    def save(self, name: str, data: bytes, content_type: str) -> None:
        if not self.name_check(name):
            raise ValueError(f"not a media file name: {name!r}")
        self.client.put_object(
            Bucket=self.bucket, Key=name, Body=data, ContentType=content_type, CacheControl=self.cache_control,
        )

    def open(self, name: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()
        except ClientError:
            return None

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=name)

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def names(self):
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                if self.name_check(item["Key"]):
                    yield item["Key"]

    def url(self, name: str) -> str:
        if self.public_url:
            return f"{self.public_url}/{name}"
        return url_for("media.serve", name=name)


def build_storage(app: Flask) -> StorageBackend:
    kind = app.config["MEDIA_STORAGE"]
    if kind == "local":
        return LocalStorage(app.config["MEDIA_ROOT"])
    if kind == "s3":
        return S3Storage(
            bucket=app.config["S3_BUCKET"], endpoint_url=app.config["S3_ENDPOINT_URL"],
            public_url=app.config["S3_PUBLIC_URL"], region=app.config["S3_REGION"],
            access_key=app.config["S3_ACCESS_KEY_ID"], secret_key=app.config["S3_SECRET_ACCESS_KEY"],
        )
    raise ValueError(f"MEDIA_STORAGE must be 'local' or 's3', got {kind!r}")


def build_document_storage(app: Flask) -> StorageBackend:
    """Where merchants' documents live: a private S3 bucket of their own when DOCUMENTS_S3_BUCKET is set (never
    the photos' public one; it uses the S3_* connection settings), else DOCUMENTS_ROOT (instance/documents),
    outside what /media serves. Read only through the app's authorised view."""
    bucket = app.config.get("DOCUMENTS_S3_BUCKET")
    if bucket:
        return S3Storage(
            bucket=bucket, endpoint_url=app.config["S3_ENDPOINT_URL"], public_url=None,
            region=app.config["S3_REGION"], access_key=app.config["S3_ACCESS_KEY_ID"],
            secret_key=app.config["S3_SECRET_ACCESS_KEY"], name_check=valid_document_name,
            cache_control="private, no-store",
        )
    return LocalStorage(app.config["DOCUMENTS_ROOT"], name_check=valid_document_name, public=False)


def storage() -> StorageBackend:
    return current_app.extensions["serumpun.storage"]


def document_storage() -> StorageBackend:
    return current_app.extensions["serumpun.documents"]
