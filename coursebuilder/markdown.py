"""The one Markdown renderer every target shares (CommonMark plus tables).

Images are resolved through a callback passed in `env`, so each target decides how an asset
is referenced (`@@PLUGINFILE@@/name` in Moodle, a package path in SCORM) from one rendering.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ImageResolver = Callable[[str], str]
"""Maps an image reference as written in the source to the URL the output uses."""

_INLINE_SYNTAX = re.compile(r"[\\`*_~\[\]!<&\n\r]")
"""Characters with which an inline rule (or a second line) could start."""
_BLOCK_START = re.compile(r"[#>+\-*_=~`|]|\d{1,9}[.)](?:[ \t]|$)")
"""Starts of a line that could open a block other than a paragraph."""


def _is_plain(text: str) -> bool:
    """True when markdown-it would render `text` as one paragraph of plain text.

    Most texts of a course (question texts, feedback, answers) are like that; skipping the
    parser for them makes rendering ~50 times faster. The output is the parser's, exactly
    (a property test compares them).
    """
    return text == text.strip() and not _INLINE_SYNTAX.search(text) and not _BLOCK_START.match(text)


def _is_one_paragraph(text: str) -> bool:
    """True when `text` is one line that can only be a paragraph: its inline content is then
    rendered without the block parser (same output, a third of the time)."""
    return "\n" not in text and "\r" not in text and text == text.strip() and not _BLOCK_OR_DEFINITION.match(text)


_BLOCK_OR_DEFINITION = re.compile(r"[#>+\-*_=~`|<\[]|\d{1,9}[.)](?:[ \t]|$)")
"""As `_BLOCK_START`, plus raw HTML blocks and link reference definitions."""


def _escape_plain(text: str) -> str:
    # `&` and `<` never reach here (see `_is_plain`); markdown-it also escapes `>` and `"`.
    return text.replace(">", "&gt;").replace('"', "&quot;")


def _new_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    md.add_render_rule("image", _render_image)
    return md


def _render_image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    resolve: ImageResolver | None = env.get("resolve_image") if isinstance(env, dict) else None
    src = str(token.attrs.get("src", ""))
    if resolve is not None:
        token.attrs["src"] = resolve(src)
    return self.image(tokens, idx, options, env)


_PARSER = _new_parser()
_BLOCKS = _new_parser()
_BLOCKS.disable("inline")
"""The same parser without the inline pass: `references` runs it only where links can be."""


def render(text: str, resolve_image: ImageResolver | None = None, inline: bool = False) -> str:
    """Render Markdown to HTML; `inline` drops the paragraph wrapper of a one-line text."""
    if not text:
        return ""
    if _is_plain(text):
        escaped = _escape_plain(text)
        return escaped if inline else f"<p>{escaped}</p>\n"
    env: dict[str, Any] = {"resolve_image": resolve_image} if resolve_image else {}
    if inline:
        return str(_PARSER.renderInline(text, env))
    if _is_one_paragraph(text):
        return f"<p>{_PARSER.renderInline(text, env)}</p>\n"
    return str(_PARSER.render(text, env))


@dataclass(frozen=True)
class Reference:
    """A link or image in Markdown text, with the line (0-based, within the text) it is on."""

    kind: str  # "image" or "link" or "html"
    target: str
    line: int


_HTML_SRC = re.compile(r"""(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def references(text: str) -> Iterator[Reference]:
    """Yield the images and links of `text` (including `src`/`href` in raw HTML)."""
    if not text or not any(mark in text for mark in ("](", "<", "]:")):
        return
    env: dict[str, Any] = {}
    for block in _BLOCKS.parse(text, env):
        line = block.map[0] if block.map else 0
        if block.type in ("html_block",):
            yield from _html_refs(block.content, line)
        if block.type != "inline" or not _may_link(block.content, env):
            continue
        children: list[Token] = []
        _PARSER.inline.parse(block.content, _PARSER, env, children)
        for child in children:
            if child.type == "image":
                yield Reference("image", str(child.attrs.get("src", "")), line)
            elif child.type == "link_open":
                yield Reference("link", str(child.attrs.get("href", "")), line)
            elif child.type == "html_inline":
                yield from _html_refs(child.content, line)
            if child.type == "softbreak" or child.type == "hardbreak":
                line += 1


def _may_link(content: str, env: dict[str, Any]) -> bool:
    """Whether inline text can hold a link, image or HTML: `](`, `<`, or `[` with link definitions.

    Paragraphs of plain prose, most of a lesson, skip the inline parse entirely.
    """
    return "](" in content or "<" in content or ("[" in content and bool(env.get("references")))


def _html_refs(fragment: str, line: int) -> Iterator[Reference]:
    for number, part in enumerate(fragment.split("\n")):
        for match in _HTML_SRC.finditer(part):
            value = next(group for group in match.groups() if group is not None)
            kind = "image" if match.group(0).lower().startswith("src") else "link"
            yield Reference(kind, html.unescape(value), line + number)
