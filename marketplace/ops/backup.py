"""Backups that restore: `flask backup DEST` and `flask restore SRC`.

A backup is a folder (or an S3 prefix, DEST = s3://bucket/prefix) holding:

    manifest.json      when, which code and schema, which database, every file with its size and sha256
    database.dump      PostgreSQL: pg_dump's custom format, without owners (restore with pg_restore)
    database.sqlite    SQLite: a copy made with SQLite's backup API
    media/<name>       every photo file in media storage (local folder or S3 bucket)
    documents/<name>   every merchant document (the private documents storage)

The database is copied first, as one consistent snapshot (pg_dump runs in a snapshot exported by a
transaction that also reads the file names the database mentions; SQLite's backup API copies a consistent
state while the app writes). Files are named by the sha256 of their bytes, are written before the row that
names them commits and are deleted only after the row that named them is gone, so copying storage after the
snapshot finds every file the snapshot names, unless one was removed meanwhile: the backup then says so.

A restore checks the whole backup against its manifest before it touches anything, goes only into an empty
database and empty storage (unless --force), and ends by reading back every photo and document the restored
database names and comparing it with its checksum.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Connection, make_url

from ..catalog.models import ProductPhoto
from ..config import ROOT
from ..extensions import db
from ..media.storage import (
    CONTENT_TYPES,
    DOCUMENT_CONTENT_TYPES,
    StorageBackend,
    document_storage,
    storage,
    valid_document_name,
    valid_name,
)
from ..showcases.models import Showcase
from ..verification.models import MerchantDocument, WorkshopPhoto

MANIFEST = "manifest.json"
FORMAT = 1
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite"}
INSTALL_CLIENT = "apt-get install postgresql-client"

Echo = Callable[[str], None]


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


# ---------------------------------------------------------------------------------------------------------
# Where a backup lives: a folder, or a prefix in an S3 bucket


class Folder:
    def __init__(self, path: str):
        self.path = Path(path)

    def __str__(self) -> str:
        return str(self.path)

    def is_empty(self) -> bool:
        return not self.path.exists() or not any(self.path.iterdir())

    def staging(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        return self.path

    def publish(self, staged: Path, manifest: dict) -> None:
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")

    def discard(self, staged: Path) -> None:
        shutil.rmtree(staged, ignore_errors=True)  # it was empty: leave no half backup to mistake for one

    def fetch(self, into: Path) -> Path:
        if not self.path.is_dir():
            raise BackupError(f"{self.path} is not a folder.")
        return self.path


class Bucket:
    """s3://bucket/prefix, reached with the S3_* connection settings (or boto3's own defaults)."""

    def __init__(self, address: str, config):
        try:
            import boto3
        except ImportError as exc:  # boto3 comes with the s3 extra
            raise BackupError("An S3 destination needs boto3: pip install -e '.[s3]'.") from exc
        bucket, _, prefix = address.removeprefix("s3://").partition("/")
        if not bucket:
            raise BackupError(f"{address} names no bucket: use s3://bucket/prefix.")
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = boto3.client(
            "s3", endpoint_url=config.get("S3_ENDPOINT_URL") or None, region_name=config.get("S3_REGION") or None,
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
        )

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def _keys(self):
        listing = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.key("") if self.prefix else "")
        for page in listing:
            for item in page.get("Contents", []):
                yield item["Key"]

    def is_empty(self) -> bool:
        return next(iter(self._keys()), None) is None

    def staging(self) -> Path:
        self._tmp = tempfile.TemporaryDirectory(prefix="serumpun-backup-")
        return Path(self._tmp.name)

    def publish(self, staged: Path, manifest: dict) -> None:
        """Every file, then the manifest last: a prefix without manifest.json is an unfinished backup."""
        try:
            for entry in manifest["files"]:
                self.client.upload_file(str(staged / entry["path"]), self.bucket, self.key(entry["path"]))
            self.client.put_object(Bucket=self.bucket, Key=self.key(MANIFEST),
                                   Body=json.dumps(manifest, indent=2).encode() + b"\n",
                                   ContentType="application/json")
        finally:
            self._tmp.cleanup()

    def discard(self, staged: Path) -> None:
        self._tmp.cleanup()

    def fetch(self, into: Path) -> Path:
        start = len(self.key("")) if self.prefix else 0
        for key in self._keys():
            relative = key[start:]
            if not relative or ".." in relative.split("/"):
                continue
            target = into / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            self.client.download_file(self.bucket, key, str(target))
        return into


def place_of(address: str, config) -> Folder | Bucket:
    return Bucket(address, config) if address.startswith("s3://") else Folder(address)


# ---------------------------------------------------------------------------------------------------------
# The database


