"""Renderings kept between builds: an edited course renders only what changed, and a store
that cannot be trusted is ignored (the bytes are always those of a clean build)."""

from __future__ import annotations

import hashlib
import json
import marshal
import shutil
from pathlib import Path

import pytest

from coursebuilder import buildcache, renderstore
from coursebuilder.build import build_course
from coursebuilder.targets import BuildOptions
from tests.conftest import EXAMPLE, files_of

SERIAL = BuildOptions(jobs=1)
NEW_LINE = "A sentence added after the first build."


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(EXAMPLE, root)
    return root


def store_of(course: Path, dist: Path) -> Path:
    return renderstore.store_file(buildcache.cache_file(course, dist))


def summary_of(course: Path) -> str:
    from coursebuilder.loader import load_course

    loaded = load_course(course).course
    assert loaded is not None
    return loaded.info.summary


def edit_a_lesson(course: Path) -> Path:
    lesson = sorted((course / "lessons").glob("*.md"))[1]
    lesson.write_text(lesson.read_text(encoding="utf-8") + f"\n{NEW_LINE}\n", encoding="utf-8")
    return lesson


def test_an_edited_course_parses_only_the_texts_that_changed(course: Path, tmp_path: Path, parses: list[str]) -> None:
    dist = tmp_path / "dist"
    build_course(course, dist, options=SERIAL)
    assert len(parses) > 20, "the first build parses the course's Markdown"
    edit_a_lesson(course)
    parses.clear()
    build_course(course, dist, options=SERIAL)
    again = list(parses)
    assert again, "the edited text is parsed again"
    # The manifests' plain-text summary is made outside the cache (one short text).
    unchanged = [text[:60] for text in again if NEW_LINE not in text and text != summary_of(course)]
    assert unchanged == []
    build_course(course, tmp_path / "clean", options=BuildOptions(jobs=1, cache=False))
    assert files_of(dist) == files_of(tmp_path / "clean")


def test_without_the_cache_nothing_is_kept(course: Path, tmp_path: Path) -> None:
    build_course(course, tmp_path / "dist", options=BuildOptions(cache=False))
    assert not store_of(course, tmp_path / "dist").exists()


def test_a_parallel_build_keeps_what_its_second_process_rendered(
    course: Path, tmp_path: Path, forks: list[int]
) -> None:
    build_course(course, tmp_path / "parallel", options=BuildOptions(jobs=2))
    assert forks, "the build ran in two processes"
    build_course(course, tmp_path / "serial", options=SERIAL)
    parallel = renderstore.load(store_of(course, tmp_path / "parallel"))
    serial = renderstore.load(store_of(course, tmp_path / "serial"))
    assert parallel and parallel == serial


def _tampered(entries: list[list[object]]) -> list[list[object]]:
    """Every rendering replaced: were the store trusted, the output would show it."""
    return [[text, inline, math, "<p>TAMPERED</p>\n", sources] for text, inline, math, _, sources in entries]


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "empty",
        "checksum",
        "another renderer",
        "another format",
        "another marshal",
        "wrong shapes",
        "not marshal",
        "code",
    ],
)
def test_a_store_that_cannot_be_trusted_is_ignored(course: Path, tmp_path: Path, damage: str) -> None:
    dist = tmp_path / "dist"
    build_course(course, dist, options=SERIAL)
    store = store_of(course, dist)
    head, _, payload = store.read_bytes().partition(b"\n")
    header = json.loads(head)
    entries = marshal.loads(payload)

    def write(header: dict[str, object], entries: object, checksum: bool = True, body: bytes | None = None) -> None:
        body = marshal.dumps(entries) if body is None else body
        if checksum:
            header = {**header, "sha256": hashlib.sha256(body).hexdigest()}
        store.write_bytes(json.dumps(header).encode() + b"\n" + body)

    if damage == "garbage":
        store.write_bytes(b"\x00\xff not json\n\xfe")
    elif damage == "truncated":
        data = store.read_bytes()
        store.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "empty":
        store.write_bytes(b"")
    elif damage == "checksum":
        write(header, _tampered(entries), checksum=False)
    elif damage == "another renderer":
        write({**header, "renderer": "0" * 64}, _tampered(entries))
    elif damage == "another format":
        write({**header, "format": 0}, _tampered(entries))
    elif damage == "another marshal":  # another Python's, whose form may differ
        write({**header, "marshal": "python 2.7 marshal 2"}, _tampered(entries))
    elif damage == "not marshal":  # checksum right, data wrong: `marshal.loads` fails
        write(header, None, body=b"\xfe not marshal data")
    elif damage == "code":  # `marshal` also carries code, never run: the shape check refuses it
        write(header, compile("print('TAMPERED')", "store", "exec"))
    else:
        write(header, [[1, "x", None, 2, "y"], *_tampered(entries)])
    edit_a_lesson(course)  # so that the build cache does not answer
    build_course(course, dist, options=SERIAL)
    build_course(course, tmp_path / "clean", options=BuildOptions(jobs=1, cache=False))
    assert files_of(dist) == files_of(tmp_path / "clean")
    assert renderstore.load(store), "the store is written again"


def test_a_change_of_renderer_code_means_a_new_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "package"
    shutil.copytree(Path(renderstore.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(renderstore, "__file__", str(package / "renderstore.py"))
    before = renderstore.renderer_id()
    (package / "markdown.py").write_text((package / "markdown.py").read_text() + "\n# changed\n")
    assert before is not None and renderstore.renderer_id() not in (None, before)


def test_renderings_in_mathml_are_not_kept(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).parent / "courses" / "formulas", course)
    build_course(course, tmp_path / "dist", options=SERIAL)
    kept = renderstore.load(store_of(course, tmp_path / "dist"))
    assert kept, "the store holds the other renderings"
    assert any(math == "moodle" for _, _, math in kept), "formulas in Moodle's form are kept"
    assert not any(math == "mathml" for _, _, math in kept)


def test_no_cache_on_the_command_line_reads_and_keeps_nothing(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from coursebuilder.cli import main

    monkeypatch.setenv("COURSEBUILDER_CACHE", str(tmp_path / "cache"))
    dist = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(course), "-o", str(dist), "-q", "--no-cache", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert files_of(dist), "the course was built"
    assert not (tmp_path / "cache").exists()
    result = CliRunner().invoke(main, ["build", str(course), "-o", str(dist), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert store_of(course, dist).exists() and buildcache.cache_file(course, dist).exists()
