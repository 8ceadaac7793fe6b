"""Assemble every file of the backup, then pack them."""

from __future__ import annotations

from pathlib import Path

from coursebuilder.markdown import RenderCache
from coursebuilder.mbz.archive import Entries, mbz_bytes
from coursebuilder.mbz.book import write_book
from coursebuilder.mbz.course import write_course, write_root, write_sections
from coursebuilder.mbz.files import FileStore
from coursebuilder.mbz.glossary import write_glossary
from coursebuilder.mbz.gradebook import QUIZ_GRADE
from coursebuilder.mbz.ids import USER_ID, Ids
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.page import write_page
from coursebuilder.mbz.questions import QuestionBank
from coursebuilder.mbz.quiz import write_quiz
from coursebuilder.mbz.scorm import MAX_GRADE as SCORM_GRADE
from coursebuilder.mbz.scorm import write_scorm
from coursebuilder.mbz.sections import make_plan
from coursebuilder.model import Course


def author_name(course: Course) -> str:
    """The backup user's first name: the course's authors, else its title."""
    return (", ".join(course.info.authors) or course.info.title)[:100]


def backup_entries(
    course: Course, scorm_zip: bytes | None = None, *, renders: RenderCache | None = None
) -> dict[str, bytes]:
    """Every file of the backup by its path in the archive."""
    entries = write_entries(course, scorm_zip, renders=renders)
    try:
        return dict(entries.items())
    finally:
        entries.close()


def write_entries(course: Course, scorm_zip: bytes | None = None, *, renders: RenderCache | None = None) -> Entries:
    """Every file of the backup, kept out of memory until packed (the caller closes them).

    `renders` shares the Markdown renderings of the build's other targets.
    """
    entries = Entries()
    try:
        _write(course, scorm_zip, entries, renders)
    except BaseException:
        entries.close()
        raise
    return entries


def _write(course: Course, scorm_zip: bytes | None, entries: Entries, renders: RenderCache | None) -> None:
    ids = Ids()
    plan = make_plan(course, ids, with_scorm=scorm_zip is not None)
    author = author_name(course)
    files = FileStore(Path(course.root), ids, USER_ID, author, renders=renders)
    job = Job(course=course, ids=ids, files=files, plan=plan, author=author, entries=entries)
    bank = QuestionBank(job)
    quizzes = [activity for activity in plan.activities if activity.modname == "quiz"]
    # By identity: activities are dataclasses, and comparing two compares all their questions.
    quiz_order = {id(activity): number for number, activity in enumerate(quizzes)}
    for activity in plan.activities:
        if activity.modname == "page":
            write_page(job, activity)
        elif activity.modname == "book":
            write_book(job, activity)
        elif activity.modname == "glossary":
            write_glossary(job, activity)
        elif activity.modname == "quiz":
            write_quiz(job, activity, bank, grade_sortorder=2 + quiz_order[id(activity)], weight=1 / len(quizzes))
        elif activity.modname == "scorm":
            assert scorm_zip is not None
            write_scorm(job, activity, scorm_zip, grade_sortorder=2 + len(quizzes))
    write_course(job)
    write_sections(job)
    bank.finish()
    write_root(job, QUIZ_GRADE * len(quizzes) + (SCORM_GRADE if scorm_zip is not None else 0))
    job.entries.update(files.blobs)


def build_mbz(
    course: Course, scorm_zip: bytes | None = None, *, renders: RenderCache | None = None, threads: int = 1
) -> bytes:
    """The course as a Moodle backup archive; `scorm_zip` (a SCORM 1.2 package) adds a SCORM
    activity. The archive is compressed on `threads` threads (the same bytes for any number)."""
    entries = write_entries(course, scorm_zip, renders=renders)
    try:
        return mbz_bytes(entries, threads)
    finally:
        entries.close()
