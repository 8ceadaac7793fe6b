"""The one way coursebuilder reads zip files: every entry is checked before any is read.

Zips to import (and packages opened by tests) may come from anywhere. Refused, with the name
of the archive and of the entry:

- names that leave the extraction folder: `..` parts, absolute paths (`/x`, `\\x`, `C:x`),
  backslashes used as separators, NUL and other control characters, and two entries whose
  names differ only in letter case (they overwrite each other on Windows and macOS);
- symbolic links (a link entry, extracted, points anywhere);
- encrypted entries and unknown compression methods;
- zip bombs: more than `limits.MAX_ZIP_ENTRIES` entries, more than `limits.MAX_ZIP_BYTES`
  uncompressed in total or `limits.MAX_ZIP_ENTRY_BYTES` in one entry, or an entry over
  `limits.ZIP_RATIO_MIN_BYTES` that expands more than `limits.MAX_ZIP_RATIO` times. Sizes are
  the ones the zip directory declares, checked before inflating anything; while reading, an
  entry that inflates to more than it declared is refused too (overlapping entries and lying
  headers are how the smallest bombs work).

    from coursebuilder.safezip import ZipProblem, read_zip
    files = read_zip(path)                 # {name: bytes}, names with "/"
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from coursebuilder import limits

_CHUNK = 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


class ZipProblem(ValueError):
    """A zip that is refused or cannot be read. `str()` gives `archive: entry: message`."""

    def __init__(self, archive: str, message: str, entry: str = "") -> None:
        self.archive, self.entry, self.message = archive, entry, message
        super().__init__(f"{archive}: {entry}: {message}" if entry else f"{archive}: {message}")


class UnsafeZip(ZipProblem):
    """A zip refused for safety: an escaping name, a link, or a bomb."""


@dataclass(frozen=True)
class Entry:
    """A checked file entry: its normalised name (with `/`) and what the directory declares."""

    name: str
    info: zipfile.ZipInfo


def check_zip(archive: zipfile.ZipFile, label: str) -> list[Entry]:
    """Check every entry of an open zip; return the files (folders left out) in archive order."""
    infos = archive.infolist()
    if len(infos) > limits.MAX_ZIP_ENTRIES:
        raise UnsafeZip(label, f"has {len(infos):,} entries; the limit is {limits.MAX_ZIP_ENTRIES:,}")
    total = 0
    seen: dict[str, str] = {}
    entries: list[Entry] = []
    for info in infos:
        name = _safe_name(info.filename, label)
        folded = name.rstrip("/").casefold()
        if folded in seen:
            raise UnsafeZip(label, f"appears twice (also as {seen[folded]!r}, names may differ only in case)", name)
        seen[folded] = name
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_ISLNK(mode):
            raise UnsafeZip(label, "is a symbolic link; links are refused", name)
        if info.flag_bits & 0x1:
            raise ZipProblem(label, "is encrypted", name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            raise ZipProblem(label, f"uses compression method {info.compress_type}, which is not supported", name)
        if info.is_dir():
            continue
        if info.file_size > limits.MAX_ZIP_ENTRY_BYTES:
            raise UnsafeZip(
                label,
                f"expands to {info.file_size:,} bytes; the limit for one entry is {limits.MAX_ZIP_ENTRY_BYTES:,}",
                name,
            )
        if info.file_size > limits.ZIP_RATIO_MIN_BYTES and info.file_size > limits.MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            raise UnsafeZip(
                label,
                f"expands {info.file_size / max(info.compress_size, 1):,.0f} times "
                f"({info.compress_size:,} to {info.file_size:,} bytes); the limit is {limits.MAX_ZIP_RATIO}",
                name,
            )
        total += info.file_size
        if total > limits.MAX_ZIP_BYTES:
            raise UnsafeZip(label, f"expands to more than {limits.MAX_ZIP_BYTES:,} bytes in total (the limit)")
        entries.append(Entry(name, info))
    return entries


def _safe_name(raw: str, label: str) -> str:
    if not raw or _CONTROL.search(raw):
        raise UnsafeZip(label, "has an empty name or a control character in it", repr(raw))
    name = raw.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        raise UnsafeZip(label, "is an absolute path", raw)
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeZip(label, "has a '..' part and would be written outside the folder", raw)
    if not parts:
        raise UnsafeZip(label, "names no file", raw)
    return "/".join(parts) + ("/" if name.endswith("/") else "")


def _open(source: Path | str | bytes, name: str | None) -> tuple[zipfile.ZipFile, str]:
    label = name or ("<zip>" if isinstance(source, bytes) else Path(source).as_posix())
    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else Path(source)
        return zipfile.ZipFile(handle), label
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise ZipProblem(label, f"is not a readable zip: {exc}") from None


def _read_entry(archive: zipfile.ZipFile, entry: Entry, label: str) -> bytes:
    """Inflate one entry, never past the size its directory declared."""
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(entry.info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > entry.info.file_size:
                    raise UnsafeZip(label, "inflates to more than its declared size", entry.name)
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise ZipProblem(label, f"cannot be read: {exc}", entry.name) from None
    return b"".join(chunks)


def read_zip(source: Path | str | bytes, name: str | None = None) -> dict[str, bytes]:
    """Check the zip at `source` (a path or the bytes of one), then return {entry name: data}.

    `name` is how messages call the archive (default: its path). Raises UnsafeZip or
    ZipProblem; folders are left out, names use `/`.
    """
    archive, label = _open(source, name)
    with archive:
        return {entry.name: _read_entry(archive, entry, label) for entry in check_zip(archive, label)}


def extract_zip(source: Path | str | bytes, dest: Path | str, name: str | None = None) -> list[Path]:
    """Check the zip, then write its files under `dest` (created; must not hold files yet).

    Returns the paths written. No entry can land outside `dest`: names are checked first,
    and every target is checked again after its folders are created.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise ZipProblem(str(dest), "is not empty; extract into a new folder")
    root = os.path.realpath(dest)
    archive, label = _open(source, name)
    written: list[Path] = []
    with archive:
        for entry in check_zip(archive, label):
            target = dest.joinpath(*PurePosixPath(entry.name).parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ZipProblem(label, f"cannot be written: {exc.strerror or exc}", entry.name) from None
            if os.path.commonpath([root, os.path.realpath(target.parent)]) != root:
                raise UnsafeZip(label, "would be written outside the folder", entry.name)
            data = _read_entry(archive, entry, label)
            try:
                with open(target, "xb") as handle:  # never through an existing file or link
                    handle.write(data)
            except OSError as exc:
                raise ZipProblem(label, f"cannot be written: {exc.strerror or exc}", entry.name) from None
            written.append(target)
    return written
