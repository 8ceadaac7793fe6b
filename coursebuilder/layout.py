"""Where things live in a course directory: the one home of its file and folder names.

The loader, the cross-file checks, the targets, the importer and the preview all need these
names; keeping them apart from the loader lets each import them without importing the loader.
"""

from __future__ import annotations

import re
from pathlib import Path

COURSE_FILE = "course.yaml"
GLOSSARY_FILE = "glossary.yaml"
LESSONS_DIR = "lessons"
QUIZ_DIR = "quiz"
ASSETS_DIR = "assets"

_LESSON_NAME = re.compile(r"^(?:\d+[-_])?(?P<slug>.+)\.md$")


def lesson_files(root: Path) -> list[Path]:
    """The lesson files of the course in `root`, in name order (which is not course order)."""
    folder = root / LESSONS_DIR
    return sorted(folder.glob("*.md"), key=_name) if folder.is_dir() else []  # one folder: by name is by path


def _name(path: Path) -> str:
    return path.name


def lesson_file_slug(path: Path) -> str:
    """The id a lesson file gives its lesson when the front matter names none: `01-intro.md` → `intro`."""
    match = _LESSON_NAME.match(path.name)
    return match.group("slug") if match else path.stem
