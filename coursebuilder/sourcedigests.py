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
from typing import TYPE_CHECKING

from coursebuilder import limits
from coursebuilder.layout import left_out

if TYPE_CHECKING:
    from coursebuilder.prescan import ForkedCall

NEVER_READ_BYTES = max(limits.MAX_SOURCE_FILE_BYTES, limits.MAX_ASSET_BYTES)
"""A file larger than this is refused unread wherever a course uses it (a source file or an
asset over its limit), and ignored where it does not: only its size can change a build."""

LINK = "\0link"
"""Added to a symbolic link's path for its entry (no file name holds a NUL)."""
_READ_WHOLE_BYTES = 1024 * 1024
"""A file up to this size is hashed in one read (a course's thousands of small files: a third
faster than in pieces)."""


@dataclass(frozen=True)
class SourceFiles:
    """Every file under a course directory (those `layout.left_out` of it aside), by path
    relative to it with `/`, with the SHA-256 of its bytes (after `f`), of its size when it
    is too large for any build to read (after `s`), or of the error that kept it from being
    read (after `u`); and every symbolic link, by its path and `LINK`, with the SHA-256 of
    the real path it leads to (after `l`): every entry is 33 bytes."""

    digests: Mapping[str, bytes]

    @classmethod
    def read(cls, root: Path | str, outside: Collection[Path | str] = ()) -> SourceFiles:
        """Hash every file under `root`; links to files are followed, links to folders are not.
        Each symbolic link also counts with where it leads (under its path and `LINK`): a
        link moved to other files, or out of the course, is a change even when the bytes it
        gives are the same.

        The folders `outside` (the build's output and cache) are left out where they lie
        inside `root`: what a build writes is not what it reads, and counting it would make
        the next build see a change and build everything again.
        """
        skipped = {_identity(folder) for folder in outside} - {None}
        files: list[tuple[str, str]] = []
        links: list[tuple[str, str]] = []
        folders = [("", os.fspath(root))]
        while folders:
            prefix, folder = folders.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue  # the course folder itself missing, or a folder that vanished
            for entry in entries:
                if left_out(entry.name):  # `.git`, editors' swap, lock and backup files
                    continue
                rel = prefix + entry.name
                link = entry.is_symlink()
                if link:
                    links.append((rel + LINK, entry.path))
                if not _is_folder(entry):
                    files.append((rel, entry.path))
                elif not link and not (skipped and _identity(entry.path) in skipped):
                    folders.append((rel + "/", entry.path))
        digests: dict[str, bytes] = {}
        for rel, path in sorted([*files, *links]):
            if rel.endswith(LINK):
                digests[rel] = b"l" + hashlib.sha256(os.fsencode(os.path.realpath(path))).digest()
                continue
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


class Hashing:
    """`SourceFiles.read(root, outside)`: at once, or, `ahead`, in a forked child while this
    process goes on (it imports the model and loads the course meanwhile), for a build or a
    `validate` that no kept state can answer, so nothing waits for the hashes before the end
    (`prescan.ForkedCall`: should the child fail, they are made here when asked for)."""

    def __init__(self, root: Path | str, outside: Collection[Path | str] = (), *, ahead: bool = False) -> None:
        read = functools.partial(SourceFiles.read, root, outside=outside)
        self._files: SourceFiles | None = None
        self._child: ForkedCall | None = None
        if ahead:
            from coursebuilder.prescan import ForkedCall  # imported by every load that follows

            self._child = ForkedCall(read, fork=True)
        else:
            self._files = read()

    def files(self) -> SourceFiles:
        """The hashes (waiting for the child, if it makes them)."""
        if self._files is None:
            if self._child is None:
                raise ValueError("hashing ended before its hashes were asked for")
            self._files, self._child = self._child.result(), None
        return self._files

    def close(self) -> None:
        """End the child, if its hashes were not asked for (a run that stopped early)."""
        if self._child is not None:
            child, self._child = self._child, None
            child.close()


def _digest(digests: Mapping[str, bytes], leave_out: Collection[str]) -> bytes:
    digest = hashlib.sha256()
    for rel, content in digests.items():
        if rel not in leave_out:
            digest.update(os.fsencode(rel) + b"\0" + content)
    return digest.digest()


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is a folder, or a link to one (False when it cannot be told)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _identity(folder: Path | str) -> tuple[int, int] | None:
    """The device and inode of a folder (None when it is not there): the same however named."""
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)
