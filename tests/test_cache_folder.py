"""The cache folder stays under its limit: whole entries go, least recently used first, never
one in use or used within the hour, and never a file that is not an entry of ours."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from coursebuilder import buildcache, cachefolder
from coursebuilder.build import build_course
from coursebuilder.targets import BuildOptions
from coursebuilder.validation import report_file, validate_cached
from tests.conftest import SKELETON, files_of

MB = 1024 * 1024
HOURS_AGO = 3 * 3600


def entry(folder: Path, name: str, megabytes: int, age: float, kept_folder: bool = False) -> list[Path]:
    """An entry `name` (24 hex digits) of `megabytes`, last used `age` seconds ago."""
    made = [folder / f"{name}.json", folder / f"{name}.renders"]
    for path in made:
        path.write_bytes(b"x" * (megabytes * MB // 2))
    if kept_folder:
        inner = folder / f"{name}.kept" / "mbz"
        inner.mkdir(parents=True)
        (inner / "gzip.kept").write_bytes(b"y" * MB)
        made.append(folder / f"{name}.kept")
    when = time.time() - age
    for path in made:
        os.utime(path, (when, when))
    return made


def hex_name(digit: str) -> str:
    return digit * 24


def test_the_least_recently_used_entries_go_first(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    oldest = entry(folder, hex_name("b"), 2, HOURS_AGO + 200)
    older = entry(folder, hex_name("a"), 2, HOURS_AGO + 100, kept_folder=True)  # 3 MB with its folder
    in_use = entry(folder, hex_name("d"), 4, HOURS_AGO + 300)
    recent = entry(folder, hex_name("c"), 4, 60)
    others = [folder / "notes.txt", folder / "abc.json", folder / f"{hex_name('e')}.other"]
    for path in others:
        path.write_bytes(b"z" * MB)
    removed = cachefolder.prune(folder, keep=[folder / f"{hex_name('d')}.json"], limit=11 * MB)
    assert removed == [hex_name("b")]  # 13 MB of entries (the other files do not count), 11 without the oldest
    assert not any(path.exists() for path in oldest)
    assert all(path.exists() for path in [*older, *in_use, *recent, *others])
    removed = cachefolder.prune(folder, keep=[folder / f"{hex_name('d')}.json"], limit=5 * MB)
    assert removed == [hex_name("a")]  # the one in use and the recent one stay, over the limit
    assert not any(path.exists() for path in older)
    assert all(path.exists() for path in [*in_use, *recent, *others])


def test_a_folder_under_its_limit_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    made = entry(folder, hex_name("a"), 2, HOURS_AGO)
    assert cachefolder.prune(folder, limit=2 * MB) == []
    assert all(path.exists() for path in made)
    assert cachefolder.prune(tmp_path / "nowhere", limit=0) == []


def test_marking_an_entry_used_touches_its_files_only(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    mine = entry(folder, hex_name("a"), 1, HOURS_AGO, kept_folder=True)
    other = entry(folder, hex_name("b"), 1, HOURS_AGO)
    cachefolder.mark_used(folder / f"{hex_name('a')}.load")  # a name beside the files is enough
    now = time.time()
    assert all(now - path.stat().st_mtime < 60 for path in mine)
    assert all(now - path.stat().st_mtime > HOURS_AGO - 60 for path in other)


@pytest.mark.parametrize(("value", "megabytes"), [("", 2048), ("300", 300), ("0", 0), ("lots", 2048), ("-5", 2048)])
def test_the_limit_is_read_from_the_environment(value: str, megabytes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEBUILDER_CACHE_MB", value)
    assert cachefolder.limit_bytes() == megabytes * MB


def _age_everything(folder: Path) -> None:
    when = time.time() - HOURS_AGO
    for path in folder.iterdir():
        os.utime(path, (when, when))


def test_builds_and_validate_keep_the_folder_under_its_limit(
    skeleton_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a limit of nothing, each build and check leaves only the entries it used itself
    (they are recent); a course whose entries went is built afresh, to the same bytes."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSEBUILDER_CACHE", str(cache))
    monkeypatch.setenv("COURSEBUILDER_CACHE_MB", "0")
    other_course = tmp_path / "other" / "course"
    shutil.copytree(SKELETON, other_course)

    def entries() -> set[str | None]:
        return {cachefolder.entry_of(path) for path in cache.iterdir()}

    def entry_ids(*paths: Path) -> set[str | None]:
        return {path.name.partition(".")[0] for path in paths}

    first = tmp_path / "first"
    build_course(skeleton_course, first, options=BuildOptions(jobs=1))
    assert entries() == entry_ids(
        buildcache.cache_file(skeleton_course, first), buildcache.load_cache_file(skeleton_course)
    )
    _age_everything(cache)
    build_course(other_course, tmp_path / "other" / "dist", options=BuildOptions(jobs=1))
    assert entries() == entry_ids(
        buildcache.cache_file(other_course, tmp_path / "other" / "dist"), buildcache.load_cache_file(other_course)
    )
    _age_everything(cache)
    validate_cached(skeleton_course)
    assert entries() == entry_ids(report_file(skeleton_course), buildcache.load_cache_file(skeleton_course))
    again = tmp_path / "again"
    build_course(skeleton_course, again, options=BuildOptions(jobs=1))
    assert files_of(again) == files_of(first)


def test_files_older_versions_kept_for_the_backup_are_removed(skeleton_course: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build_course(skeleton_course, dist, ["mbz"])
    kept = buildcache.cache_file(skeleton_course, dist).with_suffix(".kept") / "mbz"
    former = [kept / "gzip.json", kept / "gzip.data"]
    for path in former:
        path.write_bytes(b"from an older version")
    lesson = next(iter(sorted((skeleton_course / "lessons").glob("*.md"))))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build_course(skeleton_course, dist, ["mbz"])
    assert not any(path.exists() for path in former)
    assert (kept / "gzip.kept").exists()


def _ended_process() -> int:
    """The id of a process that has ended (and been reaped)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_temporary_files_a_stopped_build_left_of_entries_go(tmp_path: Path) -> None:
    """A build killed while writing an entry's file, beside it or in its `.kept` folder,
    leaves `.<name>.<pid>.<random>.tmp`; the next prune removes it once that process no longer
    runs, and leaves every other file alone."""
    name = hex_name("c")
    entry(tmp_path, name, 1, 0, kept_folder=True)
    ended, alive = _ended_process(), os.getpid()
    stale = [
        tmp_path / f".{name}.renders.{ended}.a1b2c3.tmp",
        tmp_path / f"{name}.kept" / "mbz" / f".course.data.{ended}.x9.tmp",
    ]
    kept = [
        tmp_path / f".{name}.renders.{alive}.d4e5.tmp",  # a build at work
        tmp_path / f".notes.txt.{ended}.f6.tmp",  # not of an entry
        tmp_path / f".{name}.renders.{ended}.tmp",  # not named as ours
    ]
    for path in stale + kept:
        path.write_bytes(b"partial")
    cachefolder.prune(tmp_path, limit=100 * MB)
    assert [path for path in stale if path.exists()] == []
    assert [path for path in kept if not path.exists()] == []
    assert (tmp_path / f"{name}.renders").exists() and (tmp_path / f"{name}.kept" / "mbz" / "gzip.kept").exists()
