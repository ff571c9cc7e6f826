"""One transaction per request or command: commit what the services flushed, or roll it all back.

Services flush and never commit. A view (or a CLI command) wraps the service calls
of one request in `unit_of_work()`:

    with unit_of_work() as work:
        product = services.create_product(current_user, data)
    if work.refused:
        attach_problems(form, work.refused)   # nothing was written
    else:
        flash(...)

A DomainError (a rule of ours said no) rolls back and is kept on `work.refused`
for the view to show next to the form; with `capture=False` it propagates to the
error handler, which shows its message as a page. Any other error rolls back and
propagates. Nothing else in the code base commits.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

import click
from flask_babel import force_locale

from ..extensions import db
from .errors import DomainError


class unit_of_work:  # noqa: N801  used as a context manager, read like a function
    """Commit on success; roll back on any error, keeping a DomainError as `refused` unless capture=False."""

    def __init__(self, capture: bool = True):
        self.capture = capture
        self.refused: DomainError | None = None

    def __enter__(self) -> unit_of_work:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> bool:
        if error is None:
            try:
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            return False
        db.session.rollback()
        if self.capture and isinstance(error, DomainError):
            self.refused = error
            return True
        return False


@contextmanager
def command_unit_of_work() -> Iterator[None]:
    """The same for a `flask ...` command: commit, or roll back and exit with the refusal, in English."""
    with unit_of_work() as work:
        yield
    if work.refused is not None:
        with force_locale("en"):  # the command line speaks English, like its --help
            raise click.ClickException(str(work.refused.message)) from work.refused
