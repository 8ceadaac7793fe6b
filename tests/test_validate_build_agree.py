"""`validate` reports every problem `build` would, so a course that passes `validate --strict`
builds without a warning (target checks included), and one run reports every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from coursebuilder.build import build_course
from coursebuilder.cli import main
from coursebuilder.diagnostics import CourseError, Diagnostic
from tests.conftest import EXAMPLE, ROOT, SKELETON

COURSES = {
    "example": EXAMPLE,
    "skeleton-en": SKELETON,
    "skeleton-id": SKELETON.parent / "id",
    **{path.name: path for path in sorted((ROOT / "tests" / "courses").iterdir()) if path.is_dir()},
}


def _key(diag: Diagnostic) -> str:
    return diag.format()


def _validate(root: Path, *options: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["validate", str(root), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    lines = [line for line in result.output.splitlines() if ": error: " in line or ": warning: " in line]
    return result.exit_code, lines


def _build(root: Path, out: Path) -> list[str]:
    try:
        _artifacts, problems = build_course(root, out)
    except CourseError as exc:
        problems = exc.diagnostics
    return [_key(diag) for diag in problems]


@pytest.mark.parametrize("name", sorted(COURSES))
def test_validate_reports_everything_build_reports(name: str, tmp_path: Path) -> None:
    built = _build(COURSES[name], tmp_path / "dist")
    _code, validated = _validate(COURSES[name])
    errors = {_place(line) for line in validated if ": error: " in line}
    assert [line for line in built if line not in validated and _place(line) not in errors] == []


def _place(line: str) -> tuple[str, str, str]:
    """Where a reported line is, its field and its code: a warning of build's is reported by
    validate as an error of the same place and code when a target's check (which a build
    with errors in its sources does not run) finds the same problem worse."""
    where, _severity, rest = line.replace(": warning: ", ": error: ", 1).partition(": error: ")
    return where, rest.split(": ", 1)[0], rest.rsplit("[", 1)[-1]


@pytest.mark.parametrize("name", sorted(COURSES))
def test_a_course_that_passes_strict_validation_builds_without_a_warning(name: str, tmp_path: Path) -> None:
    code, _lines = _validate(COURSES[name], "--strict")
    if code == 0:
        assert _build(COURSES[name], tmp_path / "dist") == []


def test_moodle_target_warnings_reach_validate(write_course) -> None:
    """A padded short answer and an essay template ending in spaces: build warns, so must validate."""
    root = write_course(
        {
            "quiz/q.yaml": """
defaults: {lesson: welcome}
questions:
  - id: essay-pad
    type: essay
    text: Write.
    response_template: "Dear,   "
"""
        }
    )
    code, lines = _validate(root, "--strict")
    assert code == 1
    assert any("essay-pad" in line and "[moodle-trim]" in line for line in lines), lines


def test_a_question_with_its_own_error_hides_no_duplicate_id(write_course) -> None:
    """The multi-answer question fails on its grades; its id is still taken, in either order."""
    root = write_course(
        {
            "quiz/a.yaml": """
defaults: {lesson: welcome}
questions:
  - id: dup
    type: multichoice
    single: false
    text: Grades add up to 75.
    answers:
      - {text: A, grade: 50}
      - {text: B, grade: 25}
  - id: twice
    type: truefalse
    text: First.
    correct: true
""",
            "quiz/b.yaml": """
defaults: {lesson: welcome}
questions:
  - id: dup
    type: truefalse
    text: Same id as a broken question.
    correct: true
  - id: twice
    type: truefalse
    text: Broken and a duplicate.
    correct: maybe
""",
        }
    )
    _code, lines = _validate(root)
    assert any("a.yaml:7:5: error: questions[0].answers" in line and "[multi-answer]" in line for line in lines), lines
    assert any(
        "b.yaml:3: error: questions[0].id: question id 'dup' is already used at quiz/a.yaml:3" in line for line in lines
    ), lines
    assert any(
        "b.yaml:7: error: questions[1].id: question id 'twice' is already used at quiz/a.yaml:10" in line
        for line in lines
    ), lines


def test_a_rejected_question_is_no_dangling_reference(write_course) -> None:
    """The final quiz names a question that has an error of its own: one error, not two."""
    root = write_course(
        {
            "quiz/a.yaml": """
defaults: {lesson: welcome}
questions:
  - id: broken
    type: truefalse
    text: Broken.
    correct: maybe
""",
        }
    )
    course = (root / "course.yaml").read_text(encoding="utf-8")
    (root / "course.yaml").write_text(course.replace("questions: all", "questions: [broken]"), encoding="utf-8")
    _code, lines = _validate(root)
    assert [line for line in lines if ": error: " in line and "course.yaml" in line] == []
    assert any("a.yaml" in line and "questions[0].correct" in line for line in lines), lines
