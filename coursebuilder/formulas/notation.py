"""The notation: `$…$` inline and `$$…$$` display math inside Markdown, by dollarmath's rules.

Rules (those of pandoc, which dollarmath implements with these options):

- `$…$` is inline math when the opening `$` is followed by a non-space character, the
  closing `$` is preceded by a non-space character and not followed by a digit, and the
  opening `$` is not preceded by a digit. So `costs $5 and $10` holds no math.
- `$$…$$` is display math: on lines of its own (a block, which may span lines but no blank
  line), or inside a paragraph.
- `\\$` is a literal dollar sign; in code spans and code blocks `$` is always literal.

Markdown never touches a formula's content: no emphasis, no escapes, no HTML.

`has_math(text)` is the cheap, exact test of whether a text holds a formula (one scan for
`$`, then this parser): a renderer without dollarmath can send the texts it finds true to
markdown-it-py and keep the rest.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from coursebuilder.htmlescape import escape_html

if TYPE_CHECKING:  # markdown-it is imported when a parser is first made (start-up)
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

MathHtml = Callable[[str, bool], str]
"""Writes one formula (its TeX, and whether it is displayed) as HTML."""

MATH_TOKENS = frozenset({"math_inline", "math_inline_double", "math_block"})
_CODE_TOKENS = ("code_inline", "code_block", "fence")


class MathForm(NamedTuple):
    """How one kind of output writes formulas, and the prose around them."""

    formula: MathHtml
    protect: Callable[[str], bool] | None = None
    """Whether prose (its source text) must be written so it is not taken for a formula."""
    prose: Callable[[str, bool], str] | None = None
    """Rewrites such prose (HTML-escaped; code or not)."""


def add_dollarmath(md: MarkdownIt, default: MathForm) -> None:
    """Teach `md` the notation. Formulas are written by `env["math"]` (a `MathForm`) when the
    caller sets it, else by `default`."""
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    dollarmath_plugin(
        md,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        allow_blank_lines=False,
        double_inline=True,
    )

    def form(env: EnvType) -> MathForm:
        found = env.get("math") if isinstance(env, dict) else None
        return found if isinstance(found, MathForm) else default

    def rule(display: bool, block: bool) -> Callable[..., str]:
        def render(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
            markup = form(env).formula(tokens[idx].content.strip(), display)
            return f'<div class="math">{markup}</div>\n' if block else markup

        return render

    md.add_render_rule("math_inline", rule(display=False, block=False))
    md.add_render_rule("math_inline_double", rule(display=True, block=False))
    md.add_render_rule("math_block", rule(display=True, block=True))

    def text(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        content = tokens[idx].content
        escaped = escape_html(content)
        writer = form(env)
        if writer.protect is not None and writer.prose is not None and writer.protect(content):
            return writer.prose(escaped, False)
        return escaped

    md.add_render_rule("text", text)
    for name in _CODE_TOKENS:
        md.add_render_rule(name, _code_rule(getattr(md.renderer, name), form))


def _code_rule(original: Callable[..., str], form: Callable[[EnvType], MathForm]) -> Callable[..., str]:
    def render(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        markup = original(tokens, idx, options, env)
        writer = form(env)
        if writer.protect is not None and writer.prose is not None and writer.protect(tokens[idx].content):
            return writer.prose(markup, True)
        return markup

    return render


_AS_IS = MathForm(lambda tex, display: tex)


@functools.cache
def _finder() -> MarkdownIt:
    from markdown_it import MarkdownIt

    finder = MarkdownIt("commonmark", {"html": True})
    finder.enable("table")
    finder.enable("strikethrough")
    finder.disable("text_join")  # keep `\$` (text_special) apart from literal `$` (text)
    add_dollarmath(finder, _AS_IS)
    return finder


def has_math(text: str) -> bool:
    """Whether `text` holds a formula: no `$`, no formula (the common case costs one scan);
    otherwise the parser decides, by exactly the renderer's rules."""
    return "$" in text and _has_math(text)


@functools.lru_cache(maxsize=4096)
def _has_math(text: str) -> bool:
    return any(True for _ in _math_tokens(_finder().parse(text)))


class Formula(NamedTuple):
    """One formula of a text: its TeX, whether it is displayed, and its line (0-based) in the text."""

    tex: str
    display: bool
    line: int


class StrayDollar(NamedTuple):
    """A `$` or `$$` that looks like the start of a formula but opens none."""

    line: int
    message: str


_STRAY_DOUBLE = re.compile(r"(?<!\$)\$\$(?!\$)")
_STRAY_SINGLE = re.compile(r"(?<![\$\d])\$(?=[^\s\d$])")


def scan(text: str) -> tuple[list[Formula], list[StrayDollar]]:
    """Every formula of Markdown `text`, and every `$` that opens a formula never closed.

    A `$` followed by a space or a digit (`costs $5`, `5 $ each`) is prose; one followed by
    anything else (`$x + 1`) with no closing `$` is an unbalanced formula, and so is a `$$`.
    """
    if "$" not in text:
        return [], []
    formulas: list[Formula] = []
    strays: list[StrayDollar] = []
    for block in _finder().parse(text):
        line = block.map[0] if block.map else 0
        if block.type == "math_block":
            formulas.append(Formula(block.content.strip(), True, line))
        for child in block.children or ():
            if child.type in MATH_TOKENS:
                formulas.append(Formula(child.content.strip(), child.type != "math_inline", line))
                line += child.content.count("\n")
            elif child.type == "text":
                strays.extend(_strays(child.content, line))
                line += child.content.count("\n")
            elif child.type in ("softbreak", "hardbreak"):
                line += 1
    return formulas, strays


def _strays(text: str, line: int) -> Iterator[StrayDollar]:
    for match in _STRAY_DOUBLE.finditer(text):
        yield StrayDollar(
            line + text.count("\n", 0, match.start()),
            "`$$` opens a display formula that is never closed (write `\\$\\$` for two dollar signs)",
        )
    for match in _STRAY_SINGLE.finditer(text):
        if text.startswith("$$", match.start()) or (match.start() and text[match.start() - 1] == "$"):
            continue
        yield StrayDollar(
            line + text.count("\n", 0, match.start()),
            "unbalanced `$`: this `$` opens a formula that is never closed "
            "(a closing `$` follows a non-space character and no digit follows it; "
            "write `\\$` for a dollar sign)",
        )


def _math_tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        if token.type in MATH_TOKENS:
            yield token
        for child in token.children or ():
            if child.type in MATH_TOKENS:
                yield child
