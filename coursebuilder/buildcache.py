"""Remember what each build wrote, so that building again redoes only the targets whose inputs
changed.

The cache is one JSON file per course and output folder, in `$COURSEBUILDER_CACHE` (by
default `$XDG_CACHE_HOME/coursebuilder`, else `~/.cache/coursebuilder`), outside both the
source and the output, which stay exactly as the build leaves them. It holds:

- the key of the last build: a hash of the tool's code (`maker_id`: its version and every
  module, template and static file of the package, since a development copy changes them
  without changing its version), the build's settings and the content of every file of the
  course directory (`SourceFiles`), with the targets it built and the warnings it reported.
  A build whose key matches, and whose files are all still there as written, is answered
  from the cache without loading the course;
- for each target built, the key of its inputs (`target_key`: the tool's code, the
  settings that shape its files and `Target.inputs_digest`) and a stamp of each file it wrote
  (size, modification time, inode). A build that loads the course builds only the targets
  whose key differs or whose files are not all as written (one deleted or edited since);
  the others are reported unchanged.

Anything it cannot prove — another maker (the tool's code) or format, a record that does not
parse or has the wrong shape — is ignored: every target is built, and the cache written
again. A tool whose own files cannot be read (no `maker_id`) neither trusts nor writes a
cache. Saving the cache never fails a build.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from coursebuilder import cachefolder
from coursebuilder.buildoptions import Artifact, BuildEvents, BuildOptions, report_unchanged
from coursebuilder.diagnostics import Diagnostic
from coursebuilder.output import write_bytes
from coursebuilder.renderstore import package_code_id
from coursebuilder.sourcedigests import Hashing, SourceFiles
from coursebuilder.version import __version__

_FORMAT = 2

Stamp = tuple[str, int, int, int]
"""A file as a build left it: path, size, modification time (ns), inode."""


class TargetRecord(NamedTuple):
    """What one target's last build read and wrote."""

    inputs: str
    """Its `target_key` then."""
    files: tuple[Stamp, ...]
    """Each file it wrote, in its order."""

    def artifacts(self) -> list[Artifact] | None:
        """The files, unchanged, when every one is still exactly as the build left it."""
        kept = []
        for path, size, mtime_ns, inode in self.files:
            try:
                info = os.stat(path)
            except OSError:
                return None
            if (info.st_size, info.st_mtime_ns, info.st_ino) != (size, mtime_ns, inode):
                return None
            kept.append(Artifact(Path(path), changed=False))
        return kept


class CachedBuild(NamedTuple):
    """What the last builds of the course into one output folder wrote and reported."""

    key: str
    """`source_key` of the last build."""
    order: tuple[str, ...]
    """The targets the last build built or kept, in build order."""
    targets: Mapping[str, TargetRecord]
    """By target: the last time it was built (by the last build or an earlier one)."""
    diagnostics: list[Diagnostic]
    """The warnings of the last build."""

    def answer(self, key: str) -> dict[str, list[Artifact]] | None:
        """The last build's files by target, when `key` is its key and every file is as written."""
        if key != self.key:
            return None
        found: dict[str, list[Artifact]] = {}
        for name in self.order:
            kept = self.targets[name].artifacts()
            if kept is None:
                return None
            found[name] = kept
        return found

    def kept(self, target: str, inputs: str) -> list[Artifact] | None:
        """The files `target` wrote, when its inputs had the key `inputs` then and every file is
        still as written: the target need not be built again."""
        record = self.targets.get(target)
        if record is None or record.inputs != inputs:
            return None
        return record.artifacts()


