"""Deterministic ids for the backup's tables.

Restore remaps every id, so ids only need to be unique per table and consistent inside the
file. They are handed out in course order from separate ranges, so the same source always
gives the same ids and an id of one table is never mistaken for another's in a test.

The backup is written in parts that may run in separate processes (the course's own files,
and its quizzes in two shares, see `backup.PARTS`). Each part counts the tables they share
from its own offset in steps of the number of parts (`Ids.part`), so no two parts hand out
the same id and none waits for another: the ids depend on the course alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

SYSTEM_CONTEXT = 1
COURSE_ID = 2
COURSE_CONTEXT = 2
USER_ID = 3
USER_CONTEXT = 3
COURSE_GRADE_CATEGORY = 1
COURSE_GRADE_ITEM = 1
STUDENT_ROLE = 5


@dataclass
class Sequence:
    """One table's ids, counting up from `start`."""

    start: int
    step: int = 1
    _next: int = field(init=False)

    def __post_init__(self) -> None:
        self._next = self.start

    def __call__(self) -> int:
        value = self._next
        self._next += self.step
        return value

    @property
    def upcoming(self) -> int:
        """The id the next call hands out."""
        return self._next

    def skip(self, count: int) -> None:
        """Hand out `count` ids to no one: those a kept part of the backup took (`coursestore`)."""
        self._next += count * self.step

    def share(self, index: int, parts: int) -> Sequence:
        """The ids of part `index` of `parts`: every `parts`-th id from this one's next."""
        return Sequence(self._next + index * self.step, parts * self.step)


@dataclass
class Ids:
    """The id sequences of one backup."""

    section: Sequence = field(default_factory=lambda: Sequence(10))
    cm: Sequence = field(default_factory=lambda: Sequence(100))
    context: Sequence = field(default_factory=lambda: Sequence(1000))
    instance: Sequence = field(default_factory=lambda: Sequence(1))
    grade_item: Sequence = field(default_factory=lambda: Sequence(200))
    file: Sequence = field(default_factory=lambda: Sequence(1))
    category: Sequence = field(default_factory=lambda: Sequence(300))
    question: Sequence = field(default_factory=lambda: Sequence(5000))
    answer: Sequence = field(default_factory=lambda: Sequence(20000))
    record: Sequence = field(default_factory=lambda: Sequence(1))
    """Rows of the many small tables (options, hints, units, slots, chapters, entries…)."""

    def part(self, index: int, parts: int) -> Ids:
        """The ids part `index` of `parts` hands out: the course's layout (sections, modules,
        contexts, instances) is made before the parts and shared; every other table is
        counted in steps of `parts` from the part's own offset."""
        return Ids(
            section=self.section,
            cm=self.cm,
            context=self.context,
            instance=self.instance,
            grade_item=self.grade_item.share(index, parts),
            file=self.file.share(index, parts),
            category=self.category.share(index, parts),
            question=self.question.share(index, parts),
            answer=self.answer.share(index, parts),
            record=self.record.share(index, parts),
        )


def stamp(course_id: str, *parts: str) -> str:
    """A stable stand-in for Moodle's random `stamp`, unique within the course."""
    digest = hashlib.sha1("\0".join((course_id, *parts)).encode("utf-8")).hexdigest()[:12]
    return f"coursebuilder+{course_id[:60]}+{digest}"
