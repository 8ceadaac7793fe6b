"""Lesson bodies scanned, and quiz files read, in forked processes give the diagnostics of a
serial load, whatever happens to the processes, and leave no process or file descriptor behind."""

from __future__ import annotations

import contextlib
import errno
import gc
import marshal
import os
import signal
import threading
import time
import types
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from coursebuilder import checks, limits, loader, prescan
from coursebuilder.diagnostics import Diagnostic
from coursebuilder.htmlsafety import UnsafeHtml, scan_markdown
from coursebuilder.loader import load_course
from tests.conftest import EXAMPLE, ROOT, WriteCourse

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not Path("/proc/self/fd").is_dir(), reason="needs fork and /proc"
)

DEFECTS = ROOT / "tests" / "courses" / "defects"

ACTIVE_LESSON = """\
    ---
    title: Welcome
    ---

    # Welcome

    <script>alert(1)</script>

    A [script link](javascript:alert(2)), a picture from the web
    ![map](https://example.com/map.png), a [page](https://example.com/) and a
    [missing handout](handout.pdf); ![diagram](../assets/diagram.svg) is here.

    <p onclick="go()">Click</p>
"""


@pytest.fixture
def active_course(write_course: WriteCourse) -> Path:
    """The scaffold course with a lesson whose body has unsafe HTML and links of every kind."""
    return write_course({"lessons/01-welcome.md": ACTIVE_LESSON})


def course_root(name: str, active_course: Path) -> Path:
    return {"example": EXAMPLE, "defects": DEFECTS, "active": active_course}[name]


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Iterator[None]:
    """Every test ends with the file descriptors it started with and no child process."""
    before = sorted(os.listdir("/proc/self/fd"))
    yield
    gc.collect()
    assert sorted(os.listdir("/proc/self/fd")) == before
    with pytest.raises(ChildProcessError):  # no child, not even a zombie
        os.waitpid(-1, os.WNOHANG)


def diagnostics(root: Path, prescan_min_chars: int | None) -> list[str]:
    return [d.format() for d in load_course(root, prescan_min_chars=prescan_min_chars).diagnostics]


@pytest.mark.parametrize("name", ["example", "defects", "active"])
def test_forked_scans_give_the_serial_diagnostics(name: str, active_course: Path, forks: list[int]) -> None:
    root = course_root(name, active_course)
    serial = diagnostics(root, None)
    assert forks == []
    assert diagnostics(root, 0) == serial
    assert len(forks) == 1


