"""The backup's shares of quizzes are kept from one build to the next (`mbz.sharestore`): a
build after an edit that leaves a share's quizzes and files alone takes it from the store, and
every build writes the bytes a clean build writes; a store it cannot trust is ignored."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from coursebuilder import buildcache
from coursebuilder.build import build_course
from coursebuilder.markdown import RenderCache
from coursebuilder.mbz import backup as backup_module
from coursebuilder.mbz import sharestore
from coursebuilder.mbz.archive import Entries
from coursebuilder.mbz.files import FileStore
from coursebuilder.synthetic import write_synthetic_course
from coursebuilder.targets import BuildOptions
from tests.conftest import files_of, modules_hashed_by

BACKUP = "synthetic/moodle/synthetic.mbz"


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Six lessons and quizzes whose questions show the course's figures; its own cache."""
    monkeypatch.setenv("COURSEBUILDER_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "course"
    write_synthetic_course(root, 60, 6, 12)
    return root


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The parts (1 or 2) of the shares of quizzes written from now on."""
    parts: list[int] = []
    real = backup_module.write_quizzes

    def counted(
        backup: backup_module.Backup, share: backup_module.QuizShare, entries: Entries, renders: RenderCache | None
    ) -> FileStore:
        parts.append(share.part)
        return real(backup, share, entries, renders)

    monkeypatch.setattr(backup_module, "write_quizzes", counted)
    return parts


def build(course: Path, out: Path, *, cache: bool = True) -> bytes:
    """The backup a build of the course writes (in this process)."""
    build_course(course, out, ["mbz"], options=BuildOptions(jobs=1, cache=cache))
    return files_of(out)[BACKUP]


def clean(course: Path, tmp_path: Path) -> bytes:
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    return build(course, tmp_path / "clean", cache=False)


def store_folder(course: Path, out: Path) -> Path:
    return buildcache.cache_file(course, out).with_suffix(".kept") / "mbz"


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_lesson_edit_takes_both_shares_from_the_store(course: Path, tmp_path: Path, written: list[int]) -> None:
    build(course, tmp_path / "dist")
    assert written == [1, 2]
    assert sorted(path.name for path in store_folder(course, tmp_path / "dist").iterdir()) == [
        "course.kept",
        "gzip.kept",
        "share-1.data",
        "share-1.json",
        "share-2.data",
        "share-2.json",
    ]
    append(sorted((course / "lessons").glob("*.md"))[2], "\nOne more sentence.\n")
    written.clear()
    edited = build(course, tmp_path / "dist")
    assert written == [], "neither share was written again by the build after the edit"
    assert edited == clean(course, tmp_path)


def test_an_edited_question_writes_its_share_again(course: Path, tmp_path: Path, written: list[int]) -> None:
    build(course, tmp_path / "dist")
    last = sorted((course / "quiz").glob("*.yaml"))[-1]
    text = last.read_text(encoding="utf-8")
    assert "feedback: Not quite." in text
    last.write_text(text.replace("feedback: Not quite.", "feedback: Not quite yet.", 1), encoding="utf-8")
    written.clear()
    edited = build(course, tmp_path / "dist")
    assert written == [2], "the last quiz is in the later share; the first share was kept"
    assert edited == clean(course, tmp_path)


def test_an_edited_figure_writes_the_shares_that_show_it_again(
    course: Path, tmp_path: Path, written: list[int]
) -> None:
    build(course, tmp_path / "dist")
    first_quiz = sorted((course / "quiz").glob("*.yaml"))[0].read_text(encoding="utf-8")
    assert "](../assets/figure-1.png)" in first_quiz
    figure = course / "assets" / "figure-1.png"
    figure.write_bytes(figure.read_bytes() + b"\0")  # the same file, other bytes
    written.clear()
    edited = build(course, tmp_path / "dist")
    assert 1 in written
    assert edited == clean(course, tmp_path)


def _flip_data(folder: Path) -> None:
    data = folder / "share-1.data"
    body = bytearray(data.read_bytes())
    body[len(body) // 2] ^= 1
    data.write_bytes(bytes(body))


def _cut_data(folder: Path) -> None:
    data = folder / "share-1.data"
    data.write_bytes(data.read_bytes()[:-100])


def _garble_record(folder: Path) -> None:
    (folder / "share-1.json").write_bytes(b'{"format": 1, "key": ')


def _record_edit(change: Callable[[dict[str, object]], None]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / "share-1.json"
        record = json.loads(path.read_bytes())
        change(record)
        path.write_text(json.dumps(record))

    return damage


def _layout_past_the_end(record: dict[str, object]) -> None:
    end, parts = record["layout"]  # type: ignore[misc]
    name = next(iter(parts))
    parts[name] = [[end - 10, 1000]]


DAMAGE: dict[str, Callable[[Path], None]] = {
    "a flipped byte in the data": _flip_data,
    "data cut short": _cut_data,
    "a record that does not parse": _garble_record,
    "another version": _record_edit(lambda record: record.update(version="0.0.1")),
    "another format": _record_edit(lambda record: record.update(format=99)),
    "a piece past the end of the data": _record_edit(_layout_past_the_end),
    "files of the wrong shape": _record_edit(lambda record: record.update(files=[["one", 2]])),
    "the data gone": lambda folder: (folder / "share-1.data").unlink(),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_store_that_cannot_be_trusted_is_ignored(
    damage: str, course: Path, tmp_path: Path, written: list[int]
) -> None:
    build(course, tmp_path / "dist")
    append(sorted((course / "lessons").glob("*.md"))[0], "\nAn edit, so the backup is built again.\n")
    DAMAGE[damage](store_folder(course, tmp_path / "dist"))
    written.clear()
    rebuilt = build(course, tmp_path / "dist")
    assert written == [1], "the damaged share was written again, the other taken from the store"
    assert rebuilt == clean(course, tmp_path)


def test_the_later_share_written_in_a_child_is_kept_too(
    course: Path, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_module, "QUIZZES_WORTH_FORKING", 0)
    build_course(course, tmp_path / "dist", ["mbz"], options=BuildOptions(jobs=2))
    assert len(forks) == 2, "the files hashed beside the imports (no cache yet), the later share"
    append(sorted((course / "lessons").glob("*.md"))[0], "\nAn edit.\n")
    build_course(course, tmp_path / "dist", ["mbz"], options=BuildOptions(jobs=2))
    assert len(forks) == 2, "the later share came from the store, the files were hashed here: no child"
    assert files_of(tmp_path / "dist")[BACKUP] == clean(course, tmp_path)


def test_files_a_stopped_build_left_in_the_store_go(course: Path, tmp_path: Path) -> None:
    """A build stopped while writing a share leaves its file: the next build that writes a
    share removes it once a day old, but not a younger one (another build's, at work)."""
    folder = store_folder(course, tmp_path / "dist")
    folder.mkdir(parents=True)
    old, young = folder / ".share-old", folder / ".share-young"
    old.write_bytes(b"half a share")
    young.write_bytes(b"a share being written")
    a_day_ago = time.time() - sharestore.STALE_SECONDS - 60
    os.utime(old, (a_day_ago, a_day_ago))
    build(course, tmp_path / "dist")
    assert not old.exists() and young.exists()
    assert sorted(path.name for path in folder.iterdir() if not path.name.startswith(".")) == [
        "course.kept",
        "gzip.kept",
        "share-1.data",
        "share-1.json",
        "share-2.data",
        "share-2.json",
    ]


def test_shares_kept_by_other_code_are_written_again(
    course: Path, tmp_path: Path, written: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editable checkout changes its code without a new version: a share kept by other code
    is not taken, and with code that cannot be read nothing is kept."""
    build(course, tmp_path / "dist")
    append(sorted((course / "lessons").glob("*.md"))[1], "\nAn edit.\n")
    monkeypatch.setattr(backup_module, "writer_code", lambda: "other code")
    written.clear()
    rebuilt = build(course, tmp_path / "dist")
    assert written == [1, 2], "both shares written again"
    assert rebuilt == clean(course, tmp_path)
    shutil.rmtree(store_folder(course, tmp_path / "dist"))
    monkeypatch.setattr(backup_module, "writer_code", lambda: None)
    append(sorted((course / "lessons").glob("*.md"))[1], "\nAnother edit.\n")
    build(course, tmp_path / "dist")
    assert not list(store_folder(course, tmp_path / "dist").glob("*share*")), "no share kept"


def test_the_writers_code_covers_every_module_that_shapes_a_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model, Markdown and the writers all shape a share's XML: each is in its code's hash."""
    shaping = {"mbz/questions.py", "mbz/qtypes.py", "mbz/files.py", "model.py", "markdown.py", "moodle/cloze.py"}
    assert shaping <= set(modules_hashed_by(sharestore.writer_code, monkeypatch))


def test_a_question_the_build_did_not_hash_counts_with_its_content(
    course: Path, tmp_path: Path, written: list[int]
) -> None:
    """A share's key takes each question's file as the build hashed it before the load
    (`SourceFiles`); a question of a file it did not hash counts with its own JSON, so that
    changing it still writes its share again."""
    from coursebuilder.loader import load_course
    from coursebuilder.mbz.backup import build_mbz
    from coursebuilder.sourcedigests import SourceFiles

    loaded = load_course(course).course
    assert loaded is not None
    hashed = SourceFiles.read(course)
    last_file = loaded.questions[-1].source_file
    unhashed = SourceFiles({rel: digest for rel, digest in hashed.digests.items() if rel != last_file})
    keep = tmp_path / "kept"
    build_mbz(loaded, keep=keep, sources=unhashed)
    assert written == [1, 2]
    written.clear()
    again = build_mbz(loaded, keep=keep, sources=unhashed)
    assert written == [], "nothing changed: both shares taken from the store"
    assert again == build_mbz(loaded)
    changed = loaded.questions[-1].model_copy(update={"general_feedback": "Changed."})
    edited = loaded.model_copy(update={"questions": [*loaded.questions[:-1], changed]})
    written.clear()
    build_mbz(edited, keep=keep, sources=unhashed)
    assert written == [2], "the question's JSON changed: its share was written again"
