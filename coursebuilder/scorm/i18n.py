"""The player's words, one catalogue per language in `static/i18n/<lang>.json`.

Adding a language is adding one file with the same keys as `en.json` (a test checks that).
The course's BCP 47 tag picks the catalogue by its primary subtag (`en-GB` → `en`); an
unknown language falls back to English.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files

FALLBACK = "en"
"""Catalogue used when the course's language has none."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def languages() -> list[str]:
    """Codes of every shipped catalogue."""
    folder = files("coursebuilder") / "static" / "i18n"
    return sorted(entry.name.removesuffix(".json") for entry in folder.iterdir() if entry.name.endswith(".json"))


@cache
def catalogue(language: str) -> dict[str, str]:
    """The messages for a BCP 47 language tag (primary subtag, English when missing)."""
    primary = language.split("-", 1)[0].lower()
    code = primary if primary in languages() else FALLBACK
    text = (files("coursebuilder") / "static" / "i18n" / f"{code}.json").read_text(encoding="utf-8")
    messages: dict[str, str] = json.loads(text)
    return messages


class Messages:
    """Looks up and fills one catalogue's messages: `msg("lesson_n", n=1, total=3)`."""

    def __init__(self, language: str) -> None:
        self.table = catalogue(language)

    def __call__(self, key: str, **values: object) -> str:
        text = self.table[key]
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)
