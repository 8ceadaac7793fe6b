"""A build after a change builds only the targets whose inputs or files changed (`buildcache`),
and writes the bytes a clean build writes; a cache it cannot trust is ignored."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from coursebuilder import buildcache, renderstore
from coursebuilder.build import build_course
from coursebuilder.diagnostics import CourseError
from coursebuilder.progress import BuildReporter
from coursebuilder.synthetic import write_synthetic_course
from coursebuilder.targets import Artifact, BuildOptions
from tests.conftest import WriteCourse, command_in_new_process, files_of
from tests.test_build_cache import damage_cache

DEFAULT = ["moodle", "scorm12", "scorm2004", "mbz"]
"""The targets a plain build of the scaffold course builds, in order."""

OUTPUTS = {
    "moodle": "moodle/questions.xml",
    "scorm12": "scorm/my-course-scorm12.zip",
    "scorm2004": "scorm/my-course-scorm2004.zip",
    "mbz": "moodle/my-course.mbz",
}
"""A file each target writes (in dist/my-course/)."""


@pytest.fixture
def course(skeleton_course: Path) -> Path:
    return skeleton_course


def clean(course: Path, tmp_path: Path, targets: Sequence[str] = ()) -> dict[str, bytes]:
    """The files a build with no cache writes."""
    out = tmp_path / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build_course(course, out, targets, options=BuildOptions(cache=False))
    return files_of(out)


def rebuild(course: Path, tmp_path: Path, built: list[str], targets: Sequence[str] = ()) -> list[str]:
    """Build again into dist/; the targets this build built."""
    built.clear()
    build_course(course, tmp_path / "dist", targets)
    return list(built)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def set_text(quiz: Path, old: str, new: str) -> None:
    """Replace the one-line question text `old` with the Markdown `new` (a block)."""
    block = "".join(f"\n      {line}" if line else "\n" for line in new.split("\n"))
    edit(quiz, f"    text: {old}", f"    text: |{block}")


# --------------------------------------------------------------------------- what is rebuilt


def test_a_quiz_file_edited_rebuilds_every_target_that_reads_it(course: Path, tmp_path: Path, built: list[str]) -> None:
    build_course(course, tmp_path / "dist")
    before = files_of(tmp_path / "dist")
    edit(course / "quiz" / "welcome.yaml", "Which file holds the glossary?", "Which file holds the terms?")
    assert rebuild(course, tmp_path, built) == DEFAULT
    after = files_of(tmp_path / "dist")
    assert after == clean(course, tmp_path)
    assert after["my-course/moodle/questions.xml"] != before["my-course/moodle/questions.xml"]


@pytest.mark.parametrize("target", DEFAULT)
@pytest.mark.parametrize("how", ["deleted", "edited"])
def test_an_output_deleted_or_edited_rebuilds_only_its_target(
    course: Path, tmp_path: Path, built: list[str], target: str, how: str
) -> None:
    build_course(course, tmp_path / "dist")
    output = tmp_path / "dist" / "my-course" / OUTPUTS[target]
    if how == "deleted":
        output.unlink()
    else:
        output.write_bytes(b"tampered")
    assert rebuild(course, tmp_path, built) == [target]
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)
    assert rebuild(course, tmp_path, built) == [], "the cache records the rebuilt file"


def test_a_lesson_body_edited_keeps_the_moodle_files(course: Path, tmp_path: Path, built: list[str]) -> None:
    """The question bank, glossary and GIFT hold no lesson body: they are not made again."""
    build_course(course, tmp_path / "dist")
    moodle = tmp_path / "dist" / "my-course" / "moodle" / "questions.xml"
    stamp = moodle.stat().st_mtime_ns
    edit(course / "lessons" / "02-practice.md", "show every question type", "show each question type")
    assert rebuild(course, tmp_path, built) == ["scorm12", "scorm2004", "mbz"]
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)
    assert moodle.stat().st_mtime_ns == stamp


@pytest.mark.parametrize(
    ("old", "new"),
    [("title: Practice", "title: Exercises"), ("  - Answer questions of every type", "  - Answer every question")],
    ids=["title", "objectives"],
)
def test_a_lesson_front_matter_edited_rebuilds_the_moodle_files(
    course: Path, tmp_path: Path, built: list[str], old: str, new: str
) -> None:
    """A lesson's title names its category in the bank, its objectives describe it."""
    build_course(course, tmp_path / "dist")
    before = files_of(tmp_path / "dist")["my-course/moodle/questions.xml"]
    edit(course / "lessons" / "02-practice.md", old, new)
    assert rebuild(course, tmp_path, built) == DEFAULT
    after = files_of(tmp_path / "dist")
    assert after == clean(course, tmp_path)
    assert after["my-course/moodle/questions.xml"] != before


