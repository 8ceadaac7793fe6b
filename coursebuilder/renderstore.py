"""Renderings kept from one build to the next, so that a build after an edit parses only the
Markdown that changed.

The store sits beside the build cache (`buildcache.cache_file`): one file per course and
output folder, holding the renderings the last build asked for (`markdown.RenderCache`). It
is trusted only as far as it can prove itself: its header names the renderer that made it
(the tool's version, markdown-it's, and a hash of the modules that render) and the Python and
`marshal` versions that wrote it, and a checksum of the renderings (in `marshal`'s form,
which reads and writes in a third of JSON's time). Another renderer, a checksum that does
not match, or a file that does not parse means the store is ignored, the texts are rendered
afresh, and the store is written again. Renderings in MathML are not kept: they depend on
latex2mathml's version as well.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursebuilder.output import write_chunks
from coursebuilder.version import __version__

if TYPE_CHECKING:  # the code ids and checked files serve `validate`, which renders nothing
    from coursebuilder.markdown import Rendering, RenderKey

_FORMAT = 2
_RENDERER_MODULES = (
    "markdown.py",
    "nativemarkdown.py",
    "htmlescape.py",
    "formulas/__init__.py",
    "formulas/notation.py",
    "formulas/moodle.py",
    "formulas/tex.py",
)
"""The package's modules whose code decides what a rendering in a kept form looks like."""


def store_file(cache_file: Path) -> Path:
    """Where the renderings of the build cached in `cache_file` are kept."""
    return cache_file.with_suffix(".renders")


def renderer_id() -> str | None:
    """What made a rendering: the tool's version, markdown-it's and the rendering modules' code
    (a development copy changes code without changing its version). None when unreadable."""
    parser = markdown_it_version()
    if parser is None:
        return None
    return code_id(f"coursebuilder {__version__} renders {_FORMAT}\0{parser}", _RENDERER_MODULES)


def markdown_it_version() -> str | None:
    """markdown-it-py's version (`installed_version`): a build whose texts the native renderer
    takes (all of the example course's) never needs markdown-it-py itself, whose import takes
    about 0.04 s."""
    return installed_version("markdown-it-py")


