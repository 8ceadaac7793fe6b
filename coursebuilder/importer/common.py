"""What every reader of the import shares: positions, notes, imported items, files, slugs."""

from __future__ import annotations

import base64
import binascii
import hashlib
import posixpath
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from coursebuilder import limits
from coursebuilder.diagnostics import Diagnostic, error, warning
from coursebuilder.grades import is_moodle_grade, nearest_grade
from coursebuilder.importer.htmltext import PLUGINFILE, TextFormat, to_markdown
from coursebuilder.layout import left_out_path
from coursebuilder.model import SLUG, slug_like

MatchGrades = Literal["error", "nearest"]


def line_of(element: object) -> int:
    """The source line lxml recorded for an element (0 when unknown)."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else 0


@dataclass(frozen=True)
class Where:
    """A position in an input file, for messages (`file:line`)."""

    file: str
    line: int = 0


@dataclass(frozen=True)
class CategoryPath:
    """A question category as an export names it (`$course$/top/A/B` → ("A", "B"))."""

    segments: tuple[str, ...]
    raw: str
    where: Where
    info_html: str = ""
    """The category's description as HTML (what Moodle shows)."""
    info_markdown: str = ""
    """The same description as course Markdown."""


@dataclass
class ImportedQuestion:
    """One question read from an input file, before it gets its id and lesson."""

    kind: str
    """The question type as the file names it (`multichoice`, `match`, `cloze`, …)."""
    fields: dict[str, Any]
    """Model fields (`type`, `text`, answers…) except id, lesson and category."""
    name: str
    idnumber: str
    category: CategoryPath | None
    where: Where


@dataclass
class ImportedEntry:
    """One glossary entry read from an input file."""

    fields: dict[str, Any]
    where: Where
    glossary_name: str = ""
    glossary_intro: str = ""


@dataclass(frozen=True)
class Skipped:
    """Something the course format cannot hold, reported and left out."""

    kind: str
    where: Where
    reason: str


@dataclass
class Notes:
    """Problems and skipped items found while reading; printed with their positions."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def warn(self, where: Where, message: str, code: str, field_name: str = "") -> None:
        self.diagnostics.append(warning(where.file, where.line, field=field_name, message=message, code=code))

    def error(self, where: Where, message: str, code: str, field_name: str = "") -> None:
        self.diagnostics.append(error(where.file, where.line, field=field_name, message=message, code=code))

    def skip(self, kind: str, where: Where, reason: str, label: str = "") -> None:
        """Report an item left out; `kind` is its type (counted in the summary), `label` names it."""
        self.skipped.append(Skipped(kind, where, reason))
        self.warn(
            where, f"{kind} {label}: {reason}; skipped" if label else f"{kind}: {reason}; skipped", "import-skipped"
        )


# --------------------------------------------------------------------------- files


class AssetStore:
    """Files to write into the course's `assets/`: never outside it, one file per content.

    A name already used by a different file gets the content's hash appended, so two
    different `image.png` (common in Moodle banks) stay two files, and re-importing the same
    file reuses it instead of adding a copy.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.planned: dict[str, bytes] = {}
        self._by_content: dict[str, str] | None = None

    def add(self, name: str, data: bytes) -> str:
        """Plan `data` under a safe version of `name`; return its path below assets/.

        A file the course already has (same content, anywhere in assets/) is reused as it is.
        """
        safe = safe_file_name(name)
        if self._content(safe) != data:
            known = self._existing().get(hashlib.sha256(data).hexdigest())
            if known is not None:
                return known
        stem, dot, ext = safe.rpartition(".")
        if not dot:
            stem, ext = safe, ""
        digest = hashlib.sha256(data).hexdigest()[:10]
        for candidate in (safe, f"{stem}-{digest}{dot}{ext}"):
            existing = self._content(candidate)
            if existing is None or existing == data:
                self.planned[candidate] = data
                return candidate
        raise AssertionError("unreachable: a hashed name holds other content")  # pragma: no cover

    def _existing(self) -> dict[str, str]:
        """Files already in assets/ by the SHA-256 of their content (read once, on first need)."""
        if self._by_content is None:
            self._by_content = {}
            folder = self.root / "assets"
            if folder.is_dir() and not folder.is_symlink():
                for path in sorted(folder.rglob("*")):
                    rel = path.relative_to(folder).as_posix()
                    usable = (
                        path.is_file()
                        and not path.is_symlink()
                        and re.fullmatch(r"[A-Za-z0-9._/-]+", rel)
                        and not left_out_path(rel)  # a text may not link to it
                    )
                    if usable and path.stat().st_size <= limits.MAX_ASSET_BYTES:
                        digest = hashlib.sha256(path.read_bytes()).hexdigest()
                        self._by_content.setdefault(digest, rel)
        return self._by_content

    def _content(self, name: str) -> bytes | None:
        if name in self.planned:
            return self.planned[name]
        path = self.root / "assets" / name
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    def new_files(self) -> dict[str, bytes]:
        """Planned files that are not already in assets/ with the same content."""
        return {name: data for name, data in sorted(self.planned.items()) if self._disk(name) != data}

    def _disk(self, name: str) -> bytes | None:
        path = self.root / "assets" / name
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None


