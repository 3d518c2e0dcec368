"""The one rule for text that people type and the database keeps.

Forms give every text box `refuse_control_characters` and the column's max_length
(forum.forms.text_field); services check again with `clean_text` before they save,
so text that does not fit its column is refused with a message instead of reaching
the database: PostgreSQL answers NUL or an over-long value with a DataError (a 500),
where SQLite would have stored it.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# C0 and C1 control characters except tab, line feed and carriage return (a browser sends a
# textarea's line breaks as CR LF), and lone surrogates, which no encoding can store.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def refuse_control_characters(value: str) -> None:
    """A validator: ValidationError if `value` has a control character other than tab or a line break."""
    if (found := CONTROL_CHARACTERS.search(value)) is None:
        return
    if "\x00" in value:
        # Django's own wording and code (ProhibitNullCharactersValidator), so both read the same.
        raise ValidationError(_("Null characters are not allowed."), code="null_characters_not_allowed")
    raise ValidationError(
        _("Control characters such as %(character)s are not allowed: remove them and try again."),
        code="control_characters",
        params={"character": f"U+{ord(found.group()):04X}"},
    )


def clean_text(value: str | None, *, column: models.Field, name: str | None = None, label: str = "") -> str:
    """`value` trimmed, if it fits `column`: no control characters, at most its max_length.

    Otherwise ValidationError, on the form field `name` if given (so a form shows it
    beside the box), else for the form as a whole; `label` names the text in the
    message ("Keep the reason under 300 characters").
    """
    value = (value or "").strip()
    try:
        refuse_control_characters(value)
        if column.max_length is not None and len(value) > column.max_length:
            raise ValidationError(
                _("Keep %(label)s under %(most)s characters (this one has %(length)s).")
                % {
                    "label": label or _("it"),
                    "most": number_format(column.max_length, force_grouping=True),
                    "length": number_format(len(value), force_grouping=True),
                },
                code="too_long",
            )
    except ValidationError as error:
        raise ValidationError({name: error}) if name else error from None
    return value
