"""Every validation rule: a failing case with its exact diagnostic, and a passing case.

Sources start from the scaffold course (valid, every question type) with one file replaced.
Line numbers in the expected texts were checked by hand against the YAML written here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursebuilder import loader
from coursebuilder.build import validate_course
from coursebuilder.cli import main
from coursebuilder.loader import load_course
from tests.conftest import ROOT, SKELETON, WriteCourse, first_arguments


def diagnostics(course: Path, errors_only: bool = True) -> list[str]:
    _course, found = validate_course(course.name) if Path.cwd() == course.parent else validate_course(course)
    return [d.format() for d in found if not errors_only or d.severity.value == "error"]


def coded(course: Path, *codes: str) -> list[str]:
    """`diagnostics` of every severity that have one of `codes`."""
    return [line for line in diagnostics(course, errors_only=False) if any(f"[{code}]" in line for code in codes)]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def quiz(body: str, lesson: str = "practice") -> str:
    return f"defaults:\n  lesson: {lesson}\nquestions:\n{body}"


# Each case: (rule, files that break it, exact diagnostics, files that satisfy it)
CASES: list[tuple[str, dict[str, str | None], list[str], dict[str, str | None]]] = [
    (
        "grade",
        {
            "quiz/x.yaml": quiz(
                "  - id: g\n    type: multichoice\n    text: T\n    answers:\n      - {text: a, grade: 100}\n      - {text: b, grade: 33.33}\n"
            )
        },
        [
            "course/quiz/x.yaml:9:19: error: questions[0].answers[1].grade: 33.33 is not a grade Moodle accepts; nearest is 33.33333 [grade]"
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: g\n    type: multichoice\n    text: T\n    answers:\n      - {text: a, grade: 100}\n      - {text: b, grade: 33.33333}\n"
            )
        },
    ),
    (
        "single-answer",
        {
            "quiz/x.yaml": quiz(
                "  - id: s\n    type: multichoice\n    text: T\n    answers:\n      - {text: a, grade: 50}\n      - {text: b, grade: 50}\n"
            )
        },
        [
            "course/quiz/x.yaml:7:5: error: questions[0].answers: a single-answer question needs exactly one answer with grade 100, found 0 [single-answer]"
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: s\n    type: multichoice\n    text: T\n    answers:\n      - {text: a, grade: 100}\n      - {text: b, grade: 50}\n"
            )
        },
    ),
    (
        "multi-answer",
        {
            "quiz/x.yaml": quiz(
                "  - id: m\n    type: multichoice\n    single: false\n    text: T\n    answers:\n      - {text: a, grade: 50}\n      - {text: b, grade: 40}\n"
            )
        },
        [
            "course/quiz/x.yaml:8:5: error: questions[0].answers: positive grades of a multiple-answer question must add up to 100, not 90 [multi-answer]"
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: m\n    type: multichoice\n    single: false\n    text: T\n    answers:\n      - {text: a, grade: 50}\n      - {text: b, grade: 50}\n"
            )
        },
    ),
    (
        "truefalse",
        {"quiz/x.yaml": quiz("  - id: t\n    type: truefalse\n    text: T\n")},
        ["course/quiz/x.yaml:4: error: questions[0].correct: required field is missing [missing]"],
        {"quiz/x.yaml": quiz("  - id: t\n    type: truefalse\n    text: T\n    correct: false\n")},
    ),
    (
        "full-credit",
        {
            "quiz/x.yaml": quiz(
                "  - id: n\n    type: numerical\n    text: T\n    answers:\n      - {value: 3, grade: 50}\n"
            )
        },
        ["course/quiz/x.yaml:7:5: error: questions[0].answers: at least one answer must have grade 100 [full-credit]"],
        {"quiz/x.yaml": quiz("  - id: n\n    type: numerical\n    text: T\n    answers:\n      - {value: 3}\n")},
    ),
    (
        "number",
        {
            "quiz/x.yaml": quiz(
                "  - id: n\n    type: numerical\n    text: T\n    answers:\n      - value: many\n      - value: 1,5\n"
                "      - value: true\n      - value: [3]\n"
            )
        },
        [
            "course/quiz/x.yaml:8:9: error: questions[0].answers[0].value: 'many' is not a number: write a number,"
            ' or "*" to accept any answer [number]',
            "course/quiz/x.yaml:9:9: error: questions[0].answers[1].value: '1,5' is not a number: write the decimal"
            " point as a full stop (1.5) [number]",
            "course/quiz/x.yaml:10:9: error: questions[0].answers[2].value: true (YAML reads true, yes and on alike)"
            ' is not a number: write a number, or "*" to accept any answer [number]',
            "course/quiz/x.yaml:11:9: error: questions[0].answers[3].value: a list is not a number: write a number,"
            ' or "*" to accept any answer [number]',
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: n\n    type: numerical\n    text: T\n    answers:\n      - value: 1.5\n"
                '      - {value: "*", grade: 0}\n      - {value: "2.5", grade: 0}\n'
            )
        },
    ),
    (
        "units",
        {
            "quiz/x.yaml": quiz(
                "  - id: u\n    type: numerical\n    text: T\n    answers: [{value: 3}]\n    units:\n      - {name: km, multiplier: 0.001}\n"
            )
        },
        [
            "course/quiz/x.yaml:8:5: error: questions[0].units: the first unit is the base unit and must have multiplier 1 [units]"
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: u\n    type: numerical\n    text: T\n    answers: [{value: 3}]\n    units:\n      - {name: m}\n      - {name: km, multiplier: 0.001}\n"
            )
        },
    ),
    (
        "matching",
        {
            "quiz/x.yaml": quiz(
                "  - id: p\n    type: matching\n    text: T\n    pairs:\n      - {question: a, answer: '1'}\n      - {question: b, answer: '2'}\n"
            )
        },
        [
            "course/quiz/x.yaml:7:5: error: questions[0].pairs: Moodle needs at least three different answers (add a pair or a distractor) [matching]"
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: p\n    type: matching\n    text: T\n    pairs:\n      - {question: a, answer: '1'}\n      - {question: b, answer: '2'}\n    distractors: ['3']\n"
            )
        },
    ),
    (
        "cloze",
        {
            "quiz/x.yaml": quiz(
                "  - id: c\n    type: cloze\n    text: 'A {{x}} B'\n    gaps:\n      - id: y\n        answers: [{text: v}]\n"
            )
        },
        ["course/quiz/x.yaml:6:5: error: questions[0].text: refers to gap {{x}}, which is not defined [cloze]"],
        {
            "quiz/x.yaml": quiz(
                "  - id: c\n    type: cloze\n    text: 'A {{y}} B'\n    gaps:\n      - id: y\n        answers: [{text: v}]\n"
            )
        },
    ),
    (
        "cloze-numerical",
        {
            "quiz/x.yaml": quiz(
                "  - id: c\n    type: cloze\n    text: 'A {{y}}'\n    gaps:\n      - id: y\n        type: numerical\n        answers: [{text: lima}]\n"
            )
        },
        ["course/quiz/x.yaml:10:9: error: questions[0].gaps[0].answers: 'lima' is not a number [cloze]"],
        {
            "quiz/x.yaml": quiz(
                "  - id: c\n    type: cloze\n    text: 'A {{y}}'\n    gaps:\n      - id: y\n        type: numerical\n        answers: [{text: '5', tolerance: 0.5}]\n"
            )
        },
    ),
    (
        "cloze-decimal-comma",
        {
            "quiz/x.yaml": quiz(
                "  - id: c\n    type: cloze\n    text: 'A {{y}}'\n    gaps:\n      - id: y\n        type: numerical\n        answers: [{text: '2,5'}]\n"
            )
        },
        [
            "course/quiz/x.yaml:10:9: error: questions[0].gaps[0].answers: '2,5' is not a number: write the decimal"
            " point as a full stop (2.5) [cloze]"
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: c\n    type: cloze\n    text: 'A {{y}}'\n    gaps:\n      - id: y\n        type: numerical\n        answers: [{text: '2.5'}]\n"
            )
        },
    ),
    (
        "ordering",
        {
            "quiz/x.yaml": quiz(
                "  - id: o\n    type: ordering\n    text: T\n    items: [a, b]\n    select_type: random\n    select_count: 5\n"
            )
        },
        [
            "course/quiz/x.yaml:9:5: error: questions[0].select_count: must be between 2 and the number of items [ordering]"
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: o\n    type: ordering\n    text: T\n    items: [a, b, c]\n    select_type: random\n    select_count: 2\n"
            )
        },
    ),
    (
        "essay",
        {"quiz/x.yaml": quiz("  - id: e\n    type: essay\n    text: T\n    min_words: 50\n    max_words: 10\n")},
        ["course/quiz/x.yaml:7:5: error: questions[0].min_words: is larger than max_words [essay]"],
        {"quiz/x.yaml": quiz("  - id: e\n    type: essay\n    text: T\n    min_words: 10\n    max_words: 50\n")},
    ),
    (
        "name-length",
        {
            "quiz/x.yaml": quiz(
                f"  - id: l\n    type: truefalse\n    name: {'x' * 256}\n    text: T\n    correct: true\n"
            )
        },
        ["course/quiz/x.yaml:6:5: error: questions[0].name: has 256 characters; at most 255 are allowed [too-long]"],
        {
            "quiz/x.yaml": quiz(
                f"  - id: l\n    type: truefalse\n    name: {'x' * 255}\n    text: T\n    correct: true\n"
            )
        },
    ),
    (
        "xml-char",
        {"quiz/x.yaml": quiz('  - id: l\n    type: truefalse\n    text: "bell \\x07"\n    correct: true\n')},
        ["course/quiz/x.yaml:6:5: error: questions[0].text: contains U+0007, which XML 1.0 cannot carry [xml-char]"],
        {"quiz/x.yaml": quiz('  - id: l\n    type: truefalse\n    text: "tab \\t ok"\n    correct: true\n')},
    ),
    (
        # Items of a list are text too: a tag holding U+0007 once reached the Moodle XML writer.
        "xml-char-in-a-list",
        {
            "quiz/x.yaml": quiz(
                '  - id: l\n    type: truefalse\n    text: T\n    tags: [ok, "bell \\x07"]\n    correct: true\n'
            )
        },
        [
            "course/quiz/x.yaml:7:16: error: questions[0].tags[1]: contains U+0007, which XML 1.0 cannot carry [xml-char]"
        ],
        {
            "quiz/x.yaml": quiz(
                '  - id: l\n    type: truefalse\n    text: T\n    tags: [ok, "bell"]\n    correct: true\n'
            )
        },
    ),
    (
        "xml-char-in-front-matter",
        {"lessons/01-welcome.md": '---\ntitle: W\nobjectives:\n  - "bell \\x07"\n---\n\nText.\n'},
        [
            "course/lessons/01-welcome.md:4:5: error: objectives[0]: contains U+0007, which XML 1.0 cannot carry [xml-char]"
        ],
        {"lessons/01-welcome.md": '---\ntitle: W\nobjectives:\n  - "bell"\n---\n\nText.\n'},
    ),
    (
        # A question's texts are named from the top of its quiz file, as its other fields are.
        "asset-missing-in-a-question",
        {
            "quiz/x.yaml": quiz(
                "  - id: i\n    type: truefalse\n    text: See ![x](../assets/nope.png).\n    correct: true\n"
            )
        },
        [
            "course/quiz/x.yaml:6: error: questions[0].text: '../assets/nope.png': file assets/nope.png does not exist [asset]"
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: i\n    type: truefalse\n    text: See ![x](../assets/diagram.svg).\n    correct: true\n"
            )
        },
    ),
    (
        "duplicate-id",
        {"quiz/x.yaml": quiz("  - id: welcome-tf\n    type: truefalse\n    text: T\n    correct: true\n")},
        [
            "course/quiz/x.yaml:4: error: questions[0].id: question id 'welcome-tf' is already used at quiz/welcome.yaml:17 [duplicate-id]"
        ],
        {"quiz/x.yaml": quiz("  - id: welcome-tf2\n    type: truefalse\n    text: T\n    correct: true\n")},
    ),
    (
        "question-lesson",
        {"quiz/x.yaml": quiz("  - id: r\n    type: truefalse\n    text: T\n    correct: true\n", lesson="nope")},
        ["course/quiz/x.yaml:2: error: defaults.lesson: no lesson has id 'nope' [reference]"],
        {"quiz/x.yaml": quiz("  - id: r\n    type: truefalse\n    text: T\n    correct: true\n", lesson="welcome")},
    ),
    (
        "listed-lesson-exists",
        {"lessons/02-practice.md": None, "quiz/practice.yaml": None},
        [
            "course/course.yaml:13: error: lessons[1]: no lesson file has id 'practice' (looked in lessons/*.md) [reference]"
        ],
        {},
    ),
    (
        "lesson-listed",
        {"lessons/03-extra.md": "---\ntitle: Extra\n---\nText.\n"},
        [
            "course/lessons/03-extra.md:1: error: lesson 'extra' is not listed in course.yaml `lessons` [unlisted-lesson]"
        ],
        {},
    ),
    (
        "asset-missing",
        {"lessons/01-welcome.md": "---\ntitle: W\n---\n\nSee ![x](../assets/nope.png).\n"},
        [
            "course/lessons/01-welcome.md:5: error: body: '../assets/nope.png': file assets/nope.png does not exist [asset]"
        ],
        {"lessons/01-welcome.md": "---\ntitle: W\n---\n\nSee ![x](../assets/diagram.svg).\n"},
    ),
    (
        "asset-outside",
        {"lessons/01-welcome.md": "---\ntitle: W\n---\n\nSee\n![x](../../etc/passwd).\n"},
        ["course/lessons/01-welcome.md:6: error: body: '../../etc/passwd' points outside the course directory [asset]"],
        {},
    ),
    (
        "glossary-collision",
        {"glossary.yaml": "entries:\n  - term: Glossary\n    definition: d\n  - term: GLOSSARY\n    definition: d\n"},
        [
            "course/glossary.yaml:4: error: entries[1].term: Moodle's glossary import rejects 'GLOSSARY' as a duplicate of 'Glossary' (line 2) [glossary-collision]"
        ],
        {
            "glossary.yaml": "entries:\n  - term: Glossary\n    definition: d\n    case_sensitive: true\n  - term: GLOSSARY\n    definition: d\n    case_sensitive: true\n"
        },
    ),
    (
        "unknown-field",
        {"glossary.yaml": "entries:\n  - term: glossary\n    defintion: d\n"},
        [
            "course/glossary.yaml:3:5: error: entries[0].defintion: unknown field; did you mean 'definition'?"
            " [unknown-field]",
        ],
        {"glossary.yaml": "entries:\n  - term: glossary\n    definition: d\n"},
    ),
    (
        "unquoted-colon",
        {"lessons/01-welcome.md": "---\ntitle: W\nobjectives:\n  - Cite Ikbar (2014: 273)\n---\nText.\n"},
        [
            "course/lessons/01-welcome.md:4:5: error: objectives[0]: expected text, found a mapping "
            "(a value with `: ` in it reads as a mapping: put the value in quotes) [type]"
        ],
        {"lessons/01-welcome.md": "---\ntitle: W\nobjectives:\n  - 'Cite Ikbar (2014: 273)'\n---\nText.\n"},
    ),
    (
        "question-type",
        {"quiz/x.yaml": quiz("  - id: k\n    type: calculated\n    text: T\n")},
        [
            "course/quiz/x.yaml:5:5: error: questions[0].type: unknown question type 'calculated'; expected one of "
            "'multichoice', 'truefalse', 'shortanswer', 'numerical', 'matching', 'essay', 'description', 'cloze', 'ordering' [type]"
        ],
        {"quiz/x.yaml": quiz("  - id: k\n    type: description\n    text: T\n")},
    ),
    (
        "question-type-misspelt",
        {"quiz/x.yaml": quiz("  - id: k\n    type: multichoise\n    text: T\n")},
        [
            "course/quiz/x.yaml:5:5: error: questions[0].type: unknown question type 'multichoise'; expected one of "
            "'multichoice', 'truefalse', 'shortanswer', 'numerical', 'matching', 'essay', 'description', 'cloze', "
            "'ordering'; did you mean 'multichoice'? [type]"
        ],
        {"quiz/x.yaml": quiz("  - id: k\n    type: description\n    text: T\n")},
    ),
    (
        "yaml-syntax",
        {"quiz/x.yaml": "questions:\n  - id: a\n    text: [unclosed\n"},
        [
            "course/quiz/x.yaml:4:1: error: did not find expected ',' or ']' (while parsing a flow sequence that"
            " starts at line 3, column 11) [yaml]"
        ],
        {"quiz/x.yaml": "questions: []\n"},
    ),
    (
        "quiz-bare-list",
        {"quiz/x.yaml": "- id: t\n  type: truefalse\n  lesson: welcome\n  text: T\n  correct: true\n"},
        [
            "course/quiz/x.yaml:1: error: found a list of questions without `questions:` above it: a quiz file"
            " holds its questions under `questions:` (and what they share under `defaults:`) [yaml]"
        ],
        {"quiz/x.yaml": "questions:\n- id: t\n  type: truefalse\n  lesson: welcome\n  text: T\n  correct: true\n"},
    ),
    (
        "quiz-items",
        {"quiz/x.yaml": "questions:\n  - hello\n  - 5\n"},
        [
            "course/quiz/x.yaml:2: error: questions[0]: expected a question (a mapping), found 'hello' [yaml]",
            "course/quiz/x.yaml:3: error: questions[1]: expected a question (a mapping), found 5 [yaml]",
        ],
        {"quiz/x.yaml": "questions: []\n"},
    ),
    (
        "yaml-unquoted-colon",
        {"quiz/x.yaml": quiz("  - id: t\n    type: truefalse\n    text: Hal ini: penting\n    correct: true\n")},
        [
            "course/quiz/x.yaml:6:18: error: mapping values are not allowed in this context (a value holding `: `"
            " must be put in quotes, or this line is indented deeper than the keys above) [yaml]"
        ],
        {
            "quiz/x.yaml": quiz(
                "  - id: t\n    type: truefalse\n    text: 'Hal ini: penting'\n    correct: true\n", lesson="welcome"
            )
        },
    ),
    (
        "yaml-unclosed-quote",
        {"quiz/x.yaml": 'questions:\n  - id: a\n    text: "unclosed\n    type: essay\n'},
        [
            "course/quiz/x.yaml:5:1: error: found unexpected end of stream (while scanning a quoted scalar that"
            " starts at line 3, column 11) [yaml]"
        ],
        {"quiz/x.yaml": "questions: []\n"},
    ),
    (
        "duplicate-key",
        {"quiz/x.yaml": "questions: []\nquestions: []\n"},
        ["course/quiz/x.yaml:2:1: error: duplicate key 'questions' (first at line 1) [yaml]"],
        {"quiz/x.yaml": "questions: []\n"},
    ),
    (
        "front-matter",
        {"lessons/01-welcome.md": "# No front matter\n"},
        [
            "course/lessons/01-welcome.md:1: error: a lesson starts with YAML front matter between two `---` lines"
            " (`---`, `title: …`, `---`), then its text; this one starts with '# No front matter' [front-matter]"
        ],
        {"lessons/01-welcome.md": "---\ntitle: W\n---\n# Front matter\n"},
    ),
]


@pytest.mark.parametrize(("rule", "bad", "expected", "good"), CASES, ids=[case[0] for case in CASES])
def test_rule_fails_with_exact_diagnostic(
    write_course: WriteCourse, rule: str, bad: dict[str, str | None], expected: list[str], good: dict[str, str | None]
) -> None:
    course = write_course(bad)
    assert diagnostics(course) == expected


@pytest.mark.parametrize(("rule", "bad", "expected", "good"), CASES, ids=[case[0] for case in CASES])
def test_rule_passes_when_satisfied(
    write_course: WriteCourse, rule: str, bad: dict[str, str | None], expected: list[str], good: dict[str, str | None]
) -> None:
    course = write_course(good)
    assert diagnostics(course) == []


def test_warnings_and_strict(write_course: WriteCourse) -> None:
    course = write_course(
        {"quiz/welcome.yaml": None, "glossary.yaml": "entries:\n  - term: zebra\n    definition: d\n"}
    )
    assert diagnostics(course, errors_only=False) == [
        "course/glossary.yaml:2: warning: entries[0].term: term 'zebra' (or an alias) appears in no lesson [unused-term]",
        "course/lessons/01-welcome.md:1: warning: lesson 'welcome' has no questions [no-questions]",
    ]
    runner = CliRunner()
    loose = runner.invoke(main, ["validate", "course"])
    assert loose.exit_code == 0
    assert loose.stdout.splitlines()[-1].endswith(" 1 shortanswer); 2 warnings in 2 files")
    assert ", 1 glossary term, " in loose.stdout  # one, not "1 glossary terms"
    strict = runner.invoke(main, ["validate", "course", "--strict"])
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1] == "course: not valid under --strict — 2 warnings in 2 files"


def test_defect_course_reports_every_defect_with_file_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/courses/defects seeds one defect per rule family across several files; the
    expected report was checked line by line against the files."""
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["validate", "tests/courses/defects"])
    assert result.exit_code == 1
    expected = (ROOT / "tests/courses/defects.expected").read_text(encoding="utf-8")
    assert result.output == expected
    assert len(expected.splitlines()) >= 10
    assert "Traceback" not in result.output


