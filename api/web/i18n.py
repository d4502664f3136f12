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


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """?lang= first, then the cookie the switch sets, then bokmål; a browser asking for English
    first gets English. Norwegian in any form (nb, no, nn) is bokmål here."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return choice
    first = (accept or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else DEFAULT
