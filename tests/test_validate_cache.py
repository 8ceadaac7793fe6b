"""`validate` answers an unchanged course from the report it kept, checks an edited one again,
and never trusts a kept report it cannot prove (see `coursebuilder.validation`).

The expected reports are not the program's own earlier output: the defect course's is
tests/courses/defects.expected, checked line by line against its files, and the others are
compared with a run that keeps and reads nothing (`--no-cache`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursebuilder import build
from coursebuilder.cli import main
from coursebuilder.renderstore import write_checked
from coursebuilder.validation import report_file
from tests.conftest import ROOT, SKELETON, WriteCourse, command_in_new_process, hashed_in

DEFECTS = ROOT / "tests/courses/defects"
EXPECTED = (ROOT / "tests/courses/defects.expected").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSEBUILDER_CACHE", str(cache))
    monkeypatch.chdir(tmp_path)
    return cache


@pytest.fixture
def defects(tmp_path: Path) -> Path:
    """A copy of the defect course, named as defects.expected names it."""
    target = tmp_path / "tests/courses/defects"
    shutil.copytree(DEFECTS, target)
    return target


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path | str]:
    """The courses `validate` really loaded and checked (not answered from a kept report)."""
    loaded: list[Path | str] = []
    real = build.validate_course

    def counting(root: Path | str, *args: object, **kwargs: object) -> object:
        loaded.append(root)
        return real(root, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "validate_course", counting)
    return loaded


def validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_an_unchanged_course_is_answered_from_the_kept_report(defects: Path, loads: list[Path | str]) -> None:
    for fmt in ("text", "json", "github"):
        fresh = validate("tests/courses/defects", "--format", fmt, "--no-cache")
        assert validate("tests/courses/defects", "--format", fmt) == fresh
        assert validate("tests/courses/defects", "--format", fmt) == fresh
    assert validate("tests/courses/defects") == (1, EXPECTED)
    assert len(loads) == 4  # three `--no-cache` runs, and the first run that kept its report


def test_with_no_report_kept_the_files_are_hashed_in_a_child(
    skeleton_course: Path, loads: list[Path | str], monkeypatch: pytest.MonkeyPatch, forks: list[int], tmp_path: Path
) -> None:
    """The first run has no report to answer from: it hashes the files on the second core
    while it loads the course. The report it keeps answers the next run, which hashes them
    here: the key of the child's hashes is the one made here."""
    processes = hashed_in(monkeypatch, tmp_path / "hashed")
    first = validate(str(skeleton_course))
    assert processes() == [forks[0]] and forks[0] != os.getpid()
    assert validate(str(skeleton_course)) == first
    assert len(loads) == 1
    assert processes() == [forks[0], os.getpid()]


def test_a_valid_course_keeps_its_summary_and_strict_still_applies(
    skeleton_course: Path, loads: list[Path | str]
) -> None:
    fresh_json = validate(str(skeleton_course), "--format", "json", "--no-cache")
    fresh_text = validate(str(skeleton_course), "--no-cache")
    assert fresh_text[0] == 0 and ": valid — " in fresh_text[1]
    validate(str(skeleton_course))
    assert validate(str(skeleton_course), "--format", "json") == fresh_json
    assert validate(str(skeleton_course)) == fresh_text
    strict = validate(str(skeleton_course), "--strict", "--no-cache")
    assert validate(str(skeleton_course), "--strict") == strict
    assert len(loads) == 4
    assert json.loads(fresh_json[1])["summary"]["questions"] > 0


def test_an_edited_course_is_checked_again(defects: Path, loads: list[Path | str]) -> None:
    assert validate("tests/courses/defects") == (1, EXPECTED)
    lesson = next(iter(sorted((defects / "lessons").glob("*.md"))))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n![gone](assets/nowhere.png)\n", encoding="utf-8")
    edited = validate("tests/courses/defects")
    assert edited != (1, EXPECTED)
    assert "assets/nowhere.png" in edited[1]
    assert edited == validate("tests/courses/defects", "--no-cache")
    (defects / "quiz" / "added.yaml").write_text("questions:\n  - id: x\n    type: nonsense\n", encoding="utf-8")
    added = validate("tests/courses/defects")
    assert "quiz/added.yaml" in added[1]
    assert added == validate("tests/courses/defects", "--no-cache")
    assert len(loads) == 5


def test_the_report_names_the_course_as_it_was_given(defects: Path, loads: list[Path | str]) -> None:
    """One record per course folder, but a report kept for one spelling of its path is not
    shown for another: every diagnostic names files under the path as given."""
    assert validate("tests/courses/defects") == (1, EXPECTED)
    _, absolute = validate(str(defects))
    relative = "tests/courses/defects"
    assert absolute.splitlines() == [
        f"{defects}{line.removeprefix(relative)}" if line.startswith(relative) else line
        for line in EXPECTED.splitlines()
    ]
    assert validate("tests/courses/defects") == (1, EXPECTED)
    assert len(loads) == 3


def test_targets_asked_for_are_part_of_the_key(skeleton_course: Path, loads: list[Path | str]) -> None:
    validate(str(skeleton_course))
    unknown = validate(str(skeleton_course), "-t", "nonsense")
    assert unknown[0] == 1 and "unknown target 'nonsense'" in unknown[1]
    assert validate(str(skeleton_course), "-t", "nonsense") == unknown
    assert len(loads) == 2