def database_kind(uri: str) -> str:
    backend = make_url(uri).get_backend_name()
    if backend in DUMP_FILES:
        return backend
    raise BackupError(f"Backups know PostgreSQL and SQLite, not {backend}.")


def _sqlite_path(uri: str) -> str:
    path = make_url(uri).database
    if not path or path == ":memory:":
        raise BackupError("The database is in memory: there is nothing to back up or restore into.")
    return path


def _libpq(uri: str) -> tuple[str, dict]:
    """A connection string for pg_dump and pg_restore, the password in the environment (not on the command line)."""
    url = make_url(uri)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not on PATH; install PostgreSQL's client tools: {INSTALL_CLIENT}")
    return found


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed (exit {done.returncode}):\n{done.stderr.strip()}")


@dataclass
class Named:
    """The files a database mentions: photos in media storage, documents in documents storage."""

    media: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)


def _variant_files(variants) -> list[str]:
    return [name for variant in variants or [] for name in (variant["webp"], variant["jpeg"])]


def named_files(connection: Connection) -> Named:
    """Every stored file the database names: product and workshop photos, showcase covers, merchant documents.

    A new table that names stored files belongs here, or restores will not check its files.
    """
    named = Named()
    present = set(inspect(connection).get_table_names())
    for table in (ProductPhoto.__table__, WorkshopPhoto.__table__):
        if table.name in present:
            for variants in connection.execute(select(table.c.variants)).scalars():
                named.media.update(_variant_files(variants))
    covers = Showcase.__table__
    if covers.name in present:
        for variants in connection.execute(select(covers.c.cover_variants)).scalars():
            named.media.update(_variant_files(variants))
    documents = MerchantDocument.__table__
    if documents.name in present:
        named.documents.update(connection.execute(select(documents.c.file_name)).scalars())
    return named


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def dump_database(uri: str, target: Path) -> tuple[str | None, Named]:
    """Copy the database into target as one snapshot; that snapshot's schema revision and named files."""
    if database_kind(uri) == "sqlite":
        path = _sqlite_path(uri)
        if not Path(path).is_file():
            raise BackupError(f"There is no database at {path}.")
        source = sqlite3.connect(path)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # all pages in one step: a consistent state, even while the app writes
        finally:
            copy.close()
            source.close()
        engine = create_engine(f"sqlite:///{target}")
        try:
            with engine.connect() as connection:
                return _revision(connection), named_files(connection)
        finally:
            engine.dispose()

    pg_dump = _tool("pg_dump")
    conninfo, env = _libpq(uri)
    with db.engine.connect() as plain:
        connection = plain.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump reads the very snapshot this transaction reads the file names from.
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
            revision, named = _revision(connection), named_files(connection)
            _run([pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}",
                  f"--dbname={conninfo}"], env)
    return revision, named


def database_tables() -> list[str]:
    with db.engine.connect() as connection:
        return sorted(inspect(connection).get_table_names())


def load_database(uri: str, dump: Path, force: bool) -> None:
    """Put the dump into the app's database (empty, or replaced with force)."""
    db.session.remove()
    db.engine.dispose()  # no connection of ours may hold the database while it is replaced
    if database_kind(uri) == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(_sqlite_path(uri))
        try:
            source.backup(target)  # replaces every page of the target
        finally:
            target.close()
            source.close()
        return
    pg_restore = _tool("pg_restore")
    conninfo, env = _libpq(uri)
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               f"--dbname={conninfo}"]
    if force:
        command[1:1] = ["--clean", "--if-exists"]
    _run(command + [str(dump)], env)


# ---------------------------------------------------------------------------------------------------------
# Files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(path: str, data: bytes) -> dict:
    return {"path": path, "size": len(data), "sha256": sha256(data)}


