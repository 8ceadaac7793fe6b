"""Moodle texts become Markdown only where the conversion is exact; otherwise they stay HTML.

Checked three ways: hand-picked cases (expected Markdown written out and checked against
CommonMark), and two properties: (1) whatever the course's renderer produces converts back to
Markdown that renders to the same bytes (what makes build → import → build byte-identical);
(2) any HTML fragment converts to Markdown that renders to the same HTML, compared with the
tests' own normal form (tests/moodle_semantics.py), never with the importer's.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coursebuilder.importer.htmltext import html_to_markdown, moodle_auto_to_html, plain_text_of, to_markdown
from coursebuilder.markdown import render
from tests.moodle_semantics import canon_html


@pytest.mark.parametrize(
    ("source", "markdown"),
    [
        # One paragraph of plain text: plain text.
        ("<p>Which file holds the glossary?</p>", "Which file holds the glossary?"),
        # Emphasis and code the renderer writes the same way.
        ("<p><strong>Bold</strong>, <em>it</em> and <code>x_y</code></p>", "**Bold**, *it* and `x_y`"),
        # Characters Markdown would read as syntax are escaped.
        ("<p>2*3 = 6 and [x]</p>", "2\\*3 = 6 and \\[x\\]"),
        ("<p>1. not a list</p>", "1\\. not a list"),
        ("<p># not a heading</p>", "\\# not a heading"),
        # …but only where needed.
        ("<p>Paris is _____ of a country; 3 &gt; 2 &amp; x | y</p>", "Paris is _____ of a country; 3 > 2 & x | y"),
        # Line breaks, paragraphs, lists, headings, images, code blocks.
        ("<p>a<br />\nb</p>", "a\\\nb"),
        ("<p>a</p>\n\n<p>b</p>", "a\n\nb"),
        ("<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "- a\n- b"),
        ('<ol start="3"><li>c</li></ol>', "3. c"),
        ("<h2>Title</h2><p>x</p>", "## Title\n\nx"),
        ('<p><img src="../assets/a.png" alt="A" /></p>', "![A](../assets/a.png)"),
        ('<pre><code class="language-py">x = 1\n</code></pre>', "```py\nx = 1\n```"),
        # HTML Markdown has no syntax for stays HTML, inline inside Markdown paragraphs…
        ("<p>H<sub>2</sub>O is <b>water</b></p>", "H<sub>2</sub>O is <b>water</b>"),
        # …and a text with blocks Markdown cannot write stays HTML as written.
        (
            '<p dir="ltr" style="text-align: left;">x</p><p>y</p>',
            '<p dir="ltr" style="text-align: left;">x</p><p>y</p>',
        ),
        ("<table><tr><td>1</td></tr></table>", "<table><tr><td>1</td></tr></table>"),
        # A blank line inside <pre> would end the HTML block: it is kept as a character reference.
        ("<div>x</div><pre>a\n\nb</pre>", "<div>x</div><pre>a\n&#10;b</pre>\n"),
    ],
)
def test_conversions(source: str, markdown: str) -> None:
    converted = html_to_markdown(source)
    assert converted.markdown == markdown
    assert canon_html(render(converted.markdown)) == canon_html(source)


def test_moodle_auto_format_follows_text_to_html() -> None:
    # lib/weblib.php text_to_html: whitespace between tags goes, newlines become <br />.
    assert moodle_auto_to_html("a\nb <b>x</b>\n<p>c</p>  <p>d</p>") == "a<br />\nb <b>x</b><p>c</p><p>d</p>"
    assert to_markdown("Line one\nLine two", "moodle_auto_format").markdown == "Line one\\\nLine two"
    assert to_markdown("a < b & c", "plain_text").markdown == "a < b & c"
    assert to_markdown("Keep **this**", "markdown").markdown == "Keep **this**"


@pytest.mark.parametrize(
    ("source", "fmt", "plain"),
    [
        ("<p>Write</p>", "html", "Write"),
        ("Build", "html", "Build"),
        ("Tom &amp; Jerry", "html", "Tom & Jerry"),
        ("<p>Two <b>words</b></p>", "html", None),
        ('<p class="x">Write</p>', "html", None),
        ("a *b*", "markdown", None),
        ("a < b", "plain_text", "a < b"),
    ],
)
def test_plain_text_only_when_nothing_is_lost(source: str, fmt: str, plain: str | None) -> None:
    assert plain_text_of(source, fmt) == plain


# --------------------------------------------------------------------------- properties

WORDS = st.sampled_from(
    ["alpha", "beta", "x_y", "2*3", "a < b", "Tom & Jerry", "[x]", "#tag", "1.", "-", "|", "~~", "_", "é", "`c`", "»"]
)
INLINE = st.one_of(
    WORDS,
    WORDS.map(lambda w: f"**{w.strip('*_`')}x**"),
    WORDS.map(lambda w: f"*y{w.strip('*_`')}*"),
    st.just("`code`"),
    st.just("[link](https://example.org/a)"),
    st.just("![pic](../assets/p.png)"),
    st.just("<b>raw</b>"),
    st.just("H<sub>2</sub>O"),
)
LINE = st.lists(INLINE, min_size=1, max_size=5).map(" ".join)
BLOCK = st.one_of(
    st.lists(LINE, min_size=1, max_size=3).map("\n".join),
    st.lists(LINE, min_size=1, max_size=3).map(lambda lines: "\n".join(f"- {line}" for line in lines)),
    st.lists(LINE, min_size=1, max_size=3).map(
        lambda lines: "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    ),
    LINE.map(lambda line: f"## {line}"),
    LINE.map(lambda line: f"> {line}"),
    st.just("```\ncode <here>\n\nmore\n```"),
    st.just('<div class="box">\n<p>raw</p>\n</div>'),
    st.just("line one\\\nline two"),
)
DOCUMENT = st.lists(BLOCK, min_size=1, max_size=4).map("\n\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_rendered_markdown_converts_back_to_the_same_bytes(markdown: str) -> None:
    # Moodle's importer trims every <text>, so only the trimmed text can come back.
    html = render(markdown)
    again = html_to_markdown(html)
    assert render(again.markdown).strip() == html.strip()


TAGS = st.sampled_from(
    ["p", "div", "span", "b", "strong", "em", "i", "code", "sup", "a", "li", "ul", "pre", "blockquote"]
)
TEXT = st.text(alphabet=st.sampled_from(list("ab <>&*_#`[]\n\t -1.|~\\")), max_size=12)


@st.composite
def fragments(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(TAGS)
            attrs = draw(st.sampled_from(["", ' class="c"', ' href="x.html"', ' style="color: red"']))
            inner = draw(fragments(depth + 1))
            parts.append(f"<{tag}{attrs}>{inner}</{tag}>")
        else:
            parts.append(draw(TEXT).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(parts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments())
def test_any_html_keeps_its_meaning(source: str) -> None:
    converted = html_to_markdown(source)
    if converted.exact:
        assert canon_html(render(converted.markdown)) == canon_html(source)
