"""The course backup is written in parts with ids of their own, the later share of quizzes
perhaps in a second process: the bytes are those of one process, and every id stays unique
within its table across the parts."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from coursebuilder.loader import load_or_raise
from coursebuilder.markdown import RenderCache
from coursebuilder.mbz import backup as backup_module
from coursebuilder.mbz import build_mbz
from coursebuilder.mbz.archive import Entries
from coursebuilder.mbz.files import StoredFile
from coursebuilder.model import Course
from coursebuilder.synthetic import write_synthetic_course
from tests.mbz_util import parse, unpack


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """Every question type in six quizzes, each quiz's questions tagged with their unit and
    with one tag that all of them carry."""
    root = tmp_path_factory.mktemp("parts") / "course"
    write_synthetic_course(root, 60, 6, 12)
    for quiz in sorted((root / "quiz").glob("*.yaml")):
        text = quiz.read_text(encoding="utf-8")
        assert "  tags: [unit-" in text
        quiz.write_text(text.replace("  tags: [unit-", "  tags: [Shared, unit-"), encoding="utf-8")
    loaded, _ = load_or_raise(root)
    return loaded


def test_both_shares_of_quizzes_hold_questions(course: Course) -> None:
    """The course used here exercises both shares (else the tests below prove nothing)."""
    from coursebuilder.mbz.ids import Ids
    from coursebuilder.mbz.sections import make_plan

    quizzes = [a for a in make_plan(course, Ids(), with_scorm=False).activities if a.modname == "quiz"]
    first, later = backup_module.quiz_shares(course, quizzes)
    assert first.quizzes and later.quizzes
    assert later.first_number == len(first.quizzes)


def test_the_later_share_written_in_a_child_gives_the_same_bytes(
    course: Course, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = build_mbz(course, threads=1)
    assert forks == []
    monkeypatch.setattr(backup_module, "QUIZZES_WORTH_FORKING", 0)
    parallel = build_mbz(course, threads=2)
    assert len(forks) == 1, "the later share of quizzes was written in a child"
    assert parallel == serial


def test_a_child_that_fails_leaves_its_share_to_this_process(
    course: Course, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child writes its share into the file both share, then fails: this process writes
    the share again, over what the child left there."""
    serial = build_mbz(course, threads=1)
    here = os.getpid()
    write_quizzes = backup_module.write_quizzes

    def failing_in_the_child(
        backup: backup_module.Backup, share: backup_module.QuizShare, entries: Entries, renders: RenderCache | None
    ) -> list[StoredFile]:
        in_child = os.getpid() != here
        if in_child:  # what this process writes must land over it, not after it
            entries.append("activities/junk.xml", b"<junk/>" * 5000)
        written = write_quizzes(backup, share, entries, renders)
        if in_child:
            raise RuntimeError("the child fails after writing")
        return written

    monkeypatch.setattr(backup_module, "write_quizzes", failing_in_the_child)
    monkeypatch.setattr(backup_module, "QUIZZES_WORTH_FORKING", 0)
    assert build_mbz(course, threads=2) == serial
    assert len(forks) == 1


def test_every_row_id_is_unique_in_its_table_across_the_parts(course: Course) -> None:
    """Restore maps each table's ids: two rows of one table with one id would be one row.
    Moodle keys every mapping by the item's name and its old id
    (`restore_dbops::set_backup_ids_record($restoreid, $itemname, $itemid, …)`,
    backup/util/dbops/restore_dbops.class.php, read in Moodle 4.5), so an id may repeat across
    tables but never within one.

    Rows are the elements with an `id` attribute, by element name. A slot's
    `question_reference` takes its `question_instance`'s id and a version its entry's (as
    Moodle's own backups do), so each is counted in its own table; a tag is one row however
    many questions carry it.
    """
    files = unpack(build_mbz(course))
    rows: dict[str, Counter[str]] = {}
    tags: dict[str, set[str]] = {}
    for name, data in files.items():
        if not name.endswith(".xml"):
            continue
        for node in parse(data).iter():
            row_id = node.get("id")
            if row_id is None:
                continue
            if node.tag == "tag" and name == "questions.xml":
                tags.setdefault(node.findtext("name") or "", set()).add(row_id)
                continue
            rows.setdefault(node.tag, Counter())[row_id] += 1
    repeated = {table: [i for i, n in ids.items() if n > 1] for table, ids in rows.items()}
    assert {table: ids for table, ids in repeated.items() if ids} == {}
    for table in ("question", "answer", "question_category", "question_hint", "question_instance", "file"):
        assert len(rows[table]) > 1, table
    assert all(len(ids) == 1 for ids in tags.values()), "a tag has one id wherever it is used"
    assert len({next(iter(ids)) for ids in tags.values()}) == len(tags) == 7, "and no two tags share one"
    shared = files["questions.xml"].count(b"<rawname>Shared</rawname>")
    assert shared == sum(1 for _ in course.questions), "every question carries the shared tag"


def test_the_parts_hand_out_ids_of_their_own() -> None:
    from coursebuilder.mbz.ids import Ids

    ids = Ids()
    ids.cm(), ids.record()
    parts = [ids.part(index, 3) for index in range(3)]
    drawn = [[part.record() for _ in range(4)] for part in parts]
    assert drawn == [[2, 5, 8, 11], [3, 6, 9, 12], [4, 7, 10, 13]]
    assert parts[0].cm is ids.cm, "the course's layout is shared, made before the parts"


def test_a_course_without_quizzes_has_the_empty_question_bank(tmp_path: Path) -> None:
    """No part writes a category: questions.xml is its head and tail alone, the empty
    container Moodle's xml_writer writes (a line break before the closing tag)."""
    root = tmp_path / "course"
    (root / "lessons").mkdir(parents=True)
    (root / "course.yaml").write_text("id: no-quiz\ntitle: No quiz\nshortname: NOQ\nlanguage: en\nlessons: [only]\n")
    (root / "lessons" / "only.md").write_text("---\ntitle: Only\n---\n\nText.\n")
    loaded, _ = load_or_raise(root)
    questions = unpack(build_mbz(loaded))["questions.xml"]
    assert questions == b'<?xml version="1.0" encoding="UTF-8"?>\n<question_categories>\n</question_categories>\n'
