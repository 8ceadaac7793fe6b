"""`coursebuilder new`: copy a small example course that passes `validate --strict`."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from coursebuilder.output import write_bytes


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for child in sorted(node.iterdir(), key=lambda n: n.name):
        name = f"{prefix}{child.name}"
        if child.is_dir():
            found.extend(_walk(child, f"{name}/"))
        elif not child.name.endswith((".pyc",)):
            found.append((name, child.read_bytes()))
    return found


def create_course(directory: Path, language: str = "en") -> list[Path]:
    """Write the example course for `language` into `directory`, which must be empty or new."""
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty; choose a new directory")
    skeleton = files("coursebuilder") / "skeleton" / language
    written = []
    for name, data in _walk(skeleton):
        path = directory / name
        write_bytes(path, data)
        written.append(path)
    return written
