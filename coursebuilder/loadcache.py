"""Quiz files read on the fast path, and the Markdown scans of the checks, kept from one load
to the next, so that a build or `validate` after an edit (or a build after `validate`) does
not parse the files and texts that did not change.

A large course spends most of its load on its quiz files, and most of that on parsing their
YAML (`yamlio.load_fast`). What the fast path read from a file is a plain value (mappings,
lists, strings, numbers), a function of the file's text alone: it is kept, in `marshal`'s
form, in the cache folder (`buildcache.load_cache_file`: one per course directory, shared by
builds into any folder and `validate`), one entry per file, under the file's
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

The checks scan every Markdown text of the course that can hold them for active HTML and links
(`htmlsafety.scan_markdown`); what a scan finds depends on the text alone. The scans are kept
the same way, in a store of their own under the hash of each text, its header naming
markdown-it's version, the code of the modules that scan and the Python and `marshal`
versions (as the question checks' store does too); an entry of the wrong shape is
scanned afresh. Short texts are always scanned: most hold no Markdown to parse, and hashing
them would cost more than the scan.

The checks that look at the questions alone (their texts, the formulas in their plain fields,
their answer keys) find what the quiz files, course.yaml and the glossary say, and what the
files their texts reference are: their diagnostics are kept too (`KeptChecks`), under a hash of
those files, the course folder and the package's code, with the references they resolved. A
build after an edit of lessons alone takes them from there once each reference resolves as it
did (`checks.check_course`).
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursebuilder.diagnostics import Diagnostic
from coursebuilder.htmlsafety import UnsafeHtml
from coursebuilder.markdown import Reference
from coursebuilder.renderstore import (
    MARSHAL_FORM,
    code_id,
    installed_version,
    markdown_it_version,
    package_code_id,
    read_checked,
    write_checked,
)
from coursebuilder.version import __version__
from coursebuilder.yamlio import UNSURE

_FORMAT = 1
_READER_MODULES = ("yamlio.py", "yamltypes.py")
"""The package's modules whose code decides what the fast path reads from a text."""
_SCANNER_MODULES = ("htmlsafety.py", "markdown.py", "nativemarkdown.py", "htmlescape.py")
"""The package's modules whose code decides what a scan finds."""

Scan = tuple[list[UnsafeHtml], list[Reference]]
"""What `scan_markdown` returns for one text."""

MISSING = object()
"""What `KeptReads.value` returns for a file it has no value for (None is an empty document)."""

Entry = tuple[bytes, bytes | None]
"""A file's entry: the hash of its text, and its value in `marshal`'s form (None: `UNSURE`)."""


def reads_file(cache_file: Path) -> Path:
    """Where the quiz files read by the loads that keep beside `cache_file` are kept."""
    return cache_file.with_suffix(".reads")


def scans_file(cache_file: Path) -> Path:
    """Where the Markdown scans of the loads that keep beside `cache_file` are kept."""
    return cache_file.with_suffix(".scans")


