"""The .mbz archive: a gzipped POSIX ustar tar, as Moodle's `tgz_packer` writes it.

Moodle's `tgz_extractor` needs the `ustar` magic in every header and would turn PAX or GNU
long-name entries into plain files, so entries are plain ustar with short ASCII paths.
Entries are sorted, times, owners and modes fixed, and gzip gets mtime 0 and no file name;
the compression is cut into segments that threads may share, at points chosen from the
entries' names and sizes (`_GzipSink`): the same entries always give the same bytes.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import struct
import tempfile
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, NamedTuple

from coursebuilder.buildcache import checked_int, checked_pieces, checked_text
from coursebuilder.deflateruns import WINDOW_BYTES, deflate_run, run_key
from coursebuilder.renderstore import code_id, read_checked, write_checked
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
    """The archive's files by path, kept in temporary files rather than as bytes objects.

    A large course's backup holds hundreds of megabytes of XML until the archive can be
    packed in sorted order; here each entry is appended to a spool (in memory while small)
    as soon as it is written, and read back piece by piece while packing. An entry may be
    written in parts (`append`), so a long document need never be whole in memory. Entries
    written into another file (a share of quizzes, by another process or an earlier build)
    are read from there in place (`link`): this spool is the first of the files they lie in.
    """

    def __init__(self, spill: int = SPILL_BYTES, spool: IO[bytes] | None = None) -> None:
        """Kept in memory up to `spill` bytes, then in a temporary file; or from the start in
        `spool`, a file opened for reading and writing (emptied first), which another process
        that shares it can write (`layout`, `adopt`)."""
        if spool is None:
            spool = io.BytesIO()
        else:
            spool.seek(0)
            spool.truncate()
        self._spill = spill
        self._spools: list[IO[bytes]] = [spool]
        """The files the entries lie in: this one's own spool first, then those linked."""
        self._descriptors = [_descriptor(spool)]
        """Each spool's file descriptor, read with `os.pread`; None for one in memory."""
        self._positions = [0]
        """Where each spool's file position is (seeking flushes its buffer: only when needed)."""
        self._unflushed = False
        """Whether this one's own spool holds written bytes that a read of its file would miss."""
        self._end = 0
        self._parts: dict[str, list[tuple[int, int, int]]] = {}
        """Each entry's pieces: (spool, start, length)."""

    def layout(self) -> Layout:
        """Where the entries lie in the spool (which is flushed): for `adopt`. Only entries
        written here have one (none linked)."""
        self._spools[0].flush()
        if len(self._spools) > 1:
            raise ValueError("entries linked from other files have no layout of their own")
        return self._end, {name: [(start, length) for _, start, length in parts] for name, parts in self._parts.items()}

    @classmethod
    def adopt(cls, spool: IO[bytes], layout: Layout) -> Entries:
        """The entries that another process wrote into `spool` (a file both share), as it laid
        them out (`layout`); closing them closes `spool`."""
        entries = cls.__new__(cls)
        entries._spill = 0
        entries._spools = [spool]
        entries._descriptors = [_descriptor(spool)]
        entries._positions = [-1]  # unknown: seek before the first read
        entries._unflushed = False
        end, parts = layout
        entries._end = end
        entries._parts = {name: [(0, start, length) for start, length in pieces] for name, pieces in parts.items()}
        return entries

    def link(self, other: Entries, shared: Callable[[str], bool]) -> None:
        """Append each entry of `other` to this one's entry of that name, read from `other`'s
        files where they lie (not copied); an entry both have whose name `shared` accepts (a
        file's bytes by its hash, say) is kept once. These entries now close `other`'s files."""
        first = len(self._spools)
        if other._unflushed:
            other._spools[0].flush()
        self._spools.extend(other._spools)
        self._descriptors.extend(other._descriptors)
        self._positions.extend(other._positions)
        other._spools, other._descriptors, other._positions = [], [], []
        for name, pieces in other._parts.items():
            if name in self._parts and shared(name):
                continue
            self._parts.setdefault(name, []).extend([(first + spool, start, length) for spool, start, length in pieces])

    def _write(self, data: bytes) -> tuple[int, int, int]:
        if self._end + len(data) > self._spill and isinstance(self._spools[0], io.BytesIO):
            self._spill_to_file()
        if self._positions[0] != self._end:
            self._spools[0].seek(self._end)
        self._spools[0].write(data)
        start, self._end = self._end, self._end + len(data)
        self._positions[0] = self._end
        self._unflushed = True
        return 0, start, len(data)

    def _spill_to_file(self) -> None:
        """Move this one's own spool from memory to a temporary file."""
        memory = self._spools[0]
        assert isinstance(memory, io.BytesIO)
        file = tempfile.TemporaryFile()  # noqa: SIM115  # closed by close()
        file.write(memory.getbuffer())
        self._spools[0], self._descriptors[0], self._positions[0] = file, _descriptor(file), self._end
        memory.close()

    def append(self, name: str, data: bytes) -> None:
        """Add `data` to the end of entry `name` (creating it)."""
        self._parts.setdefault(name, []).append(self._write(data))

    def __setitem__(self, name: str, data: bytes) -> None:
        self._parts[name] = [self._write(data)]

    def __getitem__(self, name: str) -> bytes:
        pieces = self._parts[name]
        if len(pieces) == 1:  # most entries
            return self._read(*pieces[0])
        return b"".join([self._read(*piece) for piece in pieces])

    def __delitem__(self, name: str) -> None:
        del self._parts[name]

    def __contains__(self, name: object) -> bool:
        """Without reading the entry (as `Mapping`'s would)."""
        return name in self._parts

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def size(self, name: str) -> int:
        pieces = self._parts[name]
        if len(pieces) == 1:  # most entries
            return pieces[0][2]
        return sum(length for _, _, length in pieces)

    def pieces(self, name: str, most: int = 1 << 20) -> Iterator[bytes]:
        """The entry's bytes in order, at most `most` bytes at a time."""
        for spool, start, length in self._parts[name]:
            for offset in range(0, length, most):
                yield self._read(spool, start + offset, min(most, length - offset))

    def _read(self, spool: int, start: int, length: int) -> bytes:
        # Read, not mapped: the pages of a mapped file count in the process's resident memory
        # (a large course's spools are some 250 MB). A file is read at a position (`pread`),
        # without seeking its buffered object: a backup's 50,000 entries are read in the
        # order of their names, not as they were written.
        descriptor = self._descriptors[spool]
        if descriptor is not None:
            if spool == 0 and self._unflushed:
                self._spools[0].flush()
                self._unflushed = False
            data = os.pread(descriptor, length, start)
        else:
            if self._positions[spool] != start:
                self._spools[spool].seek(start)
            data = self._spools[spool].read(length)
            self._positions[spool] = start + len(data)
        if len(data) != length:
            raise OSError("the backup's temporary file was cut short")
        return data

    def close(self) -> None:
        for spool in self._spools:
            spool.close()