def test_valid_course_exits_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["validate", "course_src", "--strict"])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_an_unknown_field_is_told_the_nearest_field_of_its_own_place(write_course: WriteCourse) -> None:
    """The suggestion comes from the fields of the very model the mapping is read as (a
    question of its type, a hint, course.yaml's settings, a lesson's front matter), and none
    is made for a name like none of them."""
    yaml_text = (SKELETON / "course.yaml").read_text(encoding="utf-8").replace("title: ", "titel: ", 1)
    assert "  passing_score: " in yaml_text
    yaml_text = yaml_text.replace("  passing_score: ", "  pasing_score: ")
    course = write_course(
        {
            "course.yaml": yaml_text,
            "lessons/01-welcome.md": "---\ntitle: W\nobjectivs: [a]\n---\nText.\n",
            "quiz/x.yaml": quiz(
                "  - id: t\n    type: truefalse\n    txt: T\n    correct: true\n    feedbak_true: y\n"
                "    hints:\n      - {text: h, clear_wrnog: true}\n    zzzz: 1\n"
            ),
        }
    )
    found = [line.split(": error: ", 1)[1] for line in diagnostics(course) if "unknown-field" in line]
    assert found == [
        "titel: unknown field; did you mean 'title'? [unknown-field]",
        "settings.pasing_score: unknown field; did you mean 'passing_score'? [unknown-field]",
        "objectivs: unknown field; did you mean 'objectives'? [unknown-field]",
        "questions[0].txt: unknown field; did you mean 'text'? [unknown-field]",
        "questions[0].feedbak_true: unknown field; did you mean 'feedback_true'? [unknown-field]",
        "questions[0].hints[0].clear_wrnog: unknown field; did you mean 'clear_wrong'? [unknown-field]",
        "questions[0].zzzz: unknown field [unknown-field]",
    ]


