"""Remember a finished build so that building the same source again does no work.

The cache is one JSON file per course and output folder, in `$COURSEBUILDER_CACHE` (by
default `$XDG_CACHE_HOME/coursebuilder`, else `~/.cache/coursebuilder`), outside both the
source and the output, which stay exactly as the build leaves them. Its key hashes the
tool's version, the build's settings and the content of every file of the course directory;
it lists the files the build wrote with their size and modification time, and the warnings
it reported. A build whose key matches, and whose files are all still there as written, is
answered from the cache without loading the course. Anything else — another version, a
changed or added file, an edited output, a cache that does not parse — means a full build,
which then writes the cache again: the cache is never trusted beyond what it can prove.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from coursebuilder.diagnostics import Diagnostic, Severity
from coursebuilder.output import write_bytes
from coursebuilder.targets.base import Artifact
from coursebuilder.version import __version__

_FORMAT = 1


@dataclass(frozen=True)
class CachedBuild:
    """What an earlier build of the same source wrote and reported."""

    artifacts: dict[str, list[Artifact]]
    """Files of each target, in build order (all unchanged)."""
    diagnostics: list[Diagnostic]


def cache_dir() -> Path:
    """Where build caches are kept."""
    if os.environ.get("COURSEBUILDER_CACHE"):
        return Path(os.environ["COURSEBUILDER_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "coursebuilder"


def cache_file(root: Path | str, out_dir: Path | str) -> Path:
    """Where the cache of the course in `root` lives when it is built into `out_dir`."""
    where = os.fsencode(os.path.realpath(root)) + b"\0" + os.fsencode(os.path.realpath(out_dir))
    return cache_dir() / f"{hashlib.sha256(where).hexdigest()[:24]}.json"


def source_key(root: Path | str, settings: Sequence[object]) -> str:
    """Hash of the tool's version, `settings` and every file under `root` (`.git` aside)."""
    digest = hashlib.sha256(f"coursebuilder {__version__} cache {_FORMAT}\0{settings!r}\0".encode())
    base = Path(root)
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = [name for name in dirs if name != ".git"]
        here = Path(folder)
        found.extend(((here / name).relative_to(base).as_posix(), here / name) for name in files)
    for rel, path in sorted(found):
        digest.update(os.fsencode(rel) + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError as exc:  # a dangling link, a file that vanished: part of the state too
            digest.update(f"unreadable {exc.errno}".encode())
    return digest.hexdigest()


def load(path: Path, key: str) -> CachedBuild | None:
    """The cached build for `key`, or None when there is none that can be trusted."""
    try:
        record = json.loads(path.read_bytes())
        if record.get("format") != _FORMAT or record.get("version") != __version__ or record.get("key") != key:
            return None
        artifacts: dict[str, list[Artifact]] = {}
        for target, files in record["targets"]:
            found = [_unchanged(entry) for entry in files]
            kept = [artifact for artifact in found if artifact is not None]
            if len(kept) != len(found):
                return None  # an output was changed or removed since
            artifacts[str(target)] = kept
        diagnostics = [_diagnostic(item) for item in record["diagnostics"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return CachedBuild(artifacts, diagnostics)


def save(path: Path, key: str, artifacts: dict[str, list[Artifact]], diagnostics: list[Diagnostic]) -> None:
    """Record a finished build (after it wrote every file)."""
    record = {
        "format": _FORMAT,
        "version": __version__,
        "key": key,
        "targets": [[target, [_stamp(artifact.path) for artifact in files]] for target, files in artifacts.items()],
        "diagnostics": [asdict(diag) for diag in diagnostics],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, json.dumps(record, indent=1, sort_keys=True).encode())
    except OSError:
        pass  # no cache (a read-only home, say): the next build is a full one


def _stamp(path: Path) -> dict[str, Any]:
    info = path.stat()
    return {"path": os.fsdecode(path), "size": info.st_size, "mtime_ns": info.st_mtime_ns, "inode": info.st_ino}


def _unchanged(entry: dict[str, Any]) -> Artifact | None:
    """The artefact if the file is still exactly as the build left it (size, time, inode)."""
    path = Path(str(entry["path"]))
    try:
        info = path.stat()
    except OSError:
        return None
    if (info.st_size, info.st_mtime_ns, info.st_ino) != (entry["size"], entry["mtime_ns"], entry["inode"]):
        return None
    return Artifact(path, changed=False)


def _diagnostic(item: dict[str, Any]) -> Diagnostic:
    fields = {name: item[name] for name in ("file", "line", "column", "field", "message", "code")}
    return Diagnostic(severity=Severity(item["severity"]), **fields)
