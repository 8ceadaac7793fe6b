"""The course as the merge sees it: its lessons, quiz files and glossary, and what changes in them.

Every merge step (categories, ids, placement, glossary) reads and updates one `MergeState`,
passed to it explicitly; the file plan turns the state into file texts at the end. Nothing here
writes: the course on disk stays untouched until every step is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import ValidationError

from coursebuilder.layout import GLOSSARY_FILE, QUIZ_DIR
from coursebuilder.loader import defaults_update
from coursebuilder.model import Course, GlossaryEntry, GlossaryFile, Question, QuizDefaults
from coursebuilder.yamlio import YamlProblem, parse_yaml

T = TypeVar("T")


@dataclass
class EditedList(Generic[T]):
    """One list of a source file (questions, glossary entries) after the import, and the edits
    that get the file there: items of the file replaced by index, and items added after them."""

    final: list[T]
    replace: dict[int, T] = field(default_factory=dict)
    append: list[T] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.replace or self.append)

    def add(self, item: T) -> int:
        """Add `item` at the end; its index."""
        self.final.append(item)
        self.append.append(item)
        return len(self.final) - 1

    def update(self, index: int, item: T, written: T) -> None:
        """Put `item` at `index`; `written` is what the file holds for it (defaults aside)."""
        self.final[index] = item
        original = len(self.final) - len(self.append)
        if index < original:
            self.replace[index] = written
        else:
            self.append[index - original] = written


@dataclass
class QuizState:
    """One quiz file: its defaults, and its questions after the import."""

    rel: str
    text: str | None
    """The file's text, or None for a file the import creates."""
    defaults: QuizDefaults
    questions: EditedList[Question]


@dataclass
class NewLesson:
    """A lesson the import creates for questions whose category the course has no lesson for."""

    id: str
    title: str
    reason: str
    body: str = ""
    """The description of the category the lesson was made for, if it had one."""
    summary: str = ""
    objectives: list[str] = field(default_factory=list)
    """From a category description of the shape the course's own Moodle target writes."""


@dataclass
class GlossaryState:
    """The glossary file: its name and introduction, and its entries after the import."""

    text: str | None = None
    """The file's text, or None when the course has no glossary file yet."""
    head: GlossaryFile = field(default_factory=GlossaryFile)
    """Name and introduction (its entries are `entries.final`)."""
    entries: EditedList[GlossaryEntry] = field(default_factory=lambda: EditedList([]))


@dataclass
class MergeState:
    """What the course holds and what the import changes in it."""

    root: Path
    course: Course | None
    """The course as loaded, or None when the import creates it."""
    lessons: dict[str, str] = field(default_factory=dict)
    """Lesson id → title, existing and new."""
    new_lessons: list[NewLesson] = field(default_factory=list)
    quiz: dict[str, QuizState] = field(default_factory=dict)
    """Quiz file (relative to the course) → its state."""
    existing: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Question id → (quiz file, index in it)."""
    glossary: GlossaryState = field(default_factory=GlossaryState)
    new_shortname: str = ""
    """Short name of a course this import creates: the export's top category, if it has one."""
    new_summary: str = ""
    """Summary of a course this import creates (the top category's description)."""

    @property
    def shortname(self) -> str:
        return self.course.info.shortname if self.course is not None else self.new_shortname

    def existing_question(self, qid: str) -> Question | None:
        """The question with this id as it stands after the questions placed so far."""
        found = self.existing.get(qid)
        if found is None:
            return None
        rel, index = found
        return self.quiz[rel].questions.final[index]


def load_state(root: Path, course: Course | None) -> MergeState:
    """The state of the course in `root` before anything is merged into it."""
    state = MergeState(root, course)
    if course is None:
        return state
    state.lessons = {lesson.id: lesson.title for lesson in course.lessons}
    state.lessons.update({lid: lid for lid in course.info.lessons if lid not in state.lessons})
    by_file: dict[str, list[Question]] = {}
    for question in course.questions:
        by_file.setdefault(question.source_file, []).append(question)
    for rel, questions in sorted(by_file.items()):
        text = (root / rel).read_text(encoding="utf-8")
        state.quiz[rel] = QuizState(rel, text, defaults_of(text), EditedList(list(questions)))
        for index, question in enumerate(questions):
            state.existing[question.id] = (rel, index)
    folder = root / QUIZ_DIR
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.suffix in (".yaml", ".yml") and rel not in state.quiz:
                text = path.read_text(encoding="utf-8")
                state.quiz[rel] = QuizState(rel, text, defaults_of(text), EditedList([]))
    glossary_path = root / GLOSSARY_FILE
    if glossary_path.is_file():
        state.glossary = GlossaryState(
            text=glossary_path.read_text(encoding="utf-8"),
            head=course.glossary,
            entries=EditedList(list(course.glossary.entries)),
        )
    return state


def defaults_of(text: str) -> QuizDefaults:
    """The `defaults:` of a quiz file's text (empty when the file does not parse)."""
    try:
        data = parse_yaml(text)
    except YamlProblem:
        return QuizDefaults()
    if isinstance(data, dict) and isinstance(data.get("defaults"), dict):
        try:
            return QuizDefaults.model_validate(data["defaults"])
        except ValidationError:
            return QuizDefaults()
    return QuizDefaults()


def with_defaults(question: Question, defaults: QuizDefaults) -> Question:
    """The question as the loader reads it back from a file with these defaults."""
    update = defaults_update(question, defaults)
    return question.model_copy(update=update) if update else question
