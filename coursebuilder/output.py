"""Write artefacts atomically and reproducibly.

Every file goes to a temporary name in its final directory and is renamed into place, so an
interrupted build leaves the previous complete file or the new complete one, never half of
one. Zips get fixed timestamps, sorted entries and fixed permissions: same input, same bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import zipfile

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The timestamp of every zip entry (the earliest a zip can store)."""

STORED_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".mp3",
        ".mp4",
        ".m4a",
        ".ogg",
        ".webm",
        ".zip",
        ".woff",
        ".woff2",
        ".gz",
    }
)
"""Already-compressed formats: deflating them again costs time and saves nothing."""


TEMP_SUFFIX = ".tmp"
"""Temporary files are named `.<final name>.<pid>.<random>.tmp` in the final directory."""


@contextlib.contextmanager
def atomic_open(path: Path, *, durable: bool = True) -> Iterator[IO[bytes]]:
    """Open a temporary file beside `path`; on success it replaces `path` in one rename.

    The data is flushed to disk before the rename, and the rename itself after it, so a
    crash, a kill or a power cut leaves the old file or the new one. A process killed while
    writing leaves its temporary file behind: `remove_stale_temps` clears those.

    `durable=False` skips both flushes, for files that are checked when read and ignored
    when they do not check out (the build cache's): a power cut may leave such a file empty
    or cut short, which costs the next build its shortcut, never its bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temps(directory: Path) -> list[Path]:
    """Delete temporary files that killed builds left under `directory`; return them.

    Only files whose writing process no longer runs are removed, so a build running at the
    same time keeps its own.
    """
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for tmp in directory.rglob(f".*{TEMP_SUFFIX}"):
        if stale_temp(tmp) is None:
            continue
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def stale_temp(path: Path) -> str | None:
    """The name of the file that `path` was to become, when it is a temporary file named as
    `atomic_open` names them whose writing process no longer runs; None otherwise."""
    name = path.name
    if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
        return None
    parts = name[1 : -len(TEMP_SUFFIX)].rsplit(".", 2)
    if len(parts) != 3 or not parts[0] or not parts[1].isdigit() or _running(int(parts[1])):
        return None
    return parts[0]


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def write_bytes(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Write `data` to `path` atomically unless the file already holds exactly that.

    Returns True when the file was (re)written; an unchanged file keeps its timestamp, so
    tools that watch `dist/` see only real changes. `durable`: as for `atomic_open`.
    """
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    with atomic_open(path, durable=durable) as handle:
        handle.write(data)
    return True


class _Unchanged(Exception):
    """The pieces written equal the file already there: drop the temporary file."""


def write_chunks(path: Path, chunks: Iterable[bytes], *, durable: bool = True) -> bool:
    """`write_bytes` for data made piece by piece, so a large file is never whole in memory.

    The pieces go to a temporary file while being compared with the file already there;
    when they turn out to be the same, the temporary file is dropped and the file keeps its
    timestamp. An error while making the pieces leaves the old file as it was.
    """
    try:
        old: IO[bytes] | None = open(path, "rb")  # noqa: SIM115  # closed below
    except OSError:
        old = None
    try:
        with atomic_open(path, durable=durable) as handle:
            same = old is not None
            for chunk in chunks:
                handle.write(chunk)
                if same and old is not None:
                    same = old.read(len(chunk)) == chunk
            if same and old is not None and old.read(1) == b"":
                raise _Unchanged
    except _Unchanged:
        return False
    finally:
        if old is not None:
            old.close()
    return True


class Deflated(NamedTuple):
    """A file's bytes compressed ahead, as a zip stores them: a raw deflate stream (made in
    runs that a build can keep, say), with the size and CRC-32 of the bytes it holds."""

    size: int
    crc: int
    stream: bytes


def zip_bytes(entries: Iterable[tuple[str, bytes | Deflated]]) -> bytes:
    """Build a reproducible zip from (name, data) pairs; names are sorted, times fixed.

    Data given `Deflated` is stored as given: the entry is the one `zipfile` writes for the
    bytes it holds when its stream is what `zipfile` would have compressed them into.
    """
    import zipfile  # here: `validate` imports this module and writes no zip

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(entries, key=lambda item: item[0]):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            if isinstance(data, Deflated):
                _write_deflated(archive, buffer, info, data)
                continue
            stored = Path(name).suffix.lower() in STORED_SUFFIXES
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=None if stored else 6)
    return buffer.getvalue()


def _write_deflated(archive: zipfile.ZipFile, buffer: io.BytesIO, info: zipfile.ZipInfo, data: Deflated) -> None:
    """Write `data`'s stream as the entry's stored bytes, then mark the entry deflated with the
    size and CRC of what it holds: its local header is written again in place (as `zipfile`
    does once it knows them), and the central directory is written from `info` on closing."""
    import zipfile

    info.compress_type = zipfile.ZIP_STORED
    info.file_size = data.size  # what `zipfile` chooses a Zip64 header by, as `writestr` sets it
    zip64 = data.size * 1.05 > zipfile.ZIP64_LIMIT  # its choice (`ZipFile._open_to_write`)
    with archive.open(info, "w") as entry:
        entry.write(data.stream)
    end = buffer.tell()
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size, info.CRC = data.size, data.crc
    buffer.seek(info.header_offset)
    buffer.write(info.FileHeader(zip64))
    buffer.seek(end)
