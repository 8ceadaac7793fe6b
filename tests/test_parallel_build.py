"""Targets built in two processes after loading write the bytes a serial build writes."""

from __future__ import annotations

import errno
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from coursebuilder import build as build_module
from coursebuilder import loader, markdown
from coursebuilder.build import build_course
from coursebuilder.diagnostics import CourseError, error
from coursebuilder.loader import load_course
from coursebuilder.markdown import RenderCache
from coursebuilder.synthetic import write_synthetic_course
from coursebuilder.targets import Artifact, BuildOptions
from coursebuilder.targets import moodle as moodle_target
from coursebuilder.targets.mbz import MbzTarget
from tests.conftest import files_of

ROOT = Path(__file__).resolve().parent.parent


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
    assert len(forks) == 2, "the files hashed beside the imports (no cache yet), the backup in a process of its own"
    assert [a.path.name for a in parallel] == [a.path.name for a in serial]
    assert files_of(tmp_path / "parallel") == files_of(tmp_path / "serial")
    assert len(files_of(tmp_path / "serial")) == 6


def test_the_targets_beside_the_backups_process_do_not_split_further(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backup's child takes the second core: a bank written half in a third process would
    slow the backup, the longer of the two. Built alone, the bank still takes both cores."""
    monkeypatch.setattr(moodle_target, "BANK_WORTH_FORKING", 0)  # any bank would split
    root = ROOT / "course_src"
    build_course(root, tmp_path / "all", options=BuildOptions(jobs=2, cache=False))
    assert len(forks) == 1, "only the backup's process: the bank was written in this one"
    build_course(root, tmp_path / "bank", ["moodle"], BuildOptions(jobs=2, cache=False))
    assert len(forks) == 2, "the bank alone is written half in a child"
    assert files_of(tmp_path / "bank") == {
        name: data for name, data in files_of(tmp_path / "all").items() if "/moodle/" in name and ".mbz" not in name
    }


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


def bodies_of(root: Path) -> set[str]:
    loaded = load_course(root).course
    assert loaded is not None
    return {lesson.body for lesson in loaded.lessons}


@pytest.mark.parametrize("child", ["answers", "fails"])
def test_lessons_rendered_ahead_on_both_cores_give_the_same_bytes(
    child: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    forks: list[int],
    parses: list[str],
) -> None:
    root = tmp_path / "course"
    write_synthetic_course(root, 40, 8, 20)
    build_course(root, tmp_path / "serial", options=BuildOptions(jobs=1, cache=False))
    monkeypatch.setattr(build_module, "PRERENDER_CHARS", 0)  # a small course is rendered ahead too
    here = os.getpid()
    if child == "fails":
        real_prepare = RenderCache.prepare

        def prepare(work: list[tuple[str, markdown.MathStyle]]) -> object:
            if os.getpid() != here:
                os._exit(3)
            return real_prepare(work)

        monkeypatch.setattr(RenderCache, "prepare", staticmethod(prepare))
    bodies = bodies_of(root)
    parses.clear()
    build_course(root, tmp_path / "ahead", options=BuildOptions(jobs=2, cache=False, scorm_structure="single"))
    assert len(forks) == 2, "one child renders half the lessons, another builds the backup"
    assert files_of(tmp_path / "ahead") == files_of(tmp_path / "serial")
    parsed = [text for text in parses if text in bodies]  # the lessons parsed in this process
    if child == "answers":
        assert 0 < len(set(parsed)) < len(bodies), "this process parsed only its half of the lessons"
    else:
        assert set(parsed) == bodies, "the lessons the child did not answer for were parsed here"


def test_no_rendering_ahead_for_targets_that_render_no_lesson(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    monkeypatch.setattr(build_module, "PRERENDER_CHARS", 0)
    build_course(ROOT / "course_src", tmp_path / "dist", ["moodle"], options=BuildOptions(jobs=2, cache=False))
    assert forks == []


def test_even_the_smallest_course_builds_its_backup_in_a_second_process(tmp_path: Path, forks: list[int]) -> None:
    """On two cores the backup has a process of its own whatever the course's size (it
    imports and builds the backup while this process builds the rest: even a course of one
    lesson breaks even); one core builds everything here."""
    root = ROOT / "tests" / "courses" / "formulas"
    assert len(load_course(root).course.lessons) == 1  # type: ignore[union-attr]
    build_course(root, tmp_path / "two", options=BuildOptions(jobs=2, cache=False))
    assert len(forks) == 1
    build_course(root, tmp_path / "one", options=BuildOptions(jobs=1, cache=False))
    assert len(forks) == 1
    assert files_of(tmp_path / "two") == files_of(tmp_path / "one")


@pytest.mark.parametrize("how", ["raises", "raises CourseError", "ends without an answer"])
def test_a_failing_backup_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int], how: str) -> None:
    """The backup's process reports a failure as the build would have here: the traceback of
    an exception, the diagnostics of a CourseError; a process that ends without an answer
    (killed, say) has the backup built here instead, the same bytes."""
    here = os.getpid()
    real_build = MbzTarget.build

    def failing(self: MbzTarget, *args: Any, **kwargs: Any) -> list[Artifact]:
        if os.getpid() != here:
            if how == "raises":
                raise ValueError("the backup broke")
            if how == "raises CourseError":
                raise CourseError([error("quiz/x.yaml", 3, field="text", message="unusable here", code="mbz")])
            os._exit(9)
        return real_build(self, *args, **kwargs)

    monkeypatch.setattr(MbzTarget, "build", failing)
    if how == "raises":
        with pytest.raises(RuntimeError, match=r"(?s)building mbz failed:.*ValueError: the backup broke"):
            build_course(ROOT / "course_src", tmp_path / "parallel", options=BuildOptions(jobs=2, cache=False))
    elif how == "raises CourseError":
        with pytest.raises(CourseError) as raised:
            build_course(ROOT / "course_src", tmp_path / "parallel", options=BuildOptions(jobs=2, cache=False))
        assert [d.message for d in raised.value.diagnostics] == ["unusable here"]
        assert raised.value.diagnostics[0].file.endswith("quiz/x.yaml"), "named as the checks name files"
    else:
        build_course(ROOT / "course_src", tmp_path / "parallel", options=BuildOptions(jobs=2, cache=False))
        build_course(ROOT / "course_src", tmp_path / "serial", options=BuildOptions(jobs=1, cache=False))
        assert files_of(tmp_path / "parallel") == files_of(tmp_path / "serial")
    assert len(forks) == 1


def test_the_backup_begins_before_the_checks_and_writes_nothing_when_they_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """The backup's process is forked as soon as the course's model is made: it is at work
    while the checks run. When they find an error, it is ended and writes nothing, however
    far it got (the checks here take long enough for it to reach its file)."""
    real_checks = loader.check_course
    forked_before: list[int] = []

    def slow_failing_checks(*args: Any, **kwargs: Any) -> list[Any]:
        forked_before.append(len(forks))
        found = real_checks(*args, **kwargs)
        time.sleep(1.0)
        return [*found, error("course.yaml", 1, field="title", message="found by the checks", code="test")]

    monkeypatch.setattr(loader, "check_course", slow_failing_checks)
    out = tmp_path / "dist"
    with pytest.raises(CourseError, match="found by the checks"):
        build_course(ROOT / "course_src", out, options=BuildOptions(jobs=2, cache=False))
    assert forked_before == [1], "the backup's process was at work before the checks began"
    assert not out.exists() or not any(out.rglob("*")), "nothing written"
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # and no process left behind


def test_the_backup_begun_before_the_checks_writes_what_a_serial_build_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    real_checks = loader.check_course
    forked_before: list[int] = []

    def checks(*args: Any, **kwargs: Any) -> list[Any]:
        forked_before.append(len(forks))
        return real_checks(*args, **kwargs)

    monkeypatch.setattr(loader, "check_course", checks)
    build_course(ROOT / "course_src", tmp_path / "parallel", options=BuildOptions(jobs=2, cache=False))
    assert forked_before == [1]
    build_course(ROOT / "course_src", tmp_path / "serial", options=BuildOptions(jobs=1, cache=False))
    assert files_of(tmp_path / "parallel") == files_of(tmp_path / "serial")


@pytest.mark.parametrize("checks_fail", [True, False])
def test_the_bank_helper_begins_before_the_checks(
    checks_fail: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """Built alone, the bank's helper is forked as soon as the model is made and writes while
    the checks run. When they find an error it is ended: nothing written, no process left."""
    monkeypatch.setattr(moodle_target, "BANK_WORTH_FORKING", 0)
    monkeypatch.setattr(moodle_target, "UNIT", 1)
    real_checks = loader.check_course
    forked_before: list[int] = []

    def checks(*args: Any, **kwargs: Any) -> list[Any]:
        forked_before.append(len(forks))
        found = real_checks(*args, **kwargs)
        if not checks_fail:
            return found
        time.sleep(0.5)  # long enough for the helper to write every unit
        return [*found, error("course.yaml", 1, field="title", message="found by the checks", code="test")]

    monkeypatch.setattr(loader, "check_course", checks)
    out = tmp_path / "dist"
    if checks_fail:
        with pytest.raises(CourseError, match="found by the checks"):
            build_course(ROOT / "course_src", out, ["moodle"], BuildOptions(jobs=2, cache=False))
        assert not out.exists() or not any(out.rglob("*")), "nothing written"
    else:
        build_course(ROOT / "course_src", out, ["moodle"], BuildOptions(jobs=2, cache=False))
        monkeypatch.undo()
        build_course(ROOT / "course_src", tmp_path / "serial", ["moodle"], BuildOptions(jobs=1, cache=False))
        assert files_of(out) == files_of(tmp_path / "serial")
    assert forked_before == [1], "the helper was at work before the checks began"
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # and no process left behind


def test_no_backup_begins_for_a_course_the_load_found_in_error(tmp_path: Path, forks: list[int]) -> None:
    course = tmp_path / "course"
    shutil.copytree(ROOT / "course_src", course)
    quiz = course / "quiz" / "01-pengertian.yaml"
    quiz.write_text(quiz.read_text().replace("type: multichoice", "type: nosuchtype", 1))
    with pytest.raises(CourseError, match="nosuchtype"):
        build_course(course, tmp_path / "dist", options=BuildOptions(jobs=2, cache=False))
    assert forks == []


def test_a_build_with_no_pipe_to_be_had_builds_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """No file descriptor left for a pipe: nothing is forked, neither for the load nor for the
    backup begun early (`prescan.Gate`), and the build writes what a serial one writes."""

    def no_pipe() -> tuple[int, int]:
        raise OSError(errno.EMFILE, "Too many open files")

    build_course(ROOT / "course_src", tmp_path / "serial", options=BuildOptions(jobs=1, cache=False))
    monkeypatch.setattr(os, "pipe", no_pipe)
    build_course(ROOT / "course_src", tmp_path / "parallel", options=BuildOptions(jobs=2, cache=False))
    assert forks == []
    assert files_of(tmp_path / "parallel") == files_of(tmp_path / "serial")
