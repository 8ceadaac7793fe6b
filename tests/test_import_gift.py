"""Importing a hand-written GIFT file (tests/fixtures/import/bank.gift).

The expected questions below were worked out by hand from question/format/gift/format.php,
not copied from the importer's output: for each one the comment says which rule gives it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coursebuilder.importer import ImportOptions, run_import
from coursebuilder.importer.common import AssetStore, Notes, TextConverter
from coursebuilder.importer.gift import GiftReader
from coursebuilder.loader import load_course
from tests.moodle_semantics import markdown_text, moodle_text

GIFT = Path(__file__).parent / "fixtures" / "import" / "bank.gift"

EXPECTED: list[dict[str, Any]] = [
    # `// [id:…] [tag:…]` give idnumber and tags; `=` marks the one right answer (single);
    # `#` after an answer is its feedback; `####` starts the general feedback.
    {
        "id": "gift-capital",
        "name": "Capital",
        "text": "Which city is the capital of France?",
        "lesson": "basics",
        "tags": ["geography", "gift"],
        "general_feedback": "Paris has been the capital since 987.",
        "type": "multichoice",
        "answers": [
            {"text": "Paris", "grade": 100.0, "feedback": "Right."},
            {"text": "Lyon", "feedback": "Lyon is the second city."},
            {"text": "Marseille"},
        ],
    },
    # No `=`: several answers (single = 0); `%n%` weights; `[html]` text kept as HTML; `\=` is `=`.
    {
        "id": "primes",
        "name": "Primes",
        "text": "Which numbers are <b>prime</b>?",
        "lesson": "basics",
        "type": "multichoice",
        "single": False,
        "answers": [
            {"text": "2", "grade": 50.0, "feedback": "The only even prime."},
            {"text": "7", "grade": 50.0},
            {"text": "9", "grade": -100.0, "feedback": "9 = 3 × 3"},
        ],
    },
    # TRUE#wrong#right: feedback for answering false first; `\,` is no escape (kept); penalty 1.
    {
        "id": "sun",
        "name": "Sun",
        "text": "The sun is a star.",
        "lesson": "basics",
        "penalty": 1.0,
        "type": "truefalse",
        "correct": True,
        "feedback_true": "Yes.",
        "feedback_false": "It is a star\\\\, really.",
    },
    {
        "id": "moon",
        "name": "Moon",
        "text": "The moon is a star.",
        "lesson": "basics",
        "penalty": 1.0,
        "type": "truefalse",
        "correct": False,
    },
    # `=` answers without `~`: short answer; an answer without weight is worth 100%.
    {
        "id": "gift-typed",
        "name": "Typed",
        "text": "Type the capital of France.",
        "lesson": "basics",
        "type": "shortanswer",
        "answers": [{"text": "Paris"}, {"text": "Pari", "grade": 50.0, "feedback": "Almost."}],
    },
    # Text after the answers: "missing word" format, the answers become `_____`.
    {
        "id": "missing-word",
        "name": "Missing word",
        "text": "Paris is the capital _____ of a country.",
        "lesson": "basics",
        "type": "multichoice",
        "answers": [{"text": "France", "grade": 100.0}, {"text": "Spain"}, {"text": "Italy"}],
    },
    # `{#min..max}`: the middle with half the range as tolerance; `\:` in a name is `:`.
    {
        "id": "numbers-a-range",
        "name": "Numbers: a range",
        "text": "Pick a number between 1 and 5.",
        "lesson": "basics",
        "type": "numerical",
        "answers": [{"value": 3.0, "tolerance": 2.0}],
    },
    # `=value:tolerance`, weights, and `~#feedback` for any other answer (`*`, 0%).
    {
        "id": "tolerance",
        "name": "Tolerance",
        "text": "What is π to two decimals?",
        "lesson": "basics",
        "type": "numerical",
        "answers": [
            {"value": 3.14, "tolerance": 0.005, "feedback": "Right."},
            {"value": 3.0, "tolerance": 0.5, "grade": 50.0, "feedback": "Roughly."},
            {"value": "*", "grade": 0.0, "feedback": "Not even close."},
        ],
    },
    # `=question -> answer`; an empty question makes a distractor.
    {
        "id": "matching",
        "name": "Matching",
        "text": "Match each country with its capital.",
        "lesson": "basics",
        "type": "matching",
        "pairs": [{"question": "France", "answer": "Paris"}, {"question": "Italy", "answer": "Rome"}],
        "distractors": ["Madrid"],
    },
    # `{}` (here with only a general feedback) is an essay; `[markdown]` text stays Markdown.
    {
        "id": "essay",
        "name": "Essay",
        "text": "Describe a **course** you would like to write.",
        "lesson": "basics",
        "general_feedback": "Any honest answer is fine.",
        "type": "essay",
    },
    # No braces: a description; `\n` is a line break, which Moodle's auto-format shows as <br>.
    {
        "id": "intro",
        "name": "Intro",
        "text": "Read the next questions carefully.\\\nThey are harder.",
        "lesson": "basics",
        "type": "description",
    },
    # `\{ \} \~ \# \:` are the characters themselves, `\\` is one backslash.
    {
        "id": "escapes",
        "name": "Escapes",
        "text": "Braces {like these}, a tilde ~, a hash #, a backslash \\\\ and a colon: all stay.",
        "lesson": "basics",
        "type": "shortanswer",
        "answers": [{"text": "yes"}],
    },
    # `{>n SELECT LAYOUT GRADING SHOW` then one item per line: the ordering type's GIFT form.
    {
        "id": "order",
        "name": "Order",
        "text": "Put the steps in order.",
        "lesson": "advanced-topics",
        "type": "ordering",
        "items": ["Write", "Validate", "Build", "Upload"],
        "layout": "horizontal",
    },
    # `[plain]`: characters shown as typed.
    {
        "id": "plain",
        "name": "Plain",
        "text": "Is 2 < 3 & 3 > 2?",
        "lesson": "advanced-topics",
        "penalty": 1.0,
        "type": "truefalse",
        "correct": True,
    },
    # `%100%` matches Moodle's weight pattern (two digits, then more digits): full marks, and
    # without `=` the question allows several answers.
    {
        "id": "full-weight",
        "name": "Full weight",
        "text": "Pick one.",
        "lesson": "advanced-topics",
        "type": "multichoice",
        "single": False,
        "answers": [{"text": "Right", "grade": 100.0}, {"text": "Wrong"}],
    },
]


@pytest.fixture
def imported(write_course) -> tuple[Path, Any]:
    root = write_course(
        {
            "course.yaml": "id: imp\ntitle: Import test\nshortname: IMP\nlessons:\n  - basics\n",
            "lessons/01-basics.md": "---\ntitle: Basics\n---\nThe basics.\n",
        },
        base=False,
    )
    result = run_import([GIFT], ImportOptions(into=root))
    return root, result


def test_questions_read_as_moodle_reads_them(imported: tuple[Path, Any]) -> None:
    root, result = imported
    assert not result.failed and not result.course_errors
    loaded = load_course(root)
    assert loaded.course is not None
    got = {q.id: dict(q.model_dump(exclude_defaults=True), type=q.type) for q in loaded.course.questions}
    assert got == {item["id"]: item for item in EXPECTED}


def test_broken_question_is_reported_with_its_line(imported: tuple[Path, Any]) -> None:
    _root, result = imported
    line = next(i for i, text in enumerate(GIFT.read_text().split("\n"), 1) if text.startswith("::Broken::"))
    assert [(s.kind, s.where.line) for s in result.skipped] == [("GIFT question", line)]
    assert any(d.format().startswith(f"{GIFT}:{line}: warning: GIFT question: braces") for d in result.diagnostics)


@pytest.mark.parametrize(
    ("gift_text", "fmt"),
    [
        ("Read the next questions carefully.\nThey are harder.", "moodle_auto_format"),
        ("Is 2 < 3 & 3 > 2?", "plain_text"),
        ("<p>Which numbers are <b>prime</b>?</p>", "html"),
        ("Describe a **course** you would like to write.", "markdown"),
    ],
)
def test_texts_display_as_moodle_displays_them(gift_text: str, fmt: str) -> None:
    """Each GIFT text format, rendered from the course's Markdown, equals Moodle's rendering."""
    notes = Notes()
    converter = TextConverter(AssetStore(Path("/nonexistent")), "../assets/", notes)
    marker = {"moodle_auto_format": "[moodle]", "plain_text": "[plain]", "html": "[html]", "markdown": "[markdown]"}[
        fmt
    ]
    escaped = gift_text.replace("\n", "\\n")
    questions = GiftReader("t.gift", converter, notes, "error").read(f"::Q::{marker}{escaped}")
    assert markdown_text(questions[0].fields["text"], {}) == moodle_text(gift_text, fmt)


def test_category_without_context_and_no_category_at_all(write_course) -> None:
    root = write_course(
        {
            "course.yaml": "id: imp\ntitle: Import test\nshortname: IMP\nlessons:\n  - basics\n",
            "lessons/01-basics.md": "---\ntitle: Basics\n---\nThe basics.\n",
        },
        base=False,
    )
    gift = root.parent / "chapter-one.txt"
    gift.write_text("::A::First?{T}\n\n$CATEGORY: Basics/Extra\n\n::B::Second?{F}\n", encoding="utf-8")
    result = run_import([gift], ImportOptions(into=root))
    assert not result.failed
    loaded = load_course(root)
    assert loaded.course is not None
    placed = {q.id: (q.lesson, q.category) for q in loaded.course.questions}
    assert placed == {"a": ("chapter-one", None), "b": ("basics", "Extra")}


def test_a_title_on_a_question_s_later_line_is_taken_for_two_questions_run_together() -> None:
    """Moodle's `readquestions` splits questions at blank lines only: a `::title::` line right
    after a question is part of it (one question, as Moodle reads it), which the import says."""
    notes = Notes()
    converter = TextConverter(AssetStore(Path("/nonexistent")), "../assets/", notes)
    text = "// bank\n::Q1:: Capital? {=Jakarta ~Bandung}\n::Q2:: Sum? {#4}\n\n::Q3:: Fine {=a ~b}\nwith a::b:: inside\n"
    questions = GiftReader("t.gift", converter, notes, "error").read(text)
    assert [question.name for question in questions] == ["Q1", "Q3"]
    assert [d.format() for d in notes.diagnostics] == [
        "t.gift:3: warning: a GIFT question title (`::Q2::`) begins a line of the question above: GIFT"
        " separates questions with a blank line, so Moodle reads both as one question [import-gift]"
    ]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("#3,14:0,01", "answer 1: '3,14:0,01' is not a number and a tolerance (write '3.14:0.01'"),
        ("#2,5..3,5", "answer 1: range '2,5..3,5' is not two numbers (write '2.5..3.5'"),
        ("#1,5", "answer 1: '1,5' is not a number (Moodle would silently accept any answer; write '1.5'"),
    ],
)
def test_a_decimal_comma_in_a_numerical_answer_is_told_the_full_stop(answer: str, reason: str) -> None:
    """Moodle's GIFT import takes numbers with a full stop only (`is_numeric`): the question
    is skipped, as Moodle would refuse it, and the note says how to write it."""
    notes = Notes()
    converter = TextConverter(AssetStore(Path("/nonexistent")), "../assets/", notes)
    assert GiftReader("t.gift", converter, notes, "error").read(f"::Pi:: Pi? {{{answer}}}\n") == []
    [skipped] = notes.skipped
    assert skipped.reason.startswith(reason), skipped.reason