def _tampered(path: Path, payload: bytes, header_changes: dict[str, object] | None = None) -> None:
    """Rewrite the kept report with `payload` under a valid checksum (and header changes)."""
    header = json.loads(path.read_bytes().partition(b"\n")[0])
    del header["sha256"]
    write_checked(path, {**header, **(header_changes or {})}, payload)


def _record(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(path.read_bytes().partition(b"\n")[2])
    return loaded


def _with_summary(path: Path, change: dict[str, object]) -> bytes:
    record = _record(path)
    summary = record["summary"]
    assert isinstance(summary, dict)
    return json.dumps({**record, "summary": {**summary, **change}}).encode()


def _with_first_diagnostic(path: Path, change: dict[str, object]) -> bytes:
    record = _record(path)
    diagnostics = record["diagnostics"]
    assert isinstance(diagnostics, list) and diagnostics
    return json.dumps({**record, "diagnostics": [{**diagnostics[0], **change}, *diagnostics[1:]]}).encode()


TAMPERINGS = {
    "not a record": lambda path: path.write_bytes(b"\x00garbage"),
    "empty": lambda path: path.write_bytes(b""),
    "a byte changed": lambda path: path.write_bytes(path.read_bytes()[:-3] + b"X" + path.read_bytes()[-2:]),
    "another maker": lambda path: _tampered(path, path.read_bytes().partition(b"\n")[2], {"maker": "x"}),
    "another key": lambda path: _tampered(path, path.read_bytes().partition(b"\n")[2], {"key": "0" * 64}),
    "another format": lambda path: _tampered(path, path.read_bytes().partition(b"\n")[2], {"format": 0}),
    "not json": lambda path: _tampered(path, b"{"),
    "no summary": lambda path: _tampered(path, json.dumps({"diagnostics": []}).encode()),
    "a count as text": lambda path: _tampered(path, _with_summary(path, {"questions": "3"})),
    "a count as a boolean": lambda path: _tampered(path, _with_summary(path, {"lessons": True})),
    "an extra summary field": lambda path: _tampered(path, _with_summary(path, {"more": 1})),
    "a line as text": lambda path: _tampered(path, _with_first_diagnostic(path, {"line": "3"})),
    "an unknown severity": lambda path: _tampered(path, _with_first_diagnostic(path, {"severity": "fatal"})),
    "a field missing": lambda path: _tampered(
        path, json.dumps({**_record(path), "diagnostics": [{"file": "x"}]}).encode()
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_a_kept_report_that_cannot_be_trusted_is_ignored(
    tampering: str, write_course: WriteCourse, loads: list[Path | str]
) -> None:
    glossary = (SKELETON / "glossary.yaml").read_text(encoding="utf-8")
    course = write_course({"glossary.yaml": glossary + "  - term: zebra\n    definition: A striped animal.\n"})
    fresh = validate(str(course), "--no-cache")
    assert "warning" in fresh[1] and fresh[0] == 0  # a summary and at least one diagnostic are kept
    validate(str(course))
    kept = report_file(course)
    TAMPERINGS[tampering](kept)
    assert validate(str(course)) == fresh
    assert len(loads) == 3
    assert validate(str(course)) == fresh  # the report was kept again, and is trusted
    assert len(loads) == 3


def test_a_kept_report_rewritten_as_it_was_is_trusted(skeleton_course: Path, loads: list[Path | str]) -> None:
    """The control for the tamperings: the same payload under a new checksum is used."""
    fresh = validate(str(skeleton_course))
    kept = report_file(skeleton_course)
    _tampered(kept, kept.read_bytes().partition(b"\n")[2])
    assert validate(str(skeleton_course)) == fresh
    assert len(loads) == 1


def test_no_cache_neither_reads_nor_keeps(skeleton_course: Path, _own_cache: Path, loads: list[Path | str]) -> None:
    assert validate(str(skeleton_course), "--no-cache")[0] == 0
    assert not _own_cache.exists()
    validate(str(skeleton_course))
    kept = report_file(skeleton_course)
    _tampered(kept, _with_summary(kept, {"questions": 12345}))
    assert "12345 questions" in validate(str(skeleton_course))[1]  # trusted: shape and checksum hold
    assert "12345 questions" not in validate(str(skeleton_course), "--no-cache")[1]


def test_a_kept_report_is_shown_without_loading_the_libraries(skeleton_course: Path) -> None:
    """Answering from the kept report costs little more than hashing the course's files."""
    validate(str(skeleton_course))
    heavy = ["pydantic", "yaml", "yaml_rs", "lxml", "markdown_it", "coursebuilder.loader", "coursebuilder.model"]
    lines, imported = command_in_new_process(["validate", str(skeleton_course)], heavy)
    assert ": valid — " in lines[0]
    assert imported == [], lines


def test_a_missing_course_folder_and_an_empty_one_are_told_apart(tmp_path: Path, loads: list[Path | str]) -> None:
    """Both hold no file, so the files alone would give the same key."""
    course = tmp_path / "new-course"
    missing = validate(str(course))
    assert missing[0] == 1 and "course directory does not exist" in missing[1]
    course.mkdir()
    empty = validate(str(course))
    assert empty[0] == 1 and "course.yaml is missing" in empty[1]
    assert validate(str(course)) == empty
    course.rmdir()
    assert validate(str(course)) == missing
    assert len(loads) == 3
