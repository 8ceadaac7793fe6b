"""Targets built in two processes after loading write the bytes a serial build writes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from coursebuilder.build import build_course
from coursebuilder.synthetic import write_synthetic_course
from coursebuilder.targets import BuildOptions

ROOT = Path(__file__).resolve().parent.parent


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("course", ["example", "synthetic with SCORM in the backup"])
def test_parallel_and_serial_builds_write_the_same_bytes(course: str, tmp_path: Path, forks: list[int]) -> None:
    root = ROOT / "course_src"
    if course != "example":
        root = tmp_path / "course"
        write_synthetic_course(root, 120, 6, 30)
        text = (root / "course.yaml").read_text()
        assert "settings:" not in text
        (root / "course.yaml").write_text(text + "settings:\n  moodle:\n    include_scorm: true\n")
    serial, _ = build_course(root, tmp_path / "serial", options=BuildOptions(jobs=1))
    parallel, _ = build_course(root, tmp_path / "parallel", options=BuildOptions(jobs=2))
    assert len(forks) == 1, "the backup was built in a process of its own"
    assert [a.path.name for a in parallel] == [a.path.name for a in serial]
    assert files_of(tmp_path / "parallel") == files_of(tmp_path / "serial")
    assert len(files_of(tmp_path / "serial")) == 6


def test_no_fork_while_other_threads_run(tmp_path: Path, forks: list[int]) -> None:
    """The preview builds from a thread of its server: forking a threaded process is unsafe."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        build_course(ROOT / "course_src", tmp_path / "dist", options=BuildOptions(jobs=2))
    finally:
        stop.set()
        other.join()
    assert forks == []
    assert len(files_of(tmp_path / "dist")) == 6
