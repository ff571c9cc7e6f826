"""The officers' showcase form: three languages, a theme, an event, a status and its window."""
from __future__ import annotations

from datetime import datetime

from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import ChoiceField, DateField, DateTimeField, chosen, length, options, required, strip
from .models import ShowcaseStatus
from .services import THEMES, ShowcaseData


def clock_name() -> str:
    """The clock the moments are typed on, as "Asia/Jakarta (UTC+07:00)": officers in Petaling Jaya are an hour ahead."""
    zone = get_timezone()
    offset = datetime.now(zone).strftime("%z")
    return f"{getattr(zone, 'zone', zone)} (UTC{offset[:3]}:{offset[3:]})"


class StatusField(RadioField):
    """Radio buttons whose refusal of an unknown value speaks our languages."""

    pre_validate = ChoiceField.pre_validate


STATUS_LABELS = {
    ShowcaseStatus.DRAFT.value: _l("Draft: only officers see it"),
    ShowcaseStatus.PUBLISHED.value: _l("Published: public from now on"),
    ShowcaseStatus.SCHEDULED.value: _l("Scheduled: public between two moments"),
}


class ShowcaseForm(FlaskForm):
    title_id = StringField(_l("Title in Indonesian"), validators=[required(), length(140, 3)], filters=[strip])
    title_en = StringField(_l("Title in English"), validators=[required(), length(140, 3)], filters=[strip],
                           description=_l("The showcase's address is made from it, once."))
    title_ms = StringField(_l("Title in Malay"), validators=[required(), length(140, 3)], filters=[strip])
    story_id = TextAreaField(_l("Story in Indonesian"), validators=[length(4000)], filters=[strip])
    story_en = TextAreaField(_l("Story in English"), validators=[length(4000)], filters=[strip])
    story_ms = TextAreaField(_l("Story in Malay"), validators=[length(4000)], filters=[strip])
    theme = ChoiceField(_l("Theme"), validators=[chosen()],
                        choices=options([(code, label) for code, (label, _colour) in THEMES.items()]))
    event_name = StringField(_l("Partner event"), validators=[length(140)], filters=[strip],
                             description=_l("For example Petaling Jaya Trade Week. Leave empty if there is none."))
    event_place = StringField(_l("Where"), validators=[length(140)], filters=[strip])
    event_starts_on = DateField(_l("Event starts"), validators=[Optional()])
    event_ends_on = DateField(_l("Event ends"), validators=[Optional()])
    status = StatusField(_l("Who sees it"), default=ShowcaseStatus.DRAFT.value, validators=[chosen()],
                        choices=options(STATUS_LABELS.items()))
    publish_from = DateTimeField(_l("Public from"))
    publish_until = DateTimeField(_l("Public until"))
    cover_alt = StringField(_l("What the cover shows"), validators=[length(200)], filters=[strip],
                            description=_l("For people who cannot see it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clock = clock_name()
        self.publish_from.description = _("%(clock)s time: the showcase opens at this minute.", clock=clock)
        self.publish_until.description = _("%(clock)s time: it closes at this minute.", clock=clock)

    def data_for_service(self) -> ShowcaseData:
        return ShowcaseData(
            title_id=self.title_id.data, title_en=self.title_en.data, title_ms=self.title_ms.data,
            story_id=self.story_id.data or None, story_en=self.story_en.data or None,
            story_ms=self.story_ms.data or None, theme=self.theme.data, status=self.status.data,
            event_name=self.event_name.data or None, event_place=self.event_place.data or None,
            event_starts_on=self.event_starts_on.data, event_ends_on=self.event_ends_on.data,
            publish_from=self.publish_from.moment, publish_until=self.publish_until.moment,
            cover_alt=self.cover_alt.data or None,
        )


def initial(showcase) -> dict:
    """A showcase's values as the form shows them."""
    return {name: getattr(showcase, name) for name in (
        "title_id", "title_en", "title_ms", "story_id", "story_en", "story_ms", "theme", "event_name",
        "event_place", "event_starts_on", "event_ends_on", "publish_from", "publish_until", "cover_alt")} | {
        "status": showcase.status.value}


class CoverForm(FlaskForm):
    cover = FileField(_l("Cover image"), description=_l("JPEG, PNG or WebP, at most 10 MB; wide pictures work best."))
