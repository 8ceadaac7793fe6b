"""The question bank written on two cores: the bytes one process writes, whatever the child does."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from coursebuilder.build import build_course
from coursebuilder.buildcontext import BuildContext
from coursebuilder.exchange import moodlexml
from coursebuilder.exchange.bank import WHOLE, Span, groups, pieces, units
from coursebuilder.exchange.gift import GiftWriter, gift_text
from coursebuilder.exchange.glossary import glossary_document, glossary_xml
from coursebuilder.exchange.moodlexml import QuestionWriter, questions_xml, questions_xml_document, questions_xml_part
from coursebuilder.exchange.text import Renderer
from coursebuilder.loader import load_or_raise
from coursebuilder.model import Course
from coursebuilder.prescan import Claims, UnitStream
from coursebuilder.targets import BuildOptions, moodle
from tests import test_prescan
from tests.conftest import EXAMPLE, child_takes, files_of
from tests.test_moodle_roundtrip import AWKWARD, TYPES
from tests.test_prescan import IN_THE_CHILD, failing_forks

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not Path("/proc/self/fd").is_dir(), reason="needs fork and /proc"
)

COURSES = {"example": EXAMPLE, "types": TYPES, "awkward": AWKWARD}
"""Subcategories, lessons whose own category holds no question, every question type, questions
GIFT leaves out, embedded files, and texts that need CDATA."""


@pytest.fixture
def split_any_bank(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split even a bank of a few questions, which is too small for a split to pay, into units
    of one question each."""
    monkeypatch.setattr(moodle, "BANK_WORTH_FORKING", 0)
    monkeypatch.setattr(moodle, "UNIT", 1)


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Iterator[None]:
    """Every test ends with no child process, not even a zombie."""
    yield
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def build(root: Path, out: Path, jobs: int) -> dict[str, bytes]:
    build_course(root, out, ["moodle"], BuildOptions(jobs=jobs, cache=False))
    return files_of(out)


def load(root: Path) -> Course:
    return load_or_raise(root)[0]


@pytest.mark.parametrize("name", list(COURSES))
def test_a_split_bank_is_the_bank_of_one_process(
    name: str, tmp_path: Path, forks: list[int], split_any_bank: None
) -> None:
    serial = build(COURSES[name], tmp_path / "serial", jobs=1)
    assert forks == []
    split = build(COURSES[name], tmp_path / "split", jobs=2)
    assert len(forks) == 1
    assert sorted(split) == sorted(serial) and len(serial) == 3
    assert split == serial


@pytest.mark.parametrize("helper_units", [0, 1, 2, 5, 1_000])
def test_wherever_the_two_processes_meet_the_bank_is_the_same(
    helper_units: int, tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch, split_any_bank: None
) -> None:
    """The helper writes the last units, this process the first ones; the texts of the
    helper's units are not rendered here (the saving)."""
    course = load(TYPES)
    serial = build(TYPES, tmp_path / "serial", jobs=1)
    parsed_serially = set(parses)
    parses.clear()
    ours = child_takes(monkeypatch, helper_units)
    assert build(TYPES, tmp_path / "split", jobs=2) == serial
    ordered = [question for group in groups(course) for question in group.questions]
    theirs = min(helper_units, len(ordered))
    assert ours == list(range(len(ordered) - theirs))
    here, there = ({q.text for q in part} & parsed_serially for part in (ordered[: len(ours)], ordered[len(ours) :]))
    assert here <= set(parses)
    assert not there & set(parses)
    if theirs == len(ordered):
        assert there and not here
    elif theirs == 0:
        assert here and not there


def test_a_bank_of_more_units_than_can_be_claimed_has_larger_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_any_bank: None
) -> None:
    """Two units at most: the nine questions of the bank in two units, of five and four."""
    monkeypatch.setattr(Claims, "LIMIT", 2)
    serial = build(TYPES, tmp_path / "serial", jobs=1)
    ours = child_takes(monkeypatch, 1)
    assert build(TYPES, tmp_path / "split", jobs=2) == serial
    assert ours == [0]


