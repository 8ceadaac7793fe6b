"""Size limits give a message before anything large is read: a 2 GB file costs a `stat`.

The big files here are sparse (os.truncate): they take no disk space and no time to make.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from coursebuilder import limits
from coursebuilder.diagnostics import Diagnostic, Severity
from coursebuilder.loader import load_course
from tests.conftest import ROOT, WriteCourse

TWO_GB = 2 * 1024**3


def errors(root: Path) -> list[Diagnostic]:
    return [d for d in load_course(root).diagnostics if d.severity is Severity.ERROR]


def sparse(path: Path, size: int = TWO_GB) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.truncate(path, size)
    return path


@pytest.mark.parametrize("name", ["quiz/huge.yaml", "lessons/03-huge.md", "glossary.yaml", "course.yaml"])
def test_a_2gb_source_file_is_refused_unread(write_course: WriteCourse, name: str) -> None:
    root = write_course({})
    sparse(root / name)
    result = load_course(root)
    found = [d for d in result.diagnostics if d.file.endswith(name)]
    assert [(d.code, d.message) for d in found] == [
        ("too-large", f"file is {TWO_GB:,} bytes; the limit is {limits.MAX_SOURCE_FILE_BYTES:,}")
    ]
    if name == "course.yaml":
        assert result.course is None


def test_a_2gb_asset_is_refused_unread(write_course: WriteCourse) -> None:
    root = write_course({"lessons/01-welcome.md": "---\ntitle: Welcome\n---\n\n![video](../assets/huge.mp4)\n"})
    sparse(root / "assets/huge.mp4")
    found = errors(root)
    assert [(d.line, d.code) for d in found] == [(5, "asset")]
    assert found[0].message == (
        f"'../assets/huge.mp4' is {TWO_GB:,} bytes; the limit for one asset is {limits.MAX_ASSET_BYTES:,}"
    )


@pytest.mark.parametrize("command", [["validate"], ["build", "-q", "-t", "moodle", "-o", "dist"]])
def test_the_cli_reports_2gb_files_within_a_1gb_memory_limit(write_course: WriteCourse, command: list[str]) -> None:
    """Were the files read whole (to load them, or to hash them for the cache), the process
    would die of MemoryError (or be killed) instead."""
    root = write_course({"lessons/01-welcome.md": "---\ntitle: Welcome\n---\n\n![video](../assets/huge.mp4)\n"})
    sparse(root / "assets/huge.mp4")
    sparse(root / "quiz/huge.yaml")

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    done = subprocess.run(
        [sys.executable, "-m", "coursebuilder", command[0], str(root), *command[1:]],
        capture_output=True,
        text=True,
        preexec_fn=limit_memory,
        cwd=root.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr, done.stderr
    assert f"quiz/huge.yaml: error: file is {TWO_GB:,} bytes" in done.stderr
    assert "lessons/01-welcome.md:5: error: body: '../assets/huge.mp4' is 2,147,483,648 bytes" in done.stderr


def test_question_text_over_the_limit(write_course: WriteCourse) -> None:
    text = "word " * (limits.MAX_TEXT_CHARS // 5 + 1)
    quiz = f"defaults: {{lesson: welcome}}\nquestions:\n  - id: x\n    type: essay\n    text: {text}\n"
    root = write_course({"quiz/extra.yaml": quiz})
    found = errors(root)
    assert [(d.file.endswith("quiz/extra.yaml"), d.line, d.field, d.code) for d in found] == [
        (True, 5, "questions[0].text", "too-large")
    ]
    assert f"the limit is {limits.MAX_TEXT_CHARS:,}" in found[0].message


def test_lesson_bodies_have_their_own_limit(write_course: WriteCourse) -> None:
    body = "Some words in a long lesson.\n" * (limits.MAX_TEXT_CHARS // 20)
    root = write_course({"lessons/01-welcome.md": f"---\ntitle: Welcome\n---\n{body}"})
    assert errors(root) == []
    crafted = "![" * (limits.MAX_BODY_CHARS // 2 + 1)  # Markdown that would take minutes to parse
    root = write_course({"lessons/01-welcome.md": f"---\ntitle: Welcome\n---\n{crafted}\n"}, name="long")
    assert [(d.line, d.field, d.code) for d in errors(root)] == [(4, "body", "too-large")]


def test_whole_course_limit_counts_sources_and_assets(
    write_course: WriteCourse, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_course({})
    sources = sum(p.stat().st_size for p in root.rglob("*") if p.suffix in (".yaml", ".md"))
    diagram = (root / "assets/diagram.svg").stat().st_size
    monkeypatch.setattr(limits, "MAX_COURSE_BYTES", sources + diagram)
    assert errors(root) == []
    monkeypatch.setattr(limits, "MAX_COURSE_BYTES", sources + diagram - 1)
    found = errors(root)
    assert [(d.file.endswith("course.yaml"), d.code) for d in found] == [(True, "too-large")]
    assert f"add up to {sources + diagram:,} bytes" in found[0].message


def test_asset_limit_boundary(write_course: WriteCourse, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_course({})
    size = (root / "assets/diagram.svg").stat().st_size
    monkeypatch.setattr(limits, "MAX_ASSET_BYTES", size)
    assert errors(root) == []
    monkeypatch.setattr(limits, "MAX_ASSET_BYTES", size - 1)
    assert {d.code for d in errors(root)} == {"asset"}


def test_source_limit_boundary(write_course: WriteCourse, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_course({})
    size = (root / "glossary.yaml").stat().st_size
    largest = max(p.stat().st_size for p in root.rglob("*") if p.suffix in (".yaml", ".md"))
    monkeypatch.setattr(limits, "MAX_SOURCE_FILE_BYTES", largest)
    assert errors(root) == []
    monkeypatch.setattr(limits, "MAX_SOURCE_FILE_BYTES", size - 1)
    assert any(d.file.endswith("glossary.yaml") and d.code == "too-large" for d in errors(root))


def test_a_source_file_is_read_whole_whatever_its_size_at_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader reads a file at the size `stat` gave; one that grew since is read to its end,
    or to one byte past the limit."""
    from coursebuilder.loader import _read_whole

    path = tmp_path / "grown.yaml"
    path.write_bytes(b"x" * 100_000)
    for size in (0, 1, 99_999, 100_000, 200_000):
        assert _read_whole(str(path), size) == b"x" * 100_000
    monkeypatch.setattr(limits, "MAX_SOURCE_FILE_BYTES", 70_000)
    for size in (0, 50_000, 69_999, 70_000):
        assert _read_whole(str(path), size) == b"x" * 70_001


