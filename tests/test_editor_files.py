"""The files editors and systems keep beside the files of a course are no part of it.

Vim writes `.name.swp` beside the file it edits (and rewrites it as one types), Emacs a lock
file `.#name` (a symbolic link to `user@host.pid`, which leads nowhere) as soon as a buffer
is modified and `#name#` when it auto-saves, many editors a backup copy `name~`, macOS
`.DS_Store`. None of them is a lesson, a quiz file or an asset: the course loads, checks and
builds as if they were not there, and the build cache does not take them for a change.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest

from coursebuilder.assets import AssetProblem, resolve
from coursebuilder.build import build_course
from coursebuilder.importer.common import AssetStore
from coursebuilder.loader import load_course
from coursebuilder.preview.session import source_snapshot
from tests.test_target_cache import clean, edit, rebuild

LOCK_TARGET = "someone@laptop.4242:1733400000"
"""Where an Emacs lock file leads: the user, host and process that hold the lock."""

EDITOR_FILES: dict[str, bytes | None] = {
    "lessons/.02-practice.md.swp": b"b0VIM 9.1\0\0\0\0" + bytes(64),
    "lessons/.#02-practice.md": None,
    "lessons/#02-practice.md#": b"---\ntitle: [unclosed\n---\n",
    "lessons/02-practice.md~": b"---\ntitle: An older copy\n---\n\nOld text.\n",
    "quiz/.#welcome.yaml": None,
    "quiz/welcome.yaml~": b"questions:\n  - {id: old, type: essay}\n",
    "quiz/.old/welcome.yaml": b"questions: [not, questions]\n",
    "assets/.DS_Store": b"\0\0\0\1Bud1",
}
"""Path in the course → bytes, or None for an Emacs lock file (a link to `LOCK_TARGET`)."""


def add(root: Path, name: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = EDITOR_FILES[name]
    if data is None:
        os.symlink(LOCK_TARGET, path)
    else:
        path.write_bytes(data)


def add_all(root: Path) -> None:
    for name in EDITOR_FILES:
        add(root, name)


def test_a_course_loads_and_checks_the_same_with_editor_files(skeleton_course: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(skeleton_course, plain)
    add_all(skeleton_course)
    with_files, without = load_course(skeleton_course), load_course(plain)
    assert [d.format() for d in with_files.diagnostics] == [d.format() for d in without.diagnostics] == []
    assert with_files.course is not None and without.course is not None
    assert [lesson.path for lesson in with_files.course.lessons] == [lesson.path for lesson in without.course.lessons]
    assert [q.id for q in with_files.course.questions] == [q.id for q in without.course.questions]


def test_a_course_builds_the_same_bytes_with_editor_files(skeleton_course: Path, tmp_path: Path) -> None:
    expected = clean(skeleton_course, tmp_path)
    add_all(skeleton_course)
    assert clean(skeleton_course, tmp_path) == expected


@pytest.mark.parametrize("name", EDITOR_FILES)
def test_an_editor_file_appearing_is_no_change_to_build(
    skeleton_course: Path, tmp_path: Path, built: list[str], name: str
) -> None:
    build_course(skeleton_course, tmp_path / "dist")
    add(skeleton_course, name)
    assert rebuild(skeleton_course, tmp_path, built) == []


def test_a_lesson_edited_beside_its_swap_file_rebuilds_what_the_edit_needs(
    skeleton_course: Path, tmp_path: Path, built: list[str]
) -> None:
    add(skeleton_course, "lessons/.02-practice.md.swp")
    build_course(skeleton_course, tmp_path / "dist")
    (skeleton_course / "lessons" / ".02-practice.md.swp").write_bytes(b"b0VIM 9.1, typed on")
    edit(skeleton_course / "lessons" / "02-practice.md", "show every question type", "show each question type")
    assert rebuild(skeleton_course, tmp_path, built) == ["scorm12", "scorm2004", "mbz"]


@pytest.mark.parametrize(
    "ref",
    ["../assets/.hidden.svg", "../assets/.drafts/diagram.svg", "../assets/diagram.svg~", "../assets/%23diagram.svg%23"],
)
def test_a_link_to_a_hidden_or_backup_file_is_refused(skeleton_course: Path, ref: str) -> None:
    """The cache does not count these files, so a build may not read one: a clear error
    instead of a package that keeps an old copy."""
    target = skeleton_course / "lessons" / ref
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(skeleton_course / "assets" / "diagram.svg", target)
    with pytest.raises(AssetProblem, match="is a hidden or backup file") as refused:
        resolve(skeleton_course, "lessons/01-welcome.md", ref)
    assert unquote(ref).removeprefix("../") in str(refused.value), "the message names the file"
    lesson = skeleton_course / "lessons" / "01-welcome.md"
    lesson.write_text(lesson.read_text() + f"\n![a drawing]({ref})\n")
    errors = [d for d in load_course(skeleton_course).diagnostics if d.code == "asset"]
    assert [(Path(d.file), d.field) for d in errors] == [(lesson, "body")], [d.format() for d in errors]


def test_the_preview_does_not_rebuild_for_editor_files(skeleton_course: Path) -> None:
    before = source_snapshot(skeleton_course)
    add_all(skeleton_course)
    assert source_snapshot(skeleton_course) == before


def test_an_import_does_not_reuse_a_hidden_file(skeleton_course: Path) -> None:
    """A text may not link to a hidden file, so an imported image with the same bytes as one
    gets a file of its own."""
    (skeleton_course / "assets" / ".cached.png").write_bytes(b"\x89PNG same bytes")
    store = AssetStore(skeleton_course)
    assert store.add("picture.png", b"\x89PNG same bytes") == "picture.png"
    (skeleton_course / "assets" / "kept.png").write_bytes(b"\x89PNG same bytes")
    assert AssetStore(skeleton_course).add("picture.png", b"\x89PNG same bytes") == "kept.png", "a control"
