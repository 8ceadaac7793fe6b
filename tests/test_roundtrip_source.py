"""Random valid models, written out as source files, load back equal."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from coursebuilder import model as m
from coursebuilder.loader import load_course
from coursebuilder.sourcefiles import dump_course_info, dump_glossary, dump_lesson, dump_questions
from tests.strategies import courses


def _write(
    root: Path, info: m.CourseInfo, lessons: list[m.Lesson], glossary: m.GlossaryFile, questions: list[Any]
) -> None:
    (root / "lessons").mkdir(parents=True)
    (root / "quiz").mkdir()
    (root / "course.yaml").write_text(dump_course_info(info), encoding="utf-8")
    for index, lesson in enumerate(lessons, 1):
        (root / "lessons" / f"{index:02d}-{lesson.id}.md").write_text(dump_lesson(lesson, lesson.id), encoding="utf-8")
    (root / "glossary.yaml").write_text(dump_glossary(glossary), encoding="utf-8")
    by_lesson: dict[str, list[Any]] = {}
    for question in questions:
        by_lesson.setdefault(question.lesson, []).append(question)
    for lesson_id, items in by_lesson.items():
        text = dump_questions(items, m.QuizDefaults(lesson=lesson_id))
        (root / "quiz" / f"{lesson_id}.yaml").write_text(text, encoding="utf-8")


def _lesson_fields(lesson: m.Lesson) -> dict[str, Any]:
    return lesson.model_dump(exclude={"body_line", "path"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(courses())
def test_written_sources_load_back_equal(
    course: tuple[m.CourseInfo, list[m.Lesson], m.GlossaryFile, list[Any]],
) -> None:
    info, lessons, glossary, questions = course
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "c"
        _write(root, info, lessons, glossary, questions)
        result = load_course(root)
        errors = [d.format() for d in result.diagnostics if d.severity.value == "error"]
        assert errors == []
        assert result.course is not None
        loaded = result.course
        assert loaded.info.model_dump() == info.model_dump()
        assert loaded.glossary.model_dump() == glossary.model_dump()
        assert [_lesson_fields(lesson) for lesson in loaded.lessons] == [_lesson_fields(lesson) for lesson in lessons]
        order = {lesson_id: i for i, lesson_id in enumerate(sorted({q.lesson for q in questions}))}
        expected = sorted(questions, key=lambda q: order[q.lesson])
        assert [q.model_dump() for q in loaded.questions] == [q.model_dump() for q in expected]


def test_front_matter_text_ending_in_newline_survives(tmp_path: Path) -> None:
    """A block scalar right before the closing `---` keeps its final newline."""
    lesson = m.Lesson(id="a", title="A", objectives=["first\n"], body="Body\n")
    info = m.CourseInfo(id="c", title="C", shortname="C", lessons=["a"])
    _write(tmp_path / "c", info, [lesson], m.GlossaryFile(), [])
    result = load_course(tmp_path / "c")
    assert result.course is not None
    assert result.course.lessons[0].objectives == ["first\n"]