def _descriptor(file: IO[bytes]) -> int | None:
    """The file descriptor to read `file` at a position with, or None (a file in memory, or no
    `os.pread` on this system): it is then read by seeking."""
    if isinstance(file, io.BytesIO) or not hasattr(os, "pread"):
        return None
    try:
        return file.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None


def mbz_bytes(entries: Mapping[str, bytes], threads: int = 1, keep: Path | None = None) -> bytes:
    """Pack `entries` (path → bytes) with a directory entry for every folder, compressing on
    `threads` threads (the bytes are the same for any number). With `keep`, a folder, the
    compressed bytes of every gzip segment are kept there, and a segment whose bytes (and the
    32 KiB before them) are the same again is taken from there (`GzipStore`): the same bytes
    either way.

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
    written = 0
    for name in sorted([*(f"{folder}/" for folder in _folders(entries)), *entries], key=lambda item: item.rstrip("/")):
        path = name.encode("ascii")
        if len(path) > MAX_PATH:
            raise ValueError(f"archive path longer than {MAX_PATH} bytes: {name}")
        if name.endswith("/"):
            sink.cut_before(path, 0)
            sink.write(ustar_header(name, 0o755, 0, DIRTYPE))
            written += BLOCK
            continue
        size = entries.size(name) if isinstance(entries, Entries) else len(entries[name])
        sink.cut_before(path, size)
        padding = -size % BLOCK
        if size <= _SMALL:  # one call to the compressor for the header, the data and the padding
            sink.write(b"".join([ustar_header(name, 0o644, size, REGTYPE), entries[name], _ZEROS[:padding]]))
        else:
            sink.write(ustar_header(name, 0o644, size, REGTYPE))
            for piece in _pieces(entries, name):
                sink.write(piece)
            sink.write(_ZEROS[:padding])
        written += BLOCK + size + padding
    sink.write(bytes(2 * BLOCK))  # the end of the archive, then zeros to a whole record, as tarfile does
    written += 2 * BLOCK
    sink.write(bytes(-written % RECORD))
    return sink.finish()


def _folders(entries: Iterable[str]) -> set[str]:
    """Every folder the paths lie in, at any depth."""
    folders: set[str] = set()
    for path in entries:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _pieces(entries: Mapping[str, bytes], name: str) -> Iterator[bytes]:
    """The entry's bytes in pieces (an `Entries`' read back piece by piece)."""
    if isinstance(entries, Entries):
        return entries.pieces(name)
    return iter((entries[name],))


_SMALL = 1 << 16
"""Entries up to this size are joined with their header into one piece to compress (most are)."""
BLOCK = 512
_ZEROS = bytes(BLOCK)
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

    The tar is cut into segments, each deflated on its own, primed with the 32 KiB before it
    and ended on a byte boundary (a sync flush), as pigz does: the pieces join into one
    deflate stream that any gunzip reads as a single member, barely larger than one
    compressor's (it may still refer back across a cut), and the segments can be compressed
    on several threads (zlib lets go of the GIL while it works). A tar within one segment
    gives exactly the bytes of `gzip.compress(tar, level, mtime=0)`: mtime 0, no file name.

    Where the cuts fall depends only on the entries' names and sizes (`cut_before`) and the
    bytes since the last cut, never on an offset from the start of the tar: an entry that
    grows or shrinks moves the cuts up to the next chosen entry only, and every segment after
    it has the same bytes and window as before, so its compressed bytes can be kept from one
    build to the next (`GzipStore`).
    """

    def __init__(self, compresslevel: int, threads: int = 1, store: GzipStore | None = None) -> None:
        self._level = compresslevel
        self._store = store
        self._parts: list[bytes] = [_gzip_header(compresslevel)]
        self._segment: list[bytes] = []
        self._segment_size = 0
        self._window = b""
        """The last `WINDOW_BYTES` of the tar before the current segment: its compressor's dictionary."""
        self._crc = 0
        self._size = 0
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="mbz-gzip") if threads > 1 else None
        self._running: deque[Future[Compressed]] = deque()
        self._most_running = 2 * threads

    def cut_before(self, path: bytes, size: int) -> None:
        """End the segment before the entry `path` of `size` bytes when it starts one: an entry
        of `SEGMENT_BYTES` or more always does (its segments then depend on its bytes alone, but
        for the window), any other entry when its name is one in `CUT_EVERY` (by its CRC) and
        the segment holds `SHORTEST_SEGMENT` bytes or more."""
        if size >= SEGMENT_BYTES:
            if self._segment_size:
                self._end_segment(last=False)
        elif self._segment_size >= SHORTEST_SEGMENT and zlib.crc32(path) % CUT_EVERY == 0:
            self._end_segment(last=False)

    def write(self, data: bytes) -> int:
        """Add `data` (bytes, kept as they are until compressed) to the tar."""
        size = len(data)
        self._size += size
        if self._segment_size + size < SEGMENT_BYTES:  # most writes: no cut inside
            if size:
                self._segment.append(data)
                self._segment_size += size
            return size
        view = memoryview(data)
        while self._segment_size + len(view) >= SEGMENT_BYTES:
            take = SEGMENT_BYTES - self._segment_size
            self._segment.append(bytes(view[:take]))
            view = view[take:]
            self._end_segment(last=False)
        if view:
            self._segment.append(bytes(view))
            self._segment_size += len(view)
        return len(data)

    def tell(self) -> int:
        return self._size

    def finish(self) -> bytes:
        self._end_segment(last=True)
        try:
            while self._running:
                self._take(self._running.popleft().result())
        finally:
            self.close()
        self._parts.append(struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))
        return b"".join(self._parts)

    def close(self) -> None:
        """Stop the threads: a process may fork only while it runs no other thread (`may_fork`)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _take(self, done: Compressed) -> None:
        self._parts.append(done.data)
        self._crc = crc32_combine(self._crc, done.crc, done.size)
        if self._store is not None:
            self._store.offer(done)

    def _end_segment(self, *, last: bool) -> None:
        segment = b"".join(self._segment)
        self._segment, self._segment_size = [], 0
        window = self._window
        self._window = segment[-WINDOW_BYTES:] if len(segment) >= WINDOW_BYTES else (window + segment)[-WINDOW_BYTES:]
        if self._pool is None:
            self._take(_compressed(segment, window, self._level, last, self._store))
            return
        if len(self._running) >= self._most_running:
            self._take(self._running.popleft().result())
        self._running.append(self._pool.submit(_compressed, segment, window, self._level, last, self._store))


SEGMENT_BYTES = 1 << 20
"""The most a segment holds (a longer stretch without a cut is cut every `SEGMENT_BYTES`
from the segment's start): small enough to share the work of a backup of a few megabytes,
large enough that each cut's flush adds only a few bytes."""
CUT_EVERY = 1024
"""One entry name in this many starts a segment (`_GzipSink.cut_before`): a large course's
backup has about 1,600 bytes of tar per entry, so a segment of about a MiB on average."""
SHORTEST_SEGMENT = 64 << 10
"""No cut at a chosen name before a segment holds this much (a flush and a new block each)."""


class Compressed(NamedTuple):
    """A segment compressed: its key in the store (empty without one), its compressed bytes,
    and the CRC-32 and size of its bytes (for the gzip trailer, `crc32_combine`)."""

    key: str
    data: bytes
    crc: int
    size: int


def _compressed(segment: bytes, window: bytes, level: int, last: bool, store: GzipStore | None) -> Compressed:
    """The segment compressed, and its CRC, from `store` when it holds them; on the
    compressing thread (hashing lets go of the GIL too)."""
    if store is None:
        return Compressed("", deflate_run(segment, window, level, last), zlib.crc32(segment), len(segment))
    key = run_key(segment, window, level, last)
    kept = store.get(key)
    if kept is not None:
        return Compressed(key, *kept, len(segment))
    return Compressed(key, deflate_run(segment, window, level, last), zlib.crc32(segment), len(segment))


_CRC_POLYNOMIAL = 0xEDB88320
"""CRC-32's polynomial, bits reversed, as zlib's crc32.c has it."""


def _multiply_mod_p(a: int, b: int) -> int:
    """a × b modulo the CRC-32 polynomial (zlib's `multmodp`)."""
    product, bit = 0, 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _CRC_POLYNOMIAL if b & 1 else b >> 1
    return product


_X_TO_POWERS_OF_TWO = [1 << 30]
"""x^(2^k) modulo the polynomial, for k from 0 to 31 (zlib's `x2n_table`)."""
for _ in range(31):
    _X_TO_POWERS_OF_TWO.append(_multiply_mod_p(_X_TO_POWERS_OF_TWO[-1], _X_TO_POWERS_OF_TWO[-1]))


def crc32_combine(first: int, second: int, second_size: int) -> int:
    """The CRC-32 of two byte strings joined, from each one's CRC and the second's size
    (zlib's `crc32_combine`, which Python's zlib does not offer): x^(8 × size) × first + second."""
    power, shift, k = 1 << 31, second_size, 3
    while shift:
        if shift & 1:
            power = _multiply_mod_p(_X_TO_POWERS_OF_TWO[k & 31], power)
        shift >>= 1
        k += 1
    return _multiply_mod_p(power, first) ^ second


def _gzip_header(level: int) -> bytes:
    """The header zlib writes (`wbits=31`): no name, mtime 0, the extra flags of `level`, OS Unix."""
    extra_flags = 2 if level == 9 else 4 if level == 1 else 0
    return bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, extra_flags, 3])


