"""The .mbz archive: a gzipped POSIX ustar tar, as Moodle's `tgz_packer` writes it.

Moodle's `tgz_extractor` needs the `ustar` magic in every header and would turn PAX or GNU
long-name entries into plain files, so entries are plain ustar with short ASCII paths.
Entries are sorted, times, owners and modes fixed, and gzip gets mtime 0 and no file name:
the same entries always give the same bytes.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
import zlib
from collections.abc import Iterator, Mapping, MutableMapping

COMPRESS_LEVEL = 6
"""zlib's default, as the zips use: level 9 took 3.5 times as long for 7 % less (181 MB of XML)."""
MAX_PATH = 100
"""A ustar name field; longer paths would need the prefix field, which we never need."""


SPILL_BYTES = 16 * 1024 * 1024
"""Entries stay in memory up to this size in total, then go to a temporary file."""


class Entries(MutableMapping[str, bytes]):
    """The archive's files by path, kept in one temporary file rather than as bytes objects.

    A large course's backup holds hundreds of megabytes of XML until the archive can be
    packed in sorted order; here each entry is appended to a spool (in memory while small)
    as soon as it is written, and read back piece by piece while packing. An entry may be
    written in parts (`append`), so a long document need never be whole in memory.
    """

    def __init__(self, spill: int = SPILL_BYTES) -> None:
        self._spool = tempfile.SpooledTemporaryFile(max_size=spill)  # noqa: SIM115  # closed by close()
        self._end = 0
        self._parts: dict[str, list[tuple[int, int]]] = {}

    def _write(self, data: bytes) -> tuple[int, int]:
        self._spool.seek(self._end)
        self._spool.write(data)
        start, self._end = self._end, self._end + len(data)
        return start, len(data)

    def append(self, name: str, data: bytes) -> None:
        """Add `data` to the end of entry `name` (creating it)."""
        self._parts.setdefault(name, []).append(self._write(data))

    def __setitem__(self, name: str, data: bytes) -> None:
        self._parts[name] = [self._write(data)]

    def __getitem__(self, name: str) -> bytes:
        return b"".join(self._read(start, length) for start, length in self._parts[name])

    def __delitem__(self, name: str) -> None:
        del self._parts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def size(self, name: str) -> int:
        return sum(length for _, length in self._parts[name])

    def open(self, name: str) -> _EntryReader:
        """A file object reading the entry from its start."""
        return _EntryReader(self, self._parts[name])

    def _read(self, start: int, length: int) -> bytes:
        self._spool.seek(start)
        data = self._spool.read(length)
        if len(data) != length:
            raise OSError("the backup's temporary file was cut short")
        return data

    def close(self) -> None:
        self._spool.close()


class _EntryReader:
    """Reads one entry's parts in order; `read(n)` gives n bytes until the end, as BytesIO does."""

    def __init__(self, entries: Entries, parts: list[tuple[int, int]]) -> None:
        self._entries = entries
        self._parts = parts
        self._index = 0
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        pieces = []
        wanted = size if size >= 0 else sum(length for _, length in self._parts)
        while wanted > 0 and self._index < len(self._parts):
            start, length = self._parts[self._index]
            take = min(wanted, length - self._offset)
            pieces.append(self._entries._read(start + self._offset, take))
            self._offset += take
            wanted -= take
            if self._offset == length:
                self._index, self._offset = self._index + 1, 0
        return b"".join(pieces)


def mbz_bytes(entries: Mapping[str, bytes]) -> bytes:
    """Pack `entries` (path → bytes) with a directory entry for every folder."""
    folders = sorted({"/".join(path.split("/")[:depth]) for path in entries for depth in range(1, path.count("/") + 1)})
    buffer = _GzipSink(COMPRESS_LEVEL)
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:  # type: ignore[call-overload]
        for name in sorted([*(f"{folder}/" for folder in folders), *entries], key=lambda item: item.rstrip("/")):
            if len(name.encode("ascii")) > MAX_PATH:
                raise ValueError(f"archive path longer than {MAX_PATH} bytes: {name}")
            info = tarfile.TarInfo(name.rstrip("/") if name.endswith("/") else name)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o644
                if isinstance(entries, Entries):  # read back piece by piece
                    info.size = entries.size(name)
                    tar.addfile(info, entries.open(name))
                else:
                    data = entries[name]
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
    return buffer.finish()


class _GzipSink:
    """A file to write the tar into that gzips as it goes, so the whole tar is never in memory.

    zlib's own gzip framing (`wbits=31`) gives exactly the bytes of `gzip.compress(tar,
    level, mtime=0)`, however the tar arrives in pieces: mtime 0, no file name.
    """

    def __init__(self, compresslevel: int) -> None:
        self._deflate = zlib.compressobj(compresslevel, zlib.DEFLATED, 31)
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> int:
        self._size += len(data)
        self._parts.append(self._deflate.compress(data))
        return len(data)

    def tell(self) -> int:
        return self._size

    def finish(self) -> bytes:
        self._parts.append(self._deflate.flush())
        return b"".join(self._parts)
