"""Texts the renderer answers without the parser must come out exactly as the parser renders them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from coursebuilder import markdown
from coursebuilder.markdown import render

_REFERENCE = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_REFERENCE.enable("table")
_REFERENCE.enable("strikethrough")

_PIECES = st.sampled_from(
    [*"abcXYZé 019.,;:?!-+*_#>=<&\"'()[]{}|~`\\/$%@^\t\n\r\u00a0\u2028", "1. ", "1) ", "12.", "- ", "# ", "http://x.y"]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=12).map("".join))
def test_fast_paths_render_what_markdown_it_renders(text: str) -> None:
    if markdown._PLAIN.search(text) is None:
        return  # the older fast path, which differs only in not escaping quotes
    assert render(text) == _REFERENCE.render(text)
    assert render(text, inline=True) == _REFERENCE.renderInline(text)


def test_common_question_texts_take_the_fast_path() -> None:
    # The point of the fast path: these need no parser, and give the parser's output.
    for text in ('Question 12: what does "trade" mean (in 2024)?', "Right.", "42 km/h = 11.7 m/s", "A-B; C > D"):
        assert markdown._one_plain_paragraph(text), text
        assert render(text) == _REFERENCE.render(text)
    for text in ("1. first", "# title", "- item", "a *b*", "x\ny", " lead", "&amp;", "a  b\\", "> quote", "a ~~b~~"):
        assert not markdown._one_plain_paragraph(text), text
