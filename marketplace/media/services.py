"""Storing processed images so that a failed request leaves no file behind.

Files are written before the database commits. If the transaction rolls back,
the files it created are deleted; files to remove are deleted only after a
commit, so a failed request never loses a photo that is still in use.
"""
from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from .pipeline import ProcessedImage
from .storage import StorageBackend

log = logging.getLogger(__name__)

CREATED = "serumpun.media.created"
DOOMED = "serumpun.media.doomed"


def store_image(session: Session, backend: StorageBackend, image: ProcessedImage) -> None:
    """Write the image's files, remembering which ones this transaction created."""
    created = session.info.setdefault(CREATED, [])
    for file in image.files:
        if backend.exists(file.name):
            continue
        backend.save(file.name, file.data, file.content_type)
        created.append((backend, file.name))


def delete_after_commit(session: Session, backend: StorageBackend, names: list[str]) -> None:
    """Delete these files once the transaction that stopped using them has committed."""
    session.info.setdefault(DOOMED, []).extend((backend, name) for name in names)


def _delete(entries) -> None:
    for backend, name in entries:
        try:
            backend.delete(name)
        except Exception:  # a leftover file is harmless; a crash here is not
            log.exception("Could not delete media file %s", name)


_installed = False


def install_session_hooks(session_class) -> None:
    """Once per process, on the Session class every app uses."""
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(session_class, "after_commit")
    def after_commit(session):
        session.info.pop(CREATED, None)
        _delete(session.info.pop(DOOMED, []))

    @event.listens_for(session_class, "after_rollback")
    def after_rollback(session):
        session.info.pop(DOOMED, None)
        _delete(session.info.pop(CREATED, []))