class Opened:
    """The cache of one build, as it stands before the course is loaded (`open_cache`)."""

    def __init__(self, file: Path, hashing: Hashing, earlier: CachedBuild | None, settings: Sequence[object]) -> None:
        self.file = file
        """`cache_file` of the build."""
        self._hashing = hashing
        self.earlier = earlier
        """What the last builds into the same output recorded, when it can be trusted."""
        self._settings = settings
        self.answered = earlier.answer(self.key) if earlier is not None else None
        """The last build's files by target when this build is that build again (the same key,
        every file as written): the build is answered without loading the course."""

    @property
    def sources(self) -> SourceFiles:
        """Every file of the course, hashed (waiting for them when they are hashed elsewhere)."""
        return self._hashing.files()

    @functools.cached_property
    def key(self) -> str:
        """`source_key` of this build."""
        return source_key(self.sources, self._settings)

    def close(self) -> None:
        """End the child hashing the files, if their hashes were not asked for (a build that
        stopped at its checks)."""
        self._hashing.close()

    def answer(self, options: BuildOptions, events: BuildEvents | None) -> tuple[list[Artifact], list[Diagnostic]]:
        """The answered build's files and warnings, its targets reported unchanged."""
        if self.answered is None or self.earlier is None:
            raise ValueError("this build is not answered by the cache")
        if events is not None:
            events.targets_selected(list(self.answered))
        report_unchanged(self.answered, options, events)
        return [artifact for files in self.answered.values() for artifact in files], self.earlier.diagnostics


def open_cache(
    root: Path | str, out_dir: Path | str, target_names: Sequence[str], options: BuildOptions, strict: bool
) -> Opened:
    """Read the cache of the course's builds into `out_dir`, marking it used, and hash the
    course's files.

    Light on purpose: a build of unchanged source is answered from here (`Opened.answer`)
    without importing the model or the targets. When nothing kept can answer the build (no
    cache, as on a clean clone), the files are hashed in a forked child while this process
    imports the model and loads the course (about 0.05 s for the 4,000 files of `make
    bench`'s L course), unless the build is to use one process."""
    file = cache_file(root, out_dir)
    earlier = load(file)
    cachefolder.mark_used(file)
    settings = (str(root), sorted(target_names), *options.output_settings(), strict)
    hashing = Hashing(root, (out_dir, cache_dir()), ahead=earlier is None and options.workers >= 2)
    return Opened(file, hashing, earlier, settings)


