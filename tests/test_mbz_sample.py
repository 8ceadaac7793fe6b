"""Our backup beside a real one: the same element structure, file by file.

tests/fixtures/moodle-backup-sample.mbz is a course backup Moodle 5.2 itself wrote (a copy of
`moodle-backup-sample.mbz` in the shared reference folder, which also holds it unpacked). For
the root, course and section files and for each activity type we write (page, book, glossary,
quiz), our files must use the element names, nesting and child order of Moodle's. Where our course holds data the sample's does not (more question
types, hints, tags, an active filter), the extra elements are listed below with the Moodle
code that defines them; nothing else may differ.
"""

from __future__ import annotations

import pytest

from coursebuilder.loader import load_or_raise
from coursebuilder.mbz import backup_entries
from tests.conftest import SHARED, SKELETON, require_reference
from tests.mbz_util import SAMPLE_MBZ, child_orders, parse, paths, read_dir, unpack

PLUGIN = (
    "question_categories/question_category/question_bank_entries/question_bank_entry/"
    "question_version/question_versions/questions/question"
)

ALLOWED_EXTRA: dict[str, tuple[str, ...]] = {
    # Question types the sample has no example of (question/type/*/backup/moodle2/), hints and
    # tags (backup_questions_structure_step): their fields are checked against Moodle's
    # definitions in test_mbz.py::test_every_question_type_has_its_plugin_data.
    "questions.xml": (
        f"{PLUGIN}/plugin_qtype_numerical_question",
        f"{PLUGIN}/plugin_qtype_essay_question",
        f"{PLUGIN}/plugin_qtype_multianswer_question",
        f"{PLUGIN}/plugin_qtype_ordering_question",
        f"{PLUGIN}/question_hints/question_hint",
        f"{PLUGIN}/tags/tag",
    ),
    # Course tags (backup_course_structure_step: tag id, name, rawname) from course.yaml keywords.
    "course/course.xml": ("course/tags/tag",),
    # The glossary filter switched on in the course (backup_filters_structure_step: filter, active).
    "course/filters.xml": ("filters/filter_actives/filter_active",),
}


def _allowed(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)


def _compare(name: str, ours: bytes, theirs: bytes) -> None:
    mine, sample = parse(ours), parse(theirs)
    extra = {p for p in paths(mine) - paths(sample) if not _allowed(p, ALLOWED_EXTRA.get(name, ()))}
    missing = paths(sample) - paths(mine)
    assert not extra, f"{name}: elements Moodle's backup does not have: {sorted(extra)}"
    assert not missing, f"{name}: elements of Moodle's backup we do not write: {sorted(missing)}"
    our_orders, their_orders = child_orders(mine), child_orders(sample)
    for path, names in their_orders.items():
        common = [n for n in our_orders.get(path, []) if n in names]
        assert common == [n for n in names if n in common], f"{name}: children of {path} in another order"
    assert mine.attrib.keys() == sample.attrib.keys(), f"{name}: root attributes"


@pytest.fixture(scope="module")
def sample() -> dict[str, bytes]:
    """The sample, unpacked from Moodle's own archive."""
    return unpack(SAMPLE_MBZ.read_bytes())


def test_fixture_is_the_shared_sample() -> None:
    """The committed archive is the shared one, and the shared folder is that archive unpacked."""
    folder = require_reference(SHARED / "reference" / "moodle-backup-sample")
    assert (folder / "moodle-backup-sample.mbz").read_bytes() == SAMPLE_MBZ.read_bytes()
    unpacked = unpack(SAMPLE_MBZ.read_bytes())
    assert {name: data for name, data in read_dir(folder).items() if name in unpacked} == unpacked


@pytest.fixture(scope="module")
def ours() -> dict[str, bytes]:
    course, _ = load_or_raise(SKELETON)
    return backup_entries(course)


def _activity(entries: dict[str, bytes], modname: str, with_files: bool | None = None) -> str:
    """The folder of an activity of that type (one with files, if asked)."""
    for name in sorted(entries):
        if name.startswith(f"activities/{modname}_") and name.endswith("/inforef.xml"):
            folder = name.rsplit("/", 1)[0]
            if with_files is None or (b"<fileref>" in entries[name]) == with_files:
                return folder
    raise AssertionError(f"no {modname} activity")


ROOT_FILES = [
    "moodle_backup.xml", "files.xml", "questions.xml", "users.xml", "roles.xml", "groups.xml", "scales.xml",
    "outcomes.xml", "gradebook.xml", "grade_history.xml", "completion.xml", "badges.xml",
]  # fmt: skip
COURSE_FILES = [
    "course", "inforef", "roles", "enrolments", "filters", "comments", "calendar", "competencies",
    "completiondefaults", "contentbank",
]  # fmt: skip
ACTIVITY_FILES = [
    "module", "inforef", "grades", "roles", "filters", "comments", "calendar", "competencies",
    "grade_history", "completion", "xapistate",
]  # fmt: skip


@pytest.mark.parametrize("name", ROOT_FILES)
def test_root_files_match_moodle(name: str, ours: dict[str, bytes], sample: dict[str, bytes]) -> None:
    _compare(name, ours[name], sample[name])


@pytest.mark.parametrize("name", COURSE_FILES)
def test_course_files_match_moodle(name: str, ours: dict[str, bytes], sample: dict[str, bytes]) -> None:
    _compare(f"course/{name}.xml", ours[f"course/{name}.xml"], sample[f"course/{name}.xml"])


@pytest.mark.parametrize("name", ["section", "inforef"])
def test_section_files_match_moodle(name: str, ours: dict[str, bytes], sample: dict[str, bytes]) -> None:
    theirs = sample[f"sections/section_345/{name}.xml"]
    for path in sorted(p for p in ours if p.startswith("sections/") and p.endswith(f"/{name}.xml")):
        _compare(f"section {name}.xml", ours[path], theirs)


@pytest.fixture(scope="module")
def ours_book(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    import shutil

    course_dir = tmp_path_factory.mktemp("book") / "course"
    shutil.copytree(SKELETON, course_dir)
    course_yaml = course_dir / "course.yaml"
    course_yaml.write_text(
        course_yaml.read_text(encoding="utf-8") + "  moodle:\n    lesson_activity: book\n", encoding="utf-8"
    )
    course, _ = load_or_raise(course_dir)
    return backup_entries(course)


@pytest.mark.parametrize(
    ("modname", "with_files"),
    [("page", True), ("page", False), ("book", True), ("glossary", None), ("quiz", None)],
)
def test_activity_files_match_moodle(
    modname: str, with_files: bool | None, ours: dict[str, bytes], ours_book: dict[str, bytes], sample: dict[str, bytes]
) -> None:
    entries = ours_book if modname == "book" else ours
    mine = _activity(entries, modname, with_files)
    theirs = _activity(sample, modname, with_files)
    for name in [*ACTIVITY_FILES, modname]:
        _compare(f"{modname} {name}.xml", entries[f"{mine}/{name}.xml"], sample[f"{theirs}/{name}.xml"])
