"""SCORM sections and compressed runs kept from one build to the next (`scorm.pagestore`): a
build after an edit renders, links and compresses only what the edit changed, and writes the
bytes a clean build writes; a store it cannot trust is ignored."""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from coursebuilder import buildcache
from coursebuilder.build import build_course
from coursebuilder.deflateruns import WINDOW_BYTES, run_key
from coursebuilder.diagnostics import CourseError
from coursebuilder.loader import load_or_raise
from coursebuilder.output import Deflated, zip_bytes
from coursebuilder.renderstore import read_checked
from coursebuilder.scorm import html, package, pagestore
from coursebuilder.scorm.pagestore import PageStore, deflate_page, runs_of
from coursebuilder.synthetic import write_synthetic_course
from coursebuilder.targets import BuildOptions
from tests.conftest import EXAMPLE, files_of, modules_hashed_by

SCORM = ["scorm12", "scorm2004"]
LESSONS = 40


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Forty lessons showing the course's figures and a glossary, its own cache, and pages
    compressed in runs of a few lessons, each longer than deflate's window (as a large
    course's are); linking alone a few lessons but not all forty (as a large glossary's
    course would: `PHRASES_PER_TEXT`)."""
    monkeypatch.setenv("COURSEBUILDER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(package, "PHRASES_PER_TEXT", 4)
    monkeypatch.setattr(pagestore, "SEGMENTED_FROM", 0)
    monkeypatch.setattr(pagestore, "RUN_BYTES", 64 << 10)
    root = tmp_path / "course"
    write_synthetic_course(root, 30, LESSONS, 20)
    return root


@pytest.fixture
def linked(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each lesson body linked from now on was linked alone (`GlossaryLinker.link`)."""
    calls: list[bool] = []
    real = html.GlossaryLinker.link

    def counted(self: html.GlossaryLinker, root: Any, title: str, *, alone: bool = False) -> None:
        calls.append(alone)
        real(self, root, title, alone=alone)

    monkeypatch.setattr(html.GlossaryLinker, "link", counted)
    return calls


