"""Resolve image and media references safely: they must name files inside the course."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from coursebuilder import limits

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
EXTERNAL_SCHEMES = ("http", "https", "mailto")


class AssetProblem(ValueError):
    """A reference that does not name a usable file; the message says why."""


@dataclass(frozen=True)
class Asset:
    """A file of the course that some text references."""

    path: Path
    """Absolute path of the file."""
    rel: str
    """Path relative to the course directory, with `/` (e.g. `assets/diagram.svg`)."""

    @property
    def name(self) -> str:
        return posixpath.basename(self.rel)


def is_external(ref: str) -> bool:
    """True for `http:`, `https:` and `mailto:` references, which stay as links."""
    match = _SCHEME.match(ref)
    return match is not None and match.group(1).lower() in EXTERNAL_SCHEMES and not _DRIVE.match(ref)


def resolve(root: Path, source_file: str, ref: str) -> Asset:
    """Resolve `ref`, written in `source_file` (relative to `root`), to a file in the course.

    Raises AssetProblem for URLs, absolute paths, `~`, escapes from the course directory,
    symlinks pointing outside it, missing files and names whose letter case differs.
    """
    ref_path = ref.split("#", 1)[0].split("?", 1)[0]
    if not ref_path.strip():
        raise AssetProblem("empty file reference")
    if _DRIVE.match(ref_path) or ref_path.startswith("\\\\"):
        raise AssetProblem(f"{ref!r} is a Windows absolute path; use a path relative to the file")
    scheme = _SCHEME.match(ref_path)
    if scheme:
        raise AssetProblem(
            f"{ref!r}: {scheme.group(1)}: references are not allowed; put the file in assets/ and use a relative path"
        )
    if "\\" in ref_path:
        raise AssetProblem(f"{ref!r} uses backslashes; use forward slashes")
    if ref_path.startswith("/"):
        raise AssetProblem(f"{ref!r} is an absolute path; use a path relative to the file")
    if ref_path.startswith("~"):
        raise AssetProblem(f"{ref!r} points into a home directory; put the file in assets/")
    from urllib.parse import unquote

    ref_path = unquote(ref_path)
    base = posixpath.dirname(source_file)
    rel = posixpath.normpath(posixpath.join(base, ref_path))
    if rel == ".." or rel.startswith("../") or rel.startswith("/"):
        raise AssetProblem(f"{ref!r} points outside the course directory")
    root_real = Path(os.path.realpath(root))
    target = root / rel
    real = Path(os.path.realpath(target))
    if not real.is_relative_to(root_real):
        raise AssetProblem(f"{ref!r} is a link to a file outside the course directory")
    if not target.is_file():
        raise AssetProblem(f"{ref!r}: file {rel} does not exist")
    _check_case(root, rel, ref)
    size = real.stat().st_size
    if size > limits.MAX_ASSET_BYTES:
        raise AssetProblem(f"{ref!r} is {size:,} bytes; the limit for one asset is {limits.MAX_ASSET_BYTES:,}")
    return Asset(path=real, rel=rel)


def _check_case(root: Path, rel: str, ref: str) -> None:
    """LMS servers are case sensitive: `Diagram.PNG` must be written as the file is named."""
    current = root
    for part in rel.split("/"):
        try:
            names = os.listdir(current)
        except OSError:
            return
        if part not in names:
            close = [n for n in names if n.lower() == part.lower()]
            hint = f"; the file is named {close[0]!r}" if close else ""
            raise AssetProblem(f"{ref!r}: letter case differs from the file on disk{hint}")
        current = current / part
