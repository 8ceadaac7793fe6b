"""`output.write_chunks` writes what `write_bytes` would, from pieces, and keeps unchanged
files untouched."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from coursebuilder.output import write_bytes, write_chunks


def _state(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns, info.st_size


def test_new_changed_and_unchanged_files(tmp_path: Path) -> None:
    path = tmp_path / "out" / "questions.xml"
    assert write_chunks(path, [b"<quiz>", b"\n  <q/>", b"\n</quiz>\n"]) is True
    assert path.read_bytes() == b"<quiz>\n  <q/>\n</quiz>\n"
    os.utime(path, ns=(1, 1))  # an old timestamp, so that a rewrite would show
    before = _state(path)
    assert write_chunks(path, [b"<quiz>\n  <q/>", b"\n</quiz>\n"]) is False, "same bytes, other pieces"
    assert _state(path) == before
    for changed in (
        [b"<quiz>\n  <q/>\n</quiz>\n", b"more"],
        [b"<quiz>\n  <q/>\n</quiz>"],
        [b"<quiz>\n  <r/>\n</quiz>\n"],
    ):
        assert write_chunks(path, changed) is True
        assert path.read_bytes() == b"".join(changed)
    assert write_chunks(path, []) is True and path.read_bytes() == b""
    assert write_chunks(path, [b"", b""]) is False
    assert [p.name for p in path.parent.iterdir()] == ["questions.xml"], "no temporary file left"


def test_same_answer_as_write_bytes(tmp_path: Path) -> None:
    for old in (None, b"", b"abc", b"abcd", b"abd"):
        for new in (b"", b"abc", b"abcd"):
            a, b = tmp_path / "a", tmp_path / "b"
            for path in (a, b):
                path.unlink(missing_ok=True)
                if old is not None:
                    path.write_bytes(old)
            assert write_chunks(a, [new[:1], new[1:]]) == write_bytes(b, new), (old, new)
            assert a.read_bytes() == b.read_bytes() == new


def test_an_error_while_making_the_pieces_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "questions.xml"
    path.write_bytes(b"old")

    def failing() -> Iterator[bytes]:
        yield b"new "
        raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError):
        write_chunks(path, failing())
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["questions.xml"]