def safe_file_name(name: str) -> str:
    """A file name safe on every system and inside assets/: letters, digits, `.`, `_` and `-`."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base)
    base = re.sub(r"-{2,}", "-", base).strip(".-_")
    if not base:
        base = "file"
    if len(base) > 100:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 100 - len(ext) - 1] + "." + ext) if dot and len(ext) < 10 else base[:100]
    return base


@dataclass
class EmbeddedFile:
    """A `<file>` of a Moodle text field (or a glossary entry)."""

    path: str
    """Path below the file area, as `@@PLUGINFILE@@/` references it (e.g. `img/a.png`)."""
    data: bytes
    where: Where


def decode_file(encoded: str, name: str, where: Where, notes: Notes) -> bytes | None:
    """Decode a base64 file body; a bad or oversized body is reported (None)."""
    compact = re.sub(r"\s+", "", encoded)
    if len(compact) * 3 // 4 > limits.MAX_ASSET_BYTES:
        notes.warn(where, f"file {name!r} is larger than {limits.MAX_ASSET_BYTES:,} bytes; not imported", "too-large")
        return None
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        notes.warn(where, f"file {name!r} is not valid base64; not imported", "import-file")
        return None


class TextConverter:
    """Turns the text fields of one input file into Markdown, moving their files to assets/."""

    def __init__(self, assets: AssetStore, prefix: str, notes: Notes) -> None:
        self.assets = assets
        self.prefix = prefix
        """How the target file reaches assets/ (`../assets/` from quiz/*.yaml)."""
        self.notes = notes
        self.kept_html = 0
        self.converted = 0

    def convert(
        self,
        text: str,
        fmt: TextFormat,
        where: Where,
        what: str,
        files: Mapping[str, EmbeddedFile] | None = None,
        fallback: Mapping[str, EmbeddedFile] | None = None,
        inline: bool = False,
    ) -> str:
        """Markdown for a text; `@@PLUGINFILE@@/x` becomes a path to the file in assets/."""
        files = files or {}
        used: set[str] = set()

        def replace(match: re.Match[str]) -> str:
            from urllib.parse import unquote

            ref = unquote(match.group(1))
            found = _lookup(files, ref)
            if found is None and fallback:
                found = _lookup(fallback, ref)
                if found is not None:
                    self.notes.warn(
                        where,
                        f"{what}: file {ref!r} belongs to another field of the question; used it",
                        "import-file",
                    )
            if found is None:
                self.notes.warn(
                    where, f"{what}: refers to file {ref!r}, which the file does not contain", "import-file"
                )
                return match.group(0)
            used.add(found.path)
            return self.prefix + self.assets.add(found.path, found.data)

        text = PLUGINFILE.sub(replace, text)
        for item in sorted({id(f): f for f in files.values()}.values(), key=lambda f: f.path):
            if item.path not in used:
                self.notes.warn(
                    item.where, f"{what}: file {item.path!r} is not used by the text; not imported", "import-file"
                )
        result = to_markdown(text, fmt, inline)
        if result.kept_html:
            self.kept_html += 1
        elif result.markdown:
            self.converted += 1
        if not result.exact:
            self.notes.warn(where, f"{what}: kept as HTML, but it may not display exactly as in Moodle", "import-html")
        return result.markdown


def file_key(path: str) -> str:
    """A file's path below its area as references name it: `/img/../a.png` → `a.png`."""
    return posixpath.normpath("/" + path.replace("\\", "/")).lstrip("/")


def _lookup(files: Mapping[str, EmbeddedFile], ref: str) -> EmbeddedFile | None:
    key = file_key(ref)
    found = files.get(key)
    if found is None:
        base = posixpath.basename(key)
        matches = [f for f in files.values() if posixpath.basename(file_key(f.path)) == base]
        found = matches[0] if len(matches) == 1 else None
    return found


# --------------------------------------------------------------------------- grades and ids


def grade(fraction: float, where: Where, what: str, notes: Notes, match: MatchGrades) -> float | None:
    """A Moodle fraction as a course grade (percent); grades Moodle would refuse are reported."""
    percent = round(fraction * 100, 7)
    if is_moodle_grade(percent):
        return nearest_grade(percent) if abs(percent - nearest_grade(percent)) < 1e-4 else percent
    nearest = nearest_grade(percent)
    if match == "nearest":
        notes.warn(
            where, f"{what}: grade {percent:g}% changed to the nearest grade Moodle accepts, {nearest:g}%", "grade"
        )
        return nearest
    return None


_SLUG = re.compile(SLUG)


def is_slug(value: str) -> bool:
    return bool(_SLUG.match(value)) and len(value) <= 100


def slugify(text: str, limit: int = 60) -> str:
    """A lowercase id from any text ("Photosynthesis – Q1" → "photosynthesis-q1"); may be empty."""
    text = re.sub(r"[_-]+", "-", slug_like(text)).strip("-")  # hyphens only
    if len(text) > limit:
        cut = text[:limit]
        text = cut.rsplit("-", 1)[0] if "-" in cut[limit // 2 :] else cut
    return text.strip("-")


def stable_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]
