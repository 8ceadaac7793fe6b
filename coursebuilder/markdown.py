"""The one Markdown renderer every target shares (CommonMark plus tables).

Images are resolved through a callback passed in `env`, so each target decides how an asset
is referenced (`@@PLUGINFILE@@/name` in Moodle, a package path in SCORM) from one rendering.
Formulas (`$…$`, `$$…$$`, see `formulas.notation`) are written in the `math` form the
caller asks for: Moodle's TeX delimiters, or MathML for offline packages.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from coursebuilder import nativemarkdown
from coursebuilder.formulas import moodle
from coursebuilder.formulas.notation import MathForm, add_dollarmath
from coursebuilder.htmlescape import escape_html

if TYPE_CHECKING:  # markdown-it-py is imported when its parsers are first needed (`parsers`)
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

ImageResolver = Callable[[str], str]
"""Maps an image reference as written in the source to the URL the output uses."""

_INLINE_SYNTAX = re.compile(r"[\\`*_~\[\]!<&$\n\r]")
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


_BLOCK_OR_DEFINITION = re.compile(r"[#>+\-*_=~`|<\[$]|\d{1,9}[.)](?:[ \t]|$)")
"""As `_BLOCK_START`, plus raw HTML blocks and link reference definitions."""


def _escape_plain(text: str) -> str:
    # `&` and `<` never reach here (see `_is_plain`); markdown-it also escapes `>` and `"`.
    return text.replace(">", "&gt;").replace('"', "&quot;")


MathStyle = Literal["moodle", "mathml"]
"""How formulas are written: `\\( \\)`/`\\[ \\]` for Moodle's filters, or MathML."""


def _mathml_html(tex: str, display: bool) -> str:
    from coursebuilder.formulas import mathml  # and lxml: only a build that writes MathML needs them

    return mathml.formula_html(tex, display)


_MATH_FORMS: dict[str, MathForm] = {
    "moodle": MathForm(moodle.formula_html, moodle.needs_protection, moodle.protect),
    "mathml": MathForm(_mathml_html),
}


def _new_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    add_dollarmath(md, _MATH_FORMS["moodle"])
    md.add_render_rule("image", _render_image)
    return md


def _render_image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    resolve: ImageResolver | None = env.get("resolve_image") if isinstance(env, dict) else None
    src = str(token.attrs.get("src", ""))
    if resolve is not None:
        token.attrs["src"] = resolve(src)
    return self.image(tokens, idx, options, env)


class Parsers(NamedTuple):
    """markdown-it-py's parsers, which define the HTML of every text."""

    render: MarkdownIt
    blocks: MarkdownIt
    """The same parser without the inline pass: `references` runs it only where links can be."""
    all_links: MarkdownIt
    """The renderer turns `[x](file:///etc/passwd)` into plain text; checks want to see and report it."""
    all_links_blocks: MarkdownIt


@functools.cache
def parsers() -> Parsers:
    """The parsers, made when first needed: a course whose texts are all plain or rendered by
    the native engine (`nativemarkdown`) never imports markdown-it-py (start-up)."""
    blocks, all_links, all_links_blocks = _new_parser(), _new_parser(), _new_parser()
    blocks.disable("inline")
    all_links_blocks.disable("inline")
    all_links.validateLink = all_links_blocks.validateLink = lambda url: True  # type: ignore[method-assign]
    return Parsers(_new_parser(), blocks, all_links, all_links_blocks)


_LAZY_NAMES = {"_PARSER": "render", "_BLOCKS": "blocks", "_ALL_LINKS_PARSER": "all_links"}
_LAZY_NAMES["_ALL_LINKS_BLOCKS"] = "all_links_blocks"