def test_a_lesson_id_of_a_typo_is_told_the_lesson_meant(write_course: WriteCourse) -> None:
    """A question's lesson and course.yaml's list of lessons name the lesson nearest to an id
    that no lesson has (the list: among the lesson files it does not list yet)."""
    yaml_text = (SKELETON / "course.yaml").read_text(encoding="utf-8")
    assert "  - practice\n" in yaml_text
    course = write_course(
        {
            "course.yaml": yaml_text.replace("  - practice\n", "  - practise\n"),
            "quiz/x.yaml": quiz("  - id: r\n    type: truefalse\n    text: T\n    correct: true\n", lesson="welcom"),
        }
    )
    found = [line.split(": error: ", 1)[1] for line in diagnostics(course) if "[reference]" in line]
    assert found == [
        "lessons[1]: no lesson file has id 'practise' (looked in lessons/*.md); did you mean 'practice'? [reference]",
        "defaults.lesson: no lesson has id 'welcom'; did you mean 'welcome'? [reference]",
    ]


def test_a_lesson_misspelt_in_the_defaults_is_one_error_for_the_whole_file(write_course: WriteCourse) -> None:
    """Every question that names no lesson of its own takes `defaults.lesson`: one typo there is
    one error, at that line, not one for each question; a question's own lesson is its own."""
    questions = "".join(f"  - id: q{n}\n    type: truefalse\n    text: T\n    correct: true\n" for n in range(3))
    own = "  - id: mine\n    type: truefalse\n    text: T\n    correct: true\n    lesson: welcone\n"
    course = write_course({"quiz/x.yaml": quiz(questions + own, lesson="practise")})
    assert [line for line in diagnostics(course) if "[reference]" in line] == [
        "course/quiz/x.yaml:2: error: defaults.lesson: no lesson has id 'practise'; did you mean 'practice'? [reference]",
        "course/quiz/x.yaml:20: error: questions[3].lesson: no lesson has id 'welcone'; did you mean 'welcome'?"
        " [reference]",
    ]