def test_a_bank_that_cannot_be_written_ends_its_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_any_bank: None
) -> None:
    """A disk full at the first unit written here: the error is the build's, and the helper
    and its temporary file do not outlive it (`nothing_left_behind`)."""

    def full_disk(path: Path, chunks: Iterator[bytes], **options: object) -> bool:
        for _chunk in chunks:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return True

    monkeypatch.setattr(moodle, "write_chunks", full_disk)
    spills_before = _open_files()
    with pytest.raises(OSError, match="No space left"):
        build(TYPES, tmp_path, jobs=2)
    assert _open_files() == spills_before


def _open_files() -> set[str]:
    """What this process's file descriptors lead to (the one that lists them aside)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            found.add(os.readlink(f"/proc/self/fd/{fd}"))
    return found


def test_this_process_writes_its_units_before_waiting_for_the_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_any_bank: None
) -> None:
    """This process writes the glossary and all the units it claims (XML and GIFT) before it
    takes the helper's: the helper has as long as that to finish."""
    happened: list[str] = []
    parent = os.getpid()
    real_part, real_theirs = GiftWriter.part, moodle.SharedBank._theirs

    def part(writer: GiftWriter, course: Course, span: Span = WHOLE) -> object:
        if os.getpid() == parent:
            happened.append("our unit")
        return real_part(writer, course, span)

    def theirs(shared: moodle.SharedBank, count: int) -> object:
        happened.append("the helper's units")
        return real_theirs(shared, count)

    child_takes(monkeypatch, 1)
    monkeypatch.setattr(GiftWriter, "part", part)
    monkeypatch.setattr(moodle.SharedBank, "_theirs", theirs)
    build_course(TYPES, tmp_path, ["moodle"], BuildOptions(jobs=2, cache=False))
    count = len(load(TYPES).questions)
    assert happened == ["our unit"] * (count - 1) + ["the helper's units"]


def _write_fails() -> None:
    def boom(*args: object) -> Iterator[bytes]:
        raise RuntimeError("writing failed")

    moodlexml.questions_xml_part = boom  # type: ignore[assignment] # in the child only


@pytest.mark.parametrize("failure", [*IN_THE_CHILD, "writing raises", "killed"])
def test_a_failing_child_gives_the_same_bytes(
    failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_any_bank: None
) -> None:
    monkeypatch.setitem(test_prescan.IN_THE_CHILD, "writing raises", _write_fails)
    serial = build(TYPES, tmp_path / "serial", jobs=1)
    started = failing_forks(monkeypatch, failure)
    assert build(TYPES, tmp_path / "split", jobs=2) == serial
    assert len(started) == 1


def test_a_helper_that_misreports_its_sizes_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int], split_any_bank: None
) -> None:
    """Sizes that do not add up to the temporary file's are no answer: its units are written here."""
    serial = build(TYPES, tmp_path / "serial", jobs=1)

    def doubled(stream: UnitStream, data: bytes) -> None:  # pragma: no cover - the helper
        os.pwrite(stream._spill.fileno(), data, stream._written)
        stream._written += len(data)
        os.write(stream._ends[1], UnitStream._SIZE.pack(2 * len(data)))

    monkeypatch.setattr(UnitStream, "send", doubled)
    assert build(TYPES, tmp_path / "split", jobs=2) == serial
    assert len(forks) == 1