def test_the_docs_list_the_limits_in_force() -> None:
    """The documentation's Safety page states each limit; it must say what limits.py enforces."""
    safety = (ROOT / "docs" / "safety.md").read_text(encoding="utf-8")
    mb = 1024 * 1024
    stated = [
        ("| 20 MB |", limits.MAX_SOURCE_FILE_BYTES, 20 * mb),
        ("| 50 MB |", limits.MAX_ASSET_BYTES, 50 * mb),
        ("| 500 MB |", limits.MAX_COURSE_BYTES, 500 * mb),
        ("| 200,000 characters |", limits.MAX_TEXT_CHARS, 200_000),
        ("| 1,000,000 characters |", limits.MAX_BODY_CHARS, 1_000_000),
        ("| 50 levels |", limits.MAX_YAML_DEPTH, 50),
        ("| 256 MB;", limits.MAX_XML_BYTES, 256 * mb),
        ("20,000 entries", limits.MAX_ZIP_ENTRIES, 20_000),
        ("1 GB uncompressed", limits.MAX_ZIP_BYTES, 1024 * mb),
        ("512 MB per entry", limits.MAX_ZIP_ENTRY_BYTES, 512 * mb),
        ("over 1 MB that expands", limits.ZIP_RATIO_MIN_BYTES, mb),
        ("more than 200 times", limits.MAX_ZIP_RATIO, 200),
    ]
    assert [text for text, value, said in stated if text not in safety or value != said] == []
