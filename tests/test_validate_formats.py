"""`validate --format github` and `--format json`: what CI and other tools read.

The GitHub format is checked against the workflow-command rules of GitHub's Actions toolkit
(@actions/core `command.ts`): `::error file=F,line=L,col=C,title=T::MESSAGE`, where the message
escapes `%`, CR and LF as `%25`, `%0D`, `%0A`, and property values also escape `:` and `,`
as `%3A` and `%2C`. The JSON report's shape is the documented one (docs/validation.md, "Reports for
tools"); these tests pin it so tools can rely on it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursebuilder.cli import main
from coursebuilder.diagnostics import Diagnostic, Severity, error, to_json, warning
from tests.conftest import WriteCourse

_COMMAND = re.compile(r"^::(?P<kind>error|warning|notice) (?P<props>[^:]*)::(?P<data>.*)$")


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_prop(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def parse_annotation(line: str) -> dict[str, str]:
    """Read a workflow command back as the Actions runner does."""
    match = _COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    fields = {"kind": match["kind"], "message": _unescape_data(match["data"])}
    for prop in match["props"].split(","):
        key, _, value = prop.partition("=")
        assert "%" not in key and ":" not in value and "," not in value
        fields[key] = _unescape_prop(value)
    return fields


def test_annotation_escapes_what_the_runner_unescapes() -> None:
    diag = Diagnostic(
        "lessons/a, b:c.md", 7, 3, Severity.ERROR, "body", "100% wrong\nsecond line, with: colon", "a:b,c"
    )
    fields = parse_annotation(diag.github())
    assert fields == {
        "kind": "error",
        "file": "lessons/a, b:c.md",
        "line": "7",
        "col": "3",
        "title": "a:b,c",
        "message": "body: 100% wrong\nsecond line, with: colon",
    }


def test_annotation_without_line_or_field() -> None:
    fields = parse_annotation(warning("course.yaml", 0, field="", message="no lessons", code="empty").github())
    assert fields == {"kind": "warning", "file": "course.yaml", "title": "empty", "message": "no lessons"}


def test_annotation_of_a_problem_of_no_file_names_none() -> None:
    """An unknown target is no file's problem: the annotation has no `file` property (an empty
    one would name no file the runner can find)."""
    line = error("", 0, field="", message="unknown target 'x'", code="target").github()
    assert line == "::error title=target::unknown target 'x'"
    assert parse_annotation(line) == {"kind": "error", "title": "target", "message": "unknown target 'x'"}


BROKEN = {
    "quiz/welcome.yaml": """
        questions:
          - id: bad-grade
            type: multichoice
            lesson: welcome
            text: Pick one.
            answers:
              - {text: a, grade: 100}
              - {text: b, grade: 33.33}
    """
}


def test_github_format_annotates_each_problem_on_stdout(write_course: WriteCourse) -> None:
    course = write_course(BROKEN)
    result = CliRunner().invoke(main, ["validate", "--format", "github", str(course)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines, "no annotations"
    annotations = [parse_annotation(line) for line in lines]
    grade = next(a for a in annotations if a["title"] == "grade")
    assert grade["kind"] == "error"
    assert grade["file"] == f"{course.as_posix()}/quiz/welcome.yaml"
    assert grade["line"] == "8"  # the line of `grade: 33.33`
    assert "33.33333" in grade["message"]


def test_github_format_is_silent_for_a_valid_course(skeleton_course: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--format", "github", str(skeleton_course)])
    assert result.exit_code == 0
    assert result.stdout == ""


DIAGNOSTIC_KEYS = {"file", "line", "column", "severity", "field", "message", "code"}
REPORT_KEYS = {"version", "ok", "errors", "warnings", "diagnostics"}
SUMMARY_KEYS = {"course", "lessons", "glossary_terms", "questions", "questions_by_type"}


def test_json_report_of_a_broken_course(write_course: WriteCourse) -> None:
    course = write_course(BROKEN)
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(course)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == REPORT_KEYS
    assert report["version"] == 1
    assert report["ok"] is False
    assert report["errors"] == sum(1 for d in report["diagnostics"] if d["severity"] == "error") >= 1
    assert report["warnings"] == sum(1 for d in report["diagnostics"] if d["severity"] == "warning")
    for diag in report["diagnostics"]:
        assert set(diag) == DIAGNOSTIC_KEYS
        assert isinstance(diag["line"], int) and isinstance(diag["column"], int)
        assert diag["severity"] in ("error", "warning")
        assert all(isinstance(diag[key], str) for key in ("file", "field", "message", "code"))
    grade = next(d for d in report["diagnostics"] if d["code"] == "grade")
    assert grade == {
        "file": f"{course.as_posix()}/quiz/welcome.yaml",
        "line": 8,
        "column": grade["column"],
        "severity": "error",
        "field": "questions[0].answers[1].grade",
        "message": "33.33 is not a grade Moodle accepts; nearest is 33.33333",
        "code": "grade",
    }


def test_json_report_of_a_valid_course_has_a_summary(skeleton_course: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(skeleton_course)])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert set(report) == REPORT_KEYS | {"summary"}
    assert report["ok"] is True and report["errors"] == 0
    summary = report["summary"]
    assert set(summary) == SUMMARY_KEYS
    assert summary["lessons"] == 2
    assert summary["questions"] == sum(summary["questions_by_type"].values())


def test_json_ok_agrees_with_the_exit_status_under_strict(write_course: WriteCourse) -> None:
    # A lesson without questions is a warning: fine normally, a failure with --strict.
    course = write_course({"quiz/practice.yaml": None})
    runner = CliRunner()
    plain = runner.invoke(main, ["validate", "--format", "json", str(course)])
    strict = runner.invoke(main, ["validate", "--strict", "--format", "json", str(course)])
    assert (plain.exit_code, json.loads(plain.stdout)["ok"]) == (0, True)
    assert (strict.exit_code, json.loads(strict.stdout)["ok"]) == (1, False)
    assert json.loads(strict.stdout)["warnings"] >= 1


@pytest.mark.parametrize("strict", [False, True])
def test_json_is_stable_text(strict: bool) -> None:
    items = [
        error("b.yaml", 2, field="x", message="é", code="c"),
        warning("a.yaml", 1, field="", message="w", code="d"),
    ]
    text = to_json(items, {"course": "c"}, strict)
    assert text == to_json(items, {"course": "c"}, strict)
    assert "é" in text  # UTF-8, not \\u escapes
    assert list(json.loads(text)) == sorted(json.loads(text))  # keys sorted