class GzipStore:
    """The compressed segments of the last archive, kept in a folder from one build to the
    next: after an edit, only the segments whose bytes changed (and the one after each, whose
    window did) are compressed again.

    One file, `gzip.kept`, written by `renderstore.write_checked`: a header naming the maker
    (the tool's version, zlib's, a hash of this module's code: `maker`) and the payload's
    checksum; the payload is a line of JSON listing each segment's key (`deflateruns.run_key`), the
    length of its compressed bytes and the CRC-32 of its bytes, then the compressed bytes. A
    file of another maker, one whose checksum fails or whose lengths do not add up to its
    data is ignored: every segment is compressed afresh and the file written anew.
    """

    FILE = "gzip.kept"
    FORMER_FILES = ("gzip.json", "gzip.data")
    """What older versions kept in the folder instead (removed: never read again)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.FILE
        self._kept: dict[str, tuple[bytes, int]] = self._load()
        """Compressed bytes and CRC by key."""
        self._used: dict[str, tuple[bytes, int]] = {}
        self._lock = threading.Lock()

    def _load(self) -> dict[str, tuple[bytes, int]]:
        maker = _maker()
        payload = read_checked(self.path, {"maker": maker}) if maker is not None else None
        if payload is None:
            return {}
        index, _, data = payload.partition(b"\n")
        try:
            listed = json.loads(index)
            pieces = checked_pieces(data, [length for _, length, _ in listed])
            if pieces is None:
                return {}
            return {
                checked_text(key): (piece, checked_int(crc))
                for (key, _, crc), piece in zip(listed, pieces, strict=True)
            }
        except (ValueError, TypeError):
            return {}

    def get(self, key: str) -> tuple[bytes, int] | None:
        """The compressed bytes and the CRC-32 of the segment kept under `key`, if any."""
        return self._kept.get(key)

    def offer(self, done: Compressed) -> None:
        """A segment of this archive, to keep."""
        with self._lock:
            self._used[done.key] = done.data, done.crc

    def save(self) -> None:
        """Keep this archive's segments (and only those), unless they are what is kept already."""
        for name in self.FORMER_FILES:
            with contextlib.suppress(OSError):
                (self.path.parent / name).unlink(missing_ok=True)
        maker = _maker()
        if maker is None or self._used.keys() == self._kept.keys():
            return
        listed = sorted(self._used.items())
        index = json.dumps([[key, len(compressed), crc] for key, (compressed, crc) in listed]).encode()
        write_checked(self.path, {"maker": maker}, [index + b"\n", *(data for _, (data, _) in listed)])


_STORE_FORMAT = 4


@functools.cache
def _maker() -> str | None:
    """What made a kept segment: the store's format, the tool's and zlib's versions and this
    module's code (how the tar was cut and compressed; an editable checkout changes without a
    new version). None when the code cannot be read: nothing is kept or taken."""
    versions = f"coursebuilder {__version__} gzip {_STORE_FORMAT} zlib {zlib.ZLIB_RUNTIME_VERSION}"
    return code_id(versions, ["mbz/archive.py"])
