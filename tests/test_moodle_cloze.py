"""Cloze gaps: `{weight:TYPE:…}` written from the model and read by the port of Moodle's parser.

`cloze.extract` ports `qtype_multianswer_extract_question()` (question/type/multianswer/
questiontype.php, Moodle 4.x); the examples below are the syntax of Moodle's documentation,
so the port is checked against Moodle's rules and not only against our own writer.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coursebuilder.model import Gap, GapAnswer
from coursebuilder.moodle import cloze

# Everything the syntax gives a meaning to, the HTML specials, references, and other scripts.
PIECES = [
    *list("ab ~#}{\\=%&<>\"':\n"),
    "&amp;",
    "&#35;",
    "\\}",
    "\\#",
    "]]>",
    "مرحبا",
    "中",
    "😀",
    "{1:SA:=x}",
    "{#1}",
]
TEXT = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)


def read_back(gap: Gap) -> Gap:
    text, parsed = cloze.extract(f"<p>before {cloze.marker(gap)} after</p>")
    assert text == "<p>before {#1} after</p>"
    assert len(parsed) == 1
    return cloze.to_gap(parsed[0], gap.id)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["shortanswer", "shortanswer_case", "multichoice", "multichoice_horizontal", "multiresponse"]),
    st.lists(st.tuples(TEXT, TEXT), min_size=2, max_size=4),
    st.booleans(),
    st.integers(min_value=1, max_value=100),
)
def test_any_text_reads_back_as_written(
    gap_type: str, texts: list[tuple[str, str]], shuffle: bool, weight: int
) -> None:
    grades = [100.0] + [0.0] * (len(texts) - 1)
    if gap_type == "multiresponse":
        grades = [50.0, 50.0] + [-100.0] * (len(texts) - 2)
    answers = [
        GapAnswer(text=text, feedback=feedback, grade=grade)
        for (text, feedback), grade in zip(texts, grades, strict=True)
        if text.strip()
    ]
    if len(answers) < 2:
        return
    answers[0] = answers[0].model_copy(update={"grade": 50.0 if gap_type == "multiresponse" else 100.0})
    shuffled = shuffle and gap_type.startswith("multi")
    gap = Gap(id="g", type=gap_type, weight=weight, shuffle=shuffled, answers=answers)  # type: ignore[arg-type]
    assert read_back(gap) == gap


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda x: repr(round(x, 4))),
            st.sampled_from([0.0, 0.5, 1e-7, 12.25]),
            TEXT,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_numbers_and_tolerances_read_back(values: list[tuple[str, float, str]]) -> None:
    answers = [
        GapAnswer(text=value, tolerance=tolerance, feedback=feedback, grade=0) for value, tolerance, feedback in values
    ]
    answers[0] = answers[0].model_copy(update={"grade": 100.0})
    answers.append(GapAnswer(text="*", grade=0, feedback="anything else"))
    gap = Gap(id="n", type="numerical", answers=answers)
    assert read_back(gap) == gap


def test_moodle_documentation_examples() -> None:
    """Examples of docs.moodle.org "Embedded Answers (Cloze)", read as Moodle reads them."""
    text, gaps = cloze.extract(
        "<p>{1:SHORTANSWER:=Berlin} is the capital; {2:MULTICHOICE:California#Wrong~=Arizona#OK};"
        " {1:NUMERICAL:=23.8:0.1#Good~%50%23.8:2#Close}; {1:MRS:%50%a~%50%b~%-100%c}</p>"
    )
    assert text == "<p>{#1} is the capital; {#2}; {#3}; {#4}</p>"
    berlin, state, number, many = (cloze.to_gap(gap, f"g{n}") for n, gap in enumerate(gaps))
    assert (berlin.type, berlin.weight, berlin.answers[0].text, berlin.answers[0].grade) == (
        "shortanswer",
        1,
        "Berlin",
        100,
    )
    assert state.type == "multichoice" and state.weight == 2
    assert [(a.text, a.grade, a.feedback) for a in state.answers] == [
        ("California", 0, "Wrong"),
        ("Arizona", 100, "OK"),
    ]
    assert [(a.text, a.tolerance, a.grade) for a in number.answers] == [("23.8", 0.1, 100), ("23.8", 2, 50)]
    assert many.type == "multiresponse" and many.shuffle
    assert [a.grade for a in many.answers] == [50, 50, -100]


def test_moodle_escapes_and_entities() -> None:
    """`\\}` `\\#` and entities in answers; a `#` after `&` or `&amp;` does not start feedback."""
    _, gaps = cloze.extract(r"{1:SA:=a\}b\#c#feed\}back~R&amp;#D~x&#35;y}")
    answers = cloze.to_gap(gaps[0], "g").answers
    assert [(a.text, a.feedback) for a in answers] == [("a}b#c", "feed}back"), ("R&#D", ""), ("x#y", "")]


def test_text_that_looks_like_a_gap_is_neutralised() -> None:
    html = "<p>literal {1:SA:=no} and {#2} and {not a gap}</p>"
    neutral = cloze.neutralize(html)
    assert cloze.extract(neutral) == (neutral, [])
    assert "{not a gap}" in neutral


def test_marker_syntax() -> None:
    gap = Gap(
        id="g",
        type="multiresponse",
        weight=3,
        shuffle=True,
        answers=[GapAnswer(text="a", grade=50), GapAnswer(text="b", grade=50), GapAnswer(text="c", grade=0)],
    )
    # Multiresponse grades are explicit percentages: with `=` Moodle gives wrong choices negative grades.
    assert cloze.marker(gap) == "{3:MRS:%50%a~%50%b~c}"
    number = Gap(
        id="n", type="numerical", answers=[GapAnswer(text="-1.5e3", tolerance=0.5), GapAnswer(text="*", grade=0)]
    )
    assert cloze.marker(number) == "{1:NM:=-1.5e3:0.5~*}"
    tricky = Gap(id="t", answers=[GapAnswer(text="a&", feedback="b")])
    # `&` is a numeric reference: after `&amp;` Moodle would not see the `#` of the feedback.
    assert cloze.marker(tricky) == "{1:SA:=a&#38;#b}"
