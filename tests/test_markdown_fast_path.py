"""The renderer's shortcuts for one-line texts give exactly the parser's output."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coursebuilder.markdown import _PARSER, _is_one_paragraph, _is_plain, render

# Letters, digits, spaces, every character Markdown gives a meaning to, non-Latin text and a
# few ready-made pieces of syntax.
CHARACTERS = list("aZ09 \t\n.,:;!?\"'()[]{}<>&#*_~`|\\/-+=%$@^")
PIECES = ["é", "ش", "ש", "中", "😀", "\u00a0", "\u2028", "<b>", "<div>", "**", "___", "[a]: b", "1. ", "    "]
ALPHABET = st.sampled_from(CHARACTERS + PIECES)


@settings(max_examples=1500, deadline=None)
@given(st.lists(ALPHABET, min_size=1, max_size=12).map("".join))
def test_shortcut_matches_parser(text: str) -> None:
    assert render(text) == _PARSER.render(text)
    assert render(text, inline=True) == _PARSER.renderInline(text)


def test_shortcut_is_taken_for_ordinary_sentences() -> None:
    for text in ("How long is a 1.5 km walk in metres?", 'Question 12: "quoted" > that', "2 apples"):
        assert _is_plain(text)
        assert render(text) == _PARSER.render(text)
    for text in ("1. first", "- item", "# title", "a *b*", " lead", "two\nlines", "a & b", "x <b>"):
        assert not _is_plain(text)
    for text in ("a *b* `c` [d](e.png)", "1.5 **km**", "x <b>y</b>"):
        assert _is_one_paragraph(text)
        assert render(text) == _PARSER.render(text)
    for text in ("[ref]: /url", "<div>", "- item", "two\nlines"):
        assert not _is_one_paragraph(text)
