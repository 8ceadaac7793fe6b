"""Moodle XML round trip: build the files, read them back, compare with the source model.

The reader follows Moodle's importer (question/format/xml/format.php): texts trimmed, defaults
for missing elements, cloze gaps found by a port of `qtype_multianswer_extract_question()`.
So what it reads is what Moodle would store. Every field of every question is compared (type,
name, text, answers, grades, feedback, tolerances, units, subquestions, cloze gaps, hints, tags
and the type's options); Markdown as canonical HTML with images compared by the bytes of the
file embedded in the question.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from coursebuilder.model import Course
from coursebuilder.moodlexml.reader import QuestionBank, ReadGlossary, read_glossary, read_questions
from tests.conftest import EXAMPLE, ROOT, SKELETON
from tests.moodle_semantics import php_strip_tags
from tests.moodle_util import build_moodle, question_view, read_html, source_html, view

TYPES = ROOT / "tests" / "courses" / "moodle-types"
AWKWARD = ROOT / "tests" / "courses" / "moodle-awkward"
COURSES = {"skeleton": SKELETON, "example": EXAMPLE, "types": TYPES, "awkward": AWKWARD}


@pytest.fixture(scope="module", params=sorted(COURSES))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, Path]:
    return build_moodle(COURSES[request.param], tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module")
def bank(built: tuple[Course, Path]) -> QuestionBank:
    return read_questions(built[1] / "questions.xml")


@pytest.fixture(scope="module")
def glossary(built: tuple[Course, Path]) -> ReadGlossary:
    return read_glossary(built[1] / "glossary.xml")


def test_every_question_is_read_back_without_problems(built: tuple[Course, Path], bank: QuestionBank) -> None:
    course, _ = built
    assert bank.problems == []
    assert sorted(read.question.id for read in bank.questions) == sorted(q.id for q in course.questions)
    assert Counter(read.question.type for read in bank.questions) == Counter(q.type for q in course.questions)


def test_each_question_equals_its_source(built: tuple[Course, Path], bank: QuestionBank) -> None:
    course, _ = built
    sources = {question.id: question for question in course.questions}
    for read in bank.questions:
        source = sources[read.question.id]
        expected = question_view(source, source_html(course, source.source_file))
        actual = question_view(read.question, read_html(read.files))
        assert actual == expected, read.question.id


def test_each_question_is_in_its_lessons_category(built: tuple[Course, Path], bank: QuestionBank) -> None:
    course, _ = built
    titles = {lesson.id: lesson.title for lesson in course.lessons}
    sources = {question.id: question for question in course.questions}
    for read in bank.questions:
        source = sources[read.question.id]
        expected = (course.info.shortname, titles[source.lesson or ""])
        expected += (source.category,) if source.category else ()
        # Moodle's split_category_path(): trimmed, then PARAM_TEXT (strip_tags).
        assert read.category == tuple(php_strip_tags(name.strip()) for name in expected), read.question.id


def test_lesson_categories_describe_the_lesson(built: tuple[Course, Path], bank: QuestionBank) -> None:
    course, _ = built
    infos = {category.names: category for category in bank.categories}
    asked = {question.lesson for question in course.questions}
    for lesson in course.lessons:
        if lesson.id not in asked:
            continue
        category = infos[(course.info.shortname, lesson.title.strip())]
        assert category.info_format == "html"
        text = lxml.html.fragment_fromstring(category.info, create_parent="div").text_content() if category.info else ""
        for part in [lesson.summary, *lesson.objectives]:
            assert part in text
        assert category.idnumber == ""


def test_glossary_entries_equal_their_source(built: tuple[Course, Path], glossary: ReadGlossary) -> None:
    course, _ = built
    source = course.glossary
    assert glossary.problems == []
    assert glossary.glossary.name == source.name
    assert len(glossary.glossary.entries) == len(source.entries)
    html = source_html(course, "glossary.yaml")
    assert view(glossary.glossary.model_copy(update={"entries": []}), read_html(glossary.intro_files)) == view(
        source.model_copy(update={"entries": []}), html
    )
    for read, files, entry in zip(glossary.glossary.entries, glossary.entry_files, source.entries, strict=True):
        assert view(read, read_html(files)) == view(entry, html), entry.term
