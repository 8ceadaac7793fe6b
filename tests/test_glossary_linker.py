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
from lxml import etree
from lxml import html as lxml_html

from coursebuilder.model import GlossaryEntry
from coursebuilder.scorm.html import GlossaryLinker, _skipped, inner_html

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


def _reference_link(linker: GlossaryLinker, root: etree._Element, title: str) -> None:
    """Linking as first written: every element of the tree checked against all its ancestors."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if not _skipped(element):
            linker._link_text(element, title)
        parent = element.getparent()
        if parent is not None and element.tail and not _skipped(parent):
            linker._link_tail(element, title)


PIECES = ["API", " api ", "x API y", "<!-- API -->", "<em>", "</em>", "<code>", "</code>", "<h2>", "</h2>"]
PIECES += ['<span class="nolink">', "</span>", "<a href='#x'>", "</a>", "<p>", "</p>", "<div>", "</div>", "APIs"]
PIECES += ["x", "\u0345"]
"""A phrase's words in neighbouring texts; a character whose folding falls back to the alternation."""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_one_walk_links_what_checking_every_ancestor_linked(markup: str) -> None:
    """Texts under skipped elements, comment tails and nested markup, against the first version."""
    linker = _linker([GlossaryEntry(term="API", definition="d", aliases=["x api"])])
    fresh, reference = (lxml_html.fragment_fromstring(markup, create_parent="div") for _ in range(2))
    linker.link(fresh, "Glossary")
    _reference_link(linker, reference, "Glossary")
    assert inner_html(fresh) == inner_html(reference)


def test_a_phrase_split_between_elements_is_not_linked() -> None:
    """The texts are searched together, but a match never reaches from one into the next."""
    linker = _linker([GlossaryEntry(term="x api", definition="d"), GlossaryEntry(term="API", definition="d")])
    holder = lxml_html.fragment_fromstring("<p>x<em>api</em></p><p>x api</p>", create_parent="div")
    linker.link(holder, "Glossary")
    assert inner_html(holder) == (
        '<p>x<em><a class="gloss" href="#g-1" title="Glossary">api</a></em></p>'
        '<p><a class="gloss" href="#g-0" title="Glossary">x api</a></p>'
    )


def test_comment_tails_and_skipped_ancestors_stay_unlinked() -> None:
    linker = _linker([GlossaryEntry(term="API", definition="d")])
    holder = lxml_html.fragment_fromstring(
        '<p>API<!-- c -->API</p><span class="nolink"><em>API</em> API</span>', create_parent="div"
    )
    linker.link(holder, "Glossary")
    assert inner_html(holder) == (
        '<p><a class="gloss" href="#g-0" title="Glossary">API</a><!-- c -->API</p>'
        '<span class="nolink"><em>API</em> API</span>'
    )


# --------------------------------------------------------------------------- linking alone


@settings(max_examples=300, deadline=None)
@given(entries(), st.lists(texts, min_size=1, max_size=4))
def test_the_phrases_a_text_contains_find_what_all_phrases_find(made: list[GlossaryEntry], samples: list[str]) -> None:
    """A text linked alone is searched with the phrases it can hold (`_search_for`), their
    case-folded characters registered first: the matches are those of the whole alternation."""
    alone, whole = _linker(made), _linker(made)
    for text in samples:
        joined = text.join(p.text for p in whole.phrases)
        for candidate in (text, " ".join(p.text for p in whole.phrases) + text, joined, joined.upper()):
            expected = [m.span() for m in whole.reference_pattern.finditer(candidate)]
            assert list(alone._search_for(candidate).spans(candidate)) == expected


def test_a_text_is_searched_for_the_phrases_it_contains_only() -> None:
    made = [
        GlossaryEntry(term="learning record", definition="d", aliases=["LRS"]),
        GlossaryEntry(term="API", definition="d", case_sensitive=True),
        GlossaryEntry(term="tin can", definition="d"),
    ]
    search = _linker(made)._search_for("A Learning\n record; the api, an lrs.")
    assert sorted(p.text for p in search.phrases) == ["LRS", "learning record"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_a_tree_linked_alone_is_linked_as_with_the_whole_glossary(markup: str) -> None:
    made = [
        GlossaryEntry(term="API", definition="d", aliases=["x api"]),
        GlossaryEntry(term="x", definition="d", case_sensitive=True, full_match=False),
        GlossaryEntry(term="nowhere here", definition="d"),
    ]
    alone, whole = (lxml_html.fragment_fromstring(markup, create_parent="div") for _ in range(2))
    _linker(made).link(alone, "Glossary", alone=True)
    _linker(made).link(whole, "Glossary")
    assert inner_html(alone) == inner_html(whole)
