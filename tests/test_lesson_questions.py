"""`questions_by_lesson` groups in one pass and answers as a scan of every question would."""

from __future__ import annotations

from pathlib import Path

from coursebuilder.loader import load_or_raise
from coursebuilder.model import final_questions, questions_by_lesson
from coursebuilder.synthetic import write_synthetic_course


def test_groups_match_a_scan_in_course_order(tmp_path: Path) -> None:
    write_synthetic_course(tmp_path / "a", 30, 4, 4)
    course, _ = load_or_raise(tmp_path / "a")
    by_lesson = questions_by_lesson(course.questions)
    for lesson in course.lessons:
        expected = [q.id for q in course.questions if q.lesson == lesson.id]
        assert expected, "every synthetic lesson has questions"
        assert [q.id for q in by_lesson[lesson.id]] == expected
    assert sum(len(group) for group in by_lesson.values()) == len(course.questions)
    assert "no-such-lesson" not in by_lesson


def test_a_copy_with_other_questions_gets_its_own_groups(tmp_path: Path) -> None:
    """Nothing is remembered between calls: a course copied with fewer questions (as the preview
    does) is grouped from its own questions."""
    write_synthetic_course(tmp_path / "a", 30, 4, 4)
    course, _ = load_or_raise(tmp_path / "a")
    first = course.lessons[0].id
    assert len(questions_by_lesson(course.questions)[first]) == 7
    fewer = course.model_copy(update={"questions": course.questions[:3]})
    assert [q.id for q in questions_by_lesson(fewer.questions)[first]] == [q.id for q in course.questions[:3]]
    assert len(final_questions(fewer)) < len(final_questions(course))
