"""Free text from users, cleaned and checked in one place (backend/text.py)."""

from __future__ import annotations

import pytest

from backend.errors import ErrorCode, ServiceError
from backend.text import TextErrorCode, TextRule, clean_text


class Code(ErrorCode):
    NOTE_REQUIRED = "note_required"
    NOTE_TOO_LONG = "note_too_long"
    TOO_SHORT = "too_short"
    INVALID_NAME = "invalid_name"


NOTE = TextRule(max=40, too_long=Code.NOTE_TOO_LONG, required=Code.NOTE_REQUIRED)
NAME = TextRule(min=2, max=12, too_long=Code.INVALID_NAME, too_short=Code.INVALID_NAME,
                required=Code.INVALID_NAME, invalid=Code.INVALID_NAME, single_line=True)


def refusal(rule: TextRule, value, **kwargs) -> tuple[ErrorCode, str | None, dict]:
    with pytest.raises(ServiceError) as refused:
        rule.clean(value, **kwargs)
    [error] = refused.value.errors
    return error.code, error.field, error.params


@pytest.mark.parametrize("value, clean", [
    (None, ""), ("", ""), ("   \n\t ", ""), ("  Lubang  besar  ", "Lubang  besar"),
    ("baris 1\r\nbaris 2\rbaris 3", "baris 1\nbaris 2\nbaris 3"),
    ("a   \nb\t\n", "a\nb"), ("a\n\n\n\n\nb", "a\n\nb"), ("a\u2028b", "a\nb"),
    ("\tindented", "indented"), ("a\tb", "a\tb"),
    ("e\u0301", "\u00e9"),  # NFC: one character, as the column counts it
    ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # zero-width joiners are text
])
def test_notes_are_cleaned(value, clean):
    assert NOTE.clean(value, field="note") == clean


def test_limits_are_in_characters_after_cleaning():
    assert NOTE.clean("é" * 40, field="note") == "é" * 40
    assert NOTE.clean("e\u0301" * 40, field="note") == "\u00e9" * 40
    assert NOTE.clean("  " + "x" * 40 + "  \n\n", field="note") == "x" * 40
    assert refusal(NOTE, "x" * 41, field="note") == (Code.NOTE_TOO_LONG, "note",
                                                     {"max": 40, "min": 0})


@pytest.mark.parametrize("value", ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f", "c1\x85",
                                   "lone\ud800", 42, b"bytes"])
def test_control_characters_and_non_text_are_refused(value):
    code, field, _ = refusal(NOTE, value, field="reason")
    assert (code, field) == (TextErrorCode.INVALID_TEXT, "reason")
    assert refusal(NAME, value, field="name")[0] is Code.INVALID_NAME
    message = TextErrorCode.INVALID_TEXT.message("en")
    assert "control characters" in message


def test_required_and_minimum():
    assert refusal(NOTE, "  \n ", field="reason", required=True) == (
        Code.NOTE_REQUIRED, "reason", {})
    assert NOTE.clean(None, field="note") == ""
    assert refusal(NAME, " A ", field="name")[0] is Code.INVALID_NAME
    assert NAME.clean("", field="name") == ""  # optional: the minimum applies to text given
    with pytest.raises(TypeError):  # a rule with no code for "missing"
        TextRule(max=5, too_long=Code.NOTE_TOO_LONG).clean("", field="x", required=True)


def test_single_line_text_collapses_whitespace():
    assert NAME.clean("  Siti \n\t Rahayu  ", field="name") == "Siti Rahayu"
    assert refusal(NAME, "Siti Rahayu Putri", field="name")[2]["max"] == 12


def test_one_off_form_and_rule_checks():
    assert clean_text(" ok ", field="comment", max=5, too_long=Code.NOTE_TOO_LONG) == "ok"
    with pytest.raises(ServiceError):
        clean_text("x" * 6, field="comment", max=5, too_long=Code.NOTE_TOO_LONG)
    with pytest.raises(TypeError):
        TextRule(min=3, max=5, too_long=Code.NOTE_TOO_LONG)  # no code for "too short"
    with pytest.raises(TypeError):
        TextRule(min=6, max=5, too_long=Code.NOTE_TOO_LONG, too_short=Code.TOO_SHORT)
    assert NOTE.with_max(50).clean("y" * 50, field="note") == "y" * 50
