"""Resolve image and media references safely: they must name files inside the course."""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, TypeVar
from urllib.parse import unquote

from coursebuilder import limits
from coursebuilder.diagnostics import did_you_mean
from coursebuilder.layout import left_out_path

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DRIVE = re.compile(r"^[A-Za-z]:")
"""`C:\\x`, `C:/x` and drive-relative `C:x` (one-letter URL schemes do not exist)."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EXTERNAL_SCHEMES = ("http", "https", "mailto")


class AssetProblem(ValueError):
    """A reference that does not name a usable file; the message says why."""


class Asset(NamedTuple):
    """A file of the course that some text references."""

    path: Path
    """Absolute path of the file."""
    rel: str
    """Path relative to the course directory, with `/` (e.g. `assets/diagram.svg`)."""

    @property
    def name(self) -> str:
        return posixpath.basename(self.rel)


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(ref: str) -> str:
    """The reference as messages quote it: repr, cut short when very long."""
    return repr(_cut(ref))


def is_external(ref: str) -> bool:
    """True for `http:`, `https:` and `mailto:` references, which stay as links."""
    match = _SCHEME.match(ref)
    return match is not None and match.group(1).lower() in EXTERNAL_SCHEMES


def resolve(root: Path, source_file: str, ref: str) -> Asset:
    """Resolve `ref`, written in `source_file` (relative to `root`), to a file in the course.

    Raises AssetProblem for URLs, absolute paths, `~`, escapes from the course directory,
    symlinks pointing outside it, missing files, names whose letter case differs and files
    over `limits.MAX_ASSET_BYTES`. Percent-escapes are decoded first (`%2e%2e/` is `../`).
    """
    ref_path = unquote(ref.split("#", 1)[0].split("?", 1)[0])
    shown = _show(unquote(ref))
    if not ref_path.strip():
        raise AssetProblem("empty file reference")
    if _CONTROL.search(ref_path):
        raise AssetProblem(f"{shown} contains a control character")
    if _DRIVE.match(ref_path) or ref_path.startswith(("\\\\", "//")):
        kind = "a Windows absolute path" if _DRIVE.match(ref_path) else "a network path"
        raise AssetProblem(f"{shown} is {kind}; use a path relative to the file")
    if ref_path.startswith("\\"):
        raise AssetProblem(f"{shown} is an absolute path; use a path relative to the file")
    scheme = _SCHEME.match(ref_path)
    if scheme:
        raise AssetProblem(
            f"{shown}: {scheme.group(1)}: references are not allowed; put the file in assets/ and use a relative path"
        )
    if "\\" in ref_path:
        raise AssetProblem(f"{shown} uses backslashes; use forward slashes")
    if ref_path.startswith("/"):
        raise AssetProblem(f"{shown} is an absolute path; use a path relative to the file")
    if ref_path.startswith("~"):
        raise AssetProblem(f"{shown} points into a home directory; put the file in assets/")
    base = posixpath.dirname(source_file)
    rel = posixpath.normpath(posixpath.join(base, ref_path))
    if rel == ".." or rel.startswith("../") or rel.startswith("/"):
        raise AssetProblem(f"{shown} points outside the course directory")
    if left_out_path(rel):
        raise AssetProblem(
            f"{shown}: {_cut(rel)} is a hidden or backup file, which is no part of the course; rename it"
        )
    try:
        root_real = Path(os.path.realpath(root))
        target = root / rel
        real = real_path(root, rel)
        if not real.is_relative_to(root_real):
            raise AssetProblem(f"{shown} is a link to a file outside the course directory")
        info = os.stat(real) if os.path.lexists(target) else None
    except OSError as exc:
        raise AssetProblem(f"{shown} cannot be read: {exc.strerror or exc}") from None
    if info is None:
        _check_case(root, rel, ref)
        raise AssetProblem(f"{shown}: file {_cut(rel)} does not exist{_nearest(root, rel)}")
    if not stat.S_ISREG(info.st_mode):
        raise AssetProblem(f"{shown}: {_cut(rel)} is not a regular file")
    _check_case(root, rel, ref)
    if info.st_size > limits.MAX_ASSET_BYTES:
        raise AssetProblem(f"{shown} is {info.st_size:,} bytes; the limit for one asset is {limits.MAX_ASSET_BYTES:,}")
    return Asset(path=real, rel=rel)


def real_path(root: Path | str, rel: str) -> Path:
    """The path `resolve` gives the course file `rel` (`Asset.path`): the file itself, whatever
    links lead to it, so that a file reached by two paths (a lesson through a linked folder)
    is known as one."""
    return Path(os.path.realpath(os.path.join(root, rel)))


def real_paths(root: Path | str, rels: Iterable[str]) -> list[Path]:
    """`[real_path(root, rel) for rel in rels]`, for the many files of a few folders (the
    lessons): each folder is resolved once, and a file that is no link (one `lstat`) lies in
    its folder's real path."""
    folders: dict[str, str] = {}
    found: list[Path] = []
    for rel in rels:
        path = os.path.join(root, rel)
        folder, name = os.path.split(path)
        if name in ("", ".", ".."):
            found.append(real_path(root, rel))
            continue
        try:
            is_link = stat.S_ISLNK(os.lstat(path).st_mode)
        except OSError:
            is_link = True  # missing: `realpath` says what it makes of it
        if is_link:
            found.append(real_path(root, rel))
            continue
        if folder not in folders:
            folders[folder] = os.path.realpath(folder)
        found.append(Path(folders[folder], name))
    return found


_V = TypeVar("_V")


def by_real_path(root: Path | str, pairs: Iterable[tuple[str, _V]]) -> dict[Path, _V]:
    """`{real_path(root, rel): value for rel, value in pairs}` (`real_paths`): values to look
    up by what `resolve` gives (`Asset.path`), whatever path a text reaches the file by."""
    found = list(pairs)
    paths = real_paths(root, [rel for rel, _ in found])
    return dict(zip(paths, [value for _, value in found], strict=True))


def _nearest(root: Path, rel: str) -> str:
    """For a file that does not exist, the name nearest to the first missing part of `rel`, in
    the folder where it was looked for (`; did you mean 'diagram.svg'?`), or ""."""
    current = root
    parts = rel.split("/")
    for index, part in enumerate(parts):
        try:
            names = [name for name in os.listdir(current) if not left_out_path(name)]
        except OSError:
            return ""
        if part not in names:
            meant = did_you_mean(part, names)
            return f": there is no folder {part!r}{meant}" if index < len(parts) - 1 else meant
        current = current / part
    return ""


def _check_case(root: Path, rel: str, ref: str) -> None:
    """LMS servers are case sensitive: `Diagram.PNG` must be written as the file is named.

    Run on every lookup, so a course that works on a case-insensitive disk (Windows, macOS)
    fails here too instead of on the server.
    """
    current = root
    for part in rel.split("/"):
        try:
            names = os.listdir(current)
        except OSError:
            return
        if part not in names:
            close = [n for n in names if n.lower() == part.lower()]
            if close:
                raise AssetProblem(f"{_show(ref)}: letter case differs from the file on disk; it is named {close[0]!r}")
            return
        current = current / part
