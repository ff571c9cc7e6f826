"""Storing processed images so that a failed request leaves no file behind.

Files are written before the database commits. If the transaction rolls back,
the files it created are deleted; files to remove are deleted only after a
commit, so a failed request never loses a photo that is still in use.
"""
from __future__ import annotations

from functools import partial

from sqlalchemy.orm import Session

from ..core.transactions import on_commit, on_rollback
from .pipeline import ProcessedImage
from .storage import StorageBackend


def _delete_all(backend: StorageBackend, names: list[str]) -> None:
    for name in names:
        backend.delete(name)


def store_image(session: Session, backend: StorageBackend, image: ProcessedImage) -> None:
    """Write the image's files; the ones this transaction created go again if it rolls back."""
    created: list[str] = []
    on_rollback(session, partial(_delete_all, backend, created))  # sees every name appended below
    for file in image.files:
        if backend.exists(file.name):
            continue
        backend.save(file.name, file.data, file.content_type)
        created.append(file.name)


def delete_after_commit(session: Session, backend: StorageBackend, names: list[str]) -> None:
    """Delete these files once the transaction that stopped using them has committed."""
    on_commit(session, partial(_delete_all, backend, list(names)))