SKELETON_COURSE = (SKELETON / "course.yaml").read_text(encoding="utf-8")
TF = "  - id: t\n    type: truefalse\n    text: T\n    correct: true\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"quiz/x.yaml": quiz(TF.replace("correct: true", "correct: maybe"))},
            "quiz/x.yaml:7:5: error: questions[0].correct: expected true or false, found 'maybe' [type]",
        ),
        (
            {"quiz/x.yaml": quiz(TF + "    points: lots\n")},
            "quiz/x.yaml:8:5: error: questions[0].points: expected a number, found 'lots' [type]",
        ),
        (
            {"quiz/x.yaml": quiz(TF + "    tags: alpha\n")},
            "quiz/x.yaml:8:5: error: questions[0].tags: expected a list, found 'alpha': write it as a list,"
            " [alpha] [type]",
        ),
        (
            {"quiz/x.yaml": quiz("  - id: m\n    type: multichoice\n    text: T\n    answers: a\n")},
            "quiz/x.yaml:7:5: error: questions[0].answers: expected a list, found 'a' [type]",  # of mappings: no hint
        ),
        (
            {"quiz/x.yaml": quiz(TF.replace("text: T", "text: [a, b]"))},
            "quiz/x.yaml:6:5: error: questions[0].text: expected text, found a list [type]",
        ),
        (
            {"lessons/01-welcome.md": "---\ntitle: 1.10\n---\nText.\n"},
            "lessons/01-welcome.md:2:1: error: title: expected text, found 1.1: put the value in quotes to keep it"
            " as written [type]",
        ),
        (
            {"course.yaml": SKELETON_COURSE.replace('versions: ["1.2", "2004"]', 'versions: ["1.2", "1.3"]')},
            "course.yaml:20:23: error: settings.scorm.versions[1]: expected '1.2' or '2004', found '1.3' [choice]",
        ),
        (
            {"quiz/x.yaml": quiz(TF.replace("text: T", "text: ''"))},
            "quiz/x.yaml:6:5: error: questions[0].text: must not be empty [empty]",
        ),
        (
            {"quiz/x.yaml": quiz("  - id: m\n    type: multichoice\n    text: T\n    answers: []\n")},
            "quiz/x.yaml:7:5: error: questions[0].answers: needs at least 2 items, found 0 [too-few]",
        ),
        (
            {"quiz/x.yaml": quiz(TF + "    penalty: 1.5\n")},
            "quiz/x.yaml:8:5: error: questions[0].penalty: expected at most 1, found 1.5 [range]",
        ),
        (
            {"lessons/01-welcome.md": "---\ntitle: W\nminutes: five\n---\nText.\n"},
            "lessons/01-welcome.md:3:1: error: minutes: expected a whole number, found 'five' [type]",
        ),
        (
            {"lessons/01-welcome.md": "---\ntitle: W\nminutes: 2.5\n---\nText.\n"},
            "lessons/01-welcome.md:3:1: error: minutes: expected a whole number, found 2.5 [type]",
        ),
        (
            {"lessons/01-welcome.md": "---\ntitle: W\nminutes: true\n---\nText.\n"},
            "lessons/01-welcome.md:3:1: error: minutes: expected a whole number, found true (YAML reads true, yes and on alike) [type]",
        ),
        (
            {"quiz/x.yaml": quiz(TF + "    points: true\n")},
            "quiz/x.yaml:8:5: error: questions[0].points: expected a number, found true (YAML reads true, yes and on alike) [type]",
        ),
        (
            {"quiz/x.yaml": quiz(TF + "    points: yes\n")},
            "quiz/x.yaml:8:5: error: questions[0].points: expected a number, found true (YAML reads true, yes and on"
            " alike) [type]",
        ),
        (
            {"quiz/x.yaml": quiz(TF + "    penalty: off\n")},
            "quiz/x.yaml:8:5: error: questions[0].penalty: expected a number, found false (YAML reads false, no and"
            " off alike) [type]",
        ),
        (
            {"quiz/x.yaml": quiz(TF + "    penalty: false\n")},
            "quiz/x.yaml:8:5: error: questions[0].penalty: expected a number, found false (YAML reads false, no and off alike) [type]",
        ),
        (
            {"quiz/x.yaml": quiz("  - id: e\n    type: essay\n    text: T\n    response_lines: true\n")},
            "quiz/x.yaml:7:5: error: questions[0].response_lines: expected a whole number, found true (YAML reads true, yes and on alike) [type]",
        ),
        (
            {
                "quiz/x.yaml": quiz(
                    "  - id: n\n    type: numerical\n    text: T\n    answers:\n      - {value: 3, tolerance: true}\n"
                )
            },
            "quiz/x.yaml:8:20: error: questions[0].answers[0].tolerance: expected a number, found true (YAML reads true, yes and on alike) [type]",
        ),
        (
            {
                "quiz/x.yaml": quiz(
                    "  - id: s\n    type: shortanswer\n    text: T\n    answers:\n      - {text: a, grade: true}\n"
                )
            },
            "quiz/x.yaml:8:19: error: questions[0].answers[0].grade: expected a number, found true (YAML reads true, yes and on alike) [type]",
        ),
        (
            {"quiz/x.yaml": quiz(TF + "    points: 1,5\n")},
            "quiz/x.yaml:8:5: error: questions[0].points: '1,5' is not a number: write the decimal point as a full"
            " stop (1.5) [number]",
        ),
        (
            {
                "quiz/x.yaml": quiz(
                    "  - id: o\n    type: ordering\n    text: T\n    items: [a, b]\n    layout: vertcal\n"
                )
            },
            "quiz/x.yaml:8:5: error: questions[0].layout: expected 'vertical' or 'horizontal', found 'vertcal';"
            " did you mean 'vertical'? [choice]",
        ),
        (
            {"quiz/x.yaml": quiz(TF.replace("id: t", "id: Ülkeler ve Başkentler"))},
            "quiz/x.yaml:4:5: error: questions[0].id: expected an id (lower-case letters, digits, '-' and '_',"
            " from a letter or digit), found 'Ülkeler ve Başkentler'; did you mean 'ulkeler-ve-baskentler'? [format]",
        ),
        (
            {"quiz/x.yaml": quiz(TF.replace("id: t", "id: _t_"))},
            "quiz/x.yaml:4:5: error: questions[0].id: expected an id (lower-case letters, digits, '-' and '_',"
            " from a letter or digit), found '_t_'; did you mean 't_'? [format]",
        ),
        (
            {"course.yaml": SKELETON_COURSE.replace("language: en", "language: English")},
            "course.yaml:5:1: error: language: expected a language code such as 'en', 'id' or 'pt-BR', found"
            " 'English' [format]",
        ),
        (
            {"course.yaml": SKELETON_COURSE.replace("passing_score: 70", "passing_score: 70%")},
            "course.yaml:18:3: error: settings.passing_score: '70%' is not a number: write 70, without the % [number]",
        ),
        (
            {
                "quiz/x.yaml": quiz(
                    "  - id: s\n    type: shortanswer\n    text: T\n    answers:\n      - {text: a, grade: 100%}\n"
                )
            },
            "quiz/x.yaml:8:19: error: questions[0].answers[0].grade: '100%' is not a number: write 100, without the %"
            " [number]",
        ),
    ],
)
def test_a_value_of_the_wrong_kind_is_told_what_was_expected_and_found(
    write_course: WriteCourse, files: dict[str, str | None], expected: str
) -> None:
    """pydantic's own words ("Input should be a valid boolean, unable to interpret input") are
    replaced by what the field takes and what the file holds, with the nearest choice."""
    assert diagnostics(write_course(files)) == [f"course/{expected}"]


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_problem_of_the_command_names_no_file(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown target is no file's problem: its line starts with the severity, as a
    compiler's own errors do, not with an empty file name."""
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, [command, "course_src", "--target", "nonsense"])
    summary = f"course_src: not {'valid' if command == 'validate' else 'built'} — 1 error"
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error: unknown target 'nonsense'; choose from moodle, scorm12, scorm2004, mbz, cc [target]",
        summary,
    ]
    result = CliRunner().invoke(main, [command, "course_src", "--target", "scrom12"])
    assert result.output.splitlines() == [
        "error: unknown target 'scrom12'; choose from moodle, scorm12, scorm2004, mbz, cc; did you mean 'scorm12'?"
        " [target]",
        summary,
    ]