def _file_entry(root: Path, path: str) -> dict:
    digest = hashlib.sha256()
    size = 0
    with open(root / path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return {"path": path, "size": size, "sha256": digest.hexdigest()}


def _storage_description(backend: StorageBackend) -> dict:
    bucket = getattr(backend, "bucket", None)
    return {"kind": "s3", "bucket": bucket} if bucket else {"kind": "local", "root": str(getattr(backend, "root", ""))}


def copy_storage(backend: StorageBackend, folder: str, staged: Path, echo: Echo) -> list[dict]:
    """Every file of one storage into staged/folder; its manifest entries."""
    (staged / folder).mkdir(parents=True, exist_ok=True)
    entries = []
    for name in sorted(backend.names()):
        data = backend.open(name)
        if data is None:  # deleted between the listing and now: nothing the snapshot needs (see below)
            continue
        if sha256(data) != name.split(".")[0]:
            echo(f"Warning: {folder}/{name} in storage does not match its checksum (damaged before this backup).")
        (staged / folder / name).write_bytes(data)
        entries.append(_entry(f"{folder}/{name}", data))
    return entries


def app_version() -> str:
    try:
        return metadata.version("serumpun")
    except metadata.PackageNotFoundError:
        return "unknown"


def make_backup(destination: str, echo: Echo) -> dict:
    """Write a backup of the app's database and storages to a new folder or S3 prefix; its manifest."""
    app = current_app
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    kind = database_kind(uri)
    place = place_of(destination, app.config)
    if not place.is_empty():
        raise BackupError(f"{place} already holds files: each backup goes to a new, empty folder or prefix "
                          f"(for example backups/$(date +%F-%H%M)).")
    staged = place.staging()
    try:
        manifest = _write_backup(uri, kind, staged, echo)
        place.publish(staged, manifest)
    except BaseException:
        place.discard(staged)
        raise
    echo(f"Backup written to {place}: the database (revision {manifest['alembic_revision']}), "
         f"{manifest['counts']['media']} media files, {manifest['counts']['documents']} documents.")
    missing = manifest["missing_at_backup"]
    if missing:
        raise BackupError(
            f"The database names {len(missing)} file(s) that storage does not hold, so this backup lacks them "
            f"(a photo removed while the backup ran, or lost before it): {', '.join(missing[:10])}")
    return manifest


def _write_backup(uri: str, kind: str, staged: Path, echo: Echo) -> dict:
    created_at = datetime.now(timezone.utc).replace(microsecond=0)
    dump_name = DUMP_FILES[kind]
    echo(f"Copying the {kind} database ...")
    revision, named = dump_database(uri, staged / dump_name)
    files = [_file_entry(staged, dump_name)]
    echo("Copying media and documents ...")
    media = copy_storage(storage(), "media", staged, echo)
    documents = copy_storage(document_storage(), "documents", staged, echo)
    files += media + documents
    kept = {entry["path"] for entry in files}
    missing = sorted(({f"media/{n}" for n in named.media} | {f"documents/{n}" for n in named.documents}) - kept)
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat().replace("+00:00", "Z"),
        "app_version": app_version(),
        "alembic_revision": revision,
        "database": {"kind": kind, "file": dump_name},
        "media_storage": _storage_description(storage()),
        "documents_storage": _storage_description(document_storage()),
        # How many files the database names (each is in `files`, unless listed as missing).
        "named_by_database": {"media": len(named.media), "documents": len(named.documents)},
        "missing_at_backup": missing,
        "counts": {"media": len(media), "documents": len(documents)},
        "files": files,
    }
    return manifest


# ---------------------------------------------------------------------------------------------------------
# Restore


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"No {MANIFEST} in the backup: not a backup, or one that did not finish.") from exc
    except ValueError as exc:
        raise BackupError(f"{MANIFEST} is not readable JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"This backup's format is {found!r}; this code reads format {FORMAT}.")
    try:
        database = manifest["database"]
        if database["kind"] not in DUMP_FILES or database["file"] != DUMP_FILES[database["kind"]]:
            raise ValueError(database)
        for entry in manifest["files"]:
            if not (isinstance(entry["path"], str) and isinstance(entry["size"], int)
                    and isinstance(entry["sha256"], str)):
                raise ValueError(entry)
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"{MANIFEST} is not a backup manifest ({exc!r}).") from exc
    return manifest


def check_backup(folder: Path, manifest: dict) -> None:
    """Every file the manifest lists is there, whole: refuse the backup before anything is touched otherwise."""
    problems = []
    listed = set()
    for entry in manifest["files"]:
        path = entry["path"]
        listed.add(path)
        parts = path.split("/")
        if ".." in parts or path.startswith("/"):
            problems.append(f"{path}: not a path inside the backup")
            continue
        if parts[0] in ("media", "documents"):
            check = valid_name if parts[0] == "media" else valid_document_name
            if len(parts) != 2 or not check(parts[1]) or parts[1].split(".")[0] != entry["sha256"]:
                problems.append(f"{path}: not a stored file's name, or not named by its checksum")
                continue
        elif path != manifest["database"]["file"]:
            problems.append(f"{path}: not part of a backup")
            continue
        if not (folder / path).is_file():
            problems.append(f"{path}: missing")
            continue
        found = _file_entry(folder, path)
        if found["size"] != entry["size"] or found["sha256"] != entry["sha256"]:
            problems.append(f"{path}: checksum mismatch (the file was changed or damaged after the backup)")
    if manifest["database"]["file"] not in listed:
        problems.append(f"{manifest['database']['file']}: not in the manifest")
    if problems:
        raise BackupError("The backup is damaged; nothing was restored:\n  " + "\n  ".join(problems))


def _has_files(backend: StorageBackend) -> bool:
    return next(iter(backend.names()), None) is not None


