"""The course backup keeps its entries out of memory and writes questions.xml quiz by quiz,
with exactly the bytes of holding everything and serializing each document whole."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursebuilder.loader import load_or_raise
from coursebuilder.mbz import backup_entries, build_mbz
from coursebuilder.mbz.archive import COMPRESS_LEVEL, Entries, mbz_bytes
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
        assert list(entries.pieces("a.xml")) == [b"<a>", b"middle", b"</a>"]
        assert list(entries.pieces("b.xml", most=7)) == [b"0123456", b"789abcd", b"ef"]
        as_dict = {name: entries[name] for name in entries}
        assert mbz_bytes(entries) == mbz_bytes(as_dict)
    finally:
        entries.close()


@pytest.mark.parametrize("spill", [0, 10, 1 << 20])
def test_entries_read_between_writes_see_every_byte(spill: int) -> None:
    """Reads and writes take turns, in memory and in the file it spills to: a read after a
    write sees the bytes still in the file object's buffer, and a write after a read goes
    to the end, not to where the read left off."""
    entries = Entries(spill=spill)
    try:
        written: dict[str, bytes] = {}
        for number in range(40):
            name = f"activities/quiz_{number % 7}/part.xml"
            piece = bytes([65 + number % 26]) * (number * 37 % 500)
            entries.append(name, piece)
            written[name] = written.get(name, b"") + piece
            first = f"activities/quiz_{(number * 3) % 7}/part.xml"
            if first in written:
                assert entries[first] == written[first]
        assert {name: entries[name] for name in entries} == written
    finally:
        entries.close()


def test_linked_entries_are_read_in_place_from_the_file_they_were_written_in(tmp_path: Path) -> None:
    """A share of quizzes written into a file of its own joins the backup without being
    copied: its pieces are read from that file, after this spool's own pieces of the same
    entry, and a blob both have is kept once."""
    with (tmp_path / "share").open("w+b") as file:
        share = Entries(spool=file)
        share.append("questions.xml", b"<category>share</category>")
        share["activities/quiz_7/quiz.xml"] = b"<quiz/>" * 50
        share["files/ab/abcd"] = b"the share's copy"
        layout = share.layout()
    entries = Entries(spill=10)
    try:
        entries.append("questions.xml", b"<head>")
        entries["files/ab/abcd"] = b"the course's copy"
        own = entries.layout()[0]
        entries.link(
            Entries.adopt((tmp_path / "share").open("rb"), layout), shared=lambda name: name.startswith("files/")
        )
        entries.append("questions.xml", b"<tail>")
        assert entries["questions.xml"] == b"<head><category>share</category><tail>"
        assert entries["files/ab/abcd"] == b"the course's copy"
        assert entries["activities/quiz_7/quiz.xml"] == b"<quiz/>" * 50
        assert entries._end == own + len(b"<tail>"), "nothing of the share copied into the spool"
        with pytest.raises(ValueError):
            entries.layout()
        assert mbz_bytes(entries) == mbz_bytes({name: entries[name] for name in entries})
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


def tarfile_tar(entries: dict[str, bytes]) -> bytes:
    """The uncompressed archive as Python's tarfile writes it, a folder entry for each folder."""
    folders = sorted({"/".join(path.split("/")[:depth]) for path in entries for depth in range(1, path.count("/") + 1)})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted([*(f"{folder}/" for folder in folders), *entries], key=lambda item: item.rstrip("/")):
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(entries[name])
                tar.addfile(info, io.BytesIO(entries[name]))
    return buffer.getvalue()


def tarfile_mbz(entries: dict[str, bytes]) -> bytes:
    """The archive as Python's tarfile writes it (what `mbz_bytes` wrote with it before)."""
    return gzip.compress(tarfile_tar(entries), COMPRESS_LEVEL, mtime=0)


NAMES = st.lists(
    st.sampled_from(["a", "b", "course", "files", "x.xml", "0f", "quiz_12", "q.xml"]), min_size=1, max_size=4
)
SIZES = st.sampled_from([0, 1, 511, 512, 513, 10_239, 10_240, 16_384, 16_385, 40_000])


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(NAMES.map("/".join), SIZES, min_size=1, max_size=8))
def test_the_archive_is_what_tarfile_writes(sizes: dict[str, int]) -> None:
    """Sizes around the 512-byte block, the 10,240-byte record and tarfile's 16 KB copy buffer."""
    names = [name for name in sizes if not any(other.startswith(name + "/") for other in sizes)]
    entries = {name: bytes([len(name) % 256]) * sizes[name] for name in names}
    assert mbz_bytes(entries) == tarfile_mbz(entries)
    spooled = Entries(spill=4096)
    try:
        for name, data in entries.items():
            spooled.append(name, data[:700])
            spooled.append(name, data[700:])
        assert mbz_bytes(spooled) == tarfile_mbz(entries)
    finally:
        spooled.close()


@pytest.mark.parametrize("source", ["skeleton", "synthetic"])
def test_questions_written_quiz_by_quiz_equal_the_whole_tree(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every quiz's categories flushed as it ends, against one tree per share of quizzes
    serialized at the end of the share."""
    if source == "skeleton":
        root = SKELETON
    else:
        root = tmp_path / "course"
        write_synthetic_course(root, 60, 6, 12)  # every question type, six quizzes
    course, _ = load_or_raise(root)
    streamed = backup_entries(course)
    archive = build_mbz(course)
    flush = QuestionBank._flush
    monkeypatch.setattr(QuestionBank, "_flush", lambda self: None)  # keep the whole tree to the end
    monkeypatch.setattr(QuestionBank, "finish", flush)
    whole = backup_entries(course)
    assert streamed["questions.xml"] == whole["questions.xml"]
    assert streamed["questions.xml"].count(b"<question_category ") >= 2
    assert streamed == whole
    assert archive == mbz_bytes(whole)