def test_padded_answers_are_trimmed_with_a_warning(write_course: WriteCourse) -> None:
    """Moodle trims answers on import (and SCORM 2004 refuses a padded fill-in pattern): the
    model trims them, and validate says so, with the file, line and field of each."""
    body = (
        "  - id: pad\n    type: shortanswer\n    text: T\n    answers:\n"
        '      - {text: "  fume hood  "}\n      - {text: "hood ", grade: 50}\n'
        "  - id: gap\n    type: cloze\n    text: 'A {{g}}.'\n    gaps:\n"
        "      - id: g\n        answers:\n          - text: ' cat'\n"
    )
    course = write_course({"quiz/pad.yaml": quiz(body)})
    found = coded(course, "moodle-trim")
    assert found == [
        "course/quiz/pad.yaml:8: warning: questions[0].answers[0].text: question 'pad': answer '  fume hood  ' "
        "starts or ends with spaces; they were dropped (Moodle drops them too) [moodle-trim]",
        "course/quiz/pad.yaml:9: warning: questions[0].answers[1].text: question 'pad': answer 'hood ' "
        "starts or ends with spaces; they were dropped (Moodle drops them too) [moodle-trim]",
        "course/quiz/pad.yaml:16: warning: questions[1].gaps[0].answers[0].text: question 'gap': answer ' cat' "
        "starts or ends with spaces; they were dropped (Moodle drops them too) [moodle-trim]",
    ]
    loaded = load_course(course).course
    assert loaded is not None
    texts = {q.id: q for q in loaded.questions}
    assert [a.text for a in texts["pad"].answers] == ["fume hood", "hood"]  # type: ignore[union-attr]
    assert CliRunner().invoke(main, ["validate", "course", "--strict"]).exit_code == 1


@pytest.mark.parametrize("written", ["everything", "5", "{all: true}"])
def test_a_final_quiz_that_is_neither_all_nor_a_list_is_one_error(write_course: WriteCourse, written: str) -> None:
    """`final_quiz.questions` is `all` or a list of ids: anything else is one message that
    says so, not one for each of the two forms."""
    yaml_text = (SKELETON / "course.yaml").read_text(encoding="utf-8")
    assert "  questions: all\n" in yaml_text
    yaml_text = yaml_text.replace("  questions: all\n", f"  questions: {written}\n")
    line = yaml_text.splitlines().index(f"  questions: {written}") + 1
    course = write_course({"course.yaml": yaml_text})
    found = {"everything": "'everything'", "5": "5", "{all: true}": "a mapping"}[written]
    assert diagnostics(course) == [
        f"course/course.yaml:{line}:3: error: final_quiz.questions: expected `all` or a list of question ids,"
        f" found {found} [choice]"
    ]


@pytest.mark.parametrize(
    ("listed", "meant"), [("welcome-mcq", "welcome-mc"), ("wellcome-mc", "welcome-mc"), ("zzz", None)]
)
def test_an_unknown_final_quiz_id_is_told_the_nearest_question(
    write_course: WriteCourse, listed: str, meant: str | None
) -> None:
    """The nearest id is looked for among those that share the start or the end of it (where a
    misspelt id mostly agrees with the right one), so it costs little however many questions."""
    yaml_text = SKELETON_COURSE.replace("  questions: all\n", f"  questions:\n    - {listed}\n")
    course = write_course({"course.yaml": yaml_text})
    hint = f"; did you mean {meant!r}?" if meant else ""
    line = yaml_text.splitlines().index(f"    - {listed}") + 1
    assert diagnostics(course) == [
        f"course/course.yaml:{line}: error: final_quiz.questions[0]: no question has id {listed!r}{hint} [reference]"
    ]