LINKS = {
    "markdown link": "[the lesson](../lessons/02-practice.md)",
    "percent-escaped image": "![the lesson](../lessons/02-practice.%6Dd)",
    "html link": '<a href="../lessons/02-practice.md">the lesson</a>',
    "character reference": '<a href="../lessons/02-practice.&#109;d">the lesson</a>',
    "character reference in markdown": "[the lesson](../lessons/02-practice.&#x6D;&#x64;)",
    "reference link": "[the lesson][notes]\n\n[notes]: ../lessons/02-practice.md",
}


@pytest.mark.parametrize("link", LINKS.values(), ids=LINKS.keys())
def test_a_lesson_a_question_links_to_keeps_the_moodle_files(
    course: Path, tmp_path: Path, built: list[str], link: str
) -> None:
    """A link to a lesson keeps only its text in the question bank (it has no lessons to
    lead to): an edit to that lesson changes no Moodle file."""
    set_text(course / "quiz" / "welcome.yaml", "Lessons are written in Markdown.", f"Lessons are Markdown: {link}")
    build_course(course, tmp_path / "dist")
    edit(course / "lessons" / "02-practice.md", "show every question type", "show each question type")
    assert rebuild(course, tmp_path, built) == ["scorm12", "scorm2004", "mbz"]
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)


def test_a_link_moodle_does_not_carry_leaves_the_moodle_files_alone(
    course: Path, tmp_path: Path, built: list[str]
) -> None:
    """A link whose last part has no dot is to a page, not a file (`Renderer`): the lesson's
    bytes are not in the bank, and an edit to it changes no Moodle file."""
    link = "[the lesson](../lessons/02-practice%2Emd)"
    set_text(course / "quiz" / "welcome.yaml", "Lessons are written in Markdown.", f"Lessons are Markdown: {link}")
    build_course(course, tmp_path / "dist")
    edit(course / "lessons" / "02-practice.md", "show every question type", "show each question type")
    assert rebuild(course, tmp_path, built) == ["scorm12", "scorm2004", "mbz"]
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)


def test_a_lesson_the_glossary_links_to_keeps_the_moodle_files(course: Path, tmp_path: Path, built: list[str]) -> None:
    edit(
        course / "glossary.yaml",
        "definition: One page of reading in the course.",
        "definition: One page of reading in the course, such as [this one](lessons/02-practice.md).",
    )
    build_course(course, tmp_path / "dist")
    edit(course / "lessons" / "02-practice.md", "show every question type", "show each question type")
    assert rebuild(course, tmp_path, built) == ["scorm12", "scorm2004", "mbz"]
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)


def test_a_lesson_linked_through_a_folder_link_keeps_the_moodle_files(
    course: Path, tmp_path: Path, built: list[str]
) -> None:
    """A link to the lesson through a linked folder is a link to the lesson all the same."""
    (course / "assets" / "readings").symlink_to("../lessons", target_is_directory=True)
    link = "[the lesson](../assets/readings/02-practice.md)"
    set_text(course / "quiz" / "welcome.yaml", "Lessons are written in Markdown.", f"Lessons are Markdown: {link}")
    build_course(course, tmp_path / "dist")
    edit(course / "lessons" / "02-practice.md", "show every question type", "show each question type")
    assert rebuild(course, tmp_path, built) == ["scorm12", "scorm2004", "mbz"]
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)


def test_an_asset_added_rebuilds_every_target(course: Path, tmp_path: Path, built: list[str]) -> None:
    build_course(course, tmp_path / "dist")
    (course / "assets" / "new.txt").write_text("x")
    assert rebuild(course, tmp_path, built) == DEFAULT


