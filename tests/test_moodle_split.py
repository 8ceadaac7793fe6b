"""The question bank written on two cores: the bytes one process writes, whatever the child does."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from lxml import etree

from coursebuilder.build import build_course
from coursebuilder.buildcontext import BuildContext
from coursebuilder.exchange import moodlexml
from coursebuilder.exchange.bank import WHOLE, Span, groups, pieces
from coursebuilder.exchange.gift import GiftWriter, gift_text
from coursebuilder.exchange.glossary import glossary_document, glossary_xml
from coursebuilder.exchange.moodlexml import QuestionWriter, questions_xml, questions_xml_chunks, questions_xml_part
from coursebuilder.exchange.text import Renderer
from coursebuilder.loader import load_or_raise
from coursebuilder.model import Course
from coursebuilder.targets import BuildOptions, moodle
from tests import test_prescan
from tests.conftest import EXAMPLE, files_of
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
    """Split even a bank of a few questions, which is too small for a split to pay."""
    monkeypatch.setattr(moodle, "BANK_WORTH_FORKING", 0)


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


def test_the_child_writes_the_later_questions(tmp_path: Path, parses: list[str], split_any_bank: None) -> None:
    """The later questions' texts are not rendered here: the child did (the saving)."""
    course = load(EXAMPLE)
    build(EXAMPLE, tmp_path / "serial", jobs=1)
    parsed_serially = set(parses)
    parses.clear()
    build(EXAMPLE, tmp_path / "split", jobs=2)
    ordered = [question for group in groups(course) for question in group.questions]
    ours = moodle.our_share(len(ordered), len(course.glossary.entries))
    first, later = ({q.text for q in part} & parsed_serially for part in (ordered[:ours], ordered[ours:]))
    assert first and later
    assert first <= set(parses)
    assert not later & set(parses)


def test_our_gift_is_made_before_waiting_for_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_any_bank: None
) -> None:
    """This process writes the glossary and all of its own part (XML and GIFT) before it takes
    the child's: the child has as long as that to finish."""
    happened: list[str] = []
    parent = os.getpid()
    real_part, real_result = GiftWriter.part, moodle.LaterPart._result

    def part(writer: GiftWriter, course: Course, span: Span = WHOLE) -> object:
        if os.getpid() == parent:
            happened.append("our gift")
        return real_part(writer, course, span)

    def result(later: moodle.LaterPart) -> tuple[bytes, object]:
        happened.append("the child's part")
        return real_result(later)  # type: ignore[return-value]

    monkeypatch.setattr(GiftWriter, "part", part)
    monkeypatch.setattr(moodle.LaterPart, "_result", result)
    build_course(EXAMPLE, tmp_path, ["moodle"], BuildOptions(jobs=2, cache=False))
    assert happened[0] == "our gift" and "the child's part" in happened


@pytest.mark.parametrize("questions", [2_000, 20_000, 100_000])
def test_our_share_leaves_the_glossary_to_this_process(questions: int) -> None:
    """With no glossary this process takes about half (a little more: the child's part still
    has to come back); the larger the glossary it writes, the fewer questions it takes, never
    fewer than none."""
    alone = moodle.our_share(questions, 0)
    assert questions // 2 <= alone <= questions * 0.52
    shares = [moodle.our_share(questions, entries) for entries in (0, 100, 1_000, 10_000, 10 * questions)]
    assert shares == sorted(shares, reverse=True) and shares[0] > shares[-2]
    assert shares[-1] == 0


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
def test_the_childs_renderings_are_kept_for_the_next_build(keep: bool, tmp_path: Path) -> None:
    course = load(TYPES)
    serial, split = BuildContext(course), BuildContext(course)
    moodle.build_moodle(serial, tmp_path / "serial", BuildOptions(jobs=1, cache=keep))
    moodle.build_moodle(split, tmp_path / "split", BuildOptions(jobs=2, cache=keep), min_questions=0)
    assert files_of(tmp_path / "split") == files_of(tmp_path / "serial")
    if keep:
        assert split.renders.renderings() == serial.renders.renderings()
    else:
        assert len(split.renders) < len(serial.renders)  # the child's are not sent back


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
        rest = partial(b"".join, questions_xml_part(course, renderer, later))
        assert b"".join(questions_xml_chunks(course, renderer, first, rest)) == whole_xml
        assert writer.document(course, [writer.part(course, first), writer.part(course, later)]) == whole_gift
        categories = [piece.group.names for span in (first, later) for piece in pieces(course, span) if piece.starts]
        assert categories == [group.names for group in groups(course)]


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
