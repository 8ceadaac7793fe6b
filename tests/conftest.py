"""Shared fixtures: the example course, the scaffold course and a small-course factory."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser import chromium  # noqa: F401 - the shared browser fixture

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "course_src"
SKELETON = ROOT / "coursebuilder" / "skeleton" / "en"
SHARED = ROOT.parent / "shared"

WriteCourse = Callable[..., Path]


@pytest.fixture
def skeleton_course(tmp_path: Path) -> Path:
    """A copy of the scaffold course (valid, every question type), safe to modify."""
    target = tmp_path / "course"
    shutil.copytree(SKELETON, target)
    return target


@pytest.fixture
def write_course(tmp_path: Path) -> WriteCourse:
    """Write a course from {relative path: text}; text is dedented. Starts from the scaffold
    unless `base=False`; a value of None deletes that file."""

    def write(files: dict[str, str | bytes | None], base: bool = True, name: str = "course") -> Path:
        target = tmp_path / name
        if base:
            shutil.copytree(SKELETON, target)
        else:
            target.mkdir(parents=True)
        for rel, text in files.items():
            path = target / rel
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return target

    return write