def test_another_structure_rebuilds_the_packages(course: Path, tmp_path: Path, built: list[str]) -> None:
    build_course(course, tmp_path / "dist")
    built.clear()
    build_course(course, tmp_path / "dist", options=BuildOptions(scorm_structure="multi"))
    assert {"scorm12", "scorm2004"} <= set(built)
    out = tmp_path / "clean"
    build_course(course, out, options=BuildOptions(cache=False, scorm_structure="multi"))
    assert files_of(tmp_path / "dist") == files_of(out)


def test_targets_not_selected_keep_their_record(course: Path, tmp_path: Path, built: list[str]) -> None:
    """A build of one target does not make the next full build forget the others."""
    build_course(course, tmp_path / "dist")
    (tmp_path / "dist" / "my-course" / OUTPUTS["moodle"]).unlink()
    assert rebuild(course, tmp_path, built, ["moodle"]) == ["moodle"]
    assert rebuild(course, tmp_path, built) == []
    edit(course / "quiz" / "welcome.yaml", "Which file holds the glossary?", "Which file holds the terms?")
    assert rebuild(course, tmp_path, built, ["moodle"]) == ["moodle"]
    assert rebuild(course, tmp_path, built) == ["scorm12", "scorm2004", "mbz"], "built from older sources"
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)


def test_the_renderings_of_targets_not_built_are_kept(course: Path, tmp_path: Path, built: list[str]) -> None:
    """Only the SCORM package is built again: the renderings the backup and the Moodle files
    asked for are kept all the same, for their next build."""
    build_course(course, tmp_path / "dist")
    store = renderstore.store_file(buildcache.cache_file(course, tmp_path / "dist"))
    kept = renderstore.load(store)
    assert kept
    (tmp_path / "dist" / "my-course" / OUTPUTS["scorm12"]).unlink()
    assert rebuild(course, tmp_path, built) == ["scorm12"]
    assert renderstore.load(store) == kept


def test_without_the_cache_every_target_is_built(course: Path, tmp_path: Path, built: list[str]) -> None:
    build_course(course, tmp_path / "dist")
    built.clear()
    build_course(course, tmp_path / "dist", options=BuildOptions(cache=False))
    assert built == DEFAULT


# --------------------------------------------------------------------------- what is reported


class Events:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def targets_selected(self, names: Sequence[str]) -> None:
        self.seen.append(("selected", ",".join(names)))

    def target_started(self, name: str) -> None:
        self.seen.append(("started", name))

    def target_finished(self, name: str, artifacts: Sequence[Artifact]) -> None:
        self.seen.append(("finished", name))

    def target_unchanged(self, name: str, artifacts: Sequence[Artifact]) -> None:
        assert artifacts and not any(artifact.changed for artifact in artifacts)
        self.seen.append(("unchanged", name))


def test_skipped_targets_are_reported_unchanged(course: Path, tmp_path: Path) -> None:
    first, _ = build_course(course, tmp_path / "dist")
    (tmp_path / "dist" / "my-course" / OUTPUTS["scorm2004"]).unlink()
    events = Events()
    again, _ = build_course(course, tmp_path / "dist", events=events)
    assert events.seen == [
        ("selected", ",".join(DEFAULT)),
        ("unchanged", "moodle"),
        ("unchanged", "scorm12"),
        ("unchanged", "mbz"),
        ("started", "scorm2004"),
        ("finished", "scorm2004"),
    ]
    assert [a.path for a in again] == [a.path for a in first], "every file, in build order"
    assert [a.path.name for a in again if a.changed] == ["my-course-scorm2004.zip"]


def test_the_reporter_and_the_progress_say_unchanged(course: Path, tmp_path: Path) -> None:
    build_course(course, tmp_path / "dist")
    (tmp_path / "dist" / "my-course" / OUTPUTS["mbz"]).unlink()
    stream = io.StringIO()
    build_course(course, tmp_path / "dist", events=BuildReporter(stream, verbose=True, interactive=False))
    lines = stream.getvalue().splitlines()
    assert "  moodle     unchanged: 3 files" in lines
    assert "  mbz        building …" in lines
    messages: list[str] = []
    build_course(course, tmp_path / "dist", options=BuildOptions(progress=messages.append))
    assert messages == [f"{name}: unchanged since the last build" for name in DEFAULT]


