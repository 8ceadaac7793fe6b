"""The renderer's shortcuts for one-line texts give exactly the parser's output."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from coursebuilder.htmlsafety import find_unsafe_html, scan_markdown
from coursebuilder.markdown import _PARSER, RenderCache, _is_one_paragraph, _is_plain, references, render

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


IMAGES = ["![a](x.png)", '![b *c*](<d e.svg> "t")', "![](x.png)", '<img src="y.png">', "[l](x.png)", "&", '"']


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(ALPHABET, st.sampled_from(IMAGES)), min_size=1, max_size=10).map("".join), st.booleans())
def test_cached_renders_give_each_resolver_what_a_fresh_render_gives(text: str, inline: bool) -> None:
    """Through a `RenderCache`, a text parsed once serves resolvers that map images differently."""
    resolvers = [None, lambda src: f"@@PLUGINFILE@@/{src}?a&b", lambda src: src.upper() + '"<>']
    expected = []
    for resolve in resolvers:
        calls: list[str] = []
        recorder = None if resolve is None else (lambda src, r=resolve, c=calls: c.append(src) or r(src))
        expected.append((render(text, recorder, inline), calls))
    cache = RenderCache()
    for _ in range(2):
        for resolve, (markup, calls) in zip(resolvers, expected, strict=True):
            seen: list[str] = []
            recorder = None if resolve is None else (lambda src, r=resolve, c=seen: c.append(src) or r(src))
            assert render(text, recorder, inline, cache=cache) == markup
            assert seen == calls, "the resolver is asked about the same images in the same order"


SCAN_PIECES = [
    "<script>x</script>", "<img src=a.png onerror=x>", "<a href='javascript:x'>", "[l](javascript:alert(1))",
    "![i](b.svg)", "[r]", "[r]: c.pdf", "[t][r]", "<http://e.org>", "`<script>`", "\\<b>", "<!-- <script> -->",
    "<div>", "</div>", "<iframe>", "\n", "\n\n", "    ", "- ", "> ", "# ", "x", " ", "&#106;avascript:", "](", "<",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SCAN_PIECES), max_size=14).map("".join))
def test_one_scan_finds_what_the_two_checks_find(text: str) -> None:
    """Validation's single parse gives exactly the HTML check's and the reference scan's results."""
    assert scan_markdown(text) == (find_unsafe_html(text), list(references(text, all_links=True)))


@settings(max_examples=1500, deadline=None)
@given(st.lists(ALPHABET, min_size=1, max_size=12).map("".join))
@example("[a]: b\n\n[a]")
@example("<script>")
@example("[a](javascript:x)")
@example("a $b")
def test_texts_the_checks_skip_hold_nothing_to_report(text: str) -> None:
    """The checks skip a text in which `_may_hold_findings` sees no marker: both scans agree."""
    from coursebuilder.checks import _may_hold_findings
    from coursebuilder.formulas import notation

    found = (scan_markdown(text), notation.scan(text))
    if not _may_hold_findings(text):
        assert found == (([], []), ([], []))
