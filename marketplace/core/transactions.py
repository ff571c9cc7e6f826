"""Work that must wait for the transaction's outcome: after a commit, or after a rollback.

Files written for a request are removed if it rolls back; mail goes out only
once what it announces is committed.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

log = logging.getLogger(__name__)

ON_COMMIT = "serumpun.on_commit"
ON_ROLLBACK = "serumpun.on_rollback"
_installed = False


def _in_transaction(session: Session | scoped_session) -> Session:
    """The real session, inside a transaction: without one there is no outcome to wait for."""
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.begin()
    return session


def on_commit(session: Session | scoped_session, action: Callable[[], None]) -> None:
    """Run action once the session's transaction commits; never if it does not."""
    _in_transaction(session).info.setdefault(ON_COMMIT, []).append(action)


def on_rollback(session: Session | scoped_session, action: Callable[[], None]) -> None:
    """Run action if the session's transaction ends without committing (rollback or close)."""
    _in_transaction(session).info.setdefault(ON_ROLLBACK, []).append(action)


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

    @event.listens_for(session_class, "after_transaction_end")
    def after_transaction_end(session, transaction):
        if transaction.parent is not None:
            return  # a savepoint: the outer transaction decides
        # after_commit has already taken its actions; whatever is left did not commit.
        session.info.pop(ON_COMMIT, None)
        _run(session.info.pop(ON_ROLLBACK, []))
