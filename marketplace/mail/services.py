"""Sending mail through the backend the configuration names.

Backends: "smtp" (MAIL_SERVER is set), "outbox" (development: the log and a
table admins can read), "log" (production without SMTP: the log only).

SMTP mail is a background job (core.jobs): recorded in the transaction that
caused it and queued when it commits, sent by the job consumer, retried with
growing delays while the mail server fails, and run again by the sweeper if a
consumer dies mid-send. Its key is the mail's Message-ID: a run killed before
the server took the mail sends it again, once; one killed after the server's
250 but before the job committed may send it twice, with the same Message-ID.
A slow mail server never holds a database lock or shows in a response's timing.
The outbox needs no job: its row is written in the request's own transaction.
"""
from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from functools import partial

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import func, select

from ..core.jobs import GiveUp, enqueue, job, jobs_of
from ..core.transactions import on_commit
from ..extensions import db
from .models import OutboxMessage

log = logging.getLogger("marketplace.mail")


@dataclass(frozen=True)
class Mail:
    recipient: str
    subject: str
    body: str


class MailBackend:
    def send(self, mail: Mail, config) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogBackend(MailBackend):
    """Production without SMTP: say that mail was not sent, never what it said (it may hold a reset link)."""

    def send(self, mail: Mail, config) -> None:
        on_commit(db.session, partial(log.warning, "No MAIL_SERVER: mail to %s not sent (%s)", mail.recipient,
                                      mail.subject))


class OutboxBackend(MailBackend):
    """Development: the whole mail in the log and in the admins' outbox."""

    def send(self, mail: Mail, config) -> None:
        log.info("Mail to %s: %s\n%s", mail.recipient, mail.subject, mail.body)
        db.session.add(OutboxMessage(recipient=mail.recipient, subject=mail.subject, body=mail.body))
        db.session.flush()


DELIVER_JOB = "mail.deliver"


class SMTPBackend(MailBackend):
    """Real mail: a job, queued when the transaction commits and sent by the job consumer."""

    def send(self, mail: Mail, config) -> None:
        # The key names this mail across retries: its Message-ID, and the marker that it went out.
        # Only what the mail says goes into the queue; the SMTP settings are the consumer's own.
        enqueue(DELIVER_JOB, mail.recipient, mail.subject, mail.body, uuid.uuid4().hex)

    @staticmethod
    def deliver(mail: Mail, config, message_id: str) -> None:
        message = EmailMessage()
        message["From"] = config["MAIL_DEFAULT_SENDER"]
        message["To"] = mail.recipient
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = message_id
        message.set_content(mail.body)
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)


@job(DELIVER_JOB)
def deliver_queued_mail(recipient: str, subject: str, body: str, key: str) -> None:
    """Send one queued mail through SMTP, once: a retry of a mail that already went out sends nothing."""
    jobs = jobs_of()
    marker = f"mail:{key}"
    if jobs.is_done(marker):
        log.info("Mail %s to %s was sent before; not sending it again", key, recipient)
        return
    try:
        SMTPBackend.deliver(Mail(recipient, subject, body), current_app.config, message_id=f"<{key}@serumpun>")
    except smtplib.SMTPRecipientsRefused as error:
        # A mailbox that does not exist stays so; a full or greylisted one (4xx) is worth another try.
        if all(code >= 500 for code, _ in error.recipients.values()):
            raise GiveUp(f"the mail server refused {recipient}: {error.recipients}") from error
        raise
    # Marked only after the server took it: a crash in between may send it twice, never lose it. The job's
    # row in the outbox is marked done when this job's transaction commits; the marker, written at once,
    # narrows the window in which a run killed after the server's 250 sends the mail again (same Message-ID).
    try:
        jobs.mark_done(marker)
    except Exception:  # the queue's storage is away: the outbox row still records that this job is done
        log.exception("Could not mark mail %s as sent", key)


BACKENDS: dict[str, type[MailBackend]] = {"smtp": SMTPBackend, "outbox": OutboxBackend, "log": LogBackend}


def send_mail(recipient: str, template: str, locale: str | None, **context) -> Mail:
    """Render templates/mail/<template>.txt in the recipient's language and send it.

    The template's first line is the subject.
    """
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    mail = Mail(recipient=recipient, subject=subject.strip(), body=body.strip() + "\n")
    backend = BACKENDS[current_app.config["MAIL_BACKEND"]]()
    backend.send(mail, current_app.config)
    return mail


def list_outbox(page: int, per_page: int = 50) -> tuple[list[OutboxMessage], int]:
    """The newest development mails first, and how many there are."""
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    rows = db.session.scalars(
        select(OutboxMessage)
        .order_by(OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def site_link(endpoint: str, **values) -> str:
    """An absolute address for a mail sent by a job, outside any request: SERVER_NAME, else SITE_URL."""
    config = current_app.config
    server = config.get("SERVER_NAME")
    base = f"{config['PREFERRED_URL_SCHEME']}://{server}" if server else config["SITE_URL"]
    with current_app.test_request_context("/", base_url=base):
        return url_for(endpoint, _external=True, **values)


def send_mail_once(marker: str, user, template: str, **context) -> None:
    """Send a mail to a user (anything with id, email and locale) once per marker, however often a job runs.

    The marker is set when the transaction that sent it commits: a crash in between may send it twice,
    never lose it (as deliver_queued_mail).
    """
    if user is None or not user.email:
        return
    jobs = jobs_of()
    marker = f"{marker}:{user.id}"
    if jobs.is_done(marker):
        return
    send_mail(user.email, template, user.locale, user=user, **context)
    on_commit(db.session, lambda: jobs.mark_done(marker))