@pytest.mark.parametrize(("jobs", "threshold", "forked"), [(1, 0, 0), (2, 0, 1), (2, 10_000, 0)])
def test_a_child_only_for_a_large_bank_and_two_processes(
    jobs: int, threshold: int, forked: int, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(moodle, "BANK_WORTH_FORKING", threshold)
    build(TYPES, tmp_path, jobs=jobs)
    assert len(forks) == forked


def test_the_example_course_is_written_in_one_process(tmp_path: Path, forks: list[int]) -> None:
    """A fork costs more than writing a small bank: the default threshold keeps it serial."""
    build(EXAMPLE, tmp_path, jobs=2)
    assert forks == []


@pytest.mark.parametrize("keep", [True, False])
def test_the_helpers_renderings_are_kept_for_the_next_build(
    keep: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = load(TYPES)
    serial, split = BuildContext(course), BuildContext(course)
    moodle.build_moodle(serial, tmp_path / "serial", BuildOptions(jobs=1, cache=keep))
    monkeypatch.setattr(moodle, "UNIT", 1)
    child_takes(monkeypatch, 3)
    moodle.build_moodle(split, tmp_path / "split", BuildOptions(jobs=2, cache=keep), min_questions=0)
    assert files_of(tmp_path / "split") == files_of(tmp_path / "serial")
    if keep:
        assert split.renders.renderings() == serial.renders.renderings()
    else:
        assert len(split.renders) < len(serial.renders)  # the helper's are not sent back


@pytest.mark.parametrize("name", ["example", "types"])
def test_spans_cut_anywhere_join_into_the_whole_bank(name: str) -> None:
    course = load(COURSES[name])
    renderer = Renderer(course.root)
    whole_xml, whole_gift = questions_xml(course, renderer), gift_text(course, renderer)
    writer = GiftWriter(renderer)
    count = len(course.questions)
    assert sum(len(piece.questions) for piece in pieces(course)) == count > 5
    assert "GIFT cannot carry" in whole_gift
    for cut in range(count + 1):
        first, later = Span(0, cut), Span(cut)
        both = itertools.chain(questions_xml_part(course, renderer, first), questions_xml_part(course, renderer, later))
        assert b"".join(questions_xml_document(both)) == whole_xml
        assert writer.document(course, [writer.part(course, first), writer.part(course, later)]) == whole_gift
        categories = [piece.group.names for span in (first, later) for piece in pieces(course, span) if piece.starts]
        assert categories == [group.names for group in groups(course)]


@pytest.mark.parametrize("name", ["example", "types"])
def test_units_of_any_size_join_into_the_whole_bank(name: str) -> None:
    """Each unit begins its pass at the group it names (not at the first group): it holds
    what the same span holds without that shortcut, and the units hold the whole bank."""
    course = load(COURSES[name])
    renderer = Renderer(course.root)
    whole_xml, whole_gift = questions_xml(course, renderer), gift_text(course, renderer)
    writer = GiftWriter(renderer)
    bank = tuple(groups(course))
    count = len(course.questions)
    for size in range(1, count + 2):
        spans = units(bank, size)
        assert len(spans) == max(1, -(-count // size))
        for span in spans:
            assert list(pieces(course, span)) == list(pieces(course, Span(span.start, span.stop)))
        xml = b"".join(
            questions_xml_document(chunk for span in spans for chunk in questions_xml_part(course, renderer, span))
        )
        assert xml == whole_xml
        assert writer.document(course, [writer.part(course, span) for span in spans]) == whole_gift


def test_a_bank_without_questions_is_one_unit() -> None:
    course = load(EXAMPLE)
    empty = tuple(replace(group, questions=[]) for group in groups(course))
    assert [(span.start, span.stop) for span in units(empty, moodlexml.BATCH)] == [(0, None)]


@pytest.mark.parametrize("name", COURSES)
@pytest.mark.parametrize("batch", [1, 2, 7, moodlexml.BATCH])
def test_children_serialized_in_batches_are_the_whole_tree_serialized(
    name: str, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches serialized as libxml2 formats them give the bytes of the whole tree indented
    by `etree.indent`: no element the writer makes holds text beside elements."""
    course = load(COURSES[name])
    renderer = Renderer(course.root)
    quiz = QuestionWriter(renderer).document(course)
    assert len(quiz) > 7
    etree.indent(quiz, space=moodlexml.INDENT)
    whole_tree = moodlexml.DECLARATION + etree.tostring(quiz, encoding="UTF-8") + b"\n"
    monkeypatch.setattr(moodlexml, "BATCH", batch)
    assert questions_xml(course, renderer) == whole_tree


@pytest.mark.parametrize("name", COURSES)
def test_the_glossary_serialized_as_libxml2_formats_it_is_the_tree_indented(name: str) -> None:
    """glossary.xml as libxml2 indents it is what `etree.indent` makes of the same tree: no
    element of the glossary holds text beside elements."""
    course = load(COURSES[name])
    renderer = Renderer(course.root)
    document = glossary_document(course, renderer)
    assert document.findall("INFO/ENTRIES/ENTRY")
    etree.indent(document, space=moodlexml.INDENT)
    assert glossary_xml(course, renderer) == etree.tostring(document, xml_declaration=True, encoding="UTF-8") + b"\n"
