"""How the question bank mirrors the course: one category per lesson (and per sub-category).

Category paths are written as Moodle's `qformat_default::assemble_category_path()` writes
them and read back as its `split_category_path()` reads them (question/format.php).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from coursebuilder.model import Course, Lesson, Question
from coursebuilder.moodle.params import strip_tags

CONTEXT = "$course$"
TOP = "top"


def category_path(names: Sequence[str]) -> str:
    """`$course$/top/<names…>` with `/` in a name doubled, as Moodle expects."""
    escaped = [CONTEXT, TOP]
    for name in names:
        part = name.replace("/", "//")
        if part.startswith("/"):
            part = " " + part
        if part.endswith("/"):
            part = part + " "
        escaped.append(part)
    return "/".join(escaped)


_SPLIT = re.compile(r"(?<!/)/(?!/)")


def split_category_path(path: str) -> list[str]:
    """The category names of a path, without the context and `top` (Moodle's reading: each name
    trimmed, then `clean_param(PARAM_TEXT)`, i.e. PHP's `strip_tags()`)."""
    names = [strip_tags(part.replace("//", "/").strip()) for part in _SPLIT.split(path)]
    if names and re.fullmatch(r"\$[a-z]+\$", names[0]):
        names = names[1:]
    if names and names[0] == TOP:
        names = names[1:]
    return names


@dataclass
class Group:
    """Questions that share a category, in source order."""

    names: tuple[str, ...]
    """Category names under `top` (course short name, lesson title, sub-category)."""
    lesson: Lesson
    questions: list[Question] = field(default_factory=list)


def groups(course: Course) -> Iterator[Group]:
    """Groups in course order: each lesson's own questions, then its sub-categories."""
    by_lesson: dict[str, list[Question]] = {}
    for question in course.questions:
        by_lesson.setdefault(question.lesson or "", []).append(question)
    shortname = course.info.shortname
    for lesson in course.lessons:
        questions = by_lesson.get(lesson.id)
        if not questions:
            continue
        own = Group((shortname, lesson.title), lesson)
        subs: dict[str, Group] = {}
        for question in questions:
            if question.category is None:
                own.questions.append(question)
            else:
                sub = subs.get(question.category)
                if sub is None:
                    sub = subs[question.category] = Group((shortname, lesson.title, question.category), lesson)
                sub.questions.append(question)
        yield own  # even when empty: it carries the lesson's description
        yield from subs.values()