def check_target(uri: str, kind: str, force: bool) -> None:
    """The database and storages must be empty (or force given), and the database of the backup's kind."""
    target_kind = database_kind(uri)
    if target_kind != kind:
        raise BackupError(f"This backup is of a {kind} database; the app's database is {target_kind}. "
                          f"Point DATABASE_URL at an empty {kind} database.")
    if force:
        return
    problems = []
    tables = database_tables()
    if tables:
        problems.append(f"the database {make_url(uri).render_as_string()} already has {len(tables)} tables "
                        f"({', '.join(tables[:5])}{', ...' if len(tables) > 5 else ''})")
    for label, backend in (("media storage", storage()), ("documents storage", document_storage())):
        if _has_files(backend):
            problems.append(f"the {label} ({_where(backend)}) already holds files")
    if problems:
        raise BackupError("Restore goes only into an empty database and empty storage, and "
                          + "; ".join(problems) + ". Nothing was changed. Point the app at an empty database "
                          "and storage, or pass --force to restore over what is there.")


def _where(backend: StorageBackend) -> str:
    described = _storage_description(backend)
    return f"s3://{described['bucket']}" if described["kind"] == "s3" else described["root"]


def load_storage(folder: Path, manifest: dict) -> tuple[int, int]:
    counts = {"media": 0, "documents": 0}
    targets = {"media": (storage(), CONTENT_TYPES), "documents": (document_storage(), DOCUMENT_CONTENT_TYPES)}
    for entry in manifest["files"]:
        area, _, name = entry["path"].partition("/")
        if area in targets:
            backend, types = targets[area]
            backend.save(name, (folder / entry["path"]).read_bytes(), types[name.rsplit(".", 1)[1]])
            counts[area] += 1
    return counts["media"], counts["documents"]


def verify_restore() -> tuple[Named, list[str]]:
    """Read back every file the restored database names; what is missing or does not match its checksum."""
    with db.engine.connect() as connection:
        named = named_files(connection)
    problems = []
    for label, backend, names in (("media", storage(), named.media),
                                  ("documents", document_storage(), named.documents)):
        for name in sorted(names):
            data = backend.open(name)
            if data is None:
                problems.append(f"{label}/{name}: missing from storage")
            elif sha256(data) != name.split(".")[0]:
                problems.append(f"{label}/{name}: does not match its checksum")
    return named, problems


def code_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(str(ROOT / "migrations")).get_heads())


def restore_backup(source: str, force: bool, echo: Echo) -> dict:
    """Check a backup whole, then restore it into the app's (empty) database and storages, then verify."""
    app = current_app
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    place = place_of(source, app.config)
    with tempfile.TemporaryDirectory(prefix="serumpun-restore-") as tmp:
        folder = place.fetch(Path(tmp))
        manifest = read_manifest(folder)
        echo(f"Checking the backup of {manifest['created_at']} ({len(manifest['files'])} files) ...")
        check_backup(folder, manifest)
        check_target(uri, manifest["database"]["kind"], force)
        echo("Restoring the database ...")
        load_database(uri, folder / manifest["database"]["file"], force)
        echo("Restoring media and documents ...")
        media, documents = load_storage(folder, manifest)
    echo("Checking every photo and document the database names ...")
    named, problems = verify_restore()
    if problems:
        raise BackupError(f"Restored, but {len(problems)} file(s) named by the database are not right:\n  "
                          + "\n  ".join(problems))
    echo(f"Restored from {place}: the database, {media} media files and {documents} documents; all "
         f"{len(named.media)} photo files and {len(named.documents)} documents named by the database are in "
         f"storage and match their checksums.")
    revision = manifest.get("alembic_revision")
    if revision and revision not in code_revisions():
        echo(f"The backup's schema is at revision {revision}, this code's at {', '.join(sorted(code_revisions()))}:"
             f" run `flask --app app db upgrade` before serving.")
    return manifest


def _failures() -> tuple[type[BaseException], ...]:
    """What a backup or restore can meet that deserves a message rather than a traceback."""
    from sqlalchemy.exc import OperationalError

    failures: tuple[type[BaseException], ...] = (BackupError, OperationalError, OSError)
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return failures
    return failures + (BotoCoreError, ClientError)


def register_backup_commands(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("destination")
    def backup(destination):
        """Back up the database, media and documents to a new folder or s3://bucket/prefix."""
        try:
            make_backup(destination, click.echo)
        except _failures() as exc:
            raise click.ClickException(str(exc)) from exc

    @app.cli.command("restore")
    @click.argument("source")
    @click.option("--force", is_flag=True,
                  help="Restore even though the database has tables or storage holds files (replacing them).")
    def restore(source, force):
        """Restore a backup (folder or s3://bucket/prefix) into an empty database and empty storage."""
        try:
            restore_backup(source, force, click.echo)
        except _failures() as exc:
            raise click.ClickException(str(exc)) from exc
