"""The start tags of an HTML fragment as a browser's tokenizer reads them, for `htmlsafety`.

A module of its own: Python's `html.parser` (with its patterns) takes about 2 ms to import,
and most courses hold no raw HTML. What makes a tag active is `htmlsafety`'s to judge.
"""

from __future__ import annotations

from html.parser import HTMLParser


class StartTags(HTMLParser):
    """Collects `(line offset, tag, attributes)` of every start tag fed, in order, in `tags`
    (names in lower case, attribute values with character references decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[int, str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((self.getpos()[0] - 1, tag, attrs))

    handle_startendtag = handle_starttag
