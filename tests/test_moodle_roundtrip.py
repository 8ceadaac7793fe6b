"""Moodle XML round trip: build the files, import them into a new course, compare with the source.

The importer's reader follows Moodle's importer (question/format/xml/format.php): texts
trimmed, defaults for missing elements, names cleaned as PARAM_TEXT (strip_tags), cloze gaps
found by a port of `qtype_multianswer_extract_question()`. So what it reads is what Moodle
would store. Every field of every question is compared (type,
name, text, answers, grades, feedback, tolerances, units, subquestions, cloze gaps, hints, tags
and the type's options); Markdown as canonical HTML with images compared by the bytes of the
file embedded in the question.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coursebuilder.importer import ImportOptions, run_import
from coursebuilder.loader import load_or_raise
from coursebuilder.model import Course
from tests.conftest import EXAMPLE, ROOT, SKELETON
from tests.moodle_semantics import php_strip_tags
from tests.moodle_util import build_moodle, question_view, source_html

TYPES = ROOT / "tests" / "courses" / "moodle-types"
AWKWARD = ROOT / "tests" / "courses" / "moodle-awkward"
COURSES = {"skeleton": SKELETON, "example": EXAMPLE, "types": TYPES, "awkward": AWKWARD}


@pytest.fixture(scope="module", params=sorted(COURSES))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, Path]:
    return build_moodle(COURSES[request.param], tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module")
def imported(built: tuple[Course, Path], tmp_path_factory: pytest.TempPathFactory) -> Course:
    """The course the importer makes of the built questions.xml (the glossary's round trip,
    intro files included, is test_import_roundtrip's build → import → build)."""
    into = tmp_path_factory.mktemp("imported") / "course"
    result = run_import([built[1] / "questions.xml"], ImportOptions(into=into))
    assert not result.failed and not result.course_errors
    assert [d for d in result.diagnostics if d.severity.value == "error"] == []
    return load_or_raise(into)[0]


def test_every_question_is_read_back(built: tuple[Course, Path], imported: Course) -> None:
    course, _ = built
    assert sorted(q.id for q in imported.questions) == sorted(q.id for q in course.questions)
    assert Counter(q.type for q in imported.questions) == Counter(q.type for q in course.questions)


def test_each_question_equals_its_source(built: tuple[Course, Path], imported: Course) -> None:
    """Equal field by field; the name as Moodle's PARAM_TEXT cleaning leaves it."""
    course, _ = built
    sources = {question.id: question for question in course.questions}
    for read in imported.questions:
        source = sources[read.id]
        expected = question_view(source, source_html(course, source.source_file))
        expected["display_name"] = php_strip_tags(source.display_name).strip()
        actual = question_view(read, source_html(imported, read.source_file))
        for gaps in (expected.get("gaps", []), actual.get("gaps", [])):
            for gap in gaps:
                for answer in gap["answers"]:
                    # Gap feedback is HTML in Moodle: a run of white space shows as one space.
                    answer["feedback"] = " ".join(answer["feedback"].split())
        assert actual == expected, read.id


def test_each_question_is_in_its_lessons_category(built: tuple[Course, Path], imported: Course) -> None:
    course, _ = built
    titles = {lesson.id: lesson.title for lesson in course.lessons}
    read_titles = {lesson.id: lesson.title for lesson in imported.lessons}
    sources = {question.id: question for question in course.questions}
    for read in imported.questions:
        source = sources[read.id]
        # split_category_path() trims each name, then PARAM_TEXT strips tags.
        assert read_titles[read.lesson or ""] == php_strip_tags(titles[source.lesson or ""].strip()), read.id
        assert (read.category or "") == php_strip_tags((source.category or "").strip()), read.id
