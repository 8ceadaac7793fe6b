"""Which sections and activities the restored course gets, with their ids.

Section 0 holds the glossary (and the SCORM package when asked for). With Pages, each lesson
gets a section holding its Page and, when it has questions, its quiz. With a Book, one
section holds the Book and the quizzes. A final quiz goes in a section of its own after the
lessons (or after the Book).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coursebuilder.mbz.ids import Ids
from coursebuilder.model import Course, Lesson, Question, final_questions, questions_by_lesson

MODULE_VERSION = 2022112800
"""Plugin version Moodle 4.1.0 writes for core activities (quiz must be >= 2022020300)."""


@dataclass
class Activity:
    """One course module: its ids and what it holds."""

    modname: str
    name: str
    cmid: int
    contextid: int
    instance: int
    lessons: list[Lesson] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    shuffle: bool = False
    """Quiz: shuffle the questions of each attempt."""
    practice: bool = False
    """Quiz: a lesson's practice quiz (interactive) rather than a final one (deferred feedback)."""
    chapter_ids: list[int] = field(default_factory=list)
    """Book: the id of each lesson's chapter, handed out with the layout so that a link to a
    chapter can be written before the book is (`Backup.lesson_targets`)."""
    section: Section | None = None

    @property
    def directory(self) -> str:
        return f"activities/{self.modname}_{self.cmid}"


@dataclass
class Section:
    """A course section."""

    id: int
    number: int
    name: str | None
    lesson: Lesson | None = None
    activities: list[Activity] = field(default_factory=list)

    @property
    def directory(self) -> str:
        return f"sections/section_{self.id}"

    @property
    def title(self) -> str:
        """The title Moodle writes in moodle_backup.xml: the name, or the number."""
        return self.name if self.name is not None else str(self.number)


@dataclass
class Plan:
    sections: list[Section]

    @property
    def activities(self) -> list[Activity]:
        return [activity for section in self.sections for activity in section.activities]


def make_plan(course: Course, ids: Ids, with_scorm: bool) -> Plan:
    """Lay out the course in Moodle's sections and activities."""
    settings = course.info.settings.moodle
    general = Section(ids.section(), 0, None)
    sections = [general]

    def add(section: Section, modname: str, name: str, **payload: object) -> Activity:
        activity = Activity(modname, name, ids.cm(), ids.context(), ids.instance(), **payload)  # type: ignore[arg-type]
        activity.section = section
        section.activities.append(activity)
        return activity

    if course.glossary.entries:
        add(general, "glossary", course.glossary.name)
    if with_scorm:
        add(general, "scorm", course.info.title)

    per_lesson = settings.quizzes == "per_lesson"
    by_lesson = questions_by_lesson(course.questions)
    if settings.lesson_activity == "book":
        book_section = Section(ids.section(), 1, course.info.title)
        sections.append(book_section)
        chapters = [ids.record() for _ in course.lessons]
        add(book_section, "book", course.info.title, lessons=list(course.lessons), chapter_ids=chapters)
        if per_lesson:
            for lesson in course.lessons:
                questions = by_lesson.get(lesson.id, [])
                if questions:
                    add(book_section, "quiz", lesson.title, questions=questions, practice=True)
        quiz_section = book_section
    else:
        for lesson in course.lessons:
            section = Section(ids.section(), len(sections), lesson.title, lesson=lesson)
            sections.append(section)
            add(section, "page", lesson.title, lessons=[lesson])
            questions = by_lesson.get(lesson.id, [])
            if per_lesson and questions:
                add(section, "quiz", lesson.title, questions=questions, practice=True)
        quiz_section = None
    if not per_lesson:
        questions = final_questions(course)
        if questions:
            final = course.info.final_quiz
            if quiz_section is None:
                quiz_section = Section(ids.section(), len(sections), final.title)
                sections.append(quiz_section)
            add(quiz_section, "quiz", final.title, questions=questions, shuffle=final.shuffle)
    return Plan(sections)