def test_final_quiz_items_are_reported_at_their_lines(
    write_course: WriteCourse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown id and an unscored question in the final quiz's list are reported at their
    own lines of course.yaml; a list without such items is not read again for its lines."""
    listed = ["welcome-mc", "welcome-diagram", "nonesuch"]
    yaml_text = (
        (SKELETON / "course.yaml")
        .read_text(encoding="utf-8")
        .replace("  questions: all\n", "  questions:\n" + "".join(f"    - {qid}\n" for qid in listed))
    )
    line_of = {qid: yaml_text.splitlines().index(f"    - {qid}") + 1 for qid in listed}
    course = write_course({"course.yaml": yaml_text})
    _course, found = validate_course(course)
    assert sorted((Path(d.file).name, d.line, d.severity.value, d.field, d.code) for d in found) == [
        ("course.yaml", line_of["welcome-diagram"], "warning", "final_quiz.questions[1]", "unscored"),
        ("course.yaml", line_of["nonesuch"], "error", "final_quiz.questions[2]", "reference"),
    ]

    located = first_arguments(monkeypatch, loader, "parse_yaml")
    (course / "course.yaml").write_text(yaml_text.replace("    - welcome-diagram\n    - nonesuch\n", ""))
    _course, found = validate_course(course)
    assert found == [] and located == []


BODY_WITH_PROBLEMS = (
    "\n# Welcome\n\nSee ![map](../assets/missing.png) and ![out](../../secret.png).\n\n"
    "<script>alert(1)</script>\n\nCosts $x^2 now.\n\n![web](https://example.com/x.png)\n"
)
"""A lesson body (from line 5 of its file, after four lines of front matter) with a problem
on each of lines 8, 10, 12 and 14."""

BODY_PROBLEMS = [
    "course/lessons/01-welcome.md:8: error: body: '../../secret.png' points outside the course directory [asset]",
    "course/lessons/01-welcome.md:8: error: body: '../assets/missing.png': file assets/missing.png does not exist"
    " [asset]",
    "course/lessons/01-welcome.md:10: error: body: <script> tag is not allowed in a lesson (set `allow_scripts: true`"
    " in its front matter to allow it in SCORM pages); Moodle's cleaner would remove it [unsafe-html]",
    "course/lessons/01-welcome.md:12: error: body: unbalanced `$`: this `$` opens a formula that is never closed"
    " (a closing `$` follows a non-space character and no digit follows it; write `\\$` for a dollar sign) [formula]",
    "course/lessons/01-welcome.md:14: error: body: image 'https://example.com/x.png' is on the web; packages must"
    " work offline: put it in assets/ [external-image]",
]


@pytest.mark.parametrize(
    ("front_matter", "front_matter_problem"),
    [
        ("title: Welcome\nminutes: five\n", "3:1: error: minutes: expected a whole number, found 'five' [type]"),
        ("title: Welcome\nminuts: 5\n", "3:1: error: minuts: unknown field; did you mean 'minutes'? [unknown-field]"),
        (
            "minutes: 5\ntitle: [Welcome\n",
            "4:1: error: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 3,"
            " column 8) [yaml]",
        ),
    ],
    ids=["wrong-type", "unknown-field", "yaml-syntax"],
)
def test_the_body_of_a_lesson_whose_front_matter_fails_is_checked_all_the_same(
    write_course: WriteCourse, front_matter: str, front_matter_problem: str
) -> None:
    """Every problem in one run: the body's problems are reported beside the front matter's,
    as they are under valid front matter, yet the lesson takes no part in the course (the
    glossary term only its body uses is still unused, and its questions get no error)."""
    valid_front_matter = "title: Welcome\nminutes: 5\n"
    valid = write_course({"lessons/01-welcome.md": f"---\n{valid_front_matter}---\n{BODY_WITH_PROBLEMS}"}, name="valid")
    assert diagnostics(valid) == [line.replace("course/", "valid/", 1) for line in BODY_PROBLEMS]
    course = write_course({"lessons/01-welcome.md": f"---\n{front_matter}---\n{BODY_WITH_PROBLEMS}"})
    assert diagnostics(course, errors_only=False) == [
        "course/glossary.yaml:4: warning: entries[0].term: term 'glossary' (or an alias) appears in no lesson"
        " [unused-term]",
        f"course/lessons/01-welcome.md:{front_matter_problem}",
        *BODY_PROBLEMS,
    ]


@pytest.mark.parametrize(
    "front_matter",
    [
        "allow_scripts: true\nminutes: 0\n",
        "allow_scripts: true\ntitle: [Welcome\n",
        "title: Welcome\nallow_scripts: maybe\n",
    ],
    ids=["allowed", "yaml-syntax", "unknown"],
)
def test_a_failed_front_matter_that_may_allow_scripts_gets_no_script_errors(
    write_course: WriteCourse, front_matter: str
) -> None:
    """A script in the body is reported only when the front matter, failed as it is, says
    that the lesson does not allow scripts (it leaves `allow_scripts` out, or sets it false):
    where it sets the field, or may set it (it could not be read), the script may well be
    allowed once the front matter is fixed, and an error now would mislead."""
    course = write_course({"lessons/01-welcome.md": f"---\n{front_matter}---\n{BODY_WITH_PROBLEMS}"})
    found = diagnostics(course)
    body_problems = [line for line in found if ": error: body: " in line]
    assert body_problems == [line for line in BODY_PROBLEMS if "[unsafe-html]" not in line]
    assert found[0].startswith("course/lessons/01-welcome.md:") and found[0] not in body_problems


def test_a_character_xml_cannot_carry_in_the_body_of_a_failed_lesson_is_reported_alone(
    write_course: WriteCourse,
) -> None:
    """As under valid front matter: the character is reported, and the rest of the body is
    not checked (the lesson is left out either way)."""
    body = "\nBell \x07 here.\n\n![map](../assets/missing.png)\n"
    course = write_course({"lessons/01-welcome.md": f"---\ntitle: Welcome\nminutes: 0\n---\n{body}"})
    assert diagnostics(course) == [
        "course/lessons/01-welcome.md:3:1: error: minutes: expected at least 1, found 0 [range]",
        "course/lessons/01-welcome.md:6:6: error: body: contains U+0007, which XML 1.0 cannot carry [xml-char]",
    ]


GLOSSARY_AROUND_A_BROKEN_ENTRY = (
    "entries:\n  - term: glossary\n    definition: A list of terms.\n{broken}"
    "  - term: Glossary\n    definition: See ![x](assets/nope.png).\n  - term: zebra\n    definition: Not in any lesson.\n"
)
"""A glossary whose second entry (lines 4 and 5) is given; around it, an entry Moodle's import
takes for the first (line 6) with a missing image in its definition (line 7), and a term no
lesson uses (line 8)."""

PROBLEMS_AROUND_A_BROKEN_ENTRY = [
    "course/glossary.yaml:6: error: entries[2].term: Moodle's glossary import rejects 'Glossary' as a duplicate of"
    " 'glossary' (line 2) [glossary-collision]",
    "course/glossary.yaml:7: error: entries[2].definition: 'assets/nope.png': file assets/nope.png does not exist"
    " [asset]",
    "course/glossary.yaml:8: warning: entries[3].term: term 'zebra' (or an alias) appears in no lesson [unused-term]",
]


@pytest.mark.parametrize(
    ("broken", "entry_problems"),
    [
        (
            "  - term: quiz\n    definiton: misspelt\n",
            [
                "5:5: error: entries[1].definiton: unknown field; did you mean 'definition'? [unknown-field]",
            ],
        ),
        (
            "  - term: quiz\n    definition: [a, b]\n",
            ["5:5: error: entries[1].definition: expected text, found a list [type]"],
        ),
        (
            "  - >-\n    quiz\n",
            ["4:5: error: entries[1]: expected a mapping of fields, found 'quiz' [type]"],
        ),
    ],
    ids=["unknown-field", "wrong-type", "no-mapping"],
)
def test_a_glossary_entry_with_an_error_hides_no_problem_of_the_others(
    write_course: WriteCourse, broken: str, entry_problems: list[str]
) -> None:
    """Every problem in one run, as in quiz files: the entry's own errors are reported as they
    always were, and the other entries are loaded and checked, named by their place in the
    file; the broken entry takes no part in the glossary's checks."""
    fixed = write_course(
        {"glossary.yaml": GLOSSARY_AROUND_A_BROKEN_ENTRY.format(broken="  - term: quiz\n    definition: Fixed.\n")},
        name="fixed",
    )
    assert diagnostics(fixed, errors_only=False) == [
        line.replace("course/", "fixed/", 1) for line in PROBLEMS_AROUND_A_BROKEN_ENTRY
    ]
    course = write_course({"glossary.yaml": GLOSSARY_AROUND_A_BROKEN_ENTRY.format(broken=broken)})
    assert diagnostics(course, errors_only=False) == [
        *(f"course/glossary.yaml:{problem}" for problem in entry_problems),
        *PROBLEMS_AROUND_A_BROKEN_ENTRY,
    ]
    loaded = load_course(course).course
    assert loaded is not None
    assert [entry.term for entry in loaded.glossary.entries] == ["glossary", "Glossary", "zebra"]


@pytest.mark.parametrize(
    ("first_line", "problem"),
    [
        ("nmae: Terms", "1:1: error: nmae: unknown field; did you mean 'name'? [unknown-field]"),
        ("name: [Terms]", "1:1: error: name: expected text, found a list [type]"),
    ],
    ids=["unknown-field", "wrong-type"],
)
def test_a_field_of_the_glossary_file_with_an_error_hides_no_problem_of_the_rest(
    write_course: WriteCourse, first_line: str, problem: str
) -> None:
    """The glossary's own fields and its entries do not depend on each other: a field with an
    error is reported and left out, and the other fields and the entries are checked."""
    glossary = (
        f"{first_line}\nintro: See ![x](assets/nope.png).\nentries:\n"
        "  - term: glossary\n    definition: A list of terms.\n  - term: GLOSSARY\n    definition: The same concept.\n"
    )
    course = write_course({"glossary.yaml": glossary})
    assert diagnostics(course, errors_only=False) == [
        f"course/glossary.yaml:{problem}",
        "course/glossary.yaml:2: error: intro: 'assets/nope.png': file assets/nope.png does not exist [asset]",
        "course/glossary.yaml:6: error: entries[1].term: Moodle's glossary import rejects 'GLOSSARY' as a duplicate"
        " of 'glossary' (line 4) [glossary-collision]",
    ]


def test_the_common_mistakes_in_the_docs_are_what_validate_says(write_course: WriteCourse) -> None:
    """docs/validation.md's *Common mistakes*: its two quiz files, written into a course made
    from the scaffold, give exactly the report it shows."""
    page = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    section = page.split("## Common mistakes", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^`(quiz/[\w.]+)`:\n\n```yaml\n(.*?)```", section, re.M | re.S)
    assert [name for name, _ in blocks] == ["quiz/mistakes.yaml", "quiz/colon.yaml"]
    write_course(dict(blocks), name="my-course")
    [report] = re.findall(r"^```text\n(.*?)```", section, re.M | re.S)
    result = CliRunner().invoke(main, ["validate", "my-course"])
    assert result.exit_code == 1
    assert result.output.splitlines() == report.splitlines()


@pytest.mark.parametrize(
    ("broken", "course_errors"),
    [
        (
            SKELETON_COURSE.replace("shortname: MYCOURSE", "shortname: 12").replace("title: My first course\n", ""),
            [
                "course/course.yaml:2: error: title: required field is missing [missing]",
                "course/course.yaml:3:1: error: shortname: expected text, found 12: put the value in quotes to keep"
                " it as written [type]",
            ],
        ),
        (
            SKELETON_COURSE.replace("  - practice\n", "  - Practice!\n"),
            [
                "course/course.yaml:13:5: error: lessons[1]: expected an id (lower-case letters, digits, '-' and '_',"
                " from a letter or digit), found 'Practice!'; did you mean 'practice'? [format]"
            ],
        ),
    ],
)
def test_an_error_in_course_yaml_leaves_the_other_files_checked(
    write_course: WriteCourse, broken: str, course_errors: list[str]
) -> None:
    """course.yaml in error (a field missing, a value of the wrong kind, a lesson id that is no
    id) still lets the lessons, quiz files and glossary be checked in the same run, as far as
    they can be without it; the course's lessons are then its lesson files, so none is told it
    is not listed."""
    course = write_course(
        {
            "course.yaml": broken,
            "lessons/01-welcome.md": "---\ntitle: W\n---\n\nSee ![x](../assets/nope.png).\n",
            "quiz/x.yaml": quiz("  - id: r\n    type: truefalse\n    text: T\n    correct: true\n", lesson="welcom"),
        }
    )
    assert diagnostics(course) == [
        *course_errors,
        "course/lessons/01-welcome.md:5: error: body: '../assets/nope.png': file assets/nope.png does not exist [asset]",
        "course/quiz/x.yaml:2: error: defaults.lesson: no lesson has id 'welcom'; did you mean 'welcome'? [reference]",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\ntitle: W\n\n# Welcome\n",
            "lessons/01-welcome.md:1: error: the front matter that starts here has no closing `---` line: end it"
            " with a line of `---` before the lesson's text [front-matter]",
        ),
        (
            "\n\n---\ntitle: W\n---\n# Welcome\n",
            "lessons/01-welcome.md:3: error: the front matter's `---` must be the file's first line [front-matter]",
        ),
        (
            "\ufeff \n---\ntitle: W\n---\n# Welcome\n",
            "lessons/01-welcome.md:2: error: the front matter's `---` must be the file's first line [front-matter]",
        ),
        (
            "",
            "lessons/01-welcome.md:1: error: a lesson starts with YAML front matter between two `---` lines"
            " (`---`, `title: …`, `---`), then its text; this one is empty [front-matter]",
        ),
    ],
)
def test_front_matter_that_is_not_found_is_told_why(write_course: WriteCourse, text: str, expected: str) -> None:
    """A lesson without front matter is told what it lacks: the closing line, or a first line
    of its own (blank lines before it), not only that front matter is needed."""
    course = write_course({})
    (course / "lessons/01-welcome.md").write_text(text, encoding="utf-8")  # as it is: no dedent
    assert diagnostics(course) == [f"course/{expected}"]


