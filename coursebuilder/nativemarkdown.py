"""Markdown rendered by markdown-it.rs (`markdown-it-pyrs`), where it agrees with markdown-it-py.

markdown-it-py defines our output. The native engine is more than ten times faster, but not
the same everywhere: its tables end at other lines, its URL normalisation differs (no punycode,
`@` and `::` read differently, an empty title kept), it has no nesting limit, a hard break
inside an image's text is dropped, it panics on a backtick inside a link's text and on some
runs of backticks and tildes, it has no formulas, and raw HTML and entities are risks of
their own (see `KNOWN_DIFFERENCES` in the tests). So it renders only texts of a
subset where the two were shown to agree (`renders_alike`: the differential tests in
tests/test_nativemarkdown.py), and markdown-it-py renders every other text. Without the
package (it has no wheel for every Python), markdown-it-py renders everything; the output is
the same either way.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from coursebuilder.htmlescape import escape_html, unescape_html

_ENGINE: Any = None
try:  # an optional accelerator: the output never depends on it
    import markdown_it_pyrs

    _ENGINE = markdown_it_pyrs.MarkdownIt("commonmark").enable("table").enable("strikethrough")
except ImportError:  # pragma: no cover - depends on the platform
    pass

_NEVER = re.compile(r"[~<&\\$\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Strikethrough and tilde fences (panics with backticks), raw HTML, entities, escapes,
formulas, carriage returns and control characters: left to markdown-it-py."""
_SPACES_SPAN = re.compile(r"` +`")
_BARE_DEFINITION = re.compile(r"\]:[ \t]*$", re.M)
"""A link definition whose destination is not on its line."""
_QUOTE_START = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*>")
"""The start of a line that may open a block quote."""
_PLAIN_QUOTE = re.compile(r"> [^\s>`\-*+#=_|0-9\[]")
"""A quote at column 0 whose line starts a paragraph."""
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_DEEP_LINE = re.compile(r"^[ \t*+\-0-9.)]{9,}", re.M)
"""Lines that may open many nested blocks (markdown-it-py stops at 20 levels, the engine never)."""
_MAX_PREFIX_COLUMNS = 12
_TABLE_DELIMITER = re.compile(r"\|(?:[ \t]*:?-+:?[ \t]*\|)+")
_DESTINATION = re.compile(r"\]\(\s*(\S*)|\]:[ \t]*\n?[ \t]*(\S*)")
"""What follows `](` or `]:` up to white space: a superset of a link's destination."""
_PLAIN_DESTINATION = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?[A-Za-z0-9/._#?=%+,()*!;'-]*")
_EMPTY_TITLE = re.compile(r"\s(?:\"\"|''|\(\))")
_MAX_BRACKET_DEPTH = 4
_BRACKET = re.compile(r"[\[\]`]")
_IMAGE_SOURCE = re.compile(r'<img src="([^"]*)"')


def available() -> bool:
    """Whether the native engine is installed."""
    return _ENGINE is not None


def renders_alike(text: str) -> bool:
    """True when markdown-it.rs renders `text` exactly as markdown-it-py does (with tables,
    strikethrough and formulas): a conservative test, false for anything not shown to agree."""
    if _NEVER.search(text):
        return False
    has_links = "](" in text or "]:" in text
    if not text.isascii() and not (_private_use_only(text) if has_links else _letters_only(text)):
        return False
    if "|" in text and not _tables_alike(text):
        return False
    if "![" in text and "  \n" in text:
        return False
    if ">" in text and not _quotes_alike(text):
        return False
    if "`" in text and not _code_alike(text):
        return False
    if has_links and not _links_alike(text):
        return False
    if "[" in text and not _brackets_alike(text):
        return False
    return not any(_prefix_columns(match.group()) > _MAX_PREFIX_COLUMNS for match in _DEEP_LINE.finditer(text))


def render(text: str) -> str | None:
    """`text` as HTML (markdown-it-py's bytes), or None when it must go to markdown-it-py."""
    if _ENGINE is None or not renders_alike(text):
        return None
    try:
        return str(_ENGINE.render(text))
    except BaseException as error:  # a Rust panic arrives as a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return None


Found = tuple[str, str, int]
"""A link or image: its kind ("link" or "image"), its destination and its line in the text."""

_INLINE_NODES = frozenset(
    {"text", "text_special", "em", "strong", "strikethrough", "link", "image", "code_inline", "html_inline"}
    | {"autolink", "softbreak", "hardbreak"}
)
"""The engine's inline nodes; every other node is a block."""
_BREAKS = frozenset({"softbreak", "hardbreak"})
_SCHEME = re.compile(r"\]\(\s*([A-Za-z][A-Za-z0-9+.-]*):|\]:[ \t]*\n?[ \t]*([A-Za-z][A-Za-z0-9+.-]*):")
_PLAIN_SCHEMES = frozenset({"http", "https"})


def references(text: str) -> list[Found] | None:
    """The links and images of `text` as markdown-it-py's all-links parser finds them (its
    destinations, normalised; the line as its block's first line plus the line breaks before
    it, outside images), or None when it must be asked. Only for texts whose destinations
    have no scheme or http(s): markdown-it.rs makes no link of a script URL, which the checks
    must see."""
    if _ENGINE is None or not renders_alike(text):
        return None
    if any((match.group(1) or match.group(2)).lower() not in _PLAIN_SCHEMES for match in _SCHEME.finditer(text)):
        return None
    try:
        tree = _ENGINE.tree(text)
    except BaseException as error:  # a Rust panic arrives as a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return None
    found: list[Found] = []
    _walk(tree, text, None, found, text.isascii())
    return found


def _walk(node: Any, text: str, line: int | None, found: list[Found], spans: bool = False) -> int | None:
    """Record the links and images below `node`; `line` is that of the inline content so far
    (None before a block's first inline node: its line is where that node starts).

    With `spans` (an ASCII text, whose byte offsets are its character offsets), a block whose
    source holds no `[` is not walked: every link and image is written with one."""
    for child in node.children:
        name = child.name
        if name not in _INLINE_NODES:
            span = child.srcmap if spans else None
            if span is None or text.find("[", span[0], span[1]) != -1:
                _walk(child, text, None, found, spans)
            line = None  # inline nodes after a block (a tight list item's next paragraph) start anew
            continue
        if line is None:
            line = text.count("\n", 0, child.srcmap[0])
        if name in _BREAKS:
            line += 1
        elif name == "image":  # its text is its `alt`: not searched, its breaks not counted
            found.append(("image", child.meta["url"], line))
        else:
            if name == "link":
                found.append(("link", child.meta["url"], line))
            line = _walk(child, text, line, found)
    return line


def image_sources(html: str) -> list[str]:
    """The `src` of each image in HTML `render` made, in order, as markdown-it-py's image
    rule sees them (before escaping): the text held no raw HTML, so every `<img` is an image."""
    return [unescape_html(match.group(1)) for match in _IMAGE_SOURCE.finditer(html)]


def replace_image_sources(html: str, sources: list[str]) -> str:
    """`html` with the source of its n-th image replaced by `sources[n]` (escaped)."""
    numbers = iter(range(len(sources)))
    return _IMAGE_SOURCE.sub(lambda _: f'<img src="{escape_html(sources[next(numbers)])}"', html)


def _letters_only(text: str) -> bool:
    # Letters, marks, digits and private-use characters (the marks cloze gaps are written
    # with) take no part in Markdown's rules; punctuation and spaces beyond ASCII (emphasis
    # flanking, white space) are judged differently.
    for match in _NON_ASCII.finditer(text):
        category = unicodedata.category(match.group())
        if category[0] not in "LMN" and category != "Co":
            return False
    return True


def _private_use_only(text: str) -> bool:
    # Beside links, only the marks of cloze gaps: labels and titles beyond ASCII are matched
    # and escaped differently (destinations are plain ASCII anyway, `_links_alike`).
    return all(unicodedata.category(match.group()) == "Co" for match in _NON_ASCII.finditer(text))


def _tables_alike(text: str) -> bool:
    """Every group of lines holding a `|` is a whole table: at column 0, each line between
    pipes, the second line a delimiter row with as many cells as the header."""
    lines = text.split("\n")
    checked = -1
    """The last line of the group checked last: a group is checked once, from its first `|`."""
    for at in [number for number, line in enumerate(lines) if "|" in line]:
        if at <= checked:
            continue
        first = last = at  # the group: the lines around, up to a blank one
        while first > 0 and lines[first - 1].strip(" \t"):
            first -= 1
        while last + 1 < len(lines) and lines[last + 1].strip(" \t"):
            last += 1
        group = [line.rstrip(" \t") for line in lines[first : last + 1]]
        if len(group) < 2 or not all(len(row) > 1 and row[0] == "|" == row[-1] for row in group):
            return False
        if not _TABLE_DELIMITER.fullmatch(group[1]) or group[0].count("|") != group[1].count("|"):
            return False
        checked = last
    return True


def _quotes_alike(text: str) -> bool:
    """Block quotes only as lines `> text` at column 0, one level deep, each followed by the
    end, a blank line or another such line (no empty quotes, no lazy continuation)."""
    quoting = False
    for line in text.split("\n"):
        if _QUOTE_START.match(line):
            if not _PLAIN_QUOTE.match(line):
                return False
            quoting = True
        elif quoting and line.strip(" \t"):
            return False
        else:
            quoting = False
    return True


def _code_alike(text: str) -> bool:
    """No code fence, no code span of spaces alone, and an even number of backticks on each
    line (a code span may otherwise run over lines)."""
    for line in text.split("\n"):
        if "`" in line and (line.count("`") % 2 or line.lstrip(" \t").startswith("``") or _SPACES_SPAN.search(line)):
            return False
    return True


def _links_alike(text: str) -> bool:
    if "@" in text or "::" in text or _BARE_DEFINITION.search(text):
        return False
    if ('""' in text or "''" in text or "()" in text) and _EMPTY_TITLE.search(text):
        return False
    for match in _DESTINATION.finditer(text):
        destination = match.group(1) if match.group(1) is not None else match.group(2)
        if not _PLAIN_DESTINATION.fullmatch(destination):
            return False
    return True


def _brackets_alike(text: str) -> bool:
    """Brackets nested at most `_MAX_BRACKET_DEPTH` deep (markdown-it-py limits nesting), and
    no backtick inside one (the engine panics scanning a link text that holds one)."""
    depth = 0
    for match in _BRACKET.finditer(text):
        char = match.group()
        if char == "[":
            depth += 1
            if depth > _MAX_BRACKET_DEPTH:
                return False
        elif char == "]":
            depth = max(depth - 1, 0)
        elif depth:
            return False
    return True


def _prefix_columns(prefix: str) -> int:
    columns = 0
    for char in prefix:
        columns = columns + 4 - columns % 4 if char == "\t" else columns + 1
    return columns
