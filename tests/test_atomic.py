"""An interrupted build leaves every artefact whole: the previous build's or the new one's.

A large synthetic course (thousands of questions) is built in a subprocess that is killed
with SIGKILL at several points: as soon as a temporary file appears (mid-write), as soon as
an artefact is touched (replaced, or torn were it written in place), and at two thirds of a
full build's duration. After
each kill every file in dist/ must be byte-identical to the previous complete build or to
the new complete build, and valid (zip, XML, JSON); the next build then completes and clears
the killed build's temporary files. A build that fails validation writes nothing.

The writers checked are the registered output targets, generic over whatever files a full
build leaves in dist/ (zips, XML, the .mbz tarball …).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from coursebuilder import output
from coursebuilder.output import TEMP_SUFFIX, remove_stale_temps, write_bytes
from coursebuilder.safexml import parse_xml_bytes
from coursebuilder.safezip import read_zip
from tests.conftest import EXAMPLE, ROOT, SKELETON

QUESTIONS = 3000

pytestmark = pytest.mark.slow

# --------------------------------------------------------------------------- the course


def write_course(root: Path, version: str) -> None:
    """The scaffold course plus QUESTIONS questions of several types; `version` changes every output."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(SKELETON, root)
    course = (root / "course.yaml").read_text().replace('version: "1.0"', f'version: "{version}"')
    (root / "course.yaml").write_text(course)
    for part in range(10):
        lines = ["defaults:", "  lesson: practice", "questions:"]
        for index in range(QUESTIONS // 10):
            qid = f"bulk-{part}-{index}"
            text = f"Question {index} of part {part}, version {version}: which answer is right?"
            if index % 3 == 0:
                lines += [f"  - id: {qid}", "    type: truefalse", f"    text: '{text}'", "    correct: true"]
            elif index % 3 == 1:
                lines += [
                    f"  - id: {qid}",
                    "    type: multichoice",
                    f"    text: '{text}'",
                    "    answers:",
                    "      - {text: 'the right one', grade: 100, feedback: 'Yes.'}",
                    "      - {text: 'a wrong one', feedback: 'No.'}",
                ]
            else:
                lines += [
                    f"  - id: {qid}",
                    "    type: shortanswer",
                    f"    text: '{text}'",
                    "    answers: [{text: right, grade: 100}]",
                ]
        (root / "quiz" / f"bulk-{part}.yaml").write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- checking artefacts


def artefacts(dist: Path) -> dict[str, bytes]:
    """Every file a build left in dist/, temporary files aside."""
    return {
        path.relative_to(dist).as_posix(): path.read_bytes()
        for path in sorted(dist.rglob("*"))
        if path.is_file() and not is_temp(path)
    }


def is_temp(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)


def check_valid(name: str, data: bytes) -> None:
    """A complete artefact parses as what its name says it is."""
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None, name
        read_zip(data, name)
    elif name.endswith(".mbz") or name.endswith(".tar.gz"):
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                if member.isfile():
                    extracted = archive.extractfile(member)
                    assert extracted is not None
                    extracted.read()
    elif name.endswith(".xml"):
        parse_xml_bytes(data, name)
    elif name.endswith(".json"):
        json.loads(data)
    elif name.endswith((".html", ".txt", ".js", ".css", ".md")):
        data.decode("utf-8")


def test_the_validity_check_catches_torn_files() -> None:
    """The checker itself must see a half-written zip or XML, or the kill test proves nothing."""
    from coursebuilder.output import zip_bytes

    whole_zip = zip_bytes([("a.txt", b"x" * 10_000), ("b.txt", b"y" * 10_000)])
    whole_xml = b"<bank>" + b"<q>text</q>" * 1000 + b"</bank>"
    check_valid("p.zip", whole_zip)
    check_valid("p.xml", whole_xml)
    for name, data in (("p.zip", whole_zip), ("p.xml", whole_xml)):
        with pytest.raises(Exception):  # noqa: B017 - any parse error will do
            check_valid(name, data[: len(data) // 2])


# --------------------------------------------------------------------------- running builds


def command(course: Path, dist: Path) -> list[str]:
    return [sys.executable, "-m", "coursebuilder", "build", str(course), "-o", str(dist), "-q"]


def full_build(course: Path, dist: Path) -> tuple[dict[str, bytes], float]:
    started = time.monotonic()
    done = subprocess.run(command(course, dist), capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return artefacts(dist), time.monotonic() - started


def stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def temp_files(dist: Path) -> list[Path]:
    return list(dist.rglob(f".*{TEMP_SUFFIX}")) if dist.exists() else []


def killed_build(course: Path, dist: Path, when: Callable[[float], bool]) -> tuple[bool, bool]:
    """Start a build, SIGKILL it once `when(elapsed)` holds; return (was running, temp file present)."""
    process = subprocess.Popen(command(course, dist), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started = time.monotonic()
    try:
        while process.poll() is None and not when(time.monotonic() - started):
            time.sleep(0.001)
        running = process.poll() is None
        temp_seen = bool(temp_files(dist))
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=600)
        assert process.stderr is not None
        process.stderr.close()
    return running, temp_seen


def test_sigkill_leaves_previous_or_new_artefacts(tmp_path: Path) -> None:
    course, dist, fresh = tmp_path / "course", tmp_path / "dist", tmp_path / "fresh"
    write_course(course, "1.0")
    before, _ = full_build(course, dist)
    write_course(course, "2.0")
    after, duration = full_build(course, fresh)
    assert before, "a full build writes artefacts"
    for name, data in [*before.items(), *after.items()]:
        check_valid(name, data)
    changed = [name for name in after if before.get(name) != after[name]]
    assert changed, "the second version changes the artefacts"

    def touched(_: float) -> bool:
        """An artefact's size or time moved: replaced by a rename, or (were it written in place) torn."""
        return any(stamp(dist / name) != stamps[name] for name in before)

    kill_points: dict[str, Callable[[float], bool]] = {
        "first temporary file": lambda _: bool(temp_files(dist)),
        "first artefact touched": touched,
        "two thirds of a build": lambda elapsed: elapsed >= 0.67 * duration,
    }
    interrupted = []
    for point, when in kill_points.items():
        shutil.rmtree(dist)
        dist.mkdir()
        for name, data in before.items():
            (dist / name).parent.mkdir(parents=True, exist_ok=True)
            (dist / name).write_bytes(data)
        stamps = {name: stamp(dist / name) for name in before}
        running, temp_seen = killed_build(course, dist, when)
        state = artefacts(dist)
        for name, data in state.items():
            assert data in (before.get(name), after.get(name)), f"{point}: {name} is neither the old nor the new file"
            check_valid(name, data)
        assert set(state) >= set(before), f"{point}: an artefact of the previous build disappeared"
        if running and (temp_seen or state != after):
            interrupted.append(point)
        if point == "first temporary file":
            # The next build completes and leaves nothing of the killed one behind.
            final, _ = full_build(course, dist)
            assert final == after, f"{point}: the build after a kill differs from a clean build"
            assert temp_files(dist) == [], f"{point}: temporary files of the killed build remain"
    assert interrupted, "no kill landed in the middle of a build"


def test_failed_validation_writes_nothing(tmp_path: Path) -> None:
    course, dist = tmp_path / "course", tmp_path / "dist"
    shutil.copytree(SKELETON, course)
    broken = (course / "quiz/welcome.yaml").read_text().replace("correct: true", "correct: maybe")
    (course / "quiz/welcome.yaml").write_text(broken)
    done = subprocess.run(command(course, dist), capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 1
    assert "quiz/welcome.yaml:" in done.stderr and "error" in done.stderr
    assert not dist.exists(), "a failed validation created the output folder"

    (course / "quiz/welcome.yaml").write_text(broken.replace("correct: maybe", "correct: true"))
    before, _ = full_build(course, dist)
    stamps = {path: path.stat().st_mtime_ns for path in dist.rglob("*")}
    (course / "quiz/welcome.yaml").write_text(broken)
    done = subprocess.run(command(course, dist), capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 1
    assert artefacts(dist) == before
    assert {path: path.stat().st_mtime_ns for path in dist.rglob("*")} == stamps


# --------------------------------------------------------------------------- the writer itself


def test_an_exception_while_writing_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out" / "bank.xml"
    assert write_bytes(path, b"<old/>")

    class Boom(Exception):
        pass

    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        raise Boom

    monkeypatch.setattr(output.os, "fsync", failing_fsync)
    with pytest.raises(Boom):
        write_bytes(path, b"<new/>")
    monkeypatch.setattr(output.os, "fsync", real_fsync)
    assert path.read_bytes() == b"<old/>"
    assert sorted(p.name for p in path.parent.iterdir()) == ["bank.xml"]


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    assert write_bytes(path, b"<a/>")
    stamp = path.stat().st_mtime_ns
    assert not write_bytes(path, b"<a/>")
    assert path.stat().st_mtime_ns == stamp


def test_stale_temporary_files_are_removed_only_when_their_writer_is_gone(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / "moodle" / f".questions.xml.{dead_pid}.abcd1234{TEMP_SUFFIX}"
    live = tmp_path / "moodle" / f".questions.xml.{os.getpid()}.efgh5678{TEMP_SUFFIX}"
    other = tmp_path / "moodle" / "notes.tmp"
    for path in (stale, live, other):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    assert remove_stale_temps(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and other.exists()


IMPORT_BANK = ROOT / "tests" / "fixtures" / "import" / "bank.xml"
BLOCKED = "blocked"
"""A regular file where the tests below put a folder to write into: every writer's folder
on the way is refused (`NotADirectoryError`), as a read-only or full disk would refuse it."""


@pytest.mark.parametrize(
    ("args", "outcome"),
    [
        (["build", str(EXAMPLE), "-o", "{out}"], "not built — {out} could not be written"),
        (["build", str(EXAMPLE), "-o", "{out}", "--target", "moodle", "--no-cache"], "could not be written"),
        (["new", "{out}"], "new: {out} could not be created"),
        (["schema", "-o", "{out}"], "schema: {out} could not be written"),
        (["import", str(IMPORT_BANK), "--into", "{out}"], "import: stopped — {out} could not be written"),
    ],
)
def test_a_folder_that_cannot_be_written_is_named_without_a_traceback(
    args: list[str], outcome: str, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from coursebuilder.cli import main

    (tmp_path / BLOCKED).write_text("a file, not a folder")
    out = str(tmp_path / BLOCKED / "out")
    result = CliRunner().invoke(main, [arg.format(out=out) for arg in args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    lines = result.output.splitlines()
    assert lines[-2].startswith(f"{tmp_path / BLOCKED}") and lines[-2].endswith(": error: Not a directory")
    assert lines[-1].endswith(outcome.format(out=out))


def test_a_file_the_backups_process_cannot_write_is_named(tmp_path: Path) -> None:
    """The backup is written in a process of its own: what stopped it is told here as it was."""
    from click.testing import CliRunner

    from coursebuilder.cli import main

    backup = tmp_path / "dist" / "kerja-sama-internasional" / "moodle" / "kerja-sama-internasional.mbz"
    (backup / "in the way").mkdir(parents=True)
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "-o", str(tmp_path / "dist"), "-j", "2", "--no-cache"])
    assert result.exit_code == 1, result.output
    assert f"{backup}: error: Is a directory" in result.output.splitlines()
    assert "Traceback" not in result.output
