"""Course.lesson_questions groups once per course and still answers like a scan."""

from __future__ import annotations

from pathlib import Path

from coursebuilder.loader import load_or_raise
from coursebuilder.synthetic import write_synthetic_course


def test_lesson_questions_match_a_scan_and_are_fresh_lists(tmp_path: Path) -> None:
    write_synthetic_course(tmp_path / "a", 30, 4, 4)
    course, _ = load_or_raise(tmp_path / "a")
    for lesson in course.lessons:
        expected = [q for q in course.questions if q.lesson == lesson.id]
        got = course.lesson_questions(lesson.id)
        assert got == expected and [q.id for q in got] == [q.id for q in expected]
        got.clear()  # callers own the list they get
        assert course.lesson_questions(lesson.id) == expected
    assert course.lesson_questions("no-such-lesson") == []


def test_a_copy_with_other_questions_gets_its_own_answer(tmp_path: Path) -> None:
    write_synthetic_course(tmp_path / "a", 30, 4, 4)
    course, _ = load_or_raise(tmp_path / "a")
    first = course.lessons[0].id
    assert len(course.lesson_questions(first)) == 7
    fewer = course.model_copy(update={"questions": course.questions[:3]})
    assert [q.id for q in fewer.lesson_questions(first)] == [q.id for q in course.questions[:3]]
    assert len(course.lesson_questions(first)) == 7
