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


def left_out(name: str) -> bool:
    """Whether a file or folder of this name is no part of the course: a hidden one (`.git`,
    `.DS_Store`, the swap and lock files editors keep beside the file they edit, such as
    `.01-intro.md.swp` or Emacs's `.#01-intro.md`), a backup copy (`01-intro.md~`) or an
    Emacs auto-save file (`#01-intro.md#`).

    The loader reads none of them, a build's cache does not count them (an editor writing
    its swap file is not a change to build), and a text may not link to one.
    """
    return name.startswith(".") or name.endswith("~") or (len(name) > 1 and name[0] == name[-1] == "#")


def left_out_path(rel: str) -> bool:
    """Whether the path `rel` (relative to the course, with `/`) lies in or is a file `left_out`."""
    return any(left_out(part) for part in rel.split("/"))


def lesson_files(root: Path) -> list[Path]:
    """The lesson files of the course in `root`, in name order (which is not course order);
    names `left_out` of the course are not lessons."""
    folder = root / LESSONS_DIR
    if not folder.is_dir():
        return []
    lessons = [path for path in folder.glob("*.md") if not left_out(path.name)]
    return sorted(lessons, key=_name)  # one folder: by name is by path


def _name(path: Path) -> str:
    return path.name


def lesson_file_slug(path: Path) -> str:
    """The id a lesson file gives its lesson when the front matter names none: `01-intro.md` → `intro`."""
    match = _LESSON_NAME.match(path.name)
    return match.group("slug") if match else path.stem
