"""The one rule for typed text (forum/validators.py) and the form fields built on it (forum.forms.text_field)."""

import pytest
from django.core.exceptions import ValidationError

from forum.forms import text_field
from forum.models import Comment, Flag, Prompt
from forum.validators import clean_text, refuse_control_characters


@pytest.mark.parametrize(
    "text",
    ["Plain words.", "Line one\r\nline two", "a\tb", "Zoë, Łukasz, Δημήτρης, 東京", "emoji 🕊", "zero\u200bwidth"],
)
def test_ordinary_text_tabs_and_line_breaks_are_allowed(text):
    refuse_control_characters(text)


@pytest.mark.parametrize(
    "text, message",
    [
        ("a\x00b", "Null characters are not allowed."),
        ("bell\x07", "U+0007"),
        ("escape \x1b[31m", "U+001B"),
        ("delete\x7f", "U+007F"),
        ("next line\x85", "U+0085"),
        ("lone \ud800 surrogate", "U+D800"),
    ],
)
def test_null_and_other_control_characters_are_refused(text, message):
    with pytest.raises(ValidationError, match=message.replace("+", r"\+")):
        refuse_control_characters(text)


def test_clean_text_trims_then_measures_against_the_column():
    column = Comment._meta.get_field("status_reason")  # 300
    assert clean_text("  " + "x" * 300 + "\n", column=column) == "x" * 300
    with pytest.raises(ValidationError, match=r"Keep the reason under 300 characters \(this one has 301\)"):
        clean_text("x" * 301, column=column, label="the reason")


def test_clean_text_puts_its_error_on_the_named_field():
    with pytest.raises(ValidationError) as error:
        clean_text("a\x00b", column=Flag._meta.get_field("note"), name="note")
    assert list(error.value.message_dict) == ["note"]


def test_a_text_field_takes_its_limit_and_requiredness_from_the_column():
    field = text_field(Prompt, "text")
    assert (field.max_length, field.required) == (300, True)
    assert text_field(Flag, "note").required is False  # blank=True
    assert field.widget.attrs["maxlength"] == "300"
    with pytest.raises(ValidationError):
        field.clean("a\x01b")
