"""The files of a course directory, each with the hash of its bytes: what a build's cache
compares to tell which targets' inputs changed since the last build (`buildcache`), and
`validate` to tell whether its last report still holds (`validation`).

Read once per build, before the course is loaded; the whole-build key and every target's
`inputs_digest` are made from the same view, so no file is read twice for hashing.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from coursebuilder import limits

NEVER_READ_BYTES = max(limits.MAX_SOURCE_FILE_BYTES, limits.MAX_ASSET_BYTES)
"""A file larger than this is refused unread wherever a course uses it (a source file or an
asset over its limit), and ignored where it does not: only its size can change a build."""

_READ_WHOLE_BYTES = 1024 * 1024
"""A file up to this size is hashed in one read (a course's thousands of small files: a third
faster than in pieces)."""


@dataclass(frozen=True)
class SourceFiles:
    """Every file under a course directory (`.git` aside), by path relative to it with `/`,
    with the SHA-256 of its bytes (after `f`), of its size when it is too large for any
    build to read (after `s`), or of the error that kept it from being read (after `u`):
    every entry is 33 bytes."""

    digests: Mapping[str, bytes]

    @classmethod
    def read(cls, root: Path | str, outside: Collection[Path | str] = ()) -> SourceFiles:
        """Hash every file under `root`; links to files are followed, links to folders are not.

        The folders `outside` (the build's output and cache) are left out where they lie
        inside `root`: what a build writes is not what it reads, and counting it would make
        the next build see a change and build everything again.
        """
        base = os.fspath(root)
        skipped = {_identity(folder) for folder in outside} - {None}
        found: list[tuple[str, str]] = []
        for folder, dirs, files in os.walk(base):
            dirs[:] = [name for name in dirs if name != ".git"]
            if skipped:
                dirs[:] = [name for name in dirs if _identity(os.path.join(folder, name)) not in skipped]
            within = os.path.relpath(folder, base)
            prefix = "" if within == "." else within.replace(os.sep, "/") + "/"
            found.extend((prefix + name, os.path.join(folder, name)) for name in files)
        digests: dict[str, bytes] = {}
        for rel, path in sorted(found):
            try:
                with open(path, "rb", buffering=0) as handle:
                    size = os.fstat(handle.fileno()).st_size
                    if size > NEVER_READ_BYTES:  # all a build does with it is refuse it for its size
                        digests[rel] = b"s" + hashlib.sha256(str(size).encode()).digest()
                    elif size <= _READ_WHOLE_BYTES:
                        digests[rel] = b"f" + hashlib.sha256(handle.read()).digest()
                    else:  # in pieces, never whole in memory
                        digests[rel] = b"f" + hashlib.file_digest(handle, "sha256").digest()
            except OSError as exc:  # a dangling link, a file that vanished: part of the state too
                digests[rel] = b"u" + hashlib.sha256(str(exc.errno).encode()).digest()
        return cls(digests)

    def digest(self, leave_out: Collection[str] = ()) -> bytes:
        """One hash of the files' names and contents, those named in `leave_out` left out."""
        if not leave_out:
            return self._whole
        return _digest(self.digests, leave_out)

    @functools.cached_property
    def _whole(self) -> bytes:
        """`digest()` of every file: the build's key and each target that reads every file ask
        for it, made once."""
        return _digest(self.digests, ())


def _digest(digests: Mapping[str, bytes], leave_out: Collection[str]) -> bytes:
    digest = hashlib.sha256()
    for rel, content in digests.items():
        if rel not in leave_out:
            digest.update(os.fsencode(rel) + b"\0" + content)
    return digest.digest()


def _identity(folder: Path | str) -> tuple[int, int] | None:
    """The device and inode of a folder (None when it is not there): the same however named."""
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)
