"""Work that must wait for the transaction's outcome: after a commit, or after a rollback.

Files written for a request are removed if it rolls back; mail goes out only
once what it announces is committed.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

ON_COMMIT = "serumpun.on_commit"
ON_ROLLBACK = "serumpun.on_rollback"
_installed = False


def on_commit(session: Session, action: Callable[[], None]) -> None:
    session.info.setdefault(ON_COMMIT, []).append(action)


def on_rollback(session: Session, action: Callable[[], None]) -> None:
    session.info.setdefault(ON_ROLLBACK, []).append(action)


def _run(actions: list[Callable[[], None]]) -> None:
    for action in actions:
        try:
            action()
        except Exception:  # the transaction is decided; a failing follow-up must not undo the request
            log.exception("A follow-up of a transaction failed")


def install_transaction_hooks(session_class) -> None:
    """Once per process, on the Session class every app uses."""
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(session_class, "after_commit")
    def after_commit(session):
        session.info.pop(ON_ROLLBACK, None)
        _run(session.info.pop(ON_COMMIT, []))

    @event.listens_for(session_class, "after_rollback")
    def after_rollback(session):
        session.info.pop(ON_COMMIT, None)
        _run(session.info.pop(ON_ROLLBACK, []))
