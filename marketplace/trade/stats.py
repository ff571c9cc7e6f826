"""Figures of inquiries for the officers' dashboard: how many merchants answered, and how fast."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import Inquiry


@dataclass(frozen=True)
class ReplyFigures:
    inquiries: int
    answered: int  # the merchant wrote or quoted at least once
    median_reply_seconds: int | None  # from the question to the merchant's first message or quote

    @property
    def reply_rate_percent(self) -> int | None:
        """Answered inquiries out of all, in whole percent (half up); None without inquiries."""
        if not self.inquiries:
            return None
        return (200 * self.answered + self.inquiries) // (2 * self.inquiries)


def reply_figures(since: datetime, until: datetime) -> ReplyFigures:
    """Inquiries asked in [since, until): how many the merchant answered, and the median time to the answer."""
    inquiries = db.session.scalars(
        select(Inquiry).where(Inquiry.created_at >= since, Inquiry.created_at < until)
        .options(selectinload(Inquiry.messages), selectinload(Inquiry.quotes))).all()
    waits = []
    for inquiry in inquiries:
        answers = [m.created_at for m in inquiry.messages if m.author_id not in (None, inquiry.buyer_id)]
        answers += [q.created_at for q in inquiry.quotes]
        if answers:
            waits.append(max(0, int((min(answers) - inquiry.created_at).total_seconds())))
    return ReplyFigures(len(inquiries), len(waits), int(median(waits)) if waits else None)
