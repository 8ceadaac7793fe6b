"""Documents serialized on a second thread reach the archive as if serialized at once: in the
order given, appends in sequence, a name written twice refused, a failure raised here."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import etree

from coursebuilder.loader import load_or_raise
from coursebuilder.mbz import backup_entries, xml
from coursebuilder.mbz.archive import Entries
from coursebuilder.mbz.serializer import MAX_WAITING, Serializer
from coursebuilder.synthetic import write_synthetic_course
from tests.conftest import SKELETON


def document(number: int) -> etree._Element:
    root = xml.element("part", {"n": number}, [("value", f"text {number}")])
    xml.child(root, "empty")  # a container: to_bytes gives it its line break
    return root


def inner(data: bytes) -> bytes:
    return data[data.index(b"<value>") : data.index(b"</value>") + len(b"</value>")]


@pytest.mark.parametrize("threaded", [False, True])
def test_entries_are_what_serializing_each_at_once_gives(threaded: bool) -> None:
    count = 3 * MAX_WAITING  # more than may wait at once
    entries = Entries()
    writer = Serializer(entries, threaded=threaded)
    try:
        writer.append_bytes("log.xml", b"<log>")
        for number in range(count):
            writer.put(f"doc/{number}.xml", document(number))
            writer.append("log.xml", document(number), inner)
        writer.put_bytes("raw.bin", b"\x00\x01")
        writer.append_bytes("log.xml", b"</log>")
        writer.finish()
        for number in range(count):
            assert entries[f"doc/{number}.xml"] == xml.to_bytes(document(number))
        expected = b"".join(b"<value>text %d</value>" % number for number in range(count))
        assert entries["log.xml"] == b"<log>" + expected + b"</log>"
        assert entries["raw.bin"] == b"\x00\x01"
        assert len(entries) == count + 2
    finally:
        entries.close()


def test_a_name_written_twice_is_refused() -> None:
    entries = Entries()
    writer = Serializer(entries, threaded=True)
    try:
        writer.put("a.xml", document(1))
        with pytest.raises(ValueError, match=r"a\.xml written twice"):
            writer.put_bytes("a.xml", b"")
        writer.append("b.xml", document(2), inner)
        with pytest.raises(ValueError, match=r"b\.xml written twice"):
            writer.put("b.xml", document(3))
    finally:
        writer.close()
        entries.close()


def our_threads() -> list[str]:
    """Threads of the backup's writer still running (other tests' servers may come and go)."""
    return [thread.name for thread in threading.enumerate() if thread.name.startswith(("mbz-xml", "mbz-gzip"))]


def test_a_failure_on_the_thread_is_raised_here() -> None:
    entries = Entries()
    writer = Serializer(entries, threaded=True)

    def refuse(data: bytes) -> bytes:
        raise AssertionError("not a part of the document")

    try:
        with pytest.raises(AssertionError, match="not a part"):  # at the next call, or at the end
            writer.append("q.xml", document(1), refuse)
            writer.finish()
    finally:
        writer.close()
        entries.close()
    assert our_threads() == []


@pytest.mark.parametrize("source", ["skeleton", "synthetic"])
def test_a_backup_serialized_on_a_thread_is_the_same(source: str, tmp_path: Path) -> None:
    """Every document of a backup with every question type, including questions.xml's parts."""
    if source == "skeleton":
        root = SKELETON
    else:
        root = tmp_path / "course"
        write_synthetic_course(root, 120, 12, 20)
    course, _ = load_or_raise(root)
    threaded = backup_entries(course, threads=2)
    assert our_threads() == []
    assert threaded == backup_entries(course, threads=1)
    assert threaded["questions.xml"].count(b"<question_category ") >= 2