def test_files_and_folders_the_course_does_not_read_are_named(write_course: WriteCourse) -> None:
    """A folder named near one of the course's own (`quizzes/` for `quiz/`, `Lessons/`) whose
    own is missing or differs only in case, and a lesson file that does not end in `.md`
    (`.markdown`, `.MD`), are not read: each is a warning that says where the files belong,
    where before the only sign was each lesson having no questions. Folders of other names,
    and other files beside the lessons (an image a lesson shows), are the author's own."""
    course = write_course({})
    (course / "quiz").rename(course / "quizzes")
    (course / "Assets").mkdir()
    (course / "lesson-plans").mkdir()
    lesson = (course / "lessons/02-practice.md").read_text(encoding="utf-8")
    (course / "lessons/03-more.markdown").write_text(lesson, encoding="utf-8")
    (course / "lessons/04-again.MD").write_text(lesson, encoding="utf-8")
    (course / "lessons/map.png").write_bytes(b"\x89PNG")
    found = coded(course, "not-read")
    assert found == [
        "course/Assets: warning: this folder is not read: the course reads assets/ [not-read]",
        "course/lessons/03-more.markdown: warning: this file is not read: a lesson file's name ends in .md [not-read]",
        "course/lessons/04-again.MD: warning: this file is not read: a lesson file's name ends in .md [not-read]",
        "course/quizzes: warning: this folder is not read; did you mean 'quiz'? [not-read]",
    ]
    shutil.rmtree(course / "Assets")
    shutil.rmtree(course / "assets")
    (course / "asset-sources").mkdir()  # near assets/, but no misspelling of it
    (course / "asset-sources/diagram.svg").write_text("<svg/>", encoding="utf-8")
    (course / "lessons/01-welcome.md").write_text("---\ntitle: W\n---\nText.\n", encoding="utf-8")
    found = coded(course, "not-read")
    assert found == [
        "course/lessons/03-more.markdown: warning: this file is not read: a lesson file's name ends in .md [not-read]",
        "course/lessons/04-again.MD: warning: this file is not read: a lesson file's name ends in .md [not-read]",
        "course/quizzes: warning: this folder is not read; did you mean 'quiz'? [not-read]",
    ]


