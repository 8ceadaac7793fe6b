"""A build of unchanged source is answered from the cache; a cache that cannot be trusted is ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coursebuilder import build as build_module
from coursebuilder import buildcache
from coursebuilder.build import build_course
from coursebuilder.diagnostics import CourseError
from coursebuilder.output import TEMP_SUFFIX
from coursebuilder.targets import BuildOptions
from tests.conftest import files_of, hashed_in
from tests.test_prescan import failing_forks


@pytest.fixture
def course(skeleton_course: Path) -> Path:
    return skeleton_course


def damage_cache(cache: Path, damage: str) -> None:
    """Spoil the build cache in `cache` in one of the ways a cache file goes wrong."""
    text = cache.read_text()
    record = json.loads(text)
    if damage == "garbage":
        cache.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        cache.write_text(text[: len(text) // 2])
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        if damage == "another maker":  # another version, or other code under the same version
            record["maker"] = "0" * 64
        elif damage == "another format":
            record["format"] = 1
        elif damage == "targets not a table":
            record["targets"] = [["moodle", [{"path": 3, "size": "x"}]]]
        elif damage == "wrong types":
            record["targets"]["scorm12"]["files"] = [["x", "1", 2, 3]]
        elif damage == "unknown target":
            record["order"].append("nonesuch")
        else:
            raise ValueError(damage)
        cache.write_text(json.dumps(record))


def loads_counted(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    loads: list[object] = []
    real = build_module.load_or_raise

    def counted(root: object, **options: object) -> object:
        loads.append(root)
        return real(root, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "load_or_raise", counted)
    return loads


def test_unchanged_source_is_not_loaded_again(course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, warnings = build_course(course, tmp_path / "dist")
    loads = loads_counted(monkeypatch)
    again, warnings_again = build_course(course, tmp_path / "dist")
    assert loads == []
    assert [a.path for a in again] == [a.path for a in first]
    assert not any(a.changed for a in again)
    assert warnings_again == warnings


def test_with_nothing_kept_the_files_are_hashed_in_a_child(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """No cache can answer a first build: its files are hashed on the second core while this
    process imports the model. The cache it keeps answers the next build, which hashes them
    here: the key made of the child's hashes is the one made here."""
    processes = hashed_in(monkeypatch, tmp_path / "hashed")
    first, _ = build_course(course, tmp_path / "dist", options=BuildOptions(jobs=2))
    assert processes() == [forks[0]] and forks[0] != os.getpid()
    loads = loads_counted(monkeypatch)
    again, _ = build_course(course, tmp_path / "dist", options=BuildOptions(jobs=2))
    assert loads == [], "answered from the cache"
    assert processes() == [forks[0], os.getpid()]
    assert [a.path for a in again] == [a.path for a in first]


def test_one_process_hashes_the_files_itself(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    processes = hashed_in(monkeypatch, tmp_path / "hashed")
    build_course(course, tmp_path / "dist", options=BuildOptions(jobs=1))
    assert processes() == [os.getpid()] and forks == []


@pytest.mark.parametrize("failure", ["killed", "exits with an error", "short answer"])
def test_a_failing_hashing_child_costs_its_time_only(
    failure: str, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_forks(monkeypatch, failure)
    build_course(course, tmp_path / "dist", options=BuildOptions(jobs=2))
    monkeypatch.undo()
    loads = loads_counted(monkeypatch)
    build_course(course, tmp_path / "dist", options=BuildOptions(jobs=2))
    assert loads == [], "the cache kept the key of the files hashed here"
    build_course(course, tmp_path / "clean", options=BuildOptions(cache=False, jobs=1))
    assert files_of(tmp_path / "dist") == files_of(tmp_path / "clean")


def test_a_build_that_stops_at_its_checks_ends_the_hashing_child(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    quiz = sorted((course / "quiz").glob("*.yaml"))[0]
    quiz.write_text(quiz.read_text().replace("type: multichoice", "type: nosuchtype", 1))
    options = BuildOptions(jobs=2)
    opened = buildcache.open_cache(course, tmp_path / "dist", (), options, strict=False)  # held here, as the CLI does
    with pytest.raises(CourseError, match="nosuchtype"):
        build_course(course, tmp_path / "dist", options=options, opened=opened)
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no process left behind, not even a zombie


@pytest.mark.parametrize("change", ["edit a lesson", "add an asset", "edit an output", "remove an output"])
def test_any_change_means_a_real_build(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    artifacts, _ = build_course(course, tmp_path / "dist")
    if change == "edit a lesson":
        lesson = sorted((course / "lessons").glob("*.md"))[0]
        lesson.write_text(lesson.read_text() + "\nOne more line.\n")
    elif change == "add an asset":
        (course / "assets" / "new.txt").write_text("x")
    elif change == "edit an output":
        artifacts[0].path.write_bytes(b"tampered")
    else:
        artifacts[-1].path.unlink()
    loads = loads_counted(monkeypatch)
    build_course(course, tmp_path / "dist")
    assert len(loads) == 1
    build_course(course, tmp_path / "clean", options=BuildOptions(cache=False))
    assert files_of(tmp_path / "dist") == files_of(tmp_path / "clean")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "another maker", "targets not a table", "empty"])
def test_a_corrupt_cache_is_ignored_and_rebuilt(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    build_course(course, tmp_path / "dist")
    cache = buildcache.cache_file(course, tmp_path / "dist")
    record = json.loads(cache.read_text())
    damage_cache(cache, damage)
    loads = loads_counted(monkeypatch)
    build_course(course, tmp_path / "dist")
    assert len(loads) == 1, "the course was loaded and built again, not answered from the cache"
    build_course(course, tmp_path / "clean", options=BuildOptions(cache=False))
    assert files_of(tmp_path / "dist") == files_of(tmp_path / "clean")
    assert json.loads(cache.read_text())["key"] == record["key"], "the cache is written again"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names a descriptor's file through /proc")
def test_a_build_syncs_its_packages_to_disk_but_not_its_cache(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each package is on disk before it replaces the old one. The cache's files are not
    synced: they are checked when read and ignored when damaged (above), so a power cut costs
    the next build its shortcuts only, and syncing tens of megabytes of them is slow on a
    laptop's disk."""
    synced: list[Path] = []
    real_fsync = os.fsync

    def recording(descriptor: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{descriptor}")))
        real_fsync(descriptor)

    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSEBUILDER_CACHE", str(cache))
    monkeypatch.setattr(os, "fsync", recording)
    out = tmp_path / "dist"
    artifacts, _ = build_course(course, out, options=BuildOptions(jobs=1))
    assert cache.is_dir() and any(cache.rglob("*.renders")), "the build kept its cache"
    temporary = [path for path in synced if path.name.endswith(TEMP_SUFFIX)]  # `.<name>.<pid>.<random>.tmp`
    synced_files = {path.parent / path.name[1 : -len(TEMP_SUFFIX)].rsplit(".", 2)[0] for path in temporary}
    assert {artifact.path.resolve() for artifact in artifacts} <= synced_files
    assert not [path for path in synced if cache.resolve() in path.parents or path == cache.resolve()]
