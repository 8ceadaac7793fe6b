"""Map the categories of an export to the course's lessons, and keep their descriptions.

The course has lessons and one level of categories below each; a Moodle bank has a tree of
categories. The top category that stands for the course is dropped, the next one names the
lesson (an existing one when a title, id or slug matches, else a new lesson), and what is left
becomes the question's category. Each category is mapped once and reported once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coursebuilder.exchange.moodlexml import lesson_info, read_lesson_info
from coursebuilder.importer.common import CategoryPath, ImportedQuestion, Notes, Where, is_slug, slugify, stable_hash
from coursebuilder.importer.htmltext import canonical_html
from coursebuilder.importer.state import MergeState, NewLesson
from coursebuilder.markdown import render


@dataclass
class CategoryMap:
    """The categories mapped so far, so that each is mapped and reported once."""

    forced_lesson: str | None = None
    """`--lesson`: every question goes into this lesson."""
    mapped: dict[tuple[str, ...], tuple[str, str | None]] = field(default_factory=dict)
    """Category segments (or the input file, for questions without one) → (lesson, category)."""
    rest: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Category label → the segments below its lesson."""
    flattened: set[str] = field(default_factory=set)
    """Labels already warned about for having more than one level below the lesson."""


def common_head(categories: list[CategoryPath | None]) -> str:
    """The one top category every question sits below, as a course's own export writes it."""
    heads = {category.segments[0] for category in categories if category is not None and len(category.segments) >= 2}
    deep = all(category is not None and len(category.segments) >= 2 for category in categories)
    if deep and len(heads) == 1:
        head = heads.pop()
        if not head.startswith("Default for ") and len(head) <= 255:
            return head
    return ""


def lesson_for(
    state: MergeState, categories: CategoryMap, item: ImportedQuestion, notes: Notes, actions: list[str]
) -> tuple[str, str | None]:
    """The lesson and category a question goes to (creating the lesson in `state` when new)."""
    segments = item.category.segments if item.category is not None else ()
    key = segments if segments else (item.where.file,)
    if key in categories.mapped:
        return categories.mapped[key]
    mapped = _map_category(state, categories, item.category, item.where, notes, actions)
    categories.mapped[key] = mapped
    return mapped


def keep_description(state: MergeState, category: CategoryPath, notes: Notes) -> None:
    """Keep a category's description where the course has a place for it, or say it is lost.

    The course's own build describes the course and each lesson in its categories, so a
    description equal to that one is already kept; a new lesson takes its category's as text.
    """
    if not category.info_markdown:
        return
    segments = strip_course(state, list(category.segments))
    if not segments:
        if state.course is None:
            state.new_summary = state.new_summary or category.info_markdown
            return
        expected = render(state.course.info.summary)
    elif len(segments) == 1 and (lesson_id := find_lesson(state, segments[0])) is not None:
        created = next((lesson for lesson in state.new_lessons if lesson.id == lesson_id), None)
        if created is not None:
            described = read_lesson_info(category.info_html)
            if described is not None and not (created.body or created.summary or created.objectives):
                created.summary, created.objectives = described[0], list(described[1])
            else:
                created.body = created.body or category.info_markdown
            return
        assert state.course is not None
        lesson = next((item for item in state.course.lessons if item.id == lesson_id), None)
        if lesson is None:
            return
        expected = lesson_info(lesson.summary, lesson.objectives).text
    else:
        expected = ""
    if canonical_html(expected) != canonical_html(category.info_html):
        notes.warn(
            category.where,
            f"category {category.raw!r}: its description is not kept by the course format",
            "import-dropped",
        )


def strip_course(state: MergeState, segments: list[str]) -> list[str]:
    """Drop the category that stands for the course itself.

    The course's own export puts everything under its short name; Moodle's exports under
    "Default for <course>"; a hand-made bank may use the course title.
    """
    title = state.course.info.title if state.course is not None else ""
    if segments and (
        segments[0] == state.shortname
        or segments[0].startswith("Default for ")
        or (segments[0] == title and len(segments) > 1)
    ):
        return segments[1:]
    return segments


def find_lesson(state: MergeState, segment: str) -> str | None:
    """The lesson a category name stands for: its title first, then its id or slug."""
    for lesson_id, title in state.lessons.items():
        if segment == title:
            return lesson_id
    for lesson_id, title in state.lessons.items():
        if segment.casefold() == title.casefold() or segment == lesson_id or slugify(segment) == lesson_id:
            return lesson_id
    return None


def _map_category(
    state: MergeState,
    categories: CategoryMap,
    category: CategoryPath | None,
    where: Where,
    notes: Notes,
    actions: list[str],
) -> tuple[str, str | None]:
    segments = strip_course(state, list(category.segments) if category is not None else [])
    label = repr(category.raw) if category is not None else "(no category)"
    if categories.forced_lesson is not None:
        forced = categories.forced_lesson
        lesson = _ensure_lesson(state, forced, None, f"for --lesson {forced}")
        if segments and _matches(state, segments[0], lesson):
            segments.pop(0)
        sub = _join(segments)
        categories.rest[label] = tuple(segments)
        _mapped_note(categories, label, lesson, sub, where, notes, actions)
        return lesson, sub
    if not segments:
        stem = Path(where.file).stem
        lesson = find_lesson(state, stem) or _ensure_lesson(
            state, slugify(stem) or "imported", stem, f"for the questions of {where.file} that have no category"
        )
        _mapped_note(categories, label, lesson, None, where, notes, actions)
        return lesson, None
    head, rest = segments[0], segments[1:]
    lesson = find_lesson(state, head) or _ensure_lesson(
        state, slugify(head) or f"lesson-{stable_hash(head)}", head, f"for category {label}"
    )
    sub = _join(rest)
    categories.rest[label] = tuple(rest)
    _mapped_note(categories, label, lesson, sub, where, notes, actions)
    return lesson, sub


def _mapped_note(
    categories: CategoryMap, label: str, lesson: str, sub: str | None, where: Where, notes: Notes, actions: list[str]
) -> None:
    target = f"lesson {lesson!r}" + (f", category {sub!r}" if sub else "")
    actions.append(f"{where.file}: category {label} → {target}")
    if sub is not None and label not in categories.flattened:
        depth = len(categories.rest.get(label, ()))
        if depth > 1:
            categories.flattened.add(label)
            notes.warn(
                where,
                f"category {label}: the course has one level of categories below a lesson; "
                f"its sub-categories become the one category {sub!r}",
                "import-category",
            )


def _matches(state: MergeState, segment: str, lesson_id: str) -> bool:
    title = state.lessons.get(lesson_id, "")
    return segment in (lesson_id, title) or segment.casefold() == title.casefold()


def _ensure_lesson(state: MergeState, lesson_id: str, title: str | None, reason: str) -> str:
    if lesson_id in state.lessons:
        return lesson_id
    if not is_slug(lesson_id):
        lesson_id = slugify(lesson_id) or f"lesson-{stable_hash(lesson_id)}"
    title = title or lesson_id.replace("-", " ").capitalize()
    state.lessons[lesson_id] = title
    state.new_lessons.append(NewLesson(lesson_id, title, reason))
    return lesson_id


def _join(segments: list[str]) -> str | None:
    """The sub-category of a question: one name (the course has one level below a lesson)."""
    return "/".join(segments) or None
