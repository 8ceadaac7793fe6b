"""Hypothesis strategies that build valid course models (valid by construction)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from coursebuilder import model as m
from coursebuilder.grades import FRACTIONS

SAFE_TEXT = st.text(
    # No `$`: an unbalanced one is an error (formulas have tests of their own).
    alphabet=st.characters(
        whitelist_categories=("L", "M", "N", "P", "S", "Zs"), whitelist_characters="\n", blacklist_characters="$"
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")
WORD = st.text(alphabet=st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=12)
SLUGS = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,15}", fullmatch=True)
GRADES = st.sampled_from([round(sign * f * 100, 5) for f in FRACTIONS for sign in (1, -1)])
POSITIVE_GRADES = st.sampled_from([round(f * 100, 5) for f in FRACTIONS if 0 < f < 1])


def _common(draw: Any, qid: str, lesson: str) -> dict[str, Any]:
    return {
        "id": qid,
        "name": draw(st.none() | WORD),
        "text": draw(SAFE_TEXT),
        "lesson": lesson,
        "tags": draw(st.lists(WORD, max_size=2, unique=True)),
        "general_feedback": draw(st.just("") | SAFE_TEXT),
        "hints": draw(st.lists(st.builds(m.Hint, text=SAFE_TEXT, show_num_correct=st.booleans()), max_size=2)),
    }


@st.composite
def questions(draw: Any, qid: str, lesson: str) -> Any:
    kind = draw(st.sampled_from(m.QUESTION_TYPES))
    base = _common(draw, qid, lesson)
    if kind == "multichoice":
        single = draw(st.booleans())
        others = draw(
            st.lists(
                st.builds(m.Choice, text=SAFE_TEXT, grade=st.just(0.0), feedback=SAFE_TEXT), min_size=1, max_size=3
            )
        )
        if single:
            answers = [m.Choice(text=draw(SAFE_TEXT), grade=100), *others]
        else:
            answers = [m.Choice(text=draw(SAFE_TEXT), grade=50), m.Choice(text=draw(SAFE_TEXT), grade=50), *others]
        return m.MultiChoice(
            type="multichoice",
            single=single,
            answers=answers,
            numbering=draw(st.sampled_from(["abc", "123", "none"])),
            **base,
        )
    if kind == "truefalse":
        return m.TrueFalse(type="truefalse", correct=draw(st.booleans()), feedback_true=draw(SAFE_TEXT), **base)
    if kind == "shortanswer":
        extra = draw(st.lists(st.builds(m.TextAnswer, text=WORD, grade=POSITIVE_GRADES), max_size=2))
        return m.ShortAnswer(
            type="shortanswer",
            case_sensitive=draw(st.booleans()),
            answers=[m.TextAnswer(text=draw(WORD)), *extra],
            **base,
        )
    if kind == "numerical":
        value = draw(st.floats(-1e6, 1e6, allow_nan=False) | st.just("*"))
        return m.Numerical(
            type="numerical",
            answers=[m.NumericAnswer(value=value, tolerance=draw(st.floats(0, 100)))],
            units=[m.Unit(name="m"), m.Unit(name="km", multiplier=0.001)] if draw(st.booleans()) else [],
            **base,
        )
    if kind == "matching":
        pairs = [m.Pair(question=f"{draw(WORD)} {i}", answer=f"a{i}") for i in range(3)]
        return m.Matching(type="matching", pairs=pairs, shuffle=draw(st.booleans()), **base)
    if kind == "essay":
        return m.Essay(
            type="essay",
            response_format=draw(st.sampled_from(["editor", "plain"])),
            grader_info=draw(SAFE_TEXT),
            **base,
        )
    if kind == "description":
        return m.Description(type="description", **base)
    if kind == "cloze":
        gap = m.Gap(id="g1", answers=[m.GapAnswer(text=draw(WORD))])
        number = m.Gap(id="g2", type="numerical", answers=[m.GapAnswer(text="42", tolerance=draw(st.floats(0, 5)))])
        base["text"] = f"{draw(SAFE_TEXT)} {{{{g1}}}} and {{{{g2}}}}"
        return m.Cloze(type="cloze", gaps=[gap, number], **base)
    items = draw(st.lists(WORD, min_size=2, max_size=5, unique=True))
    return m.Ordering(type="ordering", items=items, **base)


@st.composite
def courses(draw: Any) -> tuple[m.CourseInfo, list[m.Lesson], m.GlossaryFile, list[Any]]:
    lesson_ids = draw(st.lists(SLUGS, min_size=1, max_size=3, unique=True))
    lessons = [
        m.Lesson(
            id=lesson_id,
            title=draw(SAFE_TEXT.map(lambda s: s.replace("\n", " ").strip() or "t")),
            objectives=draw(st.lists(SAFE_TEXT, max_size=2)),
            minutes=draw(st.none() | st.integers(1, 120)),
            body=draw(SAFE_TEXT) + "\n",
        )
        for lesson_id in lesson_ids
    ]
    info = m.CourseInfo(
        id=draw(SLUGS),
        title=draw(WORD),
        shortname=draw(WORD),
        language=draw(st.sampled_from(["id", "en", "en-GB"])),
        summary=draw(st.just("") | SAFE_TEXT),
        authors=draw(st.lists(WORD, max_size=2)),
        lessons=lesson_ids,
    )
    terms = draw(st.lists(WORD, max_size=4, unique_by=str.casefold))
    glossary = m.GlossaryFile(
        entries=[
            m.GlossaryEntry(term=t, definition=draw(SAFE_TEXT), categories=draw(st.lists(WORD, max_size=1)))
            for t in terms
        ]
    )
    count = draw(st.integers(0, 6))
    qs = [draw(questions(f"q{i}", draw(st.sampled_from(lesson_ids)))) for i in range(count)]
    return info, lessons, glossary, qs