def test_a_kept_backup_takes_no_process(tmp_path: Path, built: list[str], forks: list[int]) -> None:
    """A course large enough for the backup's own process: when only another target is
    built, or only the backup, nothing is forked."""
    course = tmp_path / "course"
    write_synthetic_course(course, 120, 4, 4)
    build_course(course, tmp_path / "dist", options=BuildOptions(jobs=2))
    dist = tmp_path / "dist" / "synthetic"
    forks.clear()
    (dist / "moodle" / "questions.xml").unlink()
    assert rebuild(course, tmp_path, built) == ["moodle"]
    (dist / "moodle" / "synthetic.mbz").unlink()
    assert rebuild(course, tmp_path, built) == ["mbz"]
    assert forks == []
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)


# --------------------------------------------------------------------------- a cache not trusted


DAMAGE = ["garbage", "truncated", "another maker", "another format", "wrong types", "unknown target", "empty"]


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_cache_is_ignored_and_every_target_built(
    course: Path, tmp_path: Path, built: list[str], damage: str
) -> None:
    build_course(course, tmp_path / "dist")
    (tmp_path / "dist" / "my-course" / OUTPUTS["moodle"]).unlink()
    cache = buildcache.cache_file(course, tmp_path / "dist")
    damage_cache(cache, damage)
    assert rebuild(course, tmp_path, built) == DEFAULT
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)
    assert json.loads(cache.read_text())["format"] == 2, "written again"
    assert rebuild(course, tmp_path, built) == []


def test_a_forged_key_of_a_target_is_not_its_inputs(course: Path, tmp_path: Path, built: list[str]) -> None:
    """A record whose inputs are those of another build: the target is built."""
    build_course(course, tmp_path / "dist")
    cache = buildcache.cache_file(course, tmp_path / "dist")
    record = json.loads(cache.read_text())
    record["targets"]["scorm12"]["inputs"] = "0" * 64
    record["key"] = "0" * 64
    cache.write_text(json.dumps(record))
    assert rebuild(course, tmp_path, built) == ["scorm12"]