def cache_dir() -> Path:
    """Where build caches are kept."""
    if os.environ.get("COURSEBUILDER_CACHE"):
        return Path(os.environ["COURSEBUILDER_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "coursebuilder"


def entry_file(root: Path | str, purpose: bytes, suffix: str) -> Path:
    """A file of the cache folder's entry for the course in `root` and `purpose` (its 24 hex
    digits, then `suffix`: see `cachefolder`); the same however the course's path is spelt."""
    where = os.fsencode(os.path.realpath(root)) + b"\0" + purpose
    return cache_dir() / f"{hashlib.sha256(where).hexdigest()[:24]}{suffix}"


def cache_file(root: Path | str, out_dir: Path | str) -> Path:
    """Where the cache of the course in `root` lives when it is built into `out_dir`."""
    return entry_file(root, os.fsencode(os.path.realpath(out_dir)), ".json")


FORMER_LOAD_SUFFIXES = (".reads", ".scans", ".checks")
"""What loads kept beside each build's cache file before they were kept once per course
(`load_cache_file`): never read again, so a build removes them (`drop_former_files`)."""


def drop_former_files(file: Path) -> None:
    """Remove what older versions kept beside the build cache `file` and no version reads now."""
    for suffix in FORMER_LOAD_SUFFIXES:
        with contextlib.suppress(OSError):  # then the cache folder's limit takes it in time
            file.with_suffix(suffix).unlink(missing_ok=True)


def load_cache_file(root: Path | str) -> Path:
    """Beside which the loads of the course in `root` keep what the next load can reuse
    (`loadcache`): one per course directory, for builds into any folder and `validate` alike,
    since what is kept is keyed by content and checked before it is used."""
    return entry_file(root, b"load", ".load")


@functools.cache
def maker_id() -> str | None:
    """What made the kept builds: the tool's version and the code and data of the whole package
    (`renderstore.package_code_id`: a development copy, an editable install or one from
    another commit changes them without changing its version), hashed once per process. None
    when a file of the package cannot be read: the cache is then neither trusted nor written."""
    return package_code_id(f"coursebuilder {__version__} cache {_FORMAT}")


def source_key(sources: SourceFiles, settings: Sequence[object]) -> str:
    """Hash of the package's code (`maker_id`), the build's `settings` and every file of the course."""
    digest = hashlib.sha256(f"{maker_id()}\0cache\0{settings!r}\0".encode())
    digest.update(sources.digest())
    return digest.hexdigest()


def target_key(target: str, settings: Sequence[object], inputs: bytes) -> str:
    """Hash of the package's code (`maker_id`), the `settings` that shape the target's files
    and the digest of its inputs (`Target.inputs_digest`)."""
    digest = hashlib.sha256(f"{maker_id()}\0target\0{target}\0{settings!r}\0".encode())
    digest.update(inputs)
    return digest.hexdigest()


def load(path: Path) -> CachedBuild | None:
    """The cache in `path`, or None when there is none that can be trusted."""
    maker = maker_id()
    if maker is None:
        return None
    try:
        record = json.loads(path.read_bytes())
        if record.get("format") != _FORMAT or record.get("maker") != maker:
            return None
        targets = {checked_text(name): _target(entry) for name, entry in record["targets"].items()}
        order = tuple(checked_text(name) for name in record["order"])
        if any(name not in targets for name in order):
            return None
        diagnostics = [Diagnostic.from_dict(item) for item in record["diagnostics"]]
        return CachedBuild(checked_text(record["key"]), order, targets, diagnostics)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def save(
    path: Path,
    key: str,
    built: Mapping[str, tuple[str, Sequence[Artifact]]],
    diagnostics: Sequence[Diagnostic],
    earlier: CachedBuild | None = None,
) -> None:
    """Record a finished build (after it wrote every file): its key, each target it built or
    kept (name → its `target_key` and files, in build order) and its warnings. The records of
    targets it did not build are taken from `earlier`, for a later build that selects them.
    Nothing is kept when the package's code is unknown (`maker_id`)."""
    maker = maker_id()
    if maker is None:
        return
    targets: dict[str, Any] = {}
    try:
        if earlier is not None:
            targets.update({name: _entry(record) for name, record in earlier.targets.items() if name not in built})
        for name, (inputs, artifacts) in built.items():
            targets[name] = _entry(TargetRecord(inputs, tuple(_stamp(artifact.path) for artifact in artifacts)))
        record = {
            "format": _FORMAT,
            "maker": maker,
            "key": key,
            "order": list(built),
            "targets": targets,
            "diagnostics": [diag.as_dict() for diag in diagnostics],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, json.dumps(record, indent=1, sort_keys=True).encode(), durable=False)
    except OSError:
        pass  # no cache (a read-only home, an output gone already): the next build does more


def _stamp(path: Path) -> Stamp:
    info = path.stat()
    return (os.fsdecode(path), info.st_size, info.st_mtime_ns, info.st_ino)


def _entry(record: TargetRecord) -> dict[str, Any]:
    return {"inputs": record.inputs, "files": [list(stamp) for stamp in record.files]}


def _target(entry: dict[str, Any]) -> TargetRecord:
    files = tuple(
        (checked_text(path), checked_int(size), checked_int(mtime), checked_int(inode))
        for path, size, mtime, inode in entry["files"]
    )
    return TargetRecord(checked_text(entry["inputs"]), files)


def checked_text(value: object) -> str:
    """A string read from a kept record; a TypeError (the record is not to be trusted) if not."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def checked_int(value: object) -> int:
    """An integer (not a boolean) read from a kept record; a TypeError if not."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def checked_pieces(data: bytes, lengths: Iterable[object]) -> list[bytes] | None:
    """`data` cut into pieces of `lengths`, read from a kept record's index; None unless they
    are integers (a TypeError if not) that cover `data` exactly."""
    pieces: list[bytes] = []
    offset = 0
    for length in lengths:
        size = checked_int(length)
        if size < 0 or offset + size > len(data):
            return None
        pieces.append(data[offset : offset + size])
        offset += size
    return pieces if offset == len(data) else None
