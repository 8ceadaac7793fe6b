"""The .mbz archive: a gzipped POSIX ustar tar, as Moodle's `tgz_packer` writes it.

Moodle's `tgz_extractor` needs the `ustar` magic in every header and would turn PAX or GNU
long-name entries into plain files, so entries are plain ustar with short ASCII paths.
Entries are sorted, times, owners and modes fixed, and gzip gets mtime 0 and no file name;
the compression is cut into fixed segments that threads may share (`_GzipSink`): the same
entries always give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import struct
import tempfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

from coursebuilder.output import write_bytes
from coursebuilder.version import __version__

COMPRESS_LEVEL = 6
"""zlib's default, as the zips use: level 9 took 3.5 times as long for 7 % less (181 MB of XML)."""
MAX_PATH = 100
"""A ustar name field; longer paths would need the prefix field, which we never need."""


Layout = tuple[int, dict[str, list[tuple[int, int]]]]
"""Where entries lie in their spool: its end, and each entry's (start, length) parts."""

SPILL_BYTES = 16 * 1024 * 1024
"""Entries stay in memory up to this size in total, then go to a temporary file."""


class Entries(MutableMapping[str, bytes]):
    """The archive's files by path, kept in one temporary file rather than as bytes objects.

    A large course's backup holds hundreds of megabytes of XML until the archive can be
    packed in sorted order; here each entry is appended to a spool (in memory while small)
    as soon as it is written, and read back piece by piece while packing. An entry may be
    written in parts (`append`), so a long document need never be whole in memory.
    """

    def __init__(self, spill: int = SPILL_BYTES, spool: IO[bytes] | None = None) -> None:
        """Kept in memory up to `spill` bytes, then in a temporary file; or from the start in
        `spool`, a file opened for reading and writing (emptied first), which another process
        that shares it can write (`layout`, `adopt`)."""
        if spool is None:
            spool = tempfile.SpooledTemporaryFile(max_size=spill)  # noqa: SIM115  # closed by close()
        else:
            spool.seek(0)
            spool.truncate()
        self._spool: IO[bytes] = spool
        self._end = 0
        self._position = 0
        """Where the spool's file position is (seeking flushes its buffer: only when needed)."""
        self._parts: dict[str, list[tuple[int, int]]] = {}

    def layout(self) -> Layout:
        """Where the entries lie in the spool (which is flushed): for `adopt`."""
        self._spool.flush()
        return self._end, self._parts

    @classmethod
    def adopt(cls, spool: IO[bytes], layout: Layout) -> Entries:
        """The entries that another process wrote into `spool` (a file both share), as it laid
        them out (`layout`)."""
        entries = cls.__new__(cls)
        entries._spool = spool
        entries._end, entries._parts = layout
        entries._position = -1  # unknown: seek before the first read
        return entries

    def absorb(self, other: Entries, shared: Callable[[str], bool]) -> None:
        """Append each entry of `other` to this one's entry of that name; an entry both have
        whose name `shared` accepts (a file's bytes by its hash, say) is kept once."""
        for name in other:
            if name in self._parts and shared(name):
                continue
            for piece in other.pieces(name):
                self.append(name, piece)

    def _write(self, data: bytes) -> tuple[int, int]:
        if self._position != self._end:
            self._spool.seek(self._end)
        self._spool.write(data)
        start, self._end = self._end, self._end + len(data)
        self._position = self._end
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

    def pieces(self, name: str, most: int = 1 << 20) -> Iterator[bytes]:
        """The entry's bytes in order, at most `most` bytes at a time."""
        for start, length in self._parts[name]:
            for offset in range(0, length, most):
                yield self._read(start + offset, min(most, length - offset))

    def _read(self, start: int, length: int) -> bytes:
        if self._position != start:
            self._spool.seek(start)
        data = self._spool.read(length)
        self._position = start + len(data)
        if len(data) != length:
            raise OSError("the backup's temporary file was cut short")
        return data

    def close(self) -> None:
        self._spool.close()


