"""A glossary term is unused when neither it nor an alias appears in any lesson's text: as a
substring, case-sensitively for a `case_sensitive` entry and under case folding otherwise."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coursebuilder.checks import find_unused_terms, occurring
from coursebuilder.loader import load_course
from tests.conftest import WriteCourse

LESSON = """\
    ---
    title: Trade
    ---

    The Exchange Rate moved; a STRAẞE sign, ababa, a rate
    split over two lines.
    """

GLOSSARY = """\
    entries:
      - term: exchange rate
        definition: Used, under case folding.
      - term: Exchange rates
        definition: Not used, the plural appears nowhere.
      - term: straße
        definition: Used, casefold is "strasse" on both sides.
      - term: aba
        definition: Used, twice and overlapping.
      - term: Rate
        case_sensitive: true
        definition: Used, case-sensitively, in "Exchange Rate".
      - term: RATE
        case_sensitive: true
        definition: Not used, case-sensitively.
      - term: nothing here
        aliases: [two lines]
        definition: Used through its alias.
      - term: rate split
        definition: Not used, a line break stands between the words.
      - term: ", a rate"
        definition: Used, punctuation and spaces count as written.
    """


def test_unused_terms_follow_substring_and_case_rules(write_course: WriteCourse) -> None:
    root = write_course({"lessons/01-welcome.md": LESSON, "lessons/02-practice.md": None, "glossary.yaml": GLOSSARY})
    course = load_course(root).course
    assert course is not None
    unused = [d.message for d in find_unused_terms(course.lessons, course.glossary)]
    assert unused == [
        "term 'Exchange rates' (or an alias) appears in no lesson",
        "term 'RATE' (or an alias) appears in no lesson",
        "term 'rate split' (or an alias) appears in no lesson",
    ]


@given(
    st.lists(st.text(alphabet="abAB ẞß\n.", max_size=6), max_size=12),
    st.text(alphabet="abAB ẞß\n.", max_size=60),
)
def test_occurring_is_the_plain_substring_test(needles: list[str], text: str) -> None:
    assert occurring(needles, text) == {needle for needle in needles if needle in text}