def test_a_cache_that_cannot_be_saved_does_not_fail_the_build(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: list[str]
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("COURSEBUILDER_CACHE", str(blocked / "cache"))
    build_course(course, tmp_path / "dist")
    assert rebuild(course, tmp_path, built) == DEFAULT
    assert files_of(tmp_path / "dist") == clean(course, tmp_path)


@pytest.mark.parametrize("inside", ["output", "cache"])
def test_a_build_into_the_course_directory_is_not_its_own_change(
    inside: str, course: Path, monkeypatch: pytest.MonkeyPatch, built: list[str]
) -> None:
    """`build . -o dist` from the course's folder (or a cache kept there): the files a build
    writes are not sources, so the build after it finds nothing changed."""
    out = course / "dist" if inside == "output" else course.parent / "dist"
    if inside == "cache":
        monkeypatch.setenv("COURSEBUILDER_CACHE", str(course / ".cache"))
    build_course(course, out)
    assert built == DEFAULT
    built.clear()
    build_course(course, out)
    assert built == [], "nothing changed but what the first build wrote"
    (course / "lessons" / "extra.txt").write_text("a file of the course")
    build_course(course, out)
    assert built == DEFAULT, "a file of the course is still a source"


def test_the_source_digest_sees_every_file(tmp_path: Path) -> None:
    from coursebuilder.sourcedigests import SourceFiles

    root = tmp_path / "c"
    (root / "a" / ".git").mkdir(parents=True)
    (root / "a" / "x.md").write_text("x")
    (root / "a" / ".git" / "HEAD").write_text("ref")
    (root / "dangling").symlink_to(root / "nowhere")
    first = SourceFiles.read(root)
    assert sorted(first.digests) == ["a/x.md", "dangling", "dangling\0link"]
    (root / "a" / "x.md").write_text("y")
    second = SourceFiles.read(root)
    assert second.digest() != first.digest()
    assert second.digest(leave_out={"a/x.md"}) == first.digest(leave_out={"a/x.md"})
    os.remove(root / "dangling")
    assert SourceFiles.read(root).digest() != second.digest()


def test_a_file_too_large_for_any_build_is_keyed_by_its_size(write_course: WriteCourse, tmp_path: Path) -> None:
    """Hashing it would read gigabytes for nothing: the loader refuses a source file over its
    limit and an asset over its limit unread (tests/test_limits.py), and no target reads a
    file the course does not use. A build of such a course fails for the file's size alone."""
    from coursebuilder import limits
    from coursebuilder.sourcedigests import NEVER_READ_BYTES, SourceFiles

    assert max(limits.MAX_ASSET_BYTES, limits.MAX_SOURCE_FILE_BYTES) <= NEVER_READ_BYTES
    course = write_course({"lessons/01-welcome.md": "---\ntitle: Welcome\n---\n\n![v](../assets/big.mp4)\n"})
    big = course / "assets" / "big.mp4"
    big.touch()
    os.truncate(big, NEVER_READ_BYTES + 1)
    first = SourceFiles.read(course)
    assert first.digests["assets/big.mp4"][:1] == b"s"
    with big.open("r+b") as handle:
        handle.write(b"other bytes, same size")
    assert SourceFiles.read(course).digest() == first.digest()
    os.truncate(big, NEVER_READ_BYTES + 2)
    assert SourceFiles.read(course).digest() != first.digest()
    with pytest.raises(CourseError) as raised:
        build_course(course, tmp_path / "out")
    assert any(d.code == "asset" and "the limit for one asset" in d.message for d in raised.value.diagnostics)
    os.truncate(big, NEVER_READ_BYTES)
    assert SourceFiles.read(course).digests["assets/big.mp4"][:1] == b"f"


def test_an_unchanged_build_is_answered_without_loading_the_libraries(skeleton_course: Path, tmp_path: Path) -> None:
    """Answering from the cache costs little more than hashing the course's files: the
    command imports neither the model (pydantic) nor the targets nor the writers."""
    args = ["build", str(skeleton_course), "-o", str(tmp_path / "dist")]
    heavy = ["pydantic", "lxml", "yaml", "markdown_it", "jinja2", "coursebuilder.model", "coursebuilder.targets"]
    built, imported = command_in_new_process(args, heavy)
    assert imported != [], "a build that loads the course imports them"
    lines, imported = command_in_new_process(args, heavy)
    assert imported == [], lines
    assert lines[0].startswith("built 6 files") and all("(unchanged)" in line for line in lines[1:]), lines
    assert lines == [built[0], *(f"{line}  (unchanged)" for line in built[1:])]


def test_a_link_moved_elsewhere_is_a_change(tmp_path: Path) -> None:
    """The files a link leads to are counted where they lie; where the link leads counts too."""
    from coursebuilder.sourcedigests import SourceFiles

    root = tmp_path / "c"
    for version in ("v1", "v2"):
        (root / "assets" / version).mkdir(parents=True)
        (root / "assets" / version / "map.png").write_bytes(version.encode())
    (root / "assets" / "current").symlink_to("v1")
    (root / "notes.md").write_bytes(b"same bytes")
    (root / "other.md").write_bytes(b"same bytes")
    (root / "lesson.md").symlink_to("notes.md")
    first = SourceFiles.read(root)
    (root / "assets" / "current").unlink()
    (root / "assets" / "current").symlink_to("v2")
    moved = SourceFiles.read(root)
    assert moved.digest() != first.digest()
    (root / "assets" / "current").unlink()
    (root / "assets" / "current").symlink_to("v1")
    assert SourceFiles.read(root).digest() == first.digest()
    (root / "lesson.md").unlink()
    (root / "lesson.md").symlink_to("other.md")  # the same bytes through another file
    assert SourceFiles.read(root).digest() != first.digest()


def test_a_lesson_linked_out_of_the_course_is_refused_though_its_bytes_did_not_change(
    skeleton_course: Path, tmp_path: Path
) -> None:
    """Were only the bytes counted, the build would be answered from the cache as unchanged."""
    lesson = next(iter(sorted((skeleton_course / "lessons").glob("*.md"))))
    inside = skeleton_course / "drafts" / lesson.name
    inside.parent.mkdir()
    inside.write_bytes(lesson.read_bytes())
    outside = tmp_path / "elsewhere" / lesson.name
    outside.parent.mkdir()
    outside.write_bytes(lesson.read_bytes())
    lesson.unlink()
    lesson.symlink_to(inside)
    dist = tmp_path / "dist"
    build_course(skeleton_course, dist)
    lesson.unlink()
    lesson.symlink_to(outside)
    with pytest.raises(CourseError) as raised:
        build_course(skeleton_course, dist)
    assert any(lesson.name in d.file for d in raised.value.diagnostics)