def mbz_bytes(entries: Mapping[str, bytes], threads: int = 1, keep: Path | None = None) -> bytes:
    """Pack `entries` (path → bytes) with a directory entry for every folder, compressing on
    `threads` threads (the bytes are the same for any number). With `keep`, a folder, the
    compressed bytes of each entry of `FRESH_BYTES` or more are kept there, and taken from
    there when the entry is the same again (`GzipStore`): the same bytes either way.

    The bytes `tarfile` writes in USTAR format with the fixed fields of `ustar_header` (a
    test compares), written directly: tarfile's per-member objects cost more than the
    compression itself for a backup of 50,000 small files.
    """
    store = GzipStore(keep) if keep is not None else None
    sink = _GzipSink(COMPRESS_LEVEL, threads, store)
    try:
        packed = _pack(entries, sink)
    finally:
        sink.close()
    if store is not None:
        store.save()
    return packed


def _pack(entries: Mapping[str, bytes], sink: _GzipSink) -> bytes:
    folders = sorted({"/".join(path.split("/")[:depth]) for path in entries for depth in range(1, path.count("/") + 1)})
    written = 0
    for name in sorted([*(f"{folder}/" for folder in folders), *entries], key=lambda item: item.rstrip("/")):
        if len(name.encode("ascii")) > MAX_PATH:
            raise ValueError(f"archive path longer than {MAX_PATH} bytes: {name}")
        if name.endswith("/"):
            sink.write(ustar_header(name, 0o755, 0, DIRTYPE))
            written += BLOCK
            continue
        size = entries.size(name) if isinstance(entries, Entries) else len(entries[name])
        pieces = _reader(entries, name)
        padding = -size % BLOCK
        if size <= _SMALL:  # one call to the compressor for the header, the data and the padding
            sink.write(b"".join([ustar_header(name, 0o644, size, REGTYPE), *pieces(), bytes(padding)]))
        elif size >= FRESH_BYTES:
            sink.write(ustar_header(name, 0o644, size, REGTYPE))
            sink.write_fresh(pieces, size)
            sink.write(bytes(padding))
        else:
            sink.write(ustar_header(name, 0o644, size, REGTYPE))
            for piece in pieces():
                sink.write(piece)
            sink.write(bytes(padding))
        written += BLOCK + size + padding
    sink.write(bytes(2 * BLOCK))  # the end of the archive, then zeros to a whole record, as tarfile does
    written += 2 * BLOCK
    sink.write(bytes(-written % RECORD))
    return sink.finish()


def _reader(entries: Mapping[str, bytes], name: str) -> Callable[[], Iterator[bytes]]:
    """The entry's bytes in pieces (an `Entries`' read back piece by piece), as often as asked."""
    if isinstance(entries, Entries):
        return lambda: entries.pieces(name)
    return lambda: iter((entries[name],))


FRESH_BYTES = 8 << 20
"""Entries of this size or more (a large course's questions.xml) start a run of segments of
their own: the tar is cut just before and just after their bytes, and their first segment has
no window from before, so their compressed segments depend on their bytes alone and can be
kept from one build to the next (`GzipStore`). A fresh start costs a few hundred bytes."""

_SMALL = 1 << 16
"""Entries up to this size are joined with their header into one piece to compress (most are)."""
BLOCK = 512
RECORD = 20 * BLOCK
"""tarfile's BLOCKSIZE and RECORDSIZE."""
REGTYPE, DIRTYPE = b"0", b"5"
_MAGIC = b"ustar\x0000"


_IDS = b"%07o\0" % 0 * 2
"""uid and gid."""
_MTIME = b"%011o\0" % 0
_AFTER_KIND = (bytes(100) + _MAGIC + bytes(32 + 32 + 8 + 8 + 155)).ljust(BLOCK - 157, b"\0")
"""Link name, magic, user and group names, device numbers, prefix and the block's padding."""
_FIXED_SUM = sum(_IDS) + sum(_MTIME) + sum(b" " * 8) + sum(_AFTER_KIND)
"""The checksum's share of the fields every header has alike (the checksum counts its own field as spaces)."""


def ustar_header(name: str, mode: int, size: int, kind: bytes) -> bytes:
    """A USTAR header as tarfile writes it: mtime, uid and gid 0, no user or group names.

    The checksum is the byte sum of the header with its own field as spaces: the sum of the
    fixed fields is taken once, those of the name, mode, size and type per header.
    """
    path = name.encode("ascii")
    mode_field = b"%07o\0" % mode
    size_field = b"%011o\0" % size
    checksum = _FIXED_SUM + sum(path) + sum(mode_field) + sum(size_field) + kind[0]
    return b"".join(
        [
            path.ljust(100, b"\0"),
            mode_field,
            _IDS,
            size_field,
            _MTIME,
            b"%06o\0 " % checksum,
            kind,
            _AFTER_KIND,
        ]
    )


