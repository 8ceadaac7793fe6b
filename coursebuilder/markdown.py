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
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ImageResolver = Callable[[str], str]
"""Maps an image reference as written in the source to the URL the output uses."""

_PLAIN = re.compile(r"[\\`*_\[\]<>&#!|~\n\r\t{}()+\-.=:\d]")
_INLINE_SYNTAX = re.compile(r"[\\`*_\[\]<&!~]")
_BLOCK_START = re.compile(r"[#>+\-*=_]|\d{1,9}[.)](?:\s|$)")


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
    if not _PLAIN.search(text):
        escaped = html.escape(text, quote=False)
        return escaped if inline else f"<p>{escaped}</p>\n"
    if _one_plain_paragraph(text):
        escaped = escapeHtml(text)
        return escaped if inline else f"<p>{escaped}</p>\n"
    env: dict[str, Any] = {"resolve_image": resolve_image} if resolve_image else {}
    if inline:
        return str(_PARSER.renderInline(text, env))
    return str(_PARSER.render(text, env))


def _one_plain_paragraph(text: str) -> bool:
    """Whether markdown-it would render `text` as one paragraph of escaped text, as is.

    True for one printable line, without surrounding space, that starts no block (heading,
    quote, list, rule) and has no inline syntax (emphasis, code, links, HTML, entities,
    escapes): most question texts, answers and feedback, which then skip the parser.
    """
    return (
        text.isprintable()
        and text == text.strip()
        and _INLINE_SYNTAX.search(text) is None
        and _BLOCK_START.match(text) is None
    )


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