@functools.cache
def installed_version(distribution: str) -> str | None:
    """A library's version, from its installed metadata rather than by importing it. None when
    it has no metadata: then nothing it made is kept.

    A library installed from a wheel has a `name-version.dist-info` folder on `sys.path`
    (wheel names escape both parts, so the first `-` parts them); the version is read from
    the folder's name, as `importlib.metadata` finds the folder, because importing
    `importlib.metadata` takes longer (~0.02 s, most of it `email`) than a command spends
    looking. Another kind of install is asked of `importlib.metadata`."""
    found = _dist_info_versions().get(_distribution_key(distribution))
    if found is not None:
        return found
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def _distribution_key(name: str) -> str:
    """A distribution's name as the packaging specifications compare it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def _dist_info_versions() -> dict[str, str]:
    """The version of each distribution with a `.dist-info` folder on `sys.path`, by
    `_distribution_key`; the first one on the path, the one Python imports, when several."""
    versions: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a missing folder, a zip file
            continue
        for name in names:
            if name.endswith(".dist-info"):
                distribution, _, version = name[: -len(".dist-info")].partition("-")
                if version:
                    versions.setdefault(_distribution_key(distribution), version)
    return versions


def code_id(versions: str, modules: Sequence[str]) -> str | None:
    """A hash of `versions` and of the code of the package's `modules` (paths relative to the
    package), naming what made a kept result; None when a module cannot be read."""
    digest = hashlib.sha256(f"{versions}\0".encode())
    package = os.path.dirname(__file__)  # strings, not paths: a build asks this of 180 files several times
    try:
        for name in modules:
            path = f"{package}/{name}"
            info = os.stat(path)
            digest.update(_file_digest(path, info.st_mtime_ns, info.st_size, info.st_ino))
    except OSError:
        return None
    return digest.hexdigest()


@functools.cache
def _file_digest(path: str, mtime_ns: int, size: int, inode: int) -> bytes:
    """The SHA-256 of the package's file `path` as it is (its stat in the key): a build names
    several kept results by the whole package, which is read once per process this way."""
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).digest()


def package_code_id(versions: str) -> str | None:
    """`code_id` of every module, template and static file of the package (`static/`: the
    player's JavaScript, CSS and words, the schemas packed beside a manifest): for a kept
    result that any of its code or data may change (a development copy changes them without
    changing its version). None when a file cannot be read."""
    return code_id(versions, _package_files(Path(__file__).resolve().parent))


@functools.cache
def _package_files(package: Path) -> tuple[str, ...]:
    """The files `package_code_id` hashes, listed once per process: every module, every
    template, every file under static/ (a broken link among them: None)."""
    files = []
    for folder, dirs, names in os.walk(package):
        dirs.sort()
        relative = Path(folder).relative_to(package).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        top = prefix.partition("/")[0]
        for name in names:
            if name.endswith(".py") or (top == "templates" and name.endswith(".j2")) or top == "static":
                files.append(prefix + name)
    return tuple(sorted(files))


def read_checked(path: Path, header: Mapping[str, object]) -> bytes | None:
    """The payload of a file written by `write_checked` with the same `header` fields, or None
    when it is missing, another maker's, or fails its checksum."""
    try:
        data = path.read_bytes()
        head, _, payload = data.partition(b"\n")
        found = json.loads(head)
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or any(found.get(name) != value for name, value in header.items()):
        return None
    if found.get("sha256") != hashlib.sha256(payload).hexdigest():
        return None
    return payload


def write_checked(path: Path, header: Mapping[str, object], payload: bytes | Sequence[bytes]) -> None:
    """Write `payload` (bytes, or pieces of it, which are never joined: a store of many
    megabytes is not copied whole) under a one-line JSON header: `header`'s fields and the
    payload's checksum (what `read_checked` asks of it). Nowhere to write means nothing is kept."""
    pieces = [payload] if isinstance(payload, bytes) else payload
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    head = {**header, "sha256": digest.hexdigest()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_chunks(path, [json.dumps(head, sort_keys=True).encode() + b"\n", *pieces], durable=False)
    except OSError:
        pass  # nowhere to keep it (a read-only home, say): the next build works afresh


def load(path: Path) -> dict[RenderKey, Rendering]:
    """The renderings kept in `path`, or none when they cannot be trusted."""
    renderer = renderer_id()
    if renderer is None:
        return {}
    payload = read_checked(path, {"format": _FORMAT, "renderer": renderer, "marshal": MARSHAL_FORM})
    if payload is None:
        return {}
    try:
        return _renderings(marshal.loads(payload))
    except (ValueError, TypeError, EOFError):
        return {}


def _renderings(entries: Any) -> dict[RenderKey, Rendering]:
    """The entries as renderings; any entry of the wrong shape rejects the whole store."""
    if not isinstance(entries, list):
        raise TypeError("not a list")
    found: dict[RenderKey, Rendering] = {}
    for entry in entries:
        text, inline, math, markup, sources = entry
        if not (
            isinstance(text, str)
            and isinstance(inline, bool)
            and isinstance(math, str)
            and isinstance(markup, str)
            and isinstance(sources, list)
            and all(isinstance(source, str) for source in sources)
        ):
            raise TypeError("an entry of the wrong shape")
        found[(text, inline, math)] = (markup, sources)
    return found


def save(path: Path, renderings: Mapping[RenderKey, Rendering]) -> None:
    """Keep `renderings` for the next build (what is there is replaced)."""
    renderer = renderer_id()
    if renderer is None:
        return
    entries = [
        [text, inline, math, markup, sources]
        for (text, inline, math), (markup, sources) in renderings.items()
        if math != "mathml"
    ]
    write_checked(path, {"format": _FORMAT, "renderer": renderer, "marshal": MARSHAL_FORM}, marshal.dumps(entries))


MARSHAL_FORM = f"python {sys.version_info[0]}.{sys.version_info[1]} marshal {marshal.version}"
"""What writes a kept payload in `marshal`'s form, which may change between Python versions."""