def reader_id() -> str | None:
    """What made the kept values: the versions of the tool, of the libraries that read YAML or
    validate it, of Python and `marshal`, and the fast path's code. None when unreadable."""
    import pydantic
    import yaml_rs

    pyyaml = installed_version("PyYAML")  # the fast path never imports PyYAML
    if pyyaml is None:
        return None
    versions = (
        f"coursebuilder {__version__} reads {_FORMAT}\0yaml-rs {getattr(yaml_rs, '__version__', '?')}"
        f"\0PyYAML {pyyaml}\0pydantic {pydantic.VERSION}"
        f"\0{MARSHAL_FORM}"
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


def scanner_id() -> str | None:
    """What made the kept scans: the tool's version, markdown-it's and the scanning modules'
    code. None when unreadable."""
    parser = markdown_it_version()
    if parser is None:
        return None
    return code_id(f"coursebuilder {__version__} scans {_FORMAT}\0markdown-it {parser}", _SCANNER_MODULES)


ScanEntry = tuple[list[tuple[int, str]], list[tuple[str, str, int]]] | None
"""A scan in `marshal`'s form: (line, what) of each piece of active HTML, (kind, target, line)
of each reference; None when it found neither."""

SCAN_WORTH_KEEPING = 32
"""Characters from which a text's scan is kept (a shorter text is scanned each time)."""


class KeptScans:
    """The scans kept by the last build (none without a store), and those of this load, which
    `save` keeps for the next: an entry for each text scanned, and no other."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.maker = scanner_id() if path is not None else None
        self.kept: dict[bytes, ScanEntry] = _load_scans(path, self.maker) if path is not None and self.maker else {}
        self.now: dict[bytes, ScanEntry] = {}

    def has(self, text: str) -> bool:
        """Whether a scan of `text` is kept (it may still be of the wrong shape)."""
        return bool(self.kept) and len(text) >= SCAN_WORTH_KEEPING and _digest(text) in self.kept

    def scan(self, text: str, scan: Callable[[str], Scan]) -> Scan:
        """The kept scan of `text`, else `scan(text)` (kept for the next build)."""
        if self.path is None or len(text) < SCAN_WORTH_KEEPING:
            return scan(text)
        digest = _digest(text)
        if digest in self.kept:
            entry = self.kept[digest]
            found = _scan(entry)
            if found is not None:
                self.now[digest] = entry
                return found
        made = scan(text)
        unsafe, refs = made
        self.now[digest] = (
            ([(item.line, item.what) for item in unsafe], [(r.kind, r.target, r.line) for r in refs])
            if unsafe or refs
            else None
        )
        return made

    def has_all(self, digests: Sequence[bytes]) -> bool:
        """Whether a scan of the right shape is kept for each of `digests`."""
        return all(digest in self.kept and _scan(self.kept[digest]) is not None for digest in digests)

    def carry(self, digests: Sequence[bytes]) -> None:
        """Keep again, for the next build, the kept scans of `digests` (used by kept results)."""
        for digest in digests:
            self.now[digest] = self.kept[digest]

    def absorb(self, entries: dict[bytes, ScanEntry]) -> None:
        """Keep the entries another process used (`now` of its copy of this)."""
        self.now.update(entries)

    def save(self) -> None:
        """Keep this load's scans for the next build, unless they are those already kept."""
        if self.path is None or self.maker is None or self.now == self.kept:
            return
        write_checked(
            self.path, {"format": _FORMAT, "scanner": self.maker, "marshal": MARSHAL_FORM}, marshal.dumps(self.now)
        )


def _scan(entry: Any) -> Scan | None:
    """A kept entry as a scan; None when it is of the wrong shape."""
    if entry is None:
        return [], []
    try:
        unsafe, refs = entry
        found = [UnsafeHtml(line, what) for line, what in unsafe]
        references = [Reference(kind, target, line) for kind, target, line in refs]
    except (TypeError, ValueError):
        return None
    if not all(type(item.line) is int and type(item.what) is str for item in found):
        return None
    if not all(type(r.kind) is str and type(r.target) is str and type(r.line) is int for r in references):
        return None
    return found, references


def _load_scans(path: Path, maker: str) -> dict[bytes, ScanEntry]:
    """The scans kept in `path` (their shapes checked as they are used), or none when the
    store cannot be trusted."""
    payload = read_checked(path, {"format": _FORMAT, "scanner": maker, "marshal": MARSHAL_FORM})
    if payload is None:
        return {}
    try:
        entries = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def checks_file(cache_file: Path) -> Path:
    """Where the question checks of the loads that keep beside `cache_file` are kept."""
    return cache_file.with_suffix(".checks")


Resolved = tuple[str, str, bool, str]
"""A reference a question's text made: the file it is written in, its target, whether it
named no usable file, and the file's path in the course (or the problem's message)."""


@dataclass
class QuestionChecks:
    """The diagnostics of the checks that look at the questions alone, in the order they are
    reported, with the references they resolved and the digests of the scans they used."""

    texts: list[Diagnostic]
    plain_formulas: list[Diagnostic]
    answer_keys: list[Diagnostic]
    references: list[Resolved]
    scans: list[bytes]


def _question_checks_key(root: Path, texts: Sequence[tuple[str, str | None]]) -> str:
    """What the question checks depend on: the course folder, and the name and text of each
    file they read from (course.yaml, the glossary and the quiz files; None: unreadable)."""
    digest = hashlib.sha256(os.fsencode(str(root.resolve())) + b"\0")
    for name, text in texts:
        digest.update(name.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(b"-" if text is None else _digest(text))
    return digest.hexdigest()


class KeptChecks:
    """The question checks kept by the last build of the same files (none without a store),
    and this load's, which `save` keeps for the next."""

    def __init__(self, path: Path | None, root: Path, texts: Sequence[tuple[str, str | None]]) -> None:
        """Kept in `path` for the course in `root` whose files are `texts` (see `_question_checks_key`)."""
        self.path = path
        self.key = _question_checks_key(root, texts) if path is not None else ""
        self.maker = package_code_id(f"coursebuilder {__version__} checks {_FORMAT}") if path is not None else None
        self.kept = _load_checks(path, self._header()) if path is not None and self.maker else None
        self.now: QuestionChecks | None = None

    def _header(self) -> dict[str, object]:
        return {"format": _FORMAT, "checker": self.maker, "key": self.key, "marshal": MARSHAL_FORM}

    def keep(self, checks: QuestionChecks) -> None:
        """Remember this load's question checks (as made, or as taken from `kept`)."""
        self.now = checks

    def save(self) -> None:
        """Keep this load's question checks for the next build, unless they are those kept."""
        if self.path is None or self.maker is None or self.now is None or self.now == self.kept:
            return
        now = self.now
        payload = marshal.dumps(
            (
                [d.as_row() for d in now.texts],
                [d.as_row() for d in now.plain_formulas],
                [d.as_row() for d in now.answer_keys],
                now.references,
                now.scans,
            )
        )
        write_checked(self.path, self._header(), payload)


def _load_checks(path: Path, header: dict[str, object]) -> QuestionChecks | None:
    """The question checks kept in `path` under `header`, or None when they cannot be trusted."""
    payload = read_checked(path, header)
    if payload is None:
        return None
    try:
        texts, plain, keys, references, scans = marshal.loads(payload)
        found = QuestionChecks(
            [Diagnostic.from_row(entry) for entry in texts],
            [Diagnostic.from_row(entry) for entry in plain],
            [Diagnostic.from_row(entry) for entry in keys],
            [_resolved(entry) for entry in references],
            list(scans),
        )
    except (ValueError, EOFError, TypeError):
        return None
    if not all(type(digest) is bytes for digest in found.scans):
        return None
    return found


def _resolved(entry: Any) -> Resolved:
    file, target, problem, found = entry
    if not (type(file) is str and type(target) is str and type(problem) is bool and type(found) is str):
        raise TypeError("a reference of the wrong shape")
    return file, target, problem, found
