"""Moodle's importers log no PHP warning on anything we write.

Every question of questions.xml (every cloze gap included) and every glossary entry of
glossary.xml, for the example course, the scaffold courses and every test course, runs
through the oracle of tests/moodle_semantics.py: qformat_xml's direct reads, the keys
`qtype_multianswer_extract_question()` sets and the wrapped types' `save_question_options()`
reads, and mod/glossary/import.php's direct reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from coursebuilder.build import validate_course
from coursebuilder.diagnostics import has_errors
from coursebuilder.exchange.glossary import glossary_xml
from coursebuilder.exchange.moodlexml import questions_xml
from coursebuilder.exchange.text import Renderer
from coursebuilder.loader import load_course
from tests.conftest import EXAMPLE, ROOT, SKELETON
from tests.moodle_semantics import (
    glossary_import_warnings,
    multianswer_extract,
    multianswer_save_warnings,
    qformat_xml_import_warnings,
)

COURSES = {
    "example": EXAMPLE,
    "skeleton-en": SKELETON,
    "skeleton-id": SKELETON.parent / "id",
    **{path.name: path for path in sorted((ROOT / "tests" / "courses").iterdir()) if path.is_dir()},
}


def _written(root: Path) -> tuple[etree._Element, etree._Element]:
    """questions.xml and glossary.xml as the writers make them (also for a course with errors:
    its valid questions are written)."""
    course = load_course(root).course
    assert course is not None
    renderer = Renderer(course.root)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return (
        etree.fromstring(questions_xml(course, renderer), parser),
        etree.fromstring(glossary_xml(course, renderer), parser),
    )


def _warnings(questions: etree._Element) -> list[str]:
    found = []
    for question in questions.findall("question"):
        for problem in qformat_xml_import_warnings(question):
            found.append(f"{question.findtext('idnumber') or question.findtext('category/text')}: {problem}")
    return found


BUILT = sorted(name for name, root in COURSES.items() if not has_errors(load_course(root).diagnostics))
"""The courses `build` writes (tests/courses/defects has errors: build writes nothing)."""


@pytest.mark.parametrize("name", BUILT)
def test_question_import_logs_no_php_warning(name: str) -> None:
    questions, _glossary = _written(COURSES[name])
    assert _warnings(questions) == []


@pytest.mark.parametrize("name", sorted(COURSES))
def test_validate_warns_of_every_question_that_would_log_a_php_warning(name: str) -> None:
    """Where the oracle finds a warning, validate names that question (tests/courses/defects has one)."""
    questions, _glossary = _written(COURSES[name])
    diagnostics = validate_course(COURSES[name])[1]
    for problem in _warnings(questions):
        qid = problem.split(":", 1)[0]
        assert any(f"question {qid!r}" in d.message and d.code == "moodle-cloze" for d in diagnostics), problem


def test_the_defects_course_has_a_catch_all_numerical_gap() -> None:
    questions, _glossary = _written(COURSES["defects"])
    assert _warnings(questions) == ["q12: gap 1: Undefined array key 1 (tolerance)"]


@pytest.mark.parametrize("name", BUILT)
def test_glossary_import_logs_no_php_warning(name: str) -> None:
    _questions, glossary = _written(COURSES[name])
    assert glossary_import_warnings(glossary) == []


def test_every_course_writes_cloze_questions() -> None:
    """The tests above do see cloze gaps of every kind, numerical ones with tolerances too."""
    kinds = set()
    for root in COURSES.values():
        questions, _ = _written(root)
        for question in questions.xpath("question[@type='cloze' or @type='multianswer']"):
            for wrapped in multianswer_extract(question.findtext("questiontext/text") or ""):
                kinds.add(wrapped["qtype"])
                if wrapped["qtype"] == "numerical" and any(
                    str(t) not in ("0", "") for t in wrapped["tolerance"].values()
                ):
                    kinds.add("numerical with tolerance")
    assert kinds >= {"numerical", "numerical with tolerance", "shortanswer", "multichoice"}


# --------------------------------------------------------------------------- the oracle itself


def test_catch_all_of_a_numerical_gap_leaves_its_tolerance_undefined() -> None:
    """`*` fails NUMERICAL_ALTERNATIVE_REGEX: no tolerance at its key (numerical/questiontype.php:232)."""
    [gap] = multianswer_extract("Year {1:NM:=1971#right~*#Coplin wrote in 1971}?")
    assert gap["answer"] == {0: "1971", 1: "*"}
    assert gap["tolerance"] == {0: 0}
    assert multianswer_save_warnings(gap) == ["Undefined array key 1 (tolerance)"]


def test_a_gap_of_only_a_catch_all_has_no_tolerance_at_all() -> None:
    [gap] = multianswer_extract("{1:NM:*#anything}")
    assert gap["tolerance"] is None
    assert multianswer_save_warnings(gap) == ["Undefined property: stdClass::$tolerance"]


def test_numbers_with_and_without_tolerance_are_clean() -> None:
    [gap] = multianswer_extract("{2:NUMERICAL:=1971:0.5#a~%50%1970,5:1e3#b~%0%0:1000000000#c}")
    assert gap["answer"] == {0: "1971", 1: "1970,5", 2: "0"}
    assert gap["tolerance"] == {0: "0.5", 1: "1e3", 2: "1000000000"}
    assert gap["fraction"] == {0: "1", 1: 0.5, 2: "0"}
    assert gap["defaultmark"] == "2"
    assert multianswer_save_warnings(gap) == []


def test_other_gap_types_need_no_tolerance() -> None:
    gaps = multianswer_extract("{1:SA:=Coplin~*#no} {1:MC:=a~b} {1:MRS:%50%a~%50%b~c}")
    assert [g["qtype"] for g in gaps] == ["shortanswer", "multichoice", "multichoice"]
    assert [multianswer_save_warnings(g) for g in gaps] == [[], [], []]


def test_qformat_xml_direct_reads() -> None:
    question = etree.fromstring(
        '<question type="truefalse"><name><text>n</text></name><answer><text>true</text></answer>'
        '<hint format="html">bare</hint></question>'
    )
    assert qformat_xml_import_warnings(question) == [
        'Undefined array key "fraction" (import_truefalse)',
        "<hint> without elements: $hintxml['#'] is a string (import_hint)",
    ]
    assert qformat_xml_import_warnings(etree.fromstring('<question type="multichoice"/>')) == [
        'Undefined array key "answer" (import_multichoice)'
    ]


def test_an_unknown_text_format_is_reported() -> None:
    question = etree.fromstring(
        '<question type="description"><name><text>n</text></name>'
        '<questiontext format="HTML"><text>x</text></questiontext></question>'
    )
    assert qformat_xml_import_warnings(question) == ["Unrecognised text format 'HTML' in <questiontext> (trans_format)"]