def test_a_warning_that_restates_an_error_is_left_out(write_course: WriteCourse) -> None:
    """A glossary term twice is an error of the Moodle target (its import rejects the second)
    and a warning of the course's own checks (auto-linking links one of them only): one
    problem, told once, as the error."""
    glossary = "entries:\n  - term: practice\n    definition: a\n  - term: practice\n    definition: b\n"
    course = write_course({"glossary.yaml": glossary})
    found = coded(course, "glossary-collision")
    assert found == [
        "course/glossary.yaml:4: error: entries[1].term: Moodle's glossary import rejects 'practice' as a duplicate"
        " of 'practice' (line 2) [glossary-collision]"
    ]


def test_an_unknown_field_with_no_near_name_is_told_the_fields_of_its_place(write_course: WriteCourse) -> None:
    """Where no field is near (`time_limit` in the final quiz), a place of a few fields lists
    them; a question, with a score of fields, is told none (its schema lists them)."""
    yaml_text = SKELETON_COURSE.replace("final_quiz:\n", "final_quiz:\n  time_limit: 30\n")
    course = write_course(
        {
            "course.yaml": yaml_text,
            "quiz/x.yaml": quiz(TF + "    time_limit: 30\n" + "    hints:\n      - {text: h, colour: red}\n"),
        }
    )
    found = [line.split(": error: ", 1)[1] for line in diagnostics(course) if "unknown-field" in line]
    assert found == [
        "final_quiz.time_limit: unknown field; the fields here are title, questions and shuffle [unknown-field]",
        "questions[0].time_limit: unknown field [unknown-field]",
        "questions[0].hints[0].colour: unknown field; the fields here are text, show_num_correct and clear_wrong"
        " [unknown-field]",
    ]


def test_a_link_into_a_page_is_told_it_goes_nowhere(write_course: WriteCourse) -> None:
    """Headings carry no anchors in the packages: a link to `#part` goes nowhere (unless the
    text gives an element that id itself), and a link to `02-practice.md#part` opens the lesson
    at its top. The SCORM player follows a link to an id on the page, so the first kind works
    where the text names its target in raw HTML."""
    body = (
        '---\ntitle: W\n---\n\nSee [a](#nowhere), [b](02-practice.md#part) and [c](#here).\n\n<a id="here"></a>Here.\n'
    )
    course = write_course({"lessons/01-welcome.md": body})
    found = coded(course, "anchor")
    assert found == [
        "course/lessons/01-welcome.md:5: warning: body: link '#nowhere' goes nowhere: headings carry no anchors in"
        " the packages; link to a lesson file instead [anchor]",
        "course/lessons/01-welcome.md:5: warning: body: link '02-practice.md#part' opens the lesson at its top:"
        " headings carry no anchors in the packages, so '#part' is dropped [anchor]",
    ]


def test_a_passing_score_written_as_a_fraction_is_told_it_is_a_percentage(write_course: WriteCourse) -> None:
    """SCORM's scaled score runs from 0 to 1, course.yaml's passing score from 0 to 100: 0.7
    there is a pass mark of 0.7 %, which every attempt meets; 0 (no pass mark) is no slip."""
    course = write_course({"course.yaml": SKELETON_COURSE.replace("passing_score: 70", "passing_score: 0.7")})
    found = coded(course, "passing-score")
    assert found == [
        "course/course.yaml:18:3: warning: settings.passing_score: 0.7 is a percentage of the quiz's points, so"
        " every attempt of 0.7 % or more passes; did you mean 70? [passing-score]"
    ]
    course = write_course(
        {"course.yaml": SKELETON_COURSE.replace("passing_score: 70", "passing_score: 0")}, name="zero"
    )
    assert coded(course, "passing-score") == []


def test_a_misspelt_required_field_is_one_error(write_course: WriteCourse) -> None:
    """A required field written under another name (`defintion`, `q` for `question`) is one
    slip: it is told once, as the unknown field with the name it stands for, not also as the
    required field missing. A field named as a short form of one (`q`, `a`) is told the one
    it starts."""
    pairs = "    pairs:\n" + "".join(f"      - {{q: {n}, a: {n}{n}}}\n" for n in "xyz")
    course = write_course({"quiz/x.yaml": quiz("  - id: m\n    type: matching\n    text: T\n" + pairs)})
    assert diagnostics(course) == [
        f"course/quiz/x.yaml:{line}:{column}: error: questions[0].pairs[{index}].{short}: unknown field; did you"
        f" mean '{full}'? [unknown-field]"
        for index, line in enumerate((8, 9, 10))
        for short, full, column in (("q", "question", 10), ("a", "answer", 16))
    ]


def test_a_lesson_whose_questions_name_it_misspelt_is_not_told_it_has_none(write_course: WriteCourse) -> None:
    """The questions of a lesson misspelt in `defaults.lesson` belong to no lesson: the error
    names the lesson meant, and that lesson is not also warned of having no questions."""
    course = write_course({"quiz/practice.yaml": None, "quiz/x.yaml": quiz(TF, lesson="practise")})
    assert coded(course, "no-questions", "reference") == [
        "course/quiz/x.yaml:2: error: defaults.lesson: no lesson has id 'practise'; did you mean 'practice'? [reference]"
    ]
