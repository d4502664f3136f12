"""The pages' words in Norwegian bokmål (the default) and English, one JSON file per language
that the server's templates and the browser's scripts both read."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("nb", "en")
DEFAULT = "nb"
LANGUAGE_COOKIE = "ambulant_lang"
FOLDER = Path(__file__).parent / "static" / "i18n"


@cache
def messages(language: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((FOLDER / f"{language}.json").read_text("utf-8"))
    return data


def pick_language(query: str | None, cookie: str | None) -> str:
    """?lang= first, then the cookie the switch sets, else bokmål: the pages speak Norwegian
    whatever the phone's own language, and English is one tap away."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return choice
    return DEFAULT
