"""Turning pydantic's validation errors into one clear message that names the field."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from ambulant.errors import InvalidInput

# Where FastAPI says a value came from; not part of the field's name.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})
_SNAKE_WORD = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PREFIXES = ("Value error, ", "Assertion failed, ")


def field_of(
    loc: Sequence[str | int], message: str, known: Collection[str] | None = None
) -> str | None:
    """The field an error is about: the first name in its location or, for a check over the
    whole object (which pydantic locates nowhere), the first field name its message mentions."""
    names = [part for part in _without_source(loc) if isinstance(part, str)]
    if names:
        return names[0]
    for word in _SNAKE_WORD.findall(message):
        if known is None or word in known:
            return str(word)
    return str(loc[0]) if loc else None


def _without_source(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    return tuple(loc[1:]) if loc and loc[0] in _SOURCES else tuple(loc)


def clean_message(message: str) -> str:
    for prefix in _PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def describe(
    errors: Iterable[Mapping[str, Any]], known: Collection[str] | None = None
) -> tuple[str, str | None, list[dict[str, Any]]]:
    """(one message naming the first bad field, that field, every error as plain JSON)."""
    details: list[dict[str, Any]] = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        message = clean_message(str(error.get("msg", "invalid value")))
        field = field_of(loc, message, known)
        path = ".".join(str(part) for part in _without_source(loc)) or field
        details.append({"field": field, "path": path, "message": message})
    if not details:
        return "invalid input", None, details
    first = details[0]
    message = first["message"]
    if first["field"] is not None and first["field"] not in message:
        message = f"{first['path']}: {message}"
    return message, first["field"], details


def invalid_input(error: ValidationError, known: Collection[str] | None = None) -> InvalidInput:
    message, field, _ = describe(error.errors(include_url=False), known)
    return InvalidInput(message, field=field)


def validate_as[M: BaseModel](schema: type[M], data: Mapping[str, Any]) -> M:
    """`schema` validated over `data`, with any failure as InvalidInput naming the field."""
    try:
        return schema.model_validate(dict(data))
    except ValidationError as error:
        raise invalid_input(error, known=schema.model_fields) from None


def merged[M: BaseModel](schema: type[M], stored: BaseModel, patch: BaseModel) -> M:
    """The stored row with the patch's explicitly given fields on top, validated as a whole so
    rules spanning fields (end after start) hold after a partial update too."""
    # Rows read back hold JSON lists of plain strings where the schema has enums; validation
    # below turns them back, so the serializer's type warnings say nothing useful here.
    current = stored.model_dump(include=set(schema.model_fields), warnings=False)
    return validate_as(schema, current | patch.model_dump(exclude_unset=True))
