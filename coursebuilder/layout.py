"""Where things live in a course directory: the one home of its file and folder names.

The loader, the cross-file checks, the targets, the importer and the preview all need these
names; keeping them apart from the loader lets each import them without importing the loader.
"""

from __future__ import annotations

import os
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


def is_lesson_file(rel: str) -> bool:
    """Whether the course path `rel` (with `/`) names a lesson file, as `lesson_files` finds them."""
    folder, _, name = rel.rpartition("/")
    return folder == LESSONS_DIR and name.endswith(".md") and not left_out(name)


def _name(path: Path) -> str:
    return path.name


def lesson_file_slug(path: Path) -> str:
    """The id a lesson file gives its lesson when the front matter names none: `01-intro.md` → `intro`."""
    match = _LESSON_NAME.match(path.name)
    return match.group("slug") if match else path.stem


_OWN_NAMES = {
    COURSE_FILE: COURSE_FILE,
    GLOSSARY_FILE: GLOSSARY_FILE,
    LESSONS_DIR: "lessons/",
    QUIZ_DIR: "quiz/",
    ASSETS_DIR: "assets/",
}
"""The names of a course directory's own files and folders, as a message shows them."""
_SUFFIXES = {
    LESSONS_DIR: (
        (".md",),
        (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt"),
        "a lesson file's name ends in .md",
    ),
    QUIZ_DIR: ((".yaml", ".yml"), (".yaml", ".yml"), "a quiz file's name ends in .yaml or .yml"),
}
"""For lessons/ and quiz/: the endings read, the endings of files meant to be read (in any
case), and what a file of the second but not the first is told."""


def unread_names(root: Path) -> list[tuple[str, str]]:
    """Files and folders that look meant for the course but that it does not read, each with
    why: a folder or file named near one of its own (`quizzes/`, `Lessons/`) whose own is
    missing or differs only in case, and a lesson or quiz file of another ending (`.markdown`,
    `.MD`, `.YAML`). Anything else in the directory is the author's own business."""
    found: list[tuple[str, str]] = []
    names = _names(root)
    missing = [name for name in _OWN_NAMES if name not in names]
    for name in names:
        if name in _OWN_NAMES:
            continue
        kind = "folder" if os.path.isdir(os.path.join(root, name)) else "file"
        twin = next((own for own in _OWN_NAMES if own.lower() == name.lower()), None)
        if twin is not None and twin in names:
            found.append((name, f"this {kind} is not read: the course reads {_OWN_NAMES[twin]}"))
        elif (near := _near_own(root / name, missing)) is not None:
            found.append((name, f"this {kind} is not read; did you mean {near!r}?"))
    lessons = {path.name for path in lesson_files(root)}  # as read, whatever the system's case rules
    for folder, (read, meant_for, why) in _SUFFIXES.items():
        for name in _names(root / folder):
            taken = name in lessons if folder == LESSONS_DIR else name.endswith(read)
            if name.lower().endswith(meant_for) and not taken:
                found.append((f"{folder}/{name}", f"this file is not read: {why}"))
    return found


def _near_own(path: Path, missing: list[str]) -> str | None:
    """The one of the course's own names, among those `missing`, that `path` seems meant as:
    named near it and holding what it would (lesson or quiz files for lessons/ or quiz/, a
    file for a file). A folder named near assets/ is taken only when nearer still (`asset/`,
    not `asset-sources/`): any file may be an asset."""
    import difflib  # here: a course without such names needs none of it

    near = difflib.get_close_matches(path.name, missing, n=1)
    if not near:
        return None
    own = near[0]
    if own in _SUFFIXES:
        meant = any(name.lower().endswith(_SUFFIXES[own][1]) for name in _names(path))
    elif own == ASSETS_DIR:
        meant = path.is_dir() and difflib.SequenceMatcher(None, path.name.lower(), own).ratio() >= 0.85
    else:
        meant = path.is_file()
    return own if meant else None


def _names(folder: Path) -> list[str]:
    try:
        return sorted(name for name in os.listdir(folder) if not left_out(name))
    except OSError:
        return []
