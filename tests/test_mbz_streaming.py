"""The course backup keeps its entries out of memory and writes questions.xml quiz by quiz,
with exactly the bytes of holding everything and serializing each document whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursebuilder.loader import load_or_raise
from coursebuilder.mbz import backup_entries, build_mbz
from coursebuilder.mbz.archive import Entries, mbz_bytes
from coursebuilder.mbz.questions import QuestionBank
from coursebuilder.synthetic import write_synthetic_course
from tests.conftest import SKELETON


def test_entries_spill_to_disk_and_read_back_in_parts() -> None:
    entries = Entries(spill=10)  # rolls over to a file after ten bytes
    try:
        entries["b.xml"] = b"0123456789abcdef"
        entries.append("a.xml", b"<a>")
        entries["c.bin"] = b""
        entries.append("a.xml", b"middle")
        entries.append("a.xml", b"</a>")
        assert entries["a.xml"] == b"<a>middle</a>" and entries.size("a.xml") == 13
        assert sorted(entries) == ["a.xml", "b.xml", "c.bin"] and entries["c.bin"] == b""
        reader = entries.open("a.xml")
        # as a BytesIO reads: exactly the size asked for until the end, across parts
        assert [reader.read(5), reader.read(5), reader.read(5), reader.read(5)] == [b"<a>mi", b"ddle<", b"/a>", b""]
        assert entries.open("b.xml").read() == b"0123456789abcdef"
        as_dict = {name: entries[name] for name in entries}
        assert mbz_bytes(entries) == mbz_bytes(as_dict)
    finally:
        entries.close()


def test_a_large_entry_streams_into_the_archive_unchanged() -> None:
    """Entries larger than tarfile's copy buffer, in parts that straddle it."""
    entries = Entries(spill=1000)
    try:
        parts = [bytes([n % 251]) * (7_000 + n * 3_001) for n in range(12)]
        for part in parts:
            entries.append("questions.xml", part)
        entries["moodle_backup.xml"] = b"x" * 40_000
        assert mbz_bytes(entries) == mbz_bytes({"questions.xml": b"".join(parts), "moodle_backup.xml": b"x" * 40_000})
    finally:
        entries.close()


@pytest.mark.parametrize("source", ["skeleton", "synthetic"])
def test_questions_written_quiz_by_quiz_equal_the_whole_tree(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every quiz's categories flushed as it ends, against one tree serialized at the end."""
    if source == "skeleton":
        root = SKELETON
    else:
        root = tmp_path / "course"
        write_synthetic_course(root, 60, 6, 12)  # every question type, six quizzes
    course, _ = load_or_raise(root)
    streamed = backup_entries(course)
    archive = build_mbz(course)
    monkeypatch.setattr(QuestionBank, "_flush", lambda self: None)  # keep the whole tree to the end
    whole = backup_entries(course)
    assert streamed["questions.xml"] == whole["questions.xml"]
    assert streamed["questions.xml"].count(b"<question_category ") >= 2
    assert streamed == whole
    assert archive == mbz_bytes(whole)
