"""Free text from users — notes, reasons, descriptions, comments, names — cleaned and checked
in one place, with each domain's own error codes.

A domain declares a rule once and uses it wherever that kind of text arrives::

    NOTE = TextRule(max=2000, too_long=Code.NOTE_TOO_LONG, required=Code.NOTE_REQUIRED,
                    invalid=Code.INVALID_TEXT)
    note = NOTE.clean(value, field="note")                         # optional: "" when empty
    reason = NOTE.clean(value, field="reason", required=True)

Cleaning, before any length is measured:

- ``None`` is the empty text; Unicode is NFC-normalised (an "é" typed as e + accent counts as
  one character, as the database stores it);
- line breaks become ``\\n`` (``\\r\\n``, ``\\r``, U+2028/2029);
- other control characters (NUL, escape, C1 controls …) and lone surrogates are refused with
  the rule's ``invalid`` code — they cannot be shown, and PostgreSQL cannot store NUL
  (format characters such as the zero-width joiner of emoji sequences are text and stay);
- single-line text (names): every run of whitespace, line breaks included, becomes one space;
- multi-line text (notes): trailing spaces go from each line, more than one empty line in a
  row becomes one, and the text is stripped at both ends.

Lengths are in characters (Unicode code points), as ``VARCHAR(n)`` counts them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from backend.errors import ErrorCode, ServiceError, messages

__all__ = ["TextErrorCode", "TextRule", "clean_text", "normalise"]

_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029")
_TRAILING_SPACE = re.compile(r"[^\S\n]+\n")
_EMPTY_LINES = re.compile(r"\n{3,}")
_ALLOWED_CONTROLS = frozenset("\n\t")


@dataclass(frozen=True)
class TextRule:
    """How one kind of text is cleaned and what limits it has.

    ``max``/``min`` in characters after cleaning; ``required``/``too_short``/``too_long``/
    ``invalid`` are the domain's error codes for each refusal (their messages may use
    ``{max}`` and ``{min}``). A rule without a ``required`` code cannot be used with
    ``required=True``; one without ``invalid`` refuses control characters with the shared
    :attr:`TextErrorCode.INVALID_TEXT`."""

    max: int
    too_long: ErrorCode
    min: int = 0
    required: ErrorCode | None = None
    too_short: ErrorCode | None = None
    invalid: ErrorCode | None = None
    single_line: bool = False

    def __post_init__(self) -> None:
        if self.min > 0 and self.too_short is None and self.required is None:
            raise TypeError("a TextRule with a minimum needs a too_short (or required) code")
        if not 0 <= self.min <= self.max:
            raise TypeError("a TextRule needs 0 <= min <= max")

    def clean(self, value: Any, *, field: str, required: bool = False) -> str:
        """The cleaned text, or a :class:`ServiceError` on ``field`` (camelCase, as the
        client named it). Empty and not required: ``""`` (the minimum applies only to text
        that is there)."""
        text = normalise(value, single_line=self.single_line)
        if text is None:
            raise ServiceError(self.invalid or TextErrorCode.INVALID_TEXT, field)
        if not text:
            if required:
                if self.required is None:
                    raise TypeError("this TextRule has no code for a missing required text")
                raise ServiceError(self.required, field)
            return ""
        if len(text) < self.min:
            code = self.too_short or self.required
            raise ServiceError(code, field, min=self.min, max=self.max)  # type: ignore[arg-type]
        if len(text) > self.max:
            raise ServiceError(self.too_long, field, max=self.max, min=self.min)
        return text

    def with_max(self, maximum: int) -> TextRule:
        return replace(self, max=maximum)


class TextErrorCode(ErrorCode):
    INVALID_TEXT = "invalid_text"


messages({
    TextErrorCode.INVALID_TEXT: (
        "Teks berisi karakter kontrol yang tidak dapat ditampilkan; hapus lalu kirim lagi.",
        "The text contains control characters that cannot be shown; remove them and send it "
        "again.",
    ),
})


def normalise(value: Any, *, single_line: bool = False) -> str | None:
    """``value`` cleaned as described in the module docstring; ``None`` when it holds a
    control character (other than newline and tab) or is not text at all."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", value))
    if any(_is_control(ch) for ch in text):
        return None
    if single_line:
        return " ".join(text.split())
    text = _TRAILING_SPACE.sub("\n", text)
    return _EMPTY_LINES.sub("\n\n", text).strip()


def _is_control(ch: str) -> bool:
    if ch in _ALLOWED_CONTROLS:
        return False
    category = unicodedata.category(ch)
    # Cc: C0/C1 controls and DEL; Cs: a lone surrogate (no database stores one).
    return category in ("Cc", "Cs")


def clean_text(
    value: Any, *, field: str, max: int, too_long: ErrorCode, min: int = 0,
    required: bool = False, required_code: ErrorCode | None = None,
    too_short: ErrorCode | None = None, invalid: ErrorCode | None = None,
    single_line: bool = False,
) -> str:
    """One-off form of :meth:`TextRule.clean`, for text checked in a single place."""
    rule = TextRule(max=max, too_long=too_long, min=min, required=required_code,
                    too_short=too_short, invalid=invalid, single_line=single_line)
    return rule.clean(value, field=field, required=required)