class _GzipSink:
    """A file to write the tar into that gzips as it goes, so the whole tar is never in memory.

    The tar is cut at fixed offsets into segments of `SEGMENT_BYTES`, each deflated on its own,
    primed with the 32 KiB before it and ended on a byte boundary (a sync flush), as pigz
    does: the pieces join into one deflate stream that any gunzip reads as a single member,
    barely larger than one compressor's (it may still refer back across a cut), and the
    segments can be compressed on several threads (zlib lets go of the GIL while it works).
    The cuts depend only on the tar's bytes, so the archive is the same however it is written
    and on however many threads. A tar within one segment gives exactly the bytes of
    `gzip.compress(tar, level, mtime=0)`: mtime 0, no file name.
    """

    def __init__(self, compresslevel: int, threads: int = 1, store: GzipStore | None = None) -> None:
        self._level = compresslevel
        self._store = store
        self._segments = 0
        """Segments deflated or taken so far (segment `n` is `_parts[n + 1]` at the end)."""
        self._to_keep: list[tuple[str, int, int]] = []
        """(entry hash, first segment, end) of each fresh entry to keep in the store."""
        self._parts: list[bytes] = [_gzip_header(compresslevel)]
        self._segment: list[bytes] = []
        self._segment_size = 0
        self._window = b""
        """The last `WINDOW_BYTES` of the tar before the current segment: its compressor's dictionary."""
        self._crc = 0
        self._size = 0
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="mbz-gzip") if threads > 1 else None
        self._running: deque[Future[bytes]] = deque()
        self._most_running = 2 * threads

    def write(self, data: bytes) -> int:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        view = memoryview(data)
        while self._segment_size + len(view) >= SEGMENT_BYTES:
            take = SEGMENT_BYTES - self._segment_size
            self._segment.append(bytes(view[:take]))
            view = view[take:]
            self._deflate_segment(last=False)
        if view:
            self._segment.append(bytes(view))
            self._segment_size += len(view)
        return len(data)

    def tell(self) -> int:
        return self._size

    def write_fresh(self, pieces: Callable[[], Iterator[bytes]], size: int) -> None:
        """Write an entry's `size` bytes (`pieces()`) as a run of segments of their own: cut
        before and after them, the first with no window from before. With a store, the run
        is taken from there when it holds this entry's bytes, and kept otherwise."""
        if self._segment_size:
            self._deflate_segment(last=False)
        self._window = b""
        key = ""
        if self._store is not None:
            digest, crc, tail = hashlib.sha256(), self._crc, b""
            for piece in pieces():
                digest.update(piece)
                crc = zlib.crc32(piece, crc)
                tail = (tail + piece[-WINDOW_BYTES:])[-WINDOW_BYTES:]
            key = self._store.key(digest.hexdigest(), self._level)
            kept = self._store.segments(key)
            if kept is not None:
                for segment in kept:
                    self._add_done(segment)
                self._crc, self._size, self._window = crc, self._size + size, tail
                return
        first = self._segments
        for piece in pieces():
            self.write(piece)
        if self._segment_size:
            self._deflate_segment(last=False)
        if self._store is not None:
            self._to_keep.append((key, first, self._segments))

    def _add_done(self, segment: bytes) -> None:
        """A segment already compressed, in its place among those still being compressed."""
        self._segments += 1
        if self._pool is None:
            self._parts.append(segment)
            return
        done: Future[bytes] = Future()
        done.set_result(segment)
        self._running.append(done)

    def finish(self) -> bytes:
        self._deflate_segment(last=True)
        try:
            while self._running:
                self._parts.append(self._running.popleft().result())
        finally:
            self.close()
        if self._store is not None:
            for key, first, end in self._to_keep:
                self._store.offer(key, self._parts[first + 1 : end + 1])
        self._parts.append(struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))
        return b"".join(self._parts)

    def close(self) -> None:
        """Stop the threads: a process may fork only while it runs no other thread (`may_fork`)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _deflate_segment(self, *, last: bool) -> None:
        self._segments += 1
        segment = b"".join(self._segment)
        self._segment, self._segment_size = [], 0
        window = self._window
        self._window = segment[-WINDOW_BYTES:] if len(segment) >= WINDOW_BYTES else (window + segment)[-WINDOW_BYTES:]
        if self._pool is None:
            self._parts.append(_deflate(segment, window, self._level, last))
            return
        if len(self._running) >= self._most_running:
            self._parts.append(self._running.popleft().result())
        self._running.append(self._pool.submit(_deflate, segment, window, self._level, last))


SEGMENT_BYTES = 1 << 20
"""Where the tar is cut for compressing in parallel: small enough to share the work of a
backup of a few megabytes, large enough that each cut's flush adds only a few bytes."""
WINDOW_BYTES = 32 * 1024
"""Deflate's window: how far back a segment's compressor may refer."""


