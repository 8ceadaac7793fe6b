"""Sections of SCORM pages and the compressed runs of large pages, kept from one build to the
next, so that a build after a lesson edit renders, links and compresses only what changed.

A single-SCO package's page holds every lesson; an edit changes one section of it. With a
folder to keep them in (`BuildContext.keep`, beside the build cache), the packages of a build
keep there:

- each lesson's and the glossary's section, as HTML, under a key of everything it is made
  from (`SharedContent` makes the keys: the section's texts and view, the glossary's phrases,
  the structure, the messages), with the course files it points to, which a later build
  resolves again (`ContentRenderer.adopt`) before it takes the section;
- each run of a large page's compressed stream (`deflate_page`), under a key of the run's
  bytes, the 32 KiB before them and whether it ends the stream, for each SCORM version.

Each file is written by `renderstore.write_checked`: a header naming what made the store
(`maker_id`: the tool's version, a hash of its modules and templates, and the versions of
Python, zlib and the libraries that shape the HTML) and a checksum. Another maker, a
checksum that does not match, or an index that does not parse or does not cover the data
exactly means the file is ignored and everything in it made again. Each build keeps what
it used, and only that.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import zlib
from collections.abc import Sequence
from math import log2
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree

from coursebuilder.buildcache import checked_pieces, checked_text
from coursebuilder.deflateruns import WINDOW_BYTES, deflate_run, run_key
from coursebuilder.output import Deflated
from coursebuilder.renderstore import installed_version, package_code_id, read_checked, write_checked
from coursebuilder.scorm.html import Reference
from coursebuilder.version import __version__

_FORMAT = 1
_LIBRARIES = ("markdown-it-py", "latex2mathml", "jinja2", "markupsafe")
"""Libraries whose version can change a section's HTML (with lxml and libxml2, named below)."""

SEGMENTED_FROM = 1 << 20
"""Pages of this many bytes or more are compressed in runs that can be kept; a smaller one is
compressed whole, into the bytes `zipfile` writes for it."""
RUN_BYTES = 256 << 10
"""About how many bytes of sections a run holds (`runs_of`)."""
LEVEL = 6
"""The compression level of `output.zip_bytes`."""


@functools.cache
def maker_id() -> str | None:
    """What made a kept section or run: the tool's version, the code of its modules and SCORM
    templates (a development copy changes code without changing its version), and the
    versions of Python, zlib and the libraries that shape the HTML. None when unreadable."""
    versions = [sys.version, zlib.ZLIB_RUNTIME_VERSION, repr(etree.LXML_VERSION), repr(etree.LIBXML_VERSION)]
    for name in _LIBRARIES:
        versions.append(f"{name} {installed_version(name) or 'none'}")
    return package_code_id(f"coursebuilder {__version__} scorm pages {_FORMAT}\0" + "\0".join(versions))


def digest(*parts: object, text: str = "") -> str:
    """A key made of `parts` (texts, numbers, lists of them: anything JSON writes one way) and
    a long `text` (hashed as it is: JSON would have to escape it first)."""
    made = hashlib.sha256(json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode())
    made.update(b"\0")
    made.update(text.encode("utf-8", "surrogatepass"))
    return made.hexdigest()


class KeptSection(NamedTuple):
    """A section's HTML and the course files and lessons it points to."""

    html: bytes
    references: tuple[Reference, ...]


