"""The cache folder's size: the least recently used courses' caches go first.

Each course gets an entry in the folder (`buildcache.cache_dir`) for each output folder it is
built into, one for `validate` and one for what its loads keep: files named by 24 hex digits
and a suffix (`.json`, `.renders`, `.validate`, `.reads` …), and a `.kept` folder where the
targets keep what they made (some 170 MB for the 20,000 questions of the L course). Without
a bound the folder only grows: a course built into a temporary folder, say, leaves its entry
behind for good.

So each build and each `validate` marks the entries it uses as used now (their files'
modification time), and when it is done, the folder is brought under its limit
(`COURSEBUILDER_CACHE_MB`, default 2048) by removing whole entries, least recently used first.
An entry used within the last `RECENT_SECONDS` is never removed: a build running beside this
one may be using it, and the limit is then exceeded for a while. Nothing but files and folders
named as entries are ever removed, so a cache folder shared with other files keeps them; and
the temporary files a stopped build left of an entry's files (beside them, or in its `.kept`
folder), once the process that wrote them no longer runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from coursebuilder.output import remove_stale_temps, stale_temp

DEFAULT_LIMIT_MB = 2048
RECENT_SECONDS = 3600
"""An entry used this recently is kept whatever the folder's size."""

_ENTRY = re.compile(r"(?P<entry>[0-9a-f]{24})\.(?:json|renders|reads|scans|checks|validate|kept)")


def limit_bytes() -> int:
    """The folder's limit: `COURSEBUILDER_CACHE_MB` megabytes (a whole number), else the default."""
    value = os.environ.get("COURSEBUILDER_CACHE_MB", "")
    megabytes = int(value) if value.isdigit() else DEFAULT_LIMIT_MB
    return megabytes * 1024 * 1024


def entry_of(path: Path) -> str | None:
    """The entry a cache file or folder belongs to (its 24 hex digits), or None."""
    found = _ENTRY.fullmatch(path.name)
    return found.group("entry") if found else None


def mark_used(path: Path) -> None:
    """Mark the entry that `path` (a file of it, or a name beside them) belongs to as used
    now, so that `prune` removes it last. An entry not there yet is left alone."""
    entry = path.name.partition(".")[0]
    now = time.time()
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if name.startswith(entry) and entry_of(Path(name)) == entry:
            with contextlib.suppress(OSError):  # gone meanwhile: nothing to mark
                os.utime(path.parent / name, (now, now))


@dataclass
class _Entry:
    paths: list[Path]
    size: int = 0
    used: float = 0.0


def prune(folder: Path, keep: Iterable[Path | None] = (), limit: int | None = None) -> list[str]:
    """Remove the least recently used entries of `folder` until it holds at most `limit` bytes
    (`limit_bytes()` by default), never one of `keep` (paths of entries in use; None for one
    this run has not got) nor one used within `RECENT_SECONDS`. Returns the entries removed;
    never raises."""
    limit = limit_bytes() if limit is None else limit
    kept = {path.name.partition(".")[0] for path in keep if path is not None}
    entries: dict[str, _Entry] = {}
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    _remove_stale_temps(folder, names)
    for name in names:
        entry = entry_of(Path(name))
        if entry is None:
            continue
        path = folder / name
        found = entries.setdefault(entry, _Entry([]))
        found.paths.append(path)
        try:
            info = path.lstat()
        except OSError:
            continue
        found.used = max(found.used, info.st_mtime)
        found.size += _size(path) if path.is_dir() and not path.is_symlink() else info.st_size
    total = sum(found.size for found in entries.values())
    removed: list[str] = []
    recent = time.time() - RECENT_SECONDS
    for entry, found in sorted(entries.items(), key=lambda item: (item[1].used, item[0])):
        if total <= limit:
            break
        if entry in kept or found.used >= recent:
            continue
        for path in found.paths:
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError:
                continue
        total -= found.size
        removed.append(entry)
    return removed


def _remove_stale_temps(folder: Path, names: list[str]) -> None:
    """The temporary files stopped builds left of the entries' files, beside them or in
    their `.kept` folders (`output.stale_temp`)."""
    for name in names:
        path = folder / name
        final = stale_temp(path)
        if final is not None and entry_of(Path(final)) is not None:
            with contextlib.suppress(OSError):
                path.unlink()
        elif name.endswith(".kept") and entry_of(path) is not None:
            with contextlib.suppress(OSError):
                remove_stale_temps(path)


def _size(folder: Path) -> int:
    """Bytes of the files under `folder` (links not followed)."""
    size = 0
    for base, _, files in os.walk(folder):
        for name in files:
            try:
                size += os.lstat(os.path.join(base, name)).st_size
            except OSError:
                continue
    return size
