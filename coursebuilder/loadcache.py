"""Quiz files read on the fast path, kept from one build to the next, so that a build after
an edit does not parse the files that did not change.

A large course spends most of its load on its quiz files, and most of that on parsing their
YAML (`yamlio.load_fast`). What the fast path read from a file is a plain value (mappings,
lists, strings, numbers), a function of the file's text alone: it is kept, in `marshal`'s
form, beside the build cache (`buildcache.cache_file`), one entry per file, under the file's
path in the course and the hash of its text. A build takes an unchanged file's value from
there and runs the rest of the load on it as on a value just parsed (validation, defaults,
lines learned when a message asks), so its questions and diagnostics are those of a fresh
load. The validated questions are not kept: restoring pydantic models from a pickle takes
longer than parsing the file again, while validating a kept value takes a fraction of that.

The store is trusted only as far as it can prove itself (`renderstore.read_checked`): its
header names what made the values (the tool's version, yaml-rs's, PyYAML's, pydantic's, the
Python and `marshal` versions, and a hash of the module that reads YAML) and a checksum of
the entries. Another maker, a checksum that does not match, or entries that do not decode
mean the store is ignored: every file is parsed, and the store is written again.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path
from typing import Any

from coursebuilder.renderstore import code_id, read_checked, write_checked
from coursebuilder.version import __version__
from coursebuilder.yamlio import UNSURE

_FORMAT = 1
_READER_MODULES = ("yamlio.py",)
"""The package's modules whose code decides what the fast path reads from a text."""

MISSING = object()
"""What `KeptReads.value` returns for a file it has no value for (None is an empty document)."""

Entry = tuple[bytes, bytes | None]
"""A file's entry: the hash of its text, and its value in `marshal`'s form (None: `UNSURE`)."""


def reads_file(cache_file: Path) -> Path:
    """Where the quiz files read by the build cached in `cache_file` are kept."""
    return cache_file.with_suffix(".reads")


def reader_id() -> str | None:
    """What made the kept values: the versions of the tool, of the libraries that read YAML or
    validate it, of Python and `marshal`, and the fast path's code. None when unreadable."""
    import pydantic
    import yaml
    import yaml_rs

    versions = (
        f"coursebuilder {__version__} reads {_FORMAT}\0yaml-rs {getattr(yaml_rs, '__version__', '?')}"
        f"\0PyYAML {yaml.__version__}\0pydantic {pydantic.VERSION}"
        f"\0python {sys.version_info[0]}.{sys.version_info[1]} marshal {marshal.version}"
    )
    return code_id(versions, _READER_MODULES)


class KeptReads:
    """The values kept by the last build (none without a store), and those of this load, which
    `save` keeps for the next: an entry for each quiz file read, and no other."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.maker = reader_id() if path is not None else None
        self.kept: dict[str, Entry] = _load(path, self.maker) if path is not None and self.maker else {}
        self.now: dict[str, Entry] = {}

    def value(self, name: str, text: str) -> Any:
        """What `load_fast(text)` returns for the file `name`, taken from the store (a new
        copy each time: the loader completes it in place); `MISSING` when the store has no
        entry for this text."""
        entry = self.kept.get(name)
        if entry is None or entry[0] != _digest(text):
            return MISSING
        blob = entry[1]
        try:
            value = UNSURE if blob is None else marshal.loads(blob)
        except (ValueError, EOFError, TypeError):
            return MISSING
        self.now[name] = entry
        return value

    def keep(self, name: str, text: str, value: Any) -> None:
        """Remember what `load_fast(text)` returned for `name` (before the loader changes it)."""
        if self.path is None:
            return
        try:
            blob = None if value is UNSURE else marshal.dumps(value)
        except ValueError:  # a value `marshal` cannot write: read from the text again next time
            return
        self.now[name] = (_digest(text), blob)

    def save(self) -> None:
        """Keep this load's entries for the next build, unless they are those already kept."""
        if self.path is None or self.maker is None or self.now == self.kept:
            return
        payload = marshal.dumps(self.now)
        write_checked(self.path, {"format": _FORMAT, "reader": self.maker}, payload)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _load(path: Path, maker: str) -> dict[str, Entry]:
    """The entries kept in `path`, or none when they cannot be trusted."""
    payload = read_checked(path, {"format": _FORMAT, "reader": maker})
    if payload is None:
        return {}
    try:
        entries = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    for name, entry in entries.items():
        if not (
            isinstance(name, str)
            and isinstance(entry, tuple)
            and len(entry) == 2
            and isinstance(entry[0], bytes)
            and (entry[1] is None or isinstance(entry[1], bytes))
        ):
            return {}
    return entries
