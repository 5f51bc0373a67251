"""Bilingual text: Indonesian first, English where the client asks for it and a text exists.

The language of a request comes from ``Accept-Language`` (:func:`preferred_language`):
English for ``en…``, Indonesian for ``id``/``in`` and for anything else. Every name or
description a domain shows follows it::

    class CategoryType(graphene.ObjectType):
        name = bilingual_field(required=True)          # from name_id / name_en
        hint = bilingual_field(source="hint_text")     # from a Text attribute

A missing English text (``None`` or empty) falls back to the Indonesian one, so a client
asking for English never gets a blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import graphene
from graphene.utils.str_converters import to_snake_case

from backend.errors import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "Text", "bilingual_field", "localized",
           "preferred_language"]


def preferred_language(accept_language: str | None) -> str:
    """The first of the client's languages BATT speaks (``id`` or ``en``), in the client's
    order of preference; Indonesian when it names neither."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith(("id", "in")):
            return "id"
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Text:
    """A text in Indonesian (always present) and, optionally, English."""

    id: str
    en: str | None = None

    def for_language(self, language: str) -> str:
        if language == "en" and self.en:
            return self.en
        return self.id


def localized(source: Any, attr: str, language: str) -> str | None:
    """``attr`` of ``source`` in ``language``: a :class:`Text` attribute, or the pair of
    ``<attr>_id`` / ``<attr>_en`` attributes (columns), English falling back to Indonesian.
    ``None`` when the source has neither."""
    value = _get(source, attr)
    if isinstance(value, Text):
        return value.for_language(language)
    indonesian = _get(source, f"{attr}_id")
    if language == "en":
        english = _get(source, f"{attr}_en")
        if english:
            return english
    return indonesian


def _get(source: Any, name: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def bilingual_field(
    source: str | None = None, *, required: bool = False, description: str | None = None,
    **kwargs: Any,
) -> graphene.String:
    """A String field resolved in the request's language from ``<source>_id`` /
    ``<source>_en`` (or a :class:`Text` named ``source``); ``source`` defaults to the field's
    own name."""
    text = description or "In the language the client asked for (Accept-Language); "
    if description is None:
        text += "Indonesian when there is no English text."

    def resolve(root: Any, info: graphene.ResolveInfo) -> str | None:
        attr = source or to_snake_case(info.field_name)
        return localized(root, attr, getattr(info.context, "language", DEFAULT_LANGUAGE))

    return graphene.String(required=required, description=text, resolver=resolve, **kwargs)
