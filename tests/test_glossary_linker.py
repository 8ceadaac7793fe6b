"""The SCORM pages' glossary linking finds exactly what the one-alternation definition finds.

`GlossaryLinker.reference_pattern` (every term and alias, longest first, each with its own
case and whole-word flags) defines what gets linked; the linker's prefix trees must yield the
same match spans on any text, including characters that `re.IGNORECASE` treats specially
(Kelvin sign, long s, dotted and dotless i, final sigma, a combining iota that is no word
character although its capital is) and whitespace of every kind between words.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from coursebuilder.model import GlossaryEntry
from coursebuilder.scorm.html import GlossaryLinker, inner_html

SPECIAL = ["k", "K", "\u212a", "s", "S", "\u017f", "i", "I", "\u0130", "\u0131", "\u00b5", "\u03bc", "\u039c"]
SPECIAL += ["\u03c3", "\u03c2", "\u03a3", "\u03b9", "\u0345", "\u0399", "\u00df", "\u1e9e", "\u01c5", "\u01c6"]
WORD_CHARS = st.sampled_from(["a", "b", "A", "B", "1", "_", "-", ".", "+", "é", "É", *SPECIAL])
SPACES = st.sampled_from([" ", "  ", "\t", "\n", " \n ", "\u00a0", "\u2028"])


@st.composite
def phrases(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.lists(WORD_CHARS, min_size=1, max_size=4).map("".join), min_size=1, max_size=3))
    return draw(st.sampled_from([" ", " ", "\t", "  "])).join(words) if len(words) > 1 else words[0]


@st.composite
def entries(draw: st.DrawFn) -> list[GlossaryEntry]:
    made = []
    for _ in range(draw(st.integers(1, 6))):
        made.append(
            GlossaryEntry(
                term=draw(phrases()),
                definition="d",
                aliases=draw(st.lists(phrases(), max_size=2)),
                case_sensitive=draw(st.booleans()),
                full_match=draw(st.booleans()),
            )
        )
    return made


texts = st.lists(st.one_of(WORD_CHARS, SPACES, st.sampled_from([",", "!", "(", "x"])), max_size=40).map("".join)


def _linker(made: list[GlossaryEntry]) -> GlossaryLinker:
    return GlossaryLinker([(f"g-{n}", entry) for n, entry in enumerate(made)])


@settings(max_examples=300, deadline=None)
@given(entries(), st.lists(texts, min_size=1, max_size=4))
def test_trees_find_what_the_alternation_finds(made: list[GlossaryEntry], samples: list[str]) -> None:
    linker = _linker(made)
    for text in samples:
        # texts built from the phrases themselves, so that matches are frequent, and ASCII ones
        # (which take a shortcut) with the letters that equal other characters ignoring case
        joined = text.join(p.text for p in linker.phrases)
        ascii_only = (joined + " sSkKiI").encode("ascii", "ignore").decode()
        for candidate in (text, " ".join(p.text for p in linker.phrases) + text, joined, ascii_only):
            assert list(linker.spans(candidate)) == [m.span() for m in linker.reference_pattern.finditer(candidate)]


def test_ordinary_glossaries_use_the_trees() -> None:
    """Every flag pair gets a tree, and the combination still prefers leftmost, then longest."""
    made = [
        GlossaryEntry(term="API", definition="d", case_sensitive=True),
        GlossaryEntry(term="api key", definition="d", aliases=["keys"]),
        GlossaryEntry(term="learn", definition="d", full_match=False),
        GlossaryEntry(term="Re", definition="d", case_sensitive=True, full_match=False),
    ]
    linker = _linker(made)
    assert linker.groups is not None and len(linker.groups) == 4
    text = "An API key, an api Key, APIs, relearning Reykjavik keys"
    found = [text[start:end] for start, end in linker.spans(text)]
    assert found == ["API key", "api Key", "learn", "Re", "keys"]
    assert found == [m.group() for m in linker.reference_pattern.finditer(text)]


def test_irregular_spacing_falls_back_to_the_alternation() -> None:
    """`x  y` (two spaces) outranks `x yz` in the alternation although it matches less text."""
    linker = _linker(
        [GlossaryEntry(term="x  y", definition="d", full_match=False), GlossaryEntry(term="x yz", definition="d")]
    )
    assert linker.groups is None
    assert list(linker.spans("x yz")) == [(0, 3)]


def test_ascii_text_meets_phrases_with_other_cases_of_ascii_letters() -> None:
    """The long s, the Kelvin sign and the dotless i equal ASCII letters under `re.IGNORECASE`."""
    linker = _linker([GlossaryEntry(term=term, definition="d") for term in ("\u017fun", "\u212aey", "\u0131t")])
    assert [m.span() for m in linker.reference_pattern.finditer("Sun key IT")] == [(0, 3), (4, 7), (8, 10)]
    assert list(linker.spans("Sun key IT")) == [(0, 3), (4, 7), (8, 10)]


def test_a_text_whose_folding_changes_word_characters_falls_back() -> None:
    """U+0345 folds to iota, a word character it is not: the whole-word check must see the original."""
    linker = _linker([GlossaryEntry(term="\u03b9", definition="d")])
    assert linker.fold("a\u0345") is None
    for text in ("\u0345\u0345", "a\u0345 \u0399", "\u03b9"):
        assert list(linker.spans(text)) == [m.span() for m in linker.reference_pattern.finditer(text)]


def test_links_in_a_tree_are_unchanged_by_the_faster_search() -> None:
    made = [GlossaryEntry(term="learning record", definition="d", aliases=["record", "LRS"])]
    holder = lxml_html.fragment_fromstring("<p>A Learning  record, <em>a record</em>; lrs.</p>", create_parent="div")
    _linker(made).link(holder, "Glossary")
    assert inner_html(holder) == (
        '<p>A <a class="gloss" href="#g-0" title="Glossary">Learning  record</a>, <em>a '
        '<a class="gloss" href="#g-0" title="Glossary">record</a></em>; '
        '<a class="gloss" href="#g-0" title="Glossary">lrs</a>.</p>'
    )