def _deflate(segment: bytes, window: bytes, level: int, last: bool) -> bytes:
    """One segment as raw deflate, ended on a byte boundary or, for the last, ended."""
    if window:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=window)
    else:  # the first: as zlib starts a stream
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(segment) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _gzip_header(level: int) -> bytes:
    """The header zlib writes (`wbits=31`): no name, mtime 0, the extra flags of `level`, OS Unix."""
    extra_flags = 2 if level == 9 else 4 if level == 1 else 0
    return bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, extra_flags, 3])


class GzipStore:
    """The compressed runs of the last archive's large entries (`FRESH_BYTES`), kept in a
    folder from one build to the next: an entry whose bytes are the same again (a large
    course's questions.xml after a lesson edit) is not compressed again.

    Each run is kept under a key of the entry's hash, the compression settings, zlib's version,
    the tool's and a hash of this module's code (`key`), in `gzip.data`, with a record
    (`gzip.json`) of where each run lies and the hash of the data. A record of another format,
    one that does not parse, or data whose hash does not match mean nothing is taken; the runs
    of this archive are kept anew.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._kept: dict[str, list[bytes]] = self._load()
        self._used: dict[str, list[bytes]] = {}

    def _paths(self) -> tuple[Path, Path]:
        return self.folder / "gzip.json", self.folder / "gzip.data"

    def _load(self) -> dict[str, list[bytes]]:
        record_path, data_path = self._paths()
        try:
            record = json.loads(record_path.read_bytes())
            if record.get("format") != _STORE_FORMAT:
                return {}
            data = data_path.read_bytes()
            if hashlib.sha256(data).hexdigest() != record["data"]:
                return {}
            kept: dict[str, list[bytes]] = {}
            offset = 0
            for key, lengths in record["runs"]:  # in the order of the data
                if not isinstance(key, str) or not all(isinstance(n, int) and n >= 0 for n in lengths):
                    return {}
                run = []
                for length in lengths:
                    run.append(data[offset : offset + length])
                    offset += length
                kept[key] = run
            return kept if offset == len(data) else {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return {}

    @staticmethod
    def key(digest: str, level: int) -> str:
        """The key of an entry whose bytes hash to `digest` (SHA-256), compressed at `level`."""
        settings = f"{_STORE_FORMAT}\0{__version__}\0{_archive_code()}\0zlib {zlib.ZLIB_RUNTIME_VERSION}\0{level}"
        settings += f"\0{SEGMENT_BYTES}\0{WINDOW_BYTES}\0{digest}"
        return hashlib.sha256(settings.encode()).hexdigest()

    def segments(self, key: str) -> list[bytes] | None:
        """The compressed run kept under `key`, if any."""
        found = self._kept.get(key)
        if found is not None:
            self._used[key] = found
        return found

    def offer(self, key: str, segments: list[bytes]) -> None:
        """A run this archive compressed, to keep."""
        self._used[key] = segments

    def save(self) -> None:
        """Keep this archive's runs (and only those), unless they are what is kept already."""
        if self._used.keys() == self._kept.keys():
            return
        record_path, data_path = self._paths()
        runs = sorted(self._used.items())
        data = b"".join(segment for _, run in runs for segment in run)
        record = {
            "format": _STORE_FORMAT,
            "data": hashlib.sha256(data).hexdigest(),
            "runs": [[key, [len(segment) for segment in run]] for key, run in runs],
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes(data_path, data)
            write_bytes(record_path, json.dumps(record, sort_keys=True).encode())
        except OSError:
            pass  # nothing kept: the next archive compresses them again


_STORE_FORMAT = 2


@functools.cache
def _archive_code() -> str:
    """A hash of this module's code: how a run was cut and compressed (an editable checkout
    changes without a new version)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
