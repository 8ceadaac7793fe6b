"""Find the raw HTML in Markdown that must not reach Moodle: scripts, frames, event handlers
and script URLs.

Authors may write raw HTML in Markdown. Moodle's HTML cleaner silently strips active content,
so a question relying on it would change meaning on import: such HTML is an error in every
text going to Moodle, and in a lesson page unless its front matter says `allow_scripts: true`
(then only the SCORM page gets it; Moodle targets must leave it out).

Only what reaches the output as HTML is examined: the HTML tokens of the shared Markdown
parser (so `` `<script>` `` in code, `&lt;script&gt;` and `\\<script>` are text and pass) and
link destinations. Each HTML fragment is read with a real HTML tokenizer, so letter case,
whitespace and line breaks inside tags, `<svg/onload=…>` and entity-encoded URLs
(`javascript&colon;`, `&#106;avascript:`, `java&#9;script:`) are all seen as a browser sees them.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from coursebuilder import nativemarkdown
from coursebuilder.diagnostics import Diagnostic, warning
from coursebuilder.markdown import Reference, _html_refs, _may_link, parsers

if TYPE_CHECKING:
    from markdown_it.token import Token

    from coursebuilder.model import Lesson

UNSAFE_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta"})
"""Elements that run code, load other documents or change how the page is read."""
SCRIPT_SCHEMES = ("javascript:", "vbscript:")
"""URL schemes that run code when followed."""


_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG_BELT = re.compile(r"<(" + "|".join(sorted(UNSAFE_TAGS)) + r")(?![\w-])", re.I)
_OPEN_TAG = re.compile(r"<[a-z][^>]*>?", re.I)
_QUOTED = re.compile(r"=\s*(?:\"[^\"]*\"|'[^']*')")
_EVENT_BELT = re.compile(r"[\s/\"'](on[a-z]+)\s*=", re.I)
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")


class UnsafeHtml(NamedTuple):
    """One piece of active HTML: the line it is on (0-based, within the text) and what it is."""

    line: int
    what: str


def find_unsafe_html(text: str) -> list[UnsafeHtml]:
    """Every script, frame, event handler and script URL in Markdown `text`, in order."""
    if not text or not any(mark in text for mark in ("<", "](", "]:")):
        return []
    found: dict[UnsafeHtml, None] = {}
    # `all_links`: the renderer refuses to make a link of `javascript:`; the check reports it.
    for block in parsers().all_links.parse(text):
        line = block.map[0] if block.map else 0
        if block.type == "html_block":
            found.update(dict.fromkeys(_scan_fragment(block.content, line)))
        for child in block.children or ():
            found.update(dict.fromkeys(_scan_inline(child, line)))
            if child.type in ("softbreak", "hardbreak"):
                line += 1
    return list(found)


def scan_markdown(text: str) -> tuple[list[UnsafeHtml], list[Reference]]:
    """`find_unsafe_html(text)` and `list(references(text, all_links=True))` from one parse.

    Validation asks both of every text; parsing a long lesson once instead of twice saves a
    third of `validate`. Only paragraphs that can hold HTML or links are parsed inline (as
    `references` does): others can hold neither HTML nor a script URL.
    """
    if not text or not any(mark in text for mark in ("<", "](", "]:")):
        return [], []
    native = nativemarkdown.references(text)
    if native is not None:  # such a text holds no HTML and no script URL
        return [], [Reference(kind, target, line) for kind, target, line in native]
    found: dict[UnsafeHtml, None] = {}
    refs: list[Reference] = []
    env: dict[str, object] = {}
    found_parsers = parsers()
    for block in found_parsers.all_links_blocks.parse(text, env):
        line = block.map[0] if block.map else 0
        if block.type == "html_block":
            found.update(dict.fromkeys(_scan_fragment(block.content, line)))
            refs.extend(_html_refs(block.content, line))
        if block.type != "inline" or not _may_link(block.content, env):
            continue
        children: list[Token] = []
        found_parsers.all_links.inline.parse(block.content, found_parsers.all_links, env, children)
        for child in children:
            found.update(dict.fromkeys(_scan_inline(child, line)))
            if child.type == "image":
                refs.append(Reference("image", str(child.attrs.get("src", "")), line))
            elif child.type == "link_open":
                refs.append(Reference("link", str(child.attrs.get("href", "")), line))
            elif child.type == "html_inline":
                refs.extend(_html_refs(child.content, line))
            if child.type in ("softbreak", "hardbreak"):
                line += 1
    return list(found), refs


def kept_script_warnings(lessons: Iterable[Lesson], *, kept_in: str, code: str) -> list[Diagnostic]:
    """A warning for each lesson that keeps active HTML (`allow_scripts: true`), at its first
    piece: the targets whose LMS cleans imported pages say what becomes of it (`kept_in`)."""
    diags = []
    for lesson in lessons:
        found = find_unsafe_html(lesson.body) if lesson.allow_scripts else []
        if found:
            message = f"{found[0].what} is kept in {kept_in}"
            diags.append(
                warning(lesson.source_file, lesson.body_line + found[0].line, field="body", message=message, code=code)
            )
    return diags


def is_script_url(url: str) -> bool:
    """True when a browser would run `url` (entities already decoded) as a script."""
    # Browsers drop ASCII whitespace and control characters anywhere in the scheme.
    return _URL_JUNK.sub("", url).lower().startswith(SCRIPT_SCHEMES)


def _scan_inline(token: Token, line: int) -> Iterator[UnsafeHtml]:
    if token.type == "html_inline":
        yield from _scan_fragment(token.content, line)
    elif token.type in ("link_open", "image"):
        url = str(token.attrs.get("href" if token.type == "link_open" else "src", ""))
        if is_script_url(url):
            yield UnsafeHtml(line, f"{_scheme(url)} URL")


def _scheme(url: str) -> str:
    """The scheme a script URL is reported by (`javascript:`), as a browser reads the URL."""
    return _URL_JUNK.sub("", url).split(":", 1)[0].lower() + ":"


def tokenized(fragment: str, line: int = 0) -> list[UnsafeHtml]:
    """The active elements and attributes of an HTML `fragment` starting on `line`, as a
    browser's tokenizer reads them (Python's), in order."""
    from coursebuilder.tagscanner import StartTags  # only for raw HTML, which most texts lack

    scanner = StartTags()
    # A fragment the tokenizer chokes on is still judged by `_scan_fragment`'s belt.
    with contextlib.suppress(AssertionError, ValueError):
        scanner.feed(fragment)
        scanner.close()
    found = []
    for offset, element, attrs in scanner.tags:
        if element in UNSAFE_TAGS:
            found.append(UnsafeHtml(line + offset, f"<{element}> tag"))
        for name, value in attrs:
            if name.startswith("on"):
                found.append(UnsafeHtml(line + offset, f"event attribute {name}"))
            elif value is not None and is_script_url(value):
                found.append(UnsafeHtml(line + offset, f"{_scheme(value)} URL"))
    return found


def _scan_fragment(fragment: str, line: int) -> Iterator[UnsafeHtml]:
    yield from tokenized(fragment, line)
    # Belt and braces, in case a browser reads a tag differently from Python's tokenizer.
    bare = html.unescape(_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), fragment))
    for match in _TAG_BELT.finditer(bare):
        yield UnsafeHtml(line + bare.count("\n", 0, match.start()), f"<{match.group(1).lower()}> tag")
    for tag in _OPEN_TAG.finditer(bare):
        # Attribute values are not names: blank them, keeping the `=` that follows a name.
        unquoted = _QUOTED.sub(lambda m: "=" + " " * (len(m.group()) - 1), tag.group())
        for match in _EVENT_BELT.finditer(unquoted):
            at = tag.start() + match.start()
            yield UnsafeHtml(line + bare.count("\n", 0, at), f"event attribute {match.group(1).lower()}")