@pytest.fixture
def compressed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The runs compressed from now on."""
    runs: list[bytes] = []
    real = pagestore.deflate_run

    def counted(run: bytes, window: bytes, level: int, last: bool) -> bytes:
        runs.append(run)
        return real(run, window, level, last)

    monkeypatch.setattr(pagestore, "deflate_run", counted)
    return runs


def build(course: Path, out: Path, *, cache: bool = True) -> dict[str, bytes]:
    """The SCORM packages a build of the course writes (in this process)."""
    build_course(course, out, SCORM, options=BuildOptions(jobs=1, cache=cache))
    return files_of(out)


def clean(course: Path, tmp_path: Path) -> dict[str, bytes]:
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    return build(course, tmp_path / "clean", cache=False)


def store_folder(course: Path, out: Path) -> Path:
    return buildcache.cache_file(course, out).with_suffix(".kept") / "scorm-single"


def lesson(course: Path, number: int) -> Path:
    return sorted((course / "lessons").glob("*.md"))[number]


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def page_of(files: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(files["synthetic/scorm/synthetic-scorm12.zip"])) as package:
        return package.read("index.html")


# --------------------------------------------------------------------------- edits


def test_a_lesson_edit_links_and_compresses_that_lesson_alone(
    course: Path, tmp_path: Path, linked: list[bool], compressed: list[bytes]
) -> None:
    first = build(course, tmp_path / "dist")
    assert linked == [False] * LESSONS, "the first build links every lesson with the whole glossary"
    assert len(compressed) >= 6, "the page is compressed in several runs (its end once for each version)"
    assert sorted(path.name for path in store_folder(course, tmp_path / "dist").iterdir()) == [
        "runs-1.2",
        "runs-2004",
        "sections",
    ]
    append(lesson(course, 5), "\nOne more sentence about the partner.\n")
    linked.clear()
    compressed.clear()
    edited = build(course, tmp_path / "dist")
    assert linked == [True], "only the edited lesson is linked, with the phrases it holds"
    assert 1 <= len(compressed) <= 2, "the edited lesson's run (and the next, whose window changed)"
    assert any(b"One more sentence about the partner." in run for run in compressed)
    assert edited != first
    assert edited == clean(course, tmp_path)


def test_lessons_are_linked_alone_only_when_that_is_cheaper_than_the_whole_glossarys_search(
    tmp_path: Path, linked: list[bool]
) -> None:
    """Without the course fixture's setting: the example's glossary has 52 phrases, so its
    search costs what linking one lesson or two alone costs. Its five lessons are linked with
    the whole glossary, and so would any two; a single lesson is linked alone."""
    course = tmp_path / "course"
    shutil.copytree(EXAMPLE, course)
    linker = package.SharedContent(load_or_raise(course)[0], "single").content.linker
    assert linker is not None and 1 * package.PHRASES_PER_TEXT < len(linker.phrases) < 2 * package.PHRASES_PER_TEXT
    build(course, tmp_path / "dist")
    assert linked == [False] * 5, "every lesson to link: one search for the whole glossary"
    append(lesson(course, 1), "\nOne more sentence.\n")
    linked.clear()
    build(course, tmp_path / "dist")
    assert linked == [True], "one lesson to link: linked with the phrases it holds"
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)


def test_a_multi_sco_package_keeps_its_sections_too(course: Path, tmp_path: Path, linked: list[bool]) -> None:
    """One page per lesson, each with the glossary: the lesson's section is its own key's."""
    multi = BuildOptions(jobs=1, scorm_structure="multi")
    build_course(course, tmp_path / "dist", SCORM, options=multi)
    assert (store_folder(course, tmp_path / "dist").parent / "scorm-multi" / "sections").is_file()
    append(lesson(course, 7), "\nOne more sentence.\n")
    linked.clear()
    build_course(course, tmp_path / "dist", SCORM, options=multi)
    assert linked == [True]
    build_course(course, tmp_path / "clean", SCORM, options=BuildOptions(jobs=1, cache=False, scorm_structure="multi"))
    assert files_of(tmp_path / "dist") == files_of(tmp_path / "clean")


def test_a_title_edit_makes_the_neighbours_again(course: Path, tmp_path: Path, linked: list[bool]) -> None:
    """The lessons before and after show the title on their buttons; the others are kept."""
    build(course, tmp_path / "dist")
    path = lesson(course, 5)
    text = path.read_text(encoding="utf-8")
    title = text.split("title: ", 1)[1].split("\n", 1)[0]
    path.write_text(text.replace(f"title: {title}", 'title: "A new title"', 1), encoding="utf-8")
    linked.clear()
    edited = build(course, tmp_path / "dist")
    assert linked == [True] * 3
    assert b"A new title" in page_of(edited)
    assert edited == clean(course, tmp_path)


def test_a_definition_edit_keeps_the_lessons_and_a_new_term_links_them_again(
    course: Path, tmp_path: Path, linked: list[bool]
) -> None:
    build(course, tmp_path / "dist")
    glossary = course / "glossary.yaml"
    text = glossary.read_text(encoding="utf-8")
    assert "definition: " in text
    glossary.write_text(text.replace("definition: ", "definition: Indeed, ", 1), encoding="utf-8")
    linked.clear()
    edited = build(course, tmp_path / "dist")
    assert linked == [], "the glossary's phrases are unchanged: every lesson section is kept"
    assert b"Indeed, " in page_of(edited)
    assert edited == clean(course, tmp_path)
    linked.clear()
    glossary.write_text(
        glossary.read_text(encoding="utf-8") + "  - term: partner\n    definition: Someone to work with.\n",
        encoding="utf-8",
    )
    edited = build(course, tmp_path / "dist")
    assert linked == [False] * LESSONS, "a new phrase may link anywhere"
    assert b'href="#g-partner"' in page_of(edited)
    assert edited == clean(course, tmp_path)


def test_a_kept_lesson_whose_figure_is_gone_fails_as_a_clean_build_does(course: Path, tmp_path: Path) -> None:
    build(course, tmp_path / "dist")
    shown = lesson(course, 0).read_text(encoding="utf-8")
    figure = shown.split("](../assets/", 1)[1].split(")", 1)[0]
    (course / "assets" / figure).unlink()
    with pytest.raises(CourseError) as kept:
        build(course, tmp_path / "dist")
    with pytest.raises(CourseError) as fresh:
        clean(course, tmp_path)
    assert kept.value.diagnostics == fresh.value.diagnostics


def test_kept_html_is_taken_while_its_references_resolve_as_they_did(tmp_path: Path) -> None:
    root = tmp_path / "course"
    (root / "assets").mkdir(parents=True)
    (root / "lessons").mkdir()
    (root / "assets" / "a.svg").write_text("<svg/>", encoding="utf-8")
    (root / "lessons" / "two.md").write_text("# Two\n", encoding="utf-8")
    noted: list[html.Reference] = []
    made = html.ContentRenderer(root=root, lesson_targets={"lessons/two.md": "#l-two"})
    text = "![a](../assets/a.svg) and [the next lesson](two.md)"
    assert 'src="assets/a.svg"' in made.render(text, "lessons/one.md", noted=noted)
    assert noted == [
        ("lessons/one.md", "../assets/a.svg", "assets/a.svg"),
        ("lessons/one.md", "two.md", "lessons/two.md"),
    ]
    later = html.ContentRenderer(root=root, lesson_targets={"lessons/two.md": "#l-two"})
    assert later.adopt(noted)
    assert later.files == made.files and list(later.files) == ["assets/a.svg"]
    (root / "assets" / "a.svg").unlink()
    gone = html.ContentRenderer(root=root, lesson_targets={"lessons/two.md": "#l-two"})
    assert not gone.adopt(noted)
    assert gone.files == {}


def test_a_kept_lesson_shows_its_figure_as_it_is_now(course: Path, tmp_path: Path) -> None:
    """A kept section names its figures; the package carries their bytes as they are now."""
    build(course, tmp_path / "dist")
    figure = course / "assets" / "map.svg"
    figure.write_bytes(figure.read_bytes().replace(b"</svg>", b"<!-- redrawn --></svg>"))
    edited = build(course, tmp_path / "dist")
    with zipfile.ZipFile(io.BytesIO(edited["synthetic/scorm/synthetic-scorm12.zip"])) as package:
        assert b"redrawn" in package.read("assets/map.svg")
    assert edited == clean(course, tmp_path)


def test_without_the_cache_nothing_is_kept(course: Path, tmp_path: Path) -> None:
    build(course, tmp_path / "dist", cache=False)
    assert not buildcache.cache_file(course, tmp_path / "dist").with_suffix(".kept").exists()


def test_nowhere_to_keep_them_is_no_error(course: Path, tmp_path: Path) -> None:
    folder = store_folder(course, tmp_path / "dist")
    folder.parent.mkdir(parents=True)
    folder.write_bytes(b"a file where the folder would be")
    first = build(course, tmp_path / "dist")
    append(lesson(course, 3), "\nAn edit.\n")
    assert build(course, tmp_path / "dist") == clean(course, tmp_path)
    assert first != clean(course, tmp_path)
    assert folder.read_bytes() == b"a file where the folder would be"


# --------------------------------------------------------------------------- damaged stores


def _rewrite(path: Path, change: Callable[[dict[str, Any], list[Any], bytes], tuple[Any, Any, bytes]]) -> None:
    """Rewrite a store file through `change(header, index, data)`, with a matching checksum."""
    head, _, payload = path.read_bytes().partition(b"\n")
    index, _, data = payload.partition(b"\n")
    header, entries, data = change(json.loads(head), json.loads(index), data)
    payload = json.dumps(entries).encode() + b"\n" + data
    header = {**header, "sha256": hashlib.sha256(payload).hexdigest()}
    path.write_bytes(json.dumps(header).encode() + b"\n" + payload)


def _tampered(header: dict[str, Any], index: list[Any], data: bytes) -> tuple[Any, Any, bytes]:
    """Every section's HTML replaced: were the store trusted, the pages would show it."""
    tampered = b"<p>TAMPERED</p>"
    return header, [[key, extra, len(tampered)] for key, extra, _ in index], tampered * len(index)


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) * 3 // 4] ^= 1
    path.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "a flipped byte in the sections": lambda folder: _flip(folder / "sections"),
    "sections cut short": lambda folder: (folder / "sections").write_bytes((folder / "sections").read_bytes()[:-99]),
    "garbage": lambda folder: (folder / "sections").write_bytes(b"\x00\xff not json\n\xfe"),
    "another maker": lambda folder: _rewrite(
        folder / "sections", lambda header, index, data: _tampered({**header, "maker": "0" * 64}, index, data)
    ),
    "another format": lambda folder: _rewrite(
        folder / "sections", lambda header, index, data: _tampered({**header, "format": 0}, index, data)
    ),
    "an index longer than the data": lambda folder: _rewrite(
        folder / "sections", lambda header, index, data: (header, index, data[:-1])
    ),
    "an index of the wrong shape": lambda folder: _rewrite(
        folder / "sections", lambda header, index, data: (header, [[1, "x", 0], *index], data)
    ),
    "references of the wrong shape": lambda folder: _rewrite(
        folder / "sections",
        lambda header, index, data: (header, [[key, [["one"]], size] for key, _, size in index], data),
    ),
    "a flipped byte in the runs": lambda folder: _flip(folder / "runs-1.2"),
    "runs of another maker": lambda folder: _rewrite(
        folder / "runs-1.2",
        lambda header, index, data: (
            {**header, "maker": "0" * 64},
            [[key, None, 1] for key, _, _ in index],
            b"\x00" * len(index),
        ),
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_store_that_cannot_be_trusted_is_ignored(
    damage: str, course: Path, tmp_path: Path, linked: list[bool]
) -> None:
    build(course, tmp_path / "dist")
    folder = store_folder(course, tmp_path / "dist")
    DAMAGE[damage](folder)
    append(lesson(course, 2), "\nAn edit, so the packages are built again.\n")
    rebuilt = build(course, tmp_path / "dist")
    assert rebuilt == clean(course, tmp_path)
    assert b"TAMPERED" not in page_of(rebuilt)
    header = json.loads((folder / "sections").read_bytes().partition(b"\n")[0])
    assert read_checked(folder / "sections", header) is not None, "the store is kept anew"


def test_the_makers_id_covers_the_code_and_templates_that_shape_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    shaping = {"scorm/html.py", "scorm/package.py", "markdown.py", "templates/scorm/lesson.html.j2"}
    assert shaping <= set(modules_hashed_by(pagestore.maker_id, monkeypatch))


# --------------------------------------------------------------------------- runs


def sections(count: int, seed: int) -> list[bytes]:
    generator = random.Random(seed)
    return [
        b"<section>%d %s</section>\n" % (n, bytes(generator.choices(b"abcdefgh <>", k=generator.randint(900, 3000))))
        for n in range(count)
    ]


def page(middle: list[bytes]) -> list[bytes]:
    return [b"<!DOCTYPE html><main>\n", *middle, b"</main><script>{}</script>\n"]


def keys(pieces: list[bytes]) -> list[str]:
    made, window = [], b""
    runs = runs_of(pieces)
    for number, run in enumerate(runs):
        made.append(run_key(run, window, pagestore.LEVEL, number == len(runs) - 1))
        window = (window + run)[-WINDOW_BYTES:]
    return made


def test_a_page_in_runs_is_one_deflate_stream_a_zip_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagestore, "SEGMENTED_FROM", 0)
    pieces = page(sections(300, 1))
    assert len(runs_of(pieces)) > 4
    made = deflate_page(pieces, PageStore(None), "1.2")
    assert isinstance(made, Deflated)
    reader = zlib.decompressobj(-15)
    assert reader.decompress(made.stream) == b"".join(pieces) and reader.eof and not reader.unused_data
    with zipfile.ZipFile(io.BytesIO(zip_bytes([("index.html", made), ("a.css", b"p{}")]))) as package:
        assert package.testzip() is None  # every CRC checked
        assert package.read("index.html") == b"".join(pieces)