def __getattr__(name: str) -> Any:
    """`_PARSER` and the like, by their earlier names (tests compare with them)."""
    if name in _LAZY_NAMES:
        return getattr(parsers(), _LAZY_NAMES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def render(
    text: str,
    resolve_image: ImageResolver | None = None,
    inline: bool = False,
    math: MathStyle = "moodle",
    *,
    cache: RenderCache | None = None,
) -> str:
    """Render Markdown to HTML; `inline` drops the paragraph wrapper of a one-line text.

    With `cache` (one per build), a text another target rendered already is not parsed again.
    """
    if not text:
        return ""
    if _is_plain(text):
        escaped = _escape_plain(text)
        return escaped if inline else f"<p>{escaped}</p>\n"
    if cache is None:
        return _render(text, resolve_image, inline, math)
    return cache.render(text, resolve_image, inline, math)


RenderKey = tuple[str, bool, str]
"""A text, whether it is rendered inline, and the math form when the text has any (else "")."""
Rendering = tuple[str, list[str]]
"""HTML with each image's source marked, and those sources in order."""

_MARK, _MARK_END = "\ue000", "\ue001"
"""Around the index of an image in a cached rendering (private-use characters)."""
_MARKED = re.compile(f"{_MARK}(\\d+){_MARK_END}")


class RenderCache:
    """The renderings of one build: each text is parsed and rendered once, whichever target asks.

    Targets differ only in where images point: the cached rendering marks each image's
    source, and every call fills in what its own `resolve_image` makes of them, in the order
    the renderer would have asked, escaped as the renderer escapes them.
    """

    def __init__(self, earlier: Mapping[RenderKey, Rendering] | None = None) -> None:
        self._renders: dict[RenderKey, Rendering] = {}
        """The renderings this build asked for: (text, inline, math form if it matters) →
        (marked HTML, image sources in order)."""
        self._earlier: dict[RenderKey, Rendering] = dict(earlier or {})
        """Renderings of an earlier build (`renderstore`), moved to `_renders` when asked for."""

    def render(self, text: str, resolve_image: ImageResolver | None, inline: bool, math: MathStyle) -> str:
        """As `render`, from the cached rendering when there is one."""
        if _MARK in text:  # the marks would be taken for images: render this one afresh
            return _render(text, resolve_image, inline, math)
        key = _key(text, inline, math)
        found = self._renders.get(key)
        if found is None and key in self._earlier:
            found = self._renders[key] = self._earlier.pop(key)
        if found is None:
            found = self._renders[key] = _marked(text, inline, math)
        markup, sources = found
        if not sources:
            return markup
        urls = [resolve_image(src) for src in sources] if resolve_image is not None else sources
        return _MARKED.sub(lambda match: escape_html(urls[int(match.group(1))]), markup)

    def __len__(self) -> int:
        """How many renderings this build asked for."""
        return len(self._renders)

    def renderings(self) -> dict[RenderKey, Rendering]:
        """The renderings this build asked for (to keep for the next build, or to send to the
        process that does)."""
        return dict(self._renders)

    def absorb(self, renderings: Mapping[RenderKey, Rendering]) -> None:
        """Take in what another process of the same build rendered for its targets."""
        for key, rendering in renderings.items():
            self._renders.setdefault(key, rendering)

    def missing(self, texts: Iterable[str], forms: Sequence[MathStyle]) -> list[tuple[str, MathStyle]]:
        """The (text, form) pairs of `texts` rendered as blocks that no rendering answers yet
        (plain texts need none): the work `prepare` would do."""
        wanted: dict[RenderKey, tuple[str, MathStyle]] = {}
        for text in texts:
            if not text or _MARK in text or _is_plain(text):
                continue
            for form in forms:
                key = _key(text, False, form)
                if key not in self._renders and key not in self._earlier:
                    wanted.setdefault(key, (text, form))
        return list(wanted.values())

    @staticmethod
    def prepare(work: Iterable[tuple[str, MathStyle]]) -> dict[RenderKey, Rendering]:
        """Render each (text, form) as a block, ahead of the targets (in another process,
        say): what `offer` takes."""
        return {_key(text, False, form): _marked(text, False, form) for text, form in work}

    def offer(self, renderings: Mapping[RenderKey, Rendering]) -> None:
        """Renderings made ahead (`prepare`): used when a target asks for them, and only then
        kept for the next build."""
        for key, rendering in renderings.items():
            if key not in self._renders:
                self._earlier.setdefault(key, rendering)


def _key(text: str, inline: bool, math: MathStyle) -> RenderKey:
    # Only a text with `$` or `\\` can render differently in the two forms.
    return (text, inline, math if ("$" in text or "\\" in text) else "")


def _marked(text: str, inline: bool, math: MathStyle) -> Rendering:
    """`text` rendered with each image's source replaced by a mark, and those sources."""
    sources: list[str] = []

    def remember(src: str) -> str:
        sources.append(src)
        return f"{_MARK}{len(sources) - 1}{_MARK_END}"

    return _render(text, remember, inline, math), sources


def _render(text: str, resolve_image: ImageResolver | None, inline: bool, math: MathStyle = "moodle") -> str:
    one_paragraph = _is_one_paragraph(text)
    if not inline or one_paragraph:
        native = _render_natively(text, resolve_image, inline)
        if native is not None:
            return native
    env: dict[str, Any] = {"resolve_image": resolve_image} if resolve_image else {}
    if math != "moodle":
        env["math"] = _MATH_FORMS[math]
    if inline:
        return str(parsers().render.renderInline(text, env))
    if one_paragraph:
        return f"<p>{parsers().render.renderInline(text, env)}</p>\n"
    return str(parsers().render.render(text, env))


def _render_natively(text: str, resolve_image: ImageResolver | None, inline: bool) -> str | None:
    """`_render`'s result from the native engine, or None where it may differ (see
    `nativemarkdown`). Such a text holds no formula, so the math form does not matter."""
    html = nativemarkdown.render(text)
    if html is None:
        return None
    if inline:  # a one-line paragraph: markdown-it-py's inline rendering is what the <p> holds
        if not (html.startswith("<p>") and html.endswith("</p>\n")):
            return None
        html = html[3:-5]
    if resolve_image is not None and "<img" in html:
        html = nativemarkdown.replace_image_sources(
            html, [resolve_image(src) for src in nativemarkdown.image_sources(html)]
        )
    return html


class Reference(NamedTuple):
    """A link or image in Markdown text, with the line (0-based, within the text) it is on."""

    kind: str  # "image" or "link" or "html"
    target: str
    line: int


_HTML_SRC = re.compile(r"""(?:src|href|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def references(text: str, all_links: bool = False) -> Iterator[Reference]:
    """Yield the images and links of `text` (including `src`/`href` in raw HTML).

    With `all_links`, also those the renderer refuses to make links of (`file:`,
    `javascript:`, `vbscript:`, most `data:`), so checks can report them.
    """
    if not text or not any(mark in text for mark in ("](", "<", "]:")):
        return
    env: dict[str, Any] = {}
    found = parsers()
    md, blocks = (found.all_links, found.all_links_blocks) if all_links else (found.render, found.blocks)
    for block in blocks.parse(text, env):
        line = block.map[0] if block.map else 0
        if block.type in ("html_block",):
            yield from _html_refs(block.content, line)
        if block.type != "inline" or not _may_link(block.content, env):
            continue
        children: list[Token] = []
        md.inline.parse(block.content, md, env, children)
        for child in children:
            if child.type == "image":
                yield Reference("image", str(child.attrs.get("src", "")), line)
            elif child.type == "link_open":
                yield Reference("link", str(child.attrs.get("href", "")), line)
            elif child.type == "html_inline":
                yield from _html_refs(child.content, line)
            if child.type == "softbreak" or child.type == "hardbreak":
                line += 1


def may_reference_files(text: str) -> bool:
    """Whether Markdown `text` can reference a file: an image or link needs `](`, or a
    definition `]:` for its reference; raw HTML and autolinks need `<`. The HTML of a text
    without any of these holds no file, so it need not be asked, nor its references scanned."""
    return "<" in text or "](" in text or "]:" in text


def _may_link(content: str, env: dict[str, Any]) -> bool:
    """Whether inline text can hold a link, image or HTML: `](`, `<`, or `[` with link definitions.

    Paragraphs of plain prose, most of a lesson, skip the inline parse entirely.
    """
    return "](" in content or "<" in content or ("[" in content and bool(env.get("references")))


def _html_refs(fragment: str, line: int) -> Iterator[Reference]:
    for number, part in enumerate(fragment.split("\n")):
        for match in _HTML_SRC.finditer(part):
            value = next(group for group in match.groups() if group is not None)
            kind = "link" if "href" in match.group(0).lower() else "image"
            yield Reference(kind, html.unescape(value), line + number)
