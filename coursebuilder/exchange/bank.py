"""How the question bank mirrors the course: one category per lesson (and per sub-category).

Category paths are written as Moodle's `qformat_default::assemble_category_path()` writes
them and read back as its `split_category_path()` reads them (question/format.php).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

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


@dataclass(frozen=True, slots=True)
class Span:
    """The questions from the `start`-th to before the `stop`-th (None: to the end), counted in
    the order of `groups`: the share of the bank one process writes when two do."""

    start: int = 0
    stop: int | None = None
    groups: tuple[Group, ...] | None = field(default=None, compare=False)
    """The bank's groups (`groups(course)`), made once for the spans of a bank that two
    processes write (a pass over 20,000 questions takes about 20 ms); None: made when needed."""
    first_group: int = field(default=0, compare=False)
    """With `groups`: the first of them not wholly before the span, so that a span of a large
    bank does not pass over all those before it (`units`)."""
    first_position: int = field(default=0, compare=False)
    """The position of that group's first question."""

    def __contains__(self, position: object) -> bool:
        return isinstance(position, int) and self.start <= position and (self.stop is None or position < self.stop)


WHOLE = Span()
"""Every question of the bank."""


class Piece(NamedTuple):
    """The part of a group a span holds: its category starts here or not, and its questions in the span."""

    group: Group
    starts: bool
    """Whether the group's category is written here: it goes with the span that holds the group's
    first question (or its position, for a group without questions), so each is written once."""
    questions: list[Question]


def pieces(course: Course, span: Span = WHOLE) -> Iterator[Piece]:
    """What `span` holds of each group, in course order: written one after the other, the pieces
    of spans that follow each other are the pieces of the bank they cover."""
    position = 0
    bank: Iterable[Group] = groups(course)
    if span.groups is not None:
        position, bank = span.first_position, span.groups[span.first_group :]
    for group in bank:
        if span.stop is not None and position >= span.stop:
            break
        count = len(group.questions)
        starts = position in span
        low = max(span.start - position, 0)
        high = count if span.stop is None else min(span.stop - position, count)
        if starts or low < high:
            yield Piece(group, starts, group.questions[low:high] if low < high else [])
        position += count


def units(bank: tuple[Group, ...], size: int) -> list[Span]:
    """The bank (`groups(course)`) cut into spans of `size` questions that follow each other,
    the last one open to the end (it holds the groups without questions after the last one)."""
    total = sum(len(group.questions) for group in bank)
    starts = list(range(0, total, size)) or [0]
    spans: list[Span] = []
    index = position = 0
    for number, start in enumerate(starts):
        while index < len(bank) and position < start and position + len(bank[index].questions) <= start:
            position += len(bank[index].questions)
            index += 1
        stop = starts[number + 1] if number + 1 < len(starts) else None
        spans.append(Span(start, stop, bank, index, position))
    return spans