def test_a_small_page_is_compressed_whole_as_before() -> None:
    pieces = page(sections(20, 2))
    assert deflate_page(pieces, PageStore(None), "1.2") == b"".join(pieces)


def test_an_edited_section_changes_its_run_and_at_most_the_next_one() -> None:
    middle = sections(400, 3)
    before = keys(page(middle))
    for number in (0, 57, 200, 399):
        edited = list(middle)
        edited[number] = edited[number].replace(b"</section>", b" and a longer sentence than before</section>")
        after = keys(page(edited))
        assert len(after) == len(before)
        changed = [index for index, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
        assert 1 <= len(changed) <= 2 and changed == list(range(changed[0], changed[0] + len(changed)))


def test_runs_are_compressed_once_for_both_versions(monkeypatch: pytest.MonkeyPatch, compressed: list[bytes]) -> None:
    monkeypatch.setattr(pagestore, "SEGMENTED_FROM", 0)
    store = PageStore(None)
    middle = sections(300, 4)
    first = deflate_page(page(middle), store, "1.2")
    count = len(compressed)
    other_end = [*page(middle)[:-1], b"</main><script>{2004}</script>\n"]
    second = deflate_page(other_end, store, "2004")
    assert len(compressed) == count + 1, "only the end, which differs, is compressed again"
    assert isinstance(first, Deflated) and isinstance(second, Deflated)
    assert zlib.decompress(second.stream, -15) == b"".join(other_end)


def test_a_zip_entry_compressed_ahead_is_the_entry_zipfile_writes() -> None:
    """`zip_bytes` stores a `Deflated` entry as `zipfile` stores the bytes it holds (here
    compressed as `zipfile` compresses them), names of any script and empty files included."""
    for data in (b"", b"<p>hello</p>" * 3000, random.Random(5).randbytes(5000)):
        for name in ("index.html", "les\u00e7on/\u00e9t\u00e9.html"):
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            ahead = Deflated(len(data), zlib.crc32(data), compressor.compress(data) + compressor.flush())
            others = [("player.css", b"body{}"), ("z.js", b"x" * 500)]
            assert zip_bytes([*others, (name, ahead)]) == zip_bytes([*others, (name, data)])
