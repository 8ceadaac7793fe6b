"""The backup's course part is kept from one build to the next (`mbz.coursestore`): a build
after a lesson edit writes that lesson's page again and takes the other pages, the glossary,
the sections, the root files and files.xml from the store, and every build writes the bytes a
clean build writes; a store it cannot trust is ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursebuilder.loader import load_or_raise
from coursebuilder.mbz import backup as backup_module
from coursebuilder.mbz import build_mbz, coursestore
from coursebuilder.mbz.files import Area, FileStore, TableField
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sections import Activity
from coursebuilder.renderstore import read_checked, write_checked
from tests.test_mbz_sharestore import append, build, clean, course, store_folder

__all__ = ["course"]  # the fixture, shared with the share store's tests


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lesson files whose pages are written from now on."""
    written: list[str] = []
    real = backup_module._KEEPABLE["page"]

    def counted(job: Job, activity: Activity) -> None:
        written.append(Path(activity.lessons[0].path).name)
        real(job, activity)

    monkeypatch.setitem(backup_module._KEEPABLE, "page", counted)
    return written


def lesson_files(course: Path) -> list[Path]:
    return sorted((course / "lessons").glob("*.md"))


def test_a_lesson_edit_writes_only_its_page_again(course: Path, tmp_path: Path, pages: list[str]) -> None:
    build(course, tmp_path / "dist")
    assert len(pages) == len(lesson_files(course)) == 6
    edited = lesson_files(course)[3]
    append(edited, "\nOne more sentence.\n")
    pages.clear()
    rebuilt = build(course, tmp_path / "dist")
    assert pages == [edited.name]
    assert rebuilt == clean(course, tmp_path)


def test_an_edited_figure_is_stored_anew_while_the_page_is_kept(course: Path, tmp_path: Path, pages: list[str]) -> None:
    """A page keeps its URL when the figure it shows changes, but files.xml and the file's
    bytes in the backup follow the figure as it is now."""
    build(course, tmp_path / "dist")
    figure = course / "assets" / "figure-1.png"
    assert "figure-1.png" in lesson_files(course)[0].read_text(encoding="utf-8")
    figure.write_bytes(figure.read_bytes() + b"\0another version")
    pages.clear()
    rebuilt = build(course, tmp_path / "dist")
    assert pages == []
    assert rebuilt == clean(course, tmp_path)


def test_a_figure_added_to_an_early_lesson_moves_the_later_file_ids(
    course: Path, tmp_path: Path, pages: list[str]
) -> None:
    """Every later page stores its figure under another id: none is taken from the store."""
    build(course, tmp_path / "dist")
    append(lesson_files(course)[0], "\n![Another figure](../assets/photo.png)\n")
    pages.clear()
    rebuilt = build(course, tmp_path / "dist")
    assert pages == [path.name for path in lesson_files(course)]
    assert rebuilt == clean(course, tmp_path)


def test_a_reference_that_comes_out_otherwise_writes_the_page_again(
    course: Path, tmp_path: Path, pages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept page is taken only when each of its references to course files gives the URL
    it gave when kept (a file gone, or now another's, gives another)."""
    build(course, tmp_path / "dist")
    real = FileStore.course_file

    def elsewhere(store: FileStore, ref: str, source_file: str, area: Area, field: TableField) -> str | None:
        url = real(store, ref, source_file, area, field)
        return None if ref.endswith("figure-2.png") else url

    monkeypatch.setattr(FileStore, "course_file", elsewhere)
    append(lesson_files(course)[4], "\nAn edit elsewhere.\n")
    pages.clear()
    build(course, tmp_path / "dist")
    assert sorted(pages) == sorted([lesson_files(course)[1].name, lesson_files(course)[4].name])


def rewrite_store(folder: Path, change: bytes) -> None:
    """Replace the store's index with `change`, under a valid checksum."""
    path = folder / coursestore.FILE
    header = {"format": coursestore._FORMAT, "maker": coursestore._maker()}
    payload = read_checked(path, header)
    assert payload is not None
    write_checked(path, header, change + payload[payload.index(b"\n") :])


@pytest.mark.parametrize("damage", ["a flipped byte", "cut short", "another maker", "an index that lies"])
def test_a_damaged_store_is_ignored(damage: str, course: Path, tmp_path: Path, pages: list[str]) -> None:
    build(course, tmp_path / "dist")
    path = store_folder(course, tmp_path / "dist") / coursestore.FILE
    if damage == "a flipped byte":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x20
        path.write_bytes(bytes(data))
    elif damage == "cut short":
        path.write_bytes(path.read_bytes()[:-7])
    elif damage == "another maker":
        path.write_bytes(path.read_bytes().replace(b'"maker": "', b'"maker": "0', 1))
    else:
        rewrite_store(path.parent, b'[["key", [["page.xml", 99999999]], [], 0]]')
    append(lesson_files(course)[2], "\nAn edit.\n")
    pages.clear()
    rebuilt = build(course, tmp_path / "dist")
    assert len(pages) == 6, "every page written afresh"
    assert rebuilt == clean(course, tmp_path)
    pages.clear()
    append(lesson_files(course)[2], "\nAnother edit.\n")
    again = build(course, tmp_path / "dist")
    assert pages == [lesson_files(course)[2].name], "and kept anew"
    assert again == clean(course, tmp_path)


def test_activities_kept_by_other_code_are_written_again(
    course: Path, tmp_path: Path, pages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(course, tmp_path / "dist")
    monkeypatch.setattr(coursestore, "writer_code", lambda: "other code")
    append(lesson_files(course)[1], "\nAn edit.\n")
    pages.clear()
    rebuilt = build(course, tmp_path / "dist")
    assert len(pages) == 6
    assert rebuilt == clean(course, tmp_path)


def test_a_store_is_written_again_only_when_enough_is_new(
    course: Path, tmp_path: Path, pages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below `RESAVE_SHARE` of the course part written afresh the store stays as it was: the
    next build writes that page afresh again, and still the bytes of a clean build."""
    build(course, tmp_path / "dist")
    path = store_folder(course, tmp_path / "dist") / coursestore.FILE
    before = path.read_bytes()
    monkeypatch.setattr(coursestore, "RESAVE_SHARE", 0.5)
    first, second = lesson_files(course)[1], lesson_files(course)[4]
    append(first, "\nAn edit.\n")
    build(course, tmp_path / "dist")
    assert path.read_bytes() == before
    append(second, "\nAnother edit.\n")
    pages.clear()
    rebuilt = build(course, tmp_path / "dist")
    assert pages == [first.name, second.name]
    assert rebuilt == clean(course, tmp_path)
    monkeypatch.setattr(coursestore, "RESAVE_SHARE", 0.0)
    append(second, "\nA third edit.\n")
    pages.clear()
    build(course, tmp_path / "dist")
    assert pages == [first.name, second.name]
    assert path.read_bytes() != before, "kept anew"
    append(second, "\nA fourth edit.\n")
    pages.clear()
    build(course, tmp_path / "dist")
    assert pages == [second.name]


def test_nowhere_to_keep_the_course_part_is_no_error(course: Path, tmp_path: Path) -> None:
    """A store folder that cannot be made (a file stands in its way): nothing is kept, and the
    backup is a clean build's."""
    loaded, _ = load_or_raise(course)
    blocked = tmp_path / "a file"
    blocked.write_bytes(b"")
    assert build_mbz(loaded, keep=blocked / "mbz") == build_mbz(loaded, keep=None)
    assert not (blocked / "mbz").exists()