class PageStore:
    """The kept sections of one structure's pages and the runs of each version's large pages,
    in `folder`; with no folder, nothing is kept between builds (the runs are still shared
    between the versions of one build)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._maker = maker_id() if folder is not None else None
        self._kept_sections = self._load_sections()
        self._sections: dict[str, KeptSection] = {}
        """The sections this build used (taken or made)."""
        self._kept_runs: dict[str, dict[str, bytes]] | None = None
        """By SCORM version: the runs kept by the last build (read when first asked for)."""
        self._runs: dict[str, dict[str, bytes]] = {}
        """By SCORM version: the runs its package used in this build."""
        self._made: dict[str, bytes] = {}
        """Runs compressed by this build, whichever version asked first."""

    def _header(self, kind: str) -> dict[str, object]:
        return {"format": _FORMAT, "maker": self._maker, "kind": kind}

    def _file(self, kind: str) -> Path | None:
        return self.folder / kind if self.folder is not None and self._maker is not None else None

    # ------------------------------------------------------------------ sections

    def section(self, key: str) -> KeptSection | None:
        """The section kept or made under `key`, if any (`keep_section` it when used)."""
        return self._sections.get(key) or self._kept_sections.get(key)

    def keep_section(self, key: str, section: KeptSection) -> None:
        """A section this build used, to keep for the next."""
        self._sections[key] = section

    def _load_sections(self) -> dict[str, KeptSection]:
        blobs = self._read("sections")
        if blobs is None:
            return {}
        try:
            return {
                checked_text(key): KeptSection(blob, tuple(_reference(item) for item in references))
                for (key, references), blob in blobs
            }
        except (ValueError, TypeError):
            return {}

    # ------------------------------------------------------------------ runs

    def run(self, version: str, key: str) -> bytes | None:
        """The compressed run kept or made under `key`, if any; used by `version`'s package."""
        found = self._made.get(key)
        if found is None:
            if self._kept_runs is None:
                self._kept_runs = {name: self._load_runs(name) for name in ("1.2", "2004")}
            found = next((runs[key] for runs in self._kept_runs.values() if key in runs), None)
        if found is not None:
            self._runs.setdefault(version, {})[key] = found
        return found

    def keep_run(self, version: str, key: str, stream: bytes) -> None:
        """A run `version`'s package compressed, to keep for the next build."""
        self._made[key] = stream
        self._runs.setdefault(version, {})[key] = stream

    def _load_runs(self, version: str) -> dict[str, bytes]:
        blobs = self._read(f"runs-{version}")
        try:
            return {checked_text(key): blob for (key, _), blob in blobs or []}
        except (ValueError, TypeError):
            return {}

    # ------------------------------------------------------------------ files

    def save(self, version: str) -> None:
        """Keep the sections used so far and the runs `version`'s package used, each file
        written only when its contents changed."""
        if self._sections.keys() != self._kept_sections.keys():
            entries = [(key, [list(ref) for ref in kept.references], kept.html) for key, kept in self._sections.items()]
            self._write("sections", entries)
            self._kept_sections = dict(self._sections)
        runs = self._runs.get(version, {})
        kept = (self._kept_runs or {}).get(version)
        if kept is None:
            kept = self._load_runs(version)
        if runs.keys() != kept.keys():
            self._write(f"runs-{version}", [(key, None, stream) for key, stream in runs.items()])

    def _write(self, kind: str, entries: Sequence[tuple[str, Any, bytes]]) -> None:
        """`entries` (key, what to record beside it, data) as an index line, then the data."""
        path = self._file(kind)
        if path is None:
            return
        index = [[key, extra, len(blob)] for key, extra, blob in entries]
        head = json.dumps(index, separators=(",", ":")).encode() + b"\n"
        write_checked(path, self._header(kind), [head, *(blob for *_, blob in entries)])

    def _read(self, kind: str) -> list[tuple[tuple[str, Any], bytes]] | None:
        """The ((key, record), data) of each entry of a file `_write` wrote, or None when it
        is missing, another maker's, fails its checksum, or its index does not cover its data."""
        path = self._file(kind)
        payload = read_checked(path, self._header(kind)) if path is not None else None
        if payload is None:
            return None
        head, _, data = payload.partition(b"\n")
        try:
            index = json.loads(head)
            pieces = checked_pieces(data, [length for _, _, length in index])
            if pieces is None:
                return None
            return [((key, extra), piece) for (key, extra, _), piece in zip(index, pieces, strict=True)]
        except (ValueError, TypeError):
            return None


def _reference(item: object) -> Reference:
    if not isinstance(item, list) or len(item) != 3:
        raise TypeError(f"expected a reference, got {item!r}")
    source_file, ref, rel = item
    return (checked_text(source_file), checked_text(ref), checked_text(rel))


# ---------------------------------------------------------------------- compressing


def runs_of(pieces: Sequence[bytes]) -> list[bytes]:
    """A page's pieces (its start, its sections, its end) cut into runs to compress one by one.

    The start and the end are runs of their own (the end holds the record the player reads,
    which differs between the SCORM versions); the sections between go `per_run` at a time,
    counted from the first, so that an edited section changes only its own run (and, when
    near its end, the next one's window) however its size changes. `per_run` is the power of
    two that makes runs of about `RUN_BYTES` on average; a section of `RUN_BYTES` or more
    (the glossary of a large course) is a run of its own.
    """
    if len(pieces) < 3:
        return [b"".join(pieces)]
    start, *sections, end = pieces
    average = max(1, sum(len(section) for section in sections)) / len(sections)
    per_run = 1 << max(0, round(log2(max(1.0, RUN_BYTES / average))))
    runs = [start]
    group: list[bytes] = []
    for number, section in enumerate(sections):
        large = len(section) >= RUN_BYTES
        if group and (number % per_run == 0 or large or len(group[-1]) >= RUN_BYTES):
            runs.append(b"".join(group))
            group = []
        group.append(section)
    runs.append(b"".join(group))
    runs.append(end)
    return runs


def deflate_page(pieces: Sequence[bytes], store: PageStore, version: str) -> bytes | Deflated:
    """A page as `output.zip_bytes` takes it: its bytes when smaller than `SEGMENTED_FROM`,
    else one deflate stream made of runs (`runs_of`), each compressed on its own, primed with
    the 32 KiB before it (`deflateruns`); any inflater reads the runs as one stream. A run
    kept in `store` is not compressed again: its bytes depend only on its key (`run_key`)."""
    size = sum(len(piece) for piece in pieces)
    if size < SEGMENTED_FROM:
        return b"".join(pieces)
    runs = runs_of(pieces)
    streams = []
    crc = 0
    window = b""
    for number, run in enumerate(runs):
        last = number == len(runs) - 1
        key = run_key(run, window, LEVEL, last)
        stream = store.run(version, key)
        if stream is None:
            stream = deflate_run(run, window, LEVEL, last)
            store.keep_run(version, key, stream)
        streams.append(stream)
        crc = zlib.crc32(run, crc)
        window = (window + run[-WINDOW_BYTES:])[-WINDOW_BYTES:]
    return Deflated(size, crc, b"".join(streams))
