"""Every message survives the %-formatting that Jinja applies to every translated string.

Jinja's gettext (newstyle, as Flask-Babel installs it) always runs `message % variables`, even without
variables: a literal "%" that is not written "%%" raises, and the whole page answers 500 in that language.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

TRANSLATIONS = Path(__file__).resolve().parents[2] / "marketplace" / "translations"
NAMES = re.compile(r"%\((\w+)\)")


def messages():
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        return [m for m in read_po(f) if m.id]


@pytest.mark.parametrize("language", ["en", "id", "ms"])
def test_every_message_formats_as_the_templates_format_it(app, language):
    # One template per call shape, rendered by the app's own Jinja environment with the compiled catalog.
    single = app.jinja_env.from_string("{{ _(message, **values) }}")
    plural = app.jinja_env.from_string("{{ ngettext(message, plural, n, **values) }}")
    broken, rendered = [], 0
    with app.test_request_context(), force_locale(language):
        for message in messages():
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            values = {name: 2 for text in ids for name in NAMES.findall(text) if name != "num"}
            try:
                if len(ids) == 2:
                    for n in (1, 2):  # the singular and the plural form
                        out = plural.render(message=ids[0], plural=ids[1], n=n, values=values)
                else:
                    out = single.render(message=ids[0], values=values)
            except (ValueError, KeyError, TypeError) as error:
                broken.append((ids[0], repr(error)))
                continue
            rendered += 1
            assert "%(" not in out and "%%" not in out, ids[0]
    assert broken == []
    assert rendered > 500  # the whole catalog, not an empty read