def test_the_checks_take_the_bodies_scans_from_the_child(active_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lesson bodies are not scanned again in the parent (the saving); other texts are."""
    scanned_here: list[str] = []
    real_fork = os.fork

    def counting_scan(text: str) -> prescan.Scan:
        scanned_here.append(text)
        return scan_markdown(text)

    def fork() -> int:
        pid = real_fork()
        if pid:  # the parent only
            monkeypatch.setattr(prescan, "scan_markdown", counting_scan)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    course = load_course(active_course, prescan_min_chars=0).course
    assert course is not None
    assert scanned_here, "the questions' texts are scanned here"
    assert not {lesson.body for lesson in course.lessons} & set(scanned_here)


def test_the_active_lesson_is_reported_in_full(active_course: Path) -> None:
    """What the forked scans are compared with: every body rule fires in the active lesson."""
    found = "\n".join(diagnostics(active_course, 0))
    for code in ("[unsafe-html]", "[external-image]", "[external-link]", "[asset]"):
        assert code in found
    assert "<script> tag" in found and "javascript: URL" in found and "onclick" in found
    assert "handout.pdf" in found and "diagram.svg" not in found


def test_small_courses_are_scanned_here(forks: list[int]) -> None:
    """A fork costs more than scanning a few lessons: the default threshold keeps them serial."""
    load_course(EXAMPLE)
    assert forks == []


def _replace(name: str, value: object) -> None:
    """Replace a global of the prescan module (called in the child, so the parent keeps its own)."""
    setattr(prescan, name, value)


def _exit_at_once() -> None:
    os._exit(3)


def _scan_fails() -> None:
    def boom(text: str) -> tuple[list[UnsafeHtml], list[object]]:
        raise RuntimeError("scan failed")

    _replace("scan_markdown", boom)


_ENCODED = prescan._encoded


def _answer_short() -> None:
    _replace("_encoded", lambda results: _ENCODED(results)[:-20])


def _answer_too_few() -> None:
    _replace("_encoded", lambda results: _ENCODED(results[:-1]))


def _answer_nothing() -> None:
    _replace("_encoded", lambda results: b"")


def _answer_wrongly_then_exit_with_an_error() -> None:
    """An answer that would hide every finding, from a child that then fails: not believed."""
    real_exit = os._exit
    _replace("_encoded", lambda results: _ENCODED([([], []) for _ in results]))
    _replace("os", types.SimpleNamespace(close=os.close, fdopen=os.fdopen, _exit=lambda code: real_exit(5)))


IN_THE_CHILD: dict[str, Callable[[], None]] = {
    "exits with an error": _exit_at_once,
    "scan raises": _scan_fails,
    "short answer": _answer_short,
    "answer for fewer texts": _answer_too_few,
    "empty answer": _answer_nothing,
    "wrong answer, then an error": _answer_wrongly_then_exit_with_an_error,
}
"""Failures made in the forked child only (the parent's modules stay as they are)."""


def failing_forks(monkeypatch: pytest.MonkeyPatch, failure: str) -> list[int]:
    """From now on every forked child fails as `failure` says (one of `IN_THE_CHILD`, or
    "killed" by the parent at once); returns the ids of the children started."""
    started: list[int] = []
    real = os.fork

    def failing_fork() -> int:
        pid = real()
        if pid == 0:  # pragma: no cover - runs in the child
            if failure in IN_THE_CHILD:
                IN_THE_CHILD[failure]()
        else:
            started.append(pid)
            if failure == "killed":
                os.kill(pid, signal.SIGKILL)
        return pid

    monkeypatch.setattr(os, "fork", failing_fork)
    return started


@pytest.mark.parametrize("failure", [*IN_THE_CHILD, "killed"])
@pytest.mark.parametrize("name", ["defects", "active"])
def test_a_failing_child_gives_the_serial_diagnostics(
    name: str, failure: str, active_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = course_root(name, active_course)
    serial = diagnostics(root, None)
    started = failing_forks(monkeypatch, failure)
    assert diagnostics(root, 0) == serial
    assert len(started) == 1


@pytest.mark.parametrize("call", ["pipe", "fork"])
def test_no_pipe_or_no_process_gives_the_serial_diagnostics(
    call: str, active_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = diagnostics(active_course, None)

    def refuse() -> None:
        raise OSError(errno.EMFILE if call == "pipe" else errno.EAGAIN, "refused")

    monkeypatch.setattr(os, call, refuse)
    assert diagnostics(active_course, 0) == serial


def test_no_fork_while_another_thread_runs(active_course: Path, forks: list[int]) -> None:
    """The preview server loads from its threads: forking a threaded process is unsafe."""
    serial = diagnostics(active_course, None)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        threaded = diagnostics(active_course, 0)
    finally:
        stop.set()
        other.join()
    assert forks == []
    assert threaded == serial


def test_a_load_that_stops_early_ends_the_child(active_course: Path, forks: list[int]) -> None:
    (active_course / "course.yaml").write_text("id: [\n")
    result = load_course(active_course, prescan_min_chars=0)
    assert result.course is None
    assert len(forks) == 1  # ended and reaped: see `nothing_left_behind`


def test_a_load_that_raises_ends_the_child(
    active_course: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(info: object, lessons: object) -> list[object]:
        raise RuntimeError("cannot order the lessons")

    monkeypatch.setattr(loader, "_in_course_order", broken)  # after the scans' child is forked
    with pytest.raises(RuntimeError, match="cannot order"):
        load_course(active_course, prescan_min_chars=0)
    assert len(forks) == 1  # ended and reaped: see `nothing_left_behind`


@pytest.fixture
def large_course(skeleton_course: Path) -> Path:
    """The scaffold course with lessons long enough to be scanned in a second process."""
    for lesson in sorted((skeleton_course / "lessons").glob("*.md")):
        padding = "\n\nA paragraph of plain words, as a long lesson has many. " * 10_000
        lesson.write_text(lesson.read_text(encoding="utf-8") + padding, encoding="utf-8")
    return skeleton_course


@pytest.mark.parametrize(("jobs", "cores", "expected"), [(None, 2, 1), (2, 1, 1), (1, 2, 0), (None, 1, 0)])
def test_one_process_is_one_process(
    large_course: Path,
    tmp_path: Path,
    forks: list[int],
    monkeypatch: pytest.MonkeyPatch,
    jobs: int | None,
    cores: int,
    expected: int,
) -> None:
    """`--jobs 1`, or one core, loads in this process too; two cores or `-j 2` scan beside it."""
    from coursebuilder.build import build_course, validate_course
    from coursebuilder.targets import BuildOptions

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    build_course(large_course, tmp_path / "dist", ["moodle"], BuildOptions(jobs=jobs, cache=False))
    assert len(forks) == expected
    if jobs is None:
        validate_course(large_course)
        assert len(forks) == 2 * expected


# --------------------------------------------------------------------------- quiz files


@pytest.fixture
def quiz_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quiz files read, and the checks that need no scans run, in children however small the course."""
    monkeypatch.setattr(loader, "QUIZ_WORTH_FORKING", 0)


@pytest.mark.usefixtures("quiz_child")
@pytest.mark.parametrize("name", ["example", "defects", "active"])
def test_quiz_files_read_in_a_child_give_the_serial_diagnostics(
    name: str, active_course: Path, forks: list[int]
) -> None:
    root = course_root(name, active_course)
    serial = diagnostics(root, None)
    assert forks == []
    assert diagnostics(root, 0) == serial
    assert len(forks) == 3  # the bodies' scans, the quiz files, the checks


@pytest.mark.usefixtures("quiz_child")
def test_checks_that_take_lines_learned_earlier_see_them_as_in_a_serial_load(
    write_course: WriteCourse, forks: list[int]
) -> None:
    """A question read on the fast path learns its lines when a message first asks: the
    trimmed-answer check names the answer's line only once the answer-key check has asked, in
    the child as in one process."""
    root = write_course(
        {
            "quiz/z.yaml": """
                defaults: {lesson: welcome}
                questions:
                  - id: padded-short
                    type: shortanswer
                    text: Say it.
                    answers:
                      - {text: " padded ", grade: 100}
                """
        }
    )
    for min_chars in (None, 0):
        found = load_course(root, prescan_min_chars=min_chars).diagnostics
        assert [(d.line, d.code) for d in found if d.file.endswith("z.yaml")] == [
            (7, "moodle-trim"),
            (7, "answer-variant"),
            (7, "answer-variant"),
        ]
    assert len(forks) == 3


@pytest.mark.usefixtures("quiz_child")
def test_a_plain_formula_is_named_at_its_own_line_when_nothing_asked_before(
    write_course: WriteCourse, forks: list[int]
) -> None:
    """The plain-formula check asks a part of a question (a pair) for its line: a question read
    on the fast path must learn its lines first, else the error names no line at all."""
    root = write_course(
        {
            "quiz/z.yaml": """
                defaults: {lesson: welcome}
                questions:
                  - id: squares
                    type: matching
                    text: Match each expression with its value.
                    pairs:
                      - {question: two squared, answer: four}
                      - {question: three squared, answer: "$3^2$"}
                    distractors: [five]
                """
        }
    )
    for min_chars in (None, 0):
        found = load_course(root, prescan_min_chars=min_chars).diagnostics
        assert [(d.line, d.code, d.field) for d in found if d.file.endswith("z.yaml")] == [
            (8, "formula", "questions[0].pairs[1].answer"),
        ]
    assert len(forks) == 3


@pytest.mark.usefixtures("quiz_child")
def test_the_quiz_files_child_starts_before_the_lessons_load(
    active_course: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second core reads quiz files while this process loads the lessons, instead of
    waiting for them and then sharing that core with the lessons' scans."""
    real = loader._load_lessons
    forked_before: list[int] = []

    def loading(reader: Any, unreadable: set[str], unloaded: list[Any]) -> Iterator[Any]:
        forked_before.append(len(forks))
        yield from real(reader, unreadable, unloaded)

    monkeypatch.setattr(loader, "_load_lessons", loading)
    assert load_course(active_course, prescan_min_chars=0).course is not None
    assert forked_before == [1]
    assert len(forks) == 3


@pytest.fixture
def reader_takes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], list[int]]]:
    """`reader_takes(count)`: from then on the quiz files' child reads `count` units from the
    front (or all there are), then waits until this process has claimed the rest from the
    back, which it begins once the child has stopped. Returns the units this process claimed."""
    left_open: set[int] = set()

    def close(fd: int) -> None:
        if fd in left_open:
            left_open.discard(fd)
            os.close(fd)

    def take(count: int) -> list[int]:
        stopped_read, stopped_write = os.pipe()
        release_read, release_write = os.pipe()
        left_open.update((stopped_read, stopped_write, release_read, release_write))
        parent = os.getpid()
        real_front, real_back = prescan.Claims.front, prescan.Claims.back
        ours: list[int] = []
        told = False

        def front(claims: prescan.Claims) -> int | None:  # pragma: no cover - runs in the child
            nonlocal told
            if claims.taken >= count and not told:
                told = True
                os.write(stopped_write, b"1")
                os.read(release_read, 1)  # until this process has claimed every unit left
            unit = real_front(claims)
            if unit is None and not told:
                told = True
                os.write(stopped_write, b"1")
            return unit

        def back(claims: prescan.Claims) -> int | None:
            if os.getpid() != parent:  # pragma: no cover - no child claims from the back
                return real_back(claims)
            if stopped_read in left_open:
                close(stopped_write)  # the child's copy alone is left: its signal, or its end, wakes us
                os.read(stopped_read, 1)
                close(stopped_read)
            unit = real_back(claims)
            if unit is None:
                close(release_write)  # the child goes on, to find nothing left
            else:
                ours.append(unit)
            return unit

        monkeypatch.setattr(prescan.Claims, "front", front)
        monkeypatch.setattr(prescan.Claims, "back", back)
        return ours

    yield take
    for fd in list(left_open):
        close(fd)


@pytest.mark.usefixtures("quiz_child")
@pytest.mark.parametrize(
    ("child_units", "limit", "child_files", "units_here"),
    [(0, 4096, 0, [4, 3, 2, 1, 0]), (1, 4096, 1, [4, 3, 2, 1]), (3, 4096, 3, [4, 3]), (5, 4096, 5, []), (1, 2, 3, [1])],
)
def test_the_quiz_files_the_child_reads_are_not_read_here(
    child_units: int,
    limit: int,
    child_files: int,
    units_here: list[int],
    monkeypatch: pytest.MonkeyPatch,
    reader_takes: Callable[[int], list[int]],
) -> None:
    """The child reads the first files, handing each unit over as it is done; this process,
    when it would wait for one, reads from the last back (the saving), wherever they meet;
    the course is the one a serial load makes. More files than units can be claimed
    (`Claims.LIMIT`) are claimed a run at a time: five files in two units of three and two."""
    monkeypatch.setattr(prescan.Claims, "LIMIT", limit)
    serial = load_course(EXAMPLE, prescan_min_chars=None)
    read_here: list[str] = []
    read_slowly: list[str] = []
    real_fork, real_load_fast, real_parse = os.fork, loader.load_fast, loader._parse

    def counting_load_fast(text: str) -> object:
        read_here.append(text)
        return real_load_fast(text)

    def counting_parse(reader: Any, name: str, text: str) -> object:
        read_slowly.append(name)
        return real_parse(reader, name, text)

    def fork() -> int:
        pid = real_fork()
        if pid:  # the parent only
            monkeypatch.setattr(loader, "load_fast", counting_load_fast)
            monkeypatch.setattr(loader, "_parse", counting_parse)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    ours = reader_takes(child_units)
    texts = [path.read_text(encoding="utf-8") for path in sorted((EXAMPLE / "quiz").glob("*.yaml"))]
    assert len(texts) == 5
    loaded = load_course(EXAMPLE, prescan_min_chars=0)
    assert loaded.course is not None and serial.course is not None
    assert loaded.course.model_dump() == serial.course.model_dump()
    assert loaded.diagnostics == serial.diagnostics
    assert ours == units_here
    assert [text for text in texts if text in read_here] == texts[child_files:]
    assert read_slowly == [], "what the child read was taken as it read it: no file read again with lines"


@pytest.mark.usefixtures("quiz_child")
@pytest.mark.parametrize("failure", [*IN_THE_CHILD, "killed"])
def test_a_failing_quiz_child_gives_the_serial_diagnostics(
    failure: str, active_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = diagnostics(DEFECTS, None)
    started = failing_forks(monkeypatch, failure)
    assert diagnostics(DEFECTS, 0) == serial
    assert len(started) == 3


def _garbled(stream: prescan.UnitStream, data: bytes) -> None:  # pragma: no cover - runs in the child
    _REAL_SEND(stream, b"\xff not marshal's")


def _misshapen(stream: prescan.UnitStream, data: bytes) -> None:  # pragma: no cover - runs in the child
    _REAL_SEND(stream, marshal.dumps([(True, {"questions": []}), "two", 3]))


def _cut_short(stream: prescan.UnitStream, data: bytes) -> None:  # pragma: no cover - runs in the child
    _REAL_SEND(stream, data)
    os.write(stream._ends[1], prescan.UnitStream._SIZE.pack(10**6))  # a unit the file does not hold


def _one_unit_then_dead(stream: prescan.UnitStream, data: bytes) -> None:  # pragma: no cover - runs in the child
    _REAL_SEND(stream, data)
    os._exit(1)


_REAL_SEND = prescan.UnitStream.send
STREAM_FAILURES: dict[str, Callable[[prescan.UnitStream, bytes], None]] = {
    "a garbled unit": _garbled,
    "a unit of another shape": _misshapen,
    "a unit the file does not hold": _cut_short,
    "one unit, then dead": _one_unit_then_dead,
}


@pytest.mark.usefixtures("quiz_child")
@pytest.mark.parametrize("failure", STREAM_FAILURES)
@pytest.mark.parametrize("root", [EXAMPLE, DEFECTS], ids=["example", "defects"])
def test_quiz_reads_that_come_wrong_are_read_here(failure: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each unit the quiz files' child sends that cannot be taken as sent is read here instead."""
    serial = load_course(root, prescan_min_chars=None)
    monkeypatch.setattr(prescan.UnitStream, "send", STREAM_FAILURES[failure])
    loaded = load_course(root, prescan_min_chars=0)
    assert [d.format() for d in loaded.diagnostics] == [d.format() for d in serial.diagnostics]
    assert loaded.course is not None and serial.course is not None
    assert loaded.course.model_dump() == serial.course.model_dump()


@pytest.mark.usefixtures("quiz_child")
def test_a_load_that_stops_early_ends_the_quiz_child(active_course: Path, forks: list[int]) -> None:
    (active_course / "course.yaml").write_text("id: [\n")
    result = load_course(active_course, prescan_min_chars=0)
    assert result.course is None
    assert len(forks) == 2  # ended and reaped: see `nothing_left_behind`


@pytest.mark.usefixtures("quiz_child")
@pytest.mark.parametrize("name", ["defects", "answer-keys"])
def test_the_checks_without_scans_run_in_a_child(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answer keys (and the glossary, plain-text formulas and warnings) are checked beside the
    texts, by a child: not here, and with the serial diagnostics."""
    root = ROOT / "tests" / "courses" / name
    serial = diagnostics(root, None)
    checked_here: list[object] = []
    real = checks.check_answer_keys

    def counting(course: object) -> object:
        checked_here.append(course)
        return real(course)  # type: ignore[arg-type]

    monkeypatch.setattr(checks, "check_answer_keys", counting)
    assert diagnostics(root, 0) == serial
    assert checked_here == []
    assert any(line.endswith(("[answer-variant]", "[glossary-collision]")) for line in serial)


@pytest.mark.usefixtures("quiz_child")
@pytest.mark.parametrize(("min_chars", "order"), [(0, ["targets", "child"]), (None, ["child", "targets"])])
def test_the_targets_check_while_the_checks_child_works(
    min_chars: int | None, order: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller's checks (the targets') fill the time this process would wait for the child
    that checks the answer keys; with no child they come after every check of the load. Either
    way the same lines are reported (see below)."""
    happened: list[str] = []
    real_result = prescan.ForkedCall.result

    def result(call: prescan.ForkedCall) -> Any:
        found = real_result(call)
        if isinstance(found, tuple) and len(found) == 6:  # the checks' child (`elsewhere`)
            happened.append("child")
        return found

    def target_checks(course: object) -> list[Diagnostic]:
        happened.append("targets")
        return []

    monkeypatch.setattr(prescan.ForkedCall, "result", result)
    assert load_course(DEFECTS, prescan_min_chars=min_chars, more_checks=target_checks).course is not None
    assert happened == order


@pytest.mark.usefixtures("quiz_child")
def test_targets_checked_beside_the_child_report_as_in_one_process(
    write_course: WriteCourse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate` and `build` give the targets' messages with the load's, forked or not; a
    build with errors reports the load's alone."""
    from coursebuilder import build
    from coursebuilder.diagnostics import CourseError
    from coursebuilder.targets import BuildOptions

    tagged = write_course(
        {
            "quiz/tags.yaml": "defaults: {lesson: practice}\nquestions:\n  - {id: t1, type: truefalse, text: T, correct: true, tags: ['a<b']}\n"
        }
    )

    def reports(min_chars: int | None) -> tuple[list[str], list[str], list[str]]:
        monkeypatch.setattr(build, "_prescan_from", lambda jobs: min_chars)
        validated = [d.format() for d in build.validate_course(DEFECTS)[1]]
        with pytest.raises(CourseError) as refused:
            build.build_course(DEFECTS, tmp_path / "dist", ["moodle"], BuildOptions(cache=False))
        _, warned = build.build_course(tagged, tmp_path / "dist", ["moodle"], BuildOptions(cache=False))
        return validated, [d.format() for d in refused.value.diagnostics], [d.format() for d in warned]

    serial = reports(None)
    assert reports(0) == serial
    validated, refused, warned = serial
    assert any(line.endswith("[moodle-cloze]") for line in validated)
    assert not any(line.endswith("[moodle-cloze]") for line in refused)
    assert any(line.endswith("[moodle-tag]") for line in warned)


@pytest.mark.usefixtures("quiz_child")
def test_assets_of_texts_checked_in_the_child_count_against_the_course_limit(
    write_course: WriteCourse, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """The child checks the later questions' texts; their assets still count, once each."""
    later = """\
        defaults: {lesson: practice}
        questions:
          - {id: zz-1, type: truefalse, correct: true, text: "![a picture](../assets/big.png)"}
          - {id: zz-2, type: truefalse, correct: true, text: "![the same](../assets/big.png)"}
    """
    root = write_course({"quiz/zz.yaml": later, "assets/big.png": b"\x89PNG" + bytes(100_000)})
    monkeypatch.setattr(limits, "MAX_COURSE_BYTES", 100_000)
    serial = diagnostics(root, None)
    assert forks == []
    assert diagnostics(root, 0) == serial
    assert len(forks) == 3
    assert any("[too-large]" in line for line in serial), serial
    monkeypatch.setattr(limits, "MAX_COURSE_BYTES", 10**9)
    assert not any("[too-large]" in line for line in diagnostics(root, 0))


@pytest.fixture
def glossary_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The glossary parsed in a child however small it is."""
    monkeypatch.setattr(loader, "GLOSSARY_WORTH_FORKING", 0)


BROKEN_GLOSSARY = """\
    entries:
      - term: one
        definition: [the first
      - term: two
"""


@pytest.mark.usefixtures("glossary_child")
@pytest.mark.parametrize("name", ["example", "defects", "active", "broken"])
def test_a_glossary_parsed_in_a_child_gives_the_serial_diagnostics(
    name: str, active_course: Path, write_course: WriteCourse, forks: list[int]
) -> None:
    if name == "broken":
        root = write_course({"glossary.yaml": BROKEN_GLOSSARY}, name="broken")
    else:
        root = course_root(name, active_course)
    serial = diagnostics(root, None)
    assert forks == []
    assert diagnostics(root, 0) == serial
    assert len(forks) == 2  # the glossary, the bodies' scans
    if name == "broken":
        assert any("glossary.yaml:" in line and "[yaml]" in line for line in serial), serial


def glossary_read_here(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[Diagnostic]]:
    """Which of the glossary's readers (`load_fast`, `parse_yaml`) this process ran on its
    text as it loaded the course in `root` with forks, and the diagnostics."""
    text = (root / "glossary.yaml").read_text(encoding="utf-8")
    read_here: list[str] = []
    real_fork = os.fork

    def counting(reader: Callable[..., Any]) -> Callable[..., Any]:
        def read(source: str, *args: Any, **kwargs: Any) -> Any:
            if source == text:
                read_here.append(reader.__name__)
            return reader(source, *args, **kwargs)

        return read

    def fork() -> int:
        pid = real_fork()
        if pid and os.fork is fork:  # the parent, at its first fork
            monkeypatch.setattr(os, "fork", real_fork)
            monkeypatch.setattr(loader, "parse_yaml", counting(loader.parse_yaml))
            monkeypatch.setattr(loader, "load_fast", counting(loader.load_fast))
        return pid

    monkeypatch.setattr(os, "fork", fork)
    result = load_course(root, prescan_min_chars=0)
    assert result.course is not None and result.course.glossary.entries
    return read_here, result.diagnostics


@pytest.mark.usefixtures("glossary_child")
def test_the_glossary_is_not_read_here(monkeypatch: pytest.MonkeyPatch) -> None:
    read_here, diagnostics = glossary_read_here(EXAMPLE, monkeypatch)
    assert not any("glossary.yaml" in d.file for d in diagnostics)
    assert read_here == []


@pytest.mark.usefixtures("glossary_child")
def test_a_glossary_message_reads_the_lines_here(active_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child read the glossary on the fast path, without lines: a message about an entry
    has this process read the file again with them, once."""
    read_here, diagnostics = glossary_read_here(active_course, monkeypatch)
    located = [d for d in diagnostics if "glossary.yaml" in d.file]
    assert located and all(d.line > 1 for d in located), located
    assert read_here == ["parse_yaml"]


@pytest.mark.usefixtures("glossary_child")
@pytest.mark.parametrize("failure", [*IN_THE_CHILD, "killed"])
def test_a_failing_glossary_child_gives_the_serial_diagnostics(
    failure: str, active_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = diagnostics(DEFECTS, None)
    started = failing_forks(monkeypatch, failure)
    assert diagnostics(DEFECTS, 0) == serial
    assert len(started) == 2


def test_no_quiz_child_when_the_load_may_not_fork(active_course: Path, forks: list[int]) -> None:
    """`prescan_min_chars=None` (one core, `--jobs 1`) keeps the whole load in this process."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "QUIZ_WORTH_FORKING", 0)
        patch.setattr(loader, "GLOSSARY_WORTH_FORKING", 0)
        load_course(active_course, prescan_min_chars=None)
    assert forks == []


def _unused_term_course(tmp_path: Path) -> Path:
    """The defects course, its glossary with a term no lesson uses, each lesson long enough
    for its scan to be kept (`loadcache.SCAN_WORTH_KEEPING`), with a link for the checks to scan."""
    import shutil

    root = tmp_path / "course"
    shutil.copytree(DEFECTS, root)
    for lesson in (root / "lessons").glob("*.md"):
        lesson.write_text(
            lesson.read_text(encoding="utf-8") + "\nLihat [bagian awal](#awal) sekali lagi.\n", encoding="utf-8"
        )
    glossary = root / "glossary.yaml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8") + "  - term: zyzzyva\n    definition: Tidak dipakai.\n", encoding="utf-8"
    )
    return root


@pytest.mark.parametrize("failure", ["none", *(name for name in IN_THE_CHILD if name != "scan raises"), "killed"])
def test_unused_terms_looked_for_beside_a_load_after_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """A load that takes every scan and quiz file from the last one leaves the second core idle:
    it looks for unused terms there, and the diagnostics are those of a serial load."""
    root = _unused_term_course(tmp_path)
    keep = tmp_path / "cache" / "build.json"
    serial = diagnostics(root, None)
    assert "zyzzyva" in "\n".join(serial) and any("[unused-term]" in line for line in serial)
    load_course(root, prescan_min_chars=0, keep_beside=keep)  # keeps the scans and the quiz files read
    looked_here: list[int] = []
    real = checks.find_unused_terms

    def counting(*args: Any) -> list[Any]:
        looked_here.append(os.getpid())
        return real(*args)

    monkeypatch.setattr(loader, "find_unused_terms", counting)
    started = failing_forks(monkeypatch, failure) if failure != "none" else None
    forked: list[int] = []
    if started is None:
        real_fork = os.fork

        def fork() -> int:
            pid = real_fork()
            if pid:
                forked.append(pid)
            return pid

        monkeypatch.setattr(os, "fork", fork)
    again = [d.format() for d in load_course(root, prescan_min_chars=0, keep_beside=keep).diagnostics]
    assert again == serial
    if started is None:
        assert len(forked) == 1 and looked_here == [], "looked for in the one child, not here"
    else:
        assert len(started) == 1 and looked_here == [os.getpid()], "the child failed: looked for here"


def _passed_gate(gate: prescan.Gate, folder: Path) -> int:
    """Wait at `gate`, then leave a file named by this process's id; return that id."""
    gate.wait()
    (folder / str(os.getpid())).touch()
    return os.getpid()


def test_a_gate_lets_the_child_through_once_opened(tmp_path: Path) -> None:
    gate = prescan.Gate()
    child = prescan.ForkedCall(lambda: _passed_gate(gate, tmp_path), fork=True)
    assert child.forked
    gate.open()
    pid = child.result()
    assert pid != os.getpid()
    assert [path.name for path in tmp_path.iterdir()] == [str(pid)]


@pytest.mark.parametrize("how", ["closed", "closed after a while"])
def test_a_closed_gate_ends_the_child_there(tmp_path: Path, how: str) -> None:
    """The child does nothing past the gate; its work is then done here (`ForkedCall`), where
    the gate lets through at once."""
    gate = prescan.Gate()
    child = prescan.ForkedCall(lambda: _passed_gate(gate, tmp_path), fork=True)
    if how == "closed after a while":  # the child waits at the gate by then
        time.sleep(0.2)
    gate.close()
    assert child.result() == os.getpid()
    assert [path.name for path in tmp_path.iterdir()] == [str(os.getpid())]
    gate.open()  # too late: nothing happens


def test_claims_from_both_ends_meet_once() -> None:
    claims = prescan.Claims(5)
    taken = [claims.front(), claims.back(), claims.front(), claims.back(), claims.front()]
    assert taken == [0, 4, 1, 3, 2]
    assert claims.front() is None and claims.back() is None
    assert claims.taken == 5
    claims.close()
    assert claims.front() is None


def _claim_from_the_back(claims: prescan.Claims, delay: float) -> list[int]:
    taken = []
    while (unit := claims.back()) is not None:
        taken.append(unit)
        time.sleep(delay)
    return taken


@pytest.mark.parametrize(("ours", "theirs"), [(0.0, 0.001), (0.001, 0.0), (0.0005, 0.0005)])
def test_claims_shared_with_a_child_cover_every_unit_once(ours: float, theirs: float) -> None:
    """However the two sides are held up, this process takes a first run of the units and
    the child the rest, last first: none twice, none left out."""
    claims = prescan.Claims(300)
    child = prescan.ForkedCall(lambda: _claim_from_the_back(claims, theirs), fork=True)
    assert child.forked
    here = []
    while (unit := claims.front()) is not None:
        here.append(unit)
        time.sleep(ours)
    there = child.result()
    claims.close()
    assert here == list(range(len(here)))
    assert there == list(range(299, len(here) - 1, -1))
    assert claims.taken == len(here)


def test_claims_are_bounded_by_what_a_pipe_holds() -> None:
    """The units are written into the pipe before anyone reads: more than it holds would block."""
    claims = prescan.Claims(prescan.Claims.LIMIT)
    assert claims.back() == prescan.Claims.LIMIT - 1
    claims.close()
    with pytest.raises(ValueError, match="units"):
        prescan.Claims(prescan.Claims.LIMIT + 1)


def _send_units(stream: prescan.UnitStream, units: list[bytes], release: list[int]) -> None:  # pragma: no cover
    os.close(release[1])  # this process's copy alone is left: closing it lets the child on
    stream.send(units[0])
    os.read(release[0], 1)  # until this process has seen the first unit alone
    for data in units[1:]:
        stream.send(data)


def test_a_unit_stream_hands_over_each_unit_in_order_as_it_is_sent() -> None:
    """Each unit is there as soon as it is sent, however large (more than a pipe holds), and
    the stream ends with the child."""
    units = [b"first", b"", b"x" * 200_000, b"last"]
    release_read, release_write = os.pipe()
    stream = prescan.UnitStream()
    child = prescan.ForkedCall(partial(_send_units, stream, units, [release_read, release_write]), fork=True)
    stream.started()
    os.close(release_read)
    try:
        assert child.forked
        while not stream.has(0):
            stream.receive(wait=True)
        assert not stream.has(1) and stream.open
        assert stream.unit(0) == b"first"
        os.close(release_write)
        while stream.open:
            stream.receive(wait=True)
        assert [stream.unit(number) for number in range(len(units))] == units
        assert not stream.has(len(units))
    finally:
        child.result()
        stream.close()


def test_a_unit_stream_whose_child_ends_at_once_is_closed() -> None:
    stream = prescan.UnitStream()
    child = prescan.ForkedCall(lambda: None, fork=True)
    stream.started()
    child.result()
    stream.receive(wait=True)
    assert not stream.open and not stream.has(0)
    stream.close()


def test_plain_answers_travel_in_marshals_form_and_others_pickled() -> None:
    plain = [{"questions": [{"id": "q1", "points": 2.5, "tags": ["a"], "hint": None, "shuffle": True}]}, "text", 3]
    answer = prescan._encoded(plain)
    assert answer[:1] == b"m"
    assert prescan._decoded(answer) == plain
    found = [([UnsafeHtml(1, "<script>")], []), ([], [])]
    answer = prescan._encoded(found)
    assert answer[:1] == b"p", "marshal would not give the named tuples back as they were"
    back = prescan._decoded(answer)
    assert back == found
    assert type(back[0][0][0]) is UnsafeHtml
    with pytest.raises(ValueError):
        prescan._decoded(b"x" + answer[1:])


# --------------------------------------------------------------------------- turns


@contextlib.contextmanager
def failing_after(seconds: int) -> Iterator[None]:
    """A wait that would last for good fails the test instead (SIGALRM)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _held_for(seconds: float, folder: Path) -> Callable[[], int]:
    """Work that takes `seconds`, then leaves a file named `held` in `folder`."""

    def work() -> int:
        time.sleep(seconds)
        (folder / "held").touch()
        return os.getpid()

    return work


def _what_is_there(folder: Path) -> Callable[[], list[Any]]:
    """Work that tells what files `folder` holds when it begins, and in which process."""

    def work() -> list[Any]:
        return [sorted(path.name for path in folder.iterdir()), os.getpid()]

    return work


@pytest.mark.parametrize("meanwhile", [False, True])
def test_a_child_after_a_turn_begins_once_its_holder_is_done(tmp_path: Path, meanwhile: bool) -> None:
    """Another child forked in between (`meanwhile`) does not hold the turn: this process
    handed it over to the holder alone."""
    turn = prescan.Turn()
    holder = prescan.ForkedCall(_held_for(0.3, tmp_path), fork=True, holds=turn)
    other = prescan.ForkedCall(lambda: time.sleep(30), fork=meanwhile)
    waiter = prescan.ForkedCall(_what_is_there(tmp_path), fork=True, after=turn)
    with failing_after(20):
        seen, pid = waiter.result()
    turn.close()
    other.close()
    assert pid != os.getpid(), "worked out in the child"
    assert seen == ["held"], "begun only once the holder was done"
    assert holder.result() != os.getpid()


@pytest.mark.parametrize("holder", ["not forked", "ends at once", "killed"])
def test_a_turn_whose_holder_ended_or_never_began_holds_no_one(tmp_path: Path, holder: str, forks: list[int]) -> None:
    parent = os.getpid()

    def hold() -> int:
        if holder == "ends at once" and os.getpid() != parent:
            os._exit(3)
        time.sleep(60 if os.getpid() != parent else 0)
        return os.getpid()

    turn = prescan.Turn()
    held = prescan.ForkedCall(hold, fork=holder != "not forked", holds=turn)
    if holder == "killed":
        os.kill(forks[0], signal.SIGKILL)
    waiter = prescan.ForkedCall(_what_is_there(tmp_path), fork=True, after=turn)
    turn.close()
    with failing_after(20):
        seen, pid = waiter.result()
    assert pid != parent and seen == []
    held.close()


@pytest.mark.usefixtures("quiz_child")
def test_the_lesson_scans_begin_once_the_quiz_files_child_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load needs the quiz files' data long before the scans: the scans' child leaves the
    second core to the quiz files' child until it is done (`prescan.Turn`)."""
    log = tmp_path / "log"
    real_read, real_scan = loader.load_fast, prescan.scan_markdown

    def note(what: str) -> None:
        with log.open("a") as file:
            file.write(f"{what} {time.monotonic()}\n")

    def slow_read(text: str) -> Any:
        time.sleep(0.05)
        data = real_read(text)
        note("read")
        return data

    def noted_scan(text: str) -> prescan.Scan:
        note("scan")
        return real_scan(text)

    def slowed_and_noted() -> None:  # pragma: no cover - runs in the child
        loader.load_fast = slow_read  # type: ignore[assignment]
        _replace("scan_markdown", noted_scan)

    monkeypatch.setitem(IN_THE_CHILD, "reads slowly, noting its reads and scans", slowed_and_noted)
    failing_forks(monkeypatch, "reads slowly, noting its reads and scans")
    with failing_after(60):
        assert load_course(EXAMPLE, prescan_min_chars=0).course is not None
    events = [line.split() for line in log.read_text().splitlines()]
    reads = [float(at) for what, at in events if what == "read"]
    scans = [float(at) for what, at in events if what == "scan"]
    assert reads and scans, "the children read quiz files and scanned lessons"
    assert max(reads) < min(scans)
