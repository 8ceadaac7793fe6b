"""Assemble every file of the backup, then pack them.

The backup is written in parts (`PARTS`): the course's own files, and its quizzes in two
shares, the later one perhaps in a second process; a share is taken from the store of the
last build when nothing it was made from changed (`sharestore`), and so is each unit of the
course's own files (a page, the glossary, files.xml…: `coursestore`)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from coursebuilder.assets import by_real_path
from coursebuilder.markdown import RenderCache
from coursebuilder.mbz.archive import Entries, mbz_bytes
from coursebuilder.mbz.book import write_book
from coursebuilder.mbz.course import write_course, write_files, write_root, write_sections
from coursebuilder.mbz.coursestore import CourseStore
from coursebuilder.mbz.files import FileStore, StoredFile, activity_link
from coursebuilder.mbz.glossary import write_glossary
from coursebuilder.mbz.gradebook import QUIZ_GRADE
from coursebuilder.mbz.ids import USER_ID, Ids
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.page import write_page
from coursebuilder.mbz.questions import HEAD, QUESTIONS_FILE, TAIL, QuestionBank, question_tags
from coursebuilder.mbz.quiz import write_quiz
from coursebuilder.mbz.scorm import MAX_GRADE as SCORM_GRADE
from coursebuilder.mbz.scorm import write_scorm
from coursebuilder.mbz.sections import Activity, Plan, make_plan
from coursebuilder.mbz.sharestore import ShareStore, WrittenShare, embedded_digests, writer_code
from coursebuilder.model import Course
from coursebuilder.prescan import ForkedCall, may_fork
from coursebuilder.sourcedigests import SourceFiles
from coursebuilder.version import __version__

PARTS = 3
"""The backup is written in three parts, each with ids of its own (`Ids.part`): the course's
own files (sections, pages, books, glossary, SCORM package, root files), then its quizzes with
their questions in two shares of about as many questions each. The parts never wait for each
other, so the later share can be written in a second process (`QUIZZES_WORTH_FORKING`); the
ids, and so the bytes, are the same either way."""

QUIZZES_WORTH_FORKING = 2_000
"""Questions in the later share from which it is written in a forked child: in a large course
the quizzes are three quarters of the backup's work; for fewer, the fork costs more than it
saves."""


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


def write_entries(
    course: Course,
    scorm_zip: bytes | None = None,
    *,
    renders: RenderCache | None = None,
    workers: int = 1,
    keep: Path | None = None,
    sources: SourceFiles | None = None,
) -> Entries:
    """Every file of the backup, kept out of memory until packed (the caller closes them).

    `renders` shares the Markdown renderings of the build's other targets; with two `workers`,
    a large course's later share of quizzes is written in a second process; `keep` is the
    folder where the shares are kept for the next build and taken from (`sharestore`), which
    needs the course's files as hashed before the load (`sources`) to key them.
    """
    entries = Entries()
    try:
        _write(course, scorm_zip, entries, renders, workers, keep, sources)
    except BaseException:
        entries.close()
        raise
    return entries


@dataclass(frozen=True)
class QuizShare:
    """Some of the backup's quizzes, to write as one part."""

    part: int
    """Its part of the backup (`PARTS`): which ids it hands out."""
    quizzes: tuple[Activity, ...]
    first_number: int
    """The place of its first quiz among all the course's quizzes (0 for the first)."""


@dataclass(frozen=True)
class Backup:
    """What every part of one backup is written from."""

    course: Course
    ids: Ids
    """The ids once the course's layout is made (`Ids.part` gives each part its own)."""
    plan: Plan
    author: str
    quiz_count: int
    tags: Mapping[str, int]
    """Question tag ids by name (`question_tags`)."""

    @functools.cached_property
    def lesson_targets(self) -> list[tuple[str, str]]:
        """Each lesson's path and the `activity_link` of the page (or the book's chapter) that shows it."""
        targets = []
        for activity in self.plan.activities:
            if activity.modname == "page":
                targets += [(lesson.path, activity_link("page", activity.cmid)) for lesson in activity.lessons]
            elif activity.modname == "book":
                chapters = zip(activity.lessons, activity.chapter_ids, strict=True)
                targets += [
                    (lesson.path, activity_link("book", activity.cmid, chapter)) for lesson, chapter in chapters
                ]
        return targets

    @functools.cached_property
    def lesson_links(self) -> dict[Path, str]:
        """`lesson_targets` by the lesson files' real paths (as `Asset.path`), for `FileStore`."""
        return by_real_path(self.course.root, self.lesson_targets)

    def job(self, part: int, entries: Entries, renders: RenderCache | None) -> Job:
        ids = self.ids.part(part, PARTS)
        files = FileStore(
            Path(self.course.root), ids, USER_ID, self.author, renders=renders, lesson_links=self.lesson_links
        )
        return Job(course=self.course, ids=ids, files=files, plan=self.plan, author=self.author, entries=entries)


def quiz_shares(course: Course, quizzes: list[Activity]) -> tuple[QuizShare, QuizShare]:
    """The quizzes in two shares, in course order, so that the first share and the course's
    own files take about as long to write as the second share (`COURSE_PART_WEIGHT`)."""
    total = sum(len(quiz.questions) for quiz in quizzes)
    course_part = COURSE_PART_WEIGHT.lessons * len(course.lessons) + COURSE_PART_WEIGHT.terms * len(
        course.glossary.entries
    )
    cut, taken = 0, 0
    while cut < len(quizzes) and 2 * taken + course_part < total:
        taken += len(quizzes[cut].questions)
        cut += 1
    return QuizShare(1, tuple(quizzes[:cut]), 0), QuizShare(2, tuple(quizzes[cut:]), cut)


@dataclass(frozen=True)
class PartWeight:
    """What writing the course's own files costs, in questions' worth of writing."""

    lessons: float
    terms: float


COURSE_PART_WEIGHT = PartWeight(lessons=2.0, terms=0.25)
"""Measured on the large synthetic course: its 2,000 lessons and 5,000 glossary terms took
about as long as 5,000 of its questions."""


def write_quizzes(backup: Backup, share: QuizShare, entries: Entries, renders: RenderCache | None) -> FileStore:
    """Write the share's quiz activities and their categories of questions.xml (without its
    head and tail) into `entries`; return the files their texts stored (for files.xml)."""
    job = backup.job(share.part, entries, renders)
    bank = QuestionBank(job, backup.tags)
    for number, activity in enumerate(share.quizzes, start=share.first_number):
        write_quiz(job, activity, bank, grade_sortorder=2 + number, weight=1 / backup.quiz_count)
    bank.finish()
    _add_blobs(job)
    return job.files


def _write_share_into(backup: Backup, share: QuizShare, spool: IO[bytes], renders: RenderCache | None) -> WrittenShare:
    """`write_quizzes` into `spool`, a file of its own (shared with the process that reads it back)."""
    entries = Entries(spool=spool)
    files = write_quizzes(backup, share, entries, renders)
    return WrittenShare(entries.layout(), files.files, embedded_digests(files.course_files_read()))


def share_key(backup: Backup, share: QuizShare, sources: SourceFiles) -> str:
    """A hash of all that the share's bytes depend on (`sharestore`). A question is what its
    file holds, read by this code (`writer_code` is the whole package's): the hash of that
    file as the build hashed it before the load (`sources`) stands for the question, which
    costs nothing, where writing each question's JSON took a tenth of a second for 20,000.
    A question of a file the build did not hash (one made since) counts with its JSON."""
    digest = hashlib.sha256(f"coursebuilder {__version__} backup share\0{writer_code()}\0".encode())
    course = backup.course
    head = [backup.author, backup.quiz_count, share.part, share.first_number, sorted(backup.tags.items())]
    head += [backup.lesson_targets]  # where a question's link to a lesson leads
    digest.update(course.info.model_dump_json().encode() + b"\0" + json.dumps(head).encode() + b"\0")
    for quiz in share.quizzes:
        section = quiz.section
        assert section is not None
        layout = [quiz.name, quiz.cmid, quiz.contextid, quiz.instance, quiz.practice, quiz.shuffle]
        layout += [section.id, section.number, section.name, len(quiz.questions)]
        digest.update(json.dumps(layout).encode() + b"\0")
        for question in quiz.questions:
            file = question.source_file
            content = sources.digests.get(file)
            digest.update(file.encode() + b"\0" + (content or question.model_dump_json().encode()) + b"\0")
            digest.update(question.id.encode() + b"\0")
    return digest.hexdigest()


def course_part_digest(backup: Backup) -> hashlib._Hash:
    """The start of every `unit_key`: what all the course part's units depend on."""
    digest = hashlib.sha256(f"coursebuilder {__version__} backup course part\0".encode())
    head = [backup.author, USER_ID]
    digest.update(backup.course.info.model_dump_json().encode() + b"\0" + json.dumps(head).encode() + b"\0")
    return digest


def unit_key(start: hashlib._Hash, ids: Ids, unit: str, inputs: object, texts: Iterable[bytes] = ()) -> str:
    """A hash of all a unit of the course part (`coursestore`) depends on but the code and
    the course files its texts refer to: `start` (`course_part_digest`), the ids handed out
    before it, its name, `inputs` (made of JSON's types) and `texts` (a model's JSON, say)."""
    digest = start.copy()
    digest.update(json.dumps([unit, ids.file.upcoming, ids.record.upcoming, inputs]).encode() + b"\0")
    for text in texts:
        digest.update(text + b"\0")
    return digest.hexdigest()


def activity_key(start: hashlib._Hash, course: Course, activity: Activity, ids: Ids) -> str:
    """The `unit_key` of a page, a book or the glossary: its layout and texts."""
    section = activity.section
    assert section is not None
    layout = [activity.name, activity.cmid, activity.contextid, activity.instance, activity.chapter_ids]
    layout += [section.id, section.number, section.name]
    if activity.modname == "glossary":
        texts = [course.glossary.model_dump_json().encode()]
    else:
        texts = [lesson.source_file.encode() + b"\0" + lesson.model_dump_json().encode() for lesson in activity.lessons]
    return unit_key(start, ids, activity.modname, layout, texts)


def sections_inputs(plan: Plan) -> list[object]:
    """All the sections' files are made of (`write_sections`)."""
    return [
        [
            section.id,
            section.number,
            section.name,
            section.lesson.objectives if section.lesson is not None else None,
            [activity.cmid for activity in section.activities],
        ]
        for section in plan.sections
    ]


def root_inputs(plan: Plan, quiz_grades: float) -> list[object]:
    """All the root files are made of (`write_root`) but the course's settings and author
    (`course_part_digest`): the grades, and each section and activity as listed in moodle_backup.xml."""
    layout = [
        [
            section.id,
            section.title,
            section.directory,
            [[activity.cmid, activity.modname, activity.name, activity.directory] for activity in section.activities],
        ]
        for section in plan.sections
    ]
    return [quiz_grades, layout]


def files_inputs(job: Job, quiz_files: list[StoredFile]) -> list[object]:
    """All files.xml is made of (`write_files`) but the author: each file's row."""
    return [
        [
            stored.id,
            area.contextid,
            area.component,
            area.filearea,
            area.itemid,
            stored.filename,
            stored.sha1,
            stored.size,
            stored.mimetype,
            stored.filepath,
        ]
        for stored in itertools.chain(job.files.files, quiz_files)
        for area in (stored.area,)
    ]


def _is_blob(name: str) -> bool:
    return name.startswith("files/")


def _write(
    course: Course,
    scorm_zip: bytes | None,
    entries: Entries,
    renders: RenderCache | None,
    workers: int,
    keep: Path | None,
    sources: SourceFiles | None,
) -> None:
    ids = Ids()
    plan = make_plan(course, ids, with_scorm=scorm_zip is not None)
    quizzes = [activity for activity in plan.activities if activity.modname == "quiz"]
    backup = Backup(course, ids, plan, author_name(course), len(quizzes), question_tags(quizzes))
    store = ShareStore(keep) if keep is not None and sources is not None and writer_code() is not None else None
    shares = [_Share(share, store, backup, sources) for share in quiz_shares(course, quizzes)]
    first, later = shares
    try:
        later_questions = sum(len(quiz.questions) for quiz in later.share.quizzes)
        if later.kept is None and workers >= 2 and later_questions >= QUIZZES_WORTH_FORKING and may_fork():
            later.spool = later.spool or tempfile.TemporaryFile()  # noqa: SIM115  # closed by close()
            later.child = ForkedCall(partial(_write_share_into, backup, later.share, later.spool, renders), True)
        entries.append(QUESTIONS_FILE, HEAD)
        quiz_files = first.write(entries, renders)
        course_store = CourseStore(keep) if keep is not None else None
        part = _write_course_part(backup, scorm_zip, entries, renders, course_store)
        quiz_files += later.write(entries, renders)
        entries.append(QUESTIONS_FILE, TAIL)
        part.unit(part.key("files.xml", files_inputs(part.job, quiz_files)), partial(write_files, part.job, quiz_files))
        if course_store is not None:
            course_store.save()
    finally:
        for share in shares:
            share.close()


class _Share:
    """One share of quizzes on its way into the backup: taken from the store, written in a
    child into a file of its own, or written here (into a file of its own when kept)."""

    def __init__(self, share: QuizShare, store: ShareStore | None, backup: Backup, sources: SourceFiles | None) -> None:
        self.share, self.store, self.backup = share, store, backup
        self.key = share_key(backup, share, sources) if store is not None and sources is not None else ""
        self.kept = store.find(share.part, self.key) if store is not None else None
        self.spool: IO[bytes] | None = store.spool() if store is not None and self.kept is None else None
        self._named = self.spool.name if self.spool is not None else None
        """The path of the spool made by the store, to remove unless kept."""
        self.child: ForkedCall | None = None

    def write(self, entries: Entries, renders: RenderCache | None) -> list[StoredFile]:
        """Add the share to `entries` (which read a share in a file of its own from there, and
        close that file); return the files its texts stored."""
        if self.kept is not None:
            kept, self.kept = self.kept, None
            entries.link(Entries.adopt(kept.data, kept.written.layout), shared=_is_blob)
            return kept.written.files
        if self.spool is None:
            return write_quizzes(self.backup, self.share, entries, renders).files
        if self.child is not None:
            written: WrittenShare = self.child.result()
        else:
            written = _write_share_into(self.backup, self.share, self.spool, renders)
        if self.store is not None:
            self.store.keep(self.share.part, self.key, self.spool, written)
        spool, self.spool = self.spool, None
        entries.link(Entries.adopt(spool, written.layout), shared=_is_blob)
        return written.files

    def close(self) -> None:
        """Close the share's file unless `entries` took it, and remove the file made by the
        store unless kept (renamed) already; the entries may still read it (an open file)."""
        if self.kept is not None:
            self.kept.data.close()
        if self.spool is not None:
            self.spool.close()
        if self._named is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._named)


def _write_course_part(
    backup: Backup, scorm_zip: bytes | None, entries: Entries, renders: RenderCache | None, store: CourseStore | None
) -> _CoursePart:
    """Every file but the quizzes' and files.xml: activities, course, sections and the root
    files. Returns the part, whose files files.xml lists first. With `store`, the pages,
    books, glossary, sections and root files are taken from there when kept (`coursestore`)."""
    part = _CoursePart(backup.job(0, entries, renders), store, course_part_digest(backup))
    job = part.job
    for activity in backup.plan.activities:
        writer = _KEEPABLE.get(activity.modname)
        if writer is not None:
            part.unit(activity_key(part.start, backup.course, activity, job.ids), partial(writer, job, activity))
        elif activity.modname == "scorm":
            assert scorm_zip is not None
            write_scorm(job, activity, scorm_zip, grade_sortorder=2 + backup.quiz_count)
    write_course(job)
    part.unit(part.key("sections", sections_inputs(backup.plan)), partial(write_sections, job))
    quiz_grades = QUIZ_GRADE * backup.quiz_count + (SCORM_GRADE if scorm_zip is not None else 0)
    part.unit(part.key("root", root_inputs(backup.plan, quiz_grades)), partial(write_root, job, quiz_grades))
    _add_blobs(job)
    return part


@dataclass(frozen=True)
class _CoursePart:
    """The course part being written, and the store its units are kept in, if any."""

    job: Job
    store: CourseStore | None
    start: hashlib._Hash
    """`course_part_digest`."""

    def key(self, unit: str, inputs: object) -> str:
        return unit_key(self.start, self.job.ids, unit, inputs)

    def unit(self, key: str, write: Callable[[], None]) -> None:
        """Write one unit of files (`write`), through the store when there is one."""
        if self.store is None:
            write()
        else:
            self.store.write(self.job, key, write)


_KEEPABLE: dict[str, Callable[[Job, Activity], None]] = {
    "page": write_page,
    "book": write_book,
    "glossary": write_glossary,
}
"""The writers of the activities a build may keep: their texts refer to course files only
through `FileStore.html`, which notes each reference (`coursestore`)."""


def _add_blobs(job: Job) -> None:
    """The bytes of the files the part stored, but those another part stored already."""
    job.entries.update({name: data for name, data in job.files.blobs.items() if name not in job.entries})


def build_mbz(
    course: Course,
    scorm_zip: bytes | None = None,
    *,
    renders: RenderCache | None = None,
    threads: int = 1,
    keep: Path | None = None,
    sources: SourceFiles | None = None,
) -> bytes:
    """The course as a Moodle backup archive; `scorm_zip` (a SCORM 1.2 package) adds a SCORM
    activity. The archive is written by `threads` processes and compressed on as many threads
    (the same bytes for any number); with a folder `keep`, the course part and its compressed
    segments are kept there for the next build and taken from there when unchanged
    (`coursestore`, `GzipStore`), and so are the quizzes when `sources` (the course's files as
    hashed before the load) gives their keys (`sharestore`)."""
    entries = write_entries(course, scorm_zip, renders=renders, workers=threads, keep=keep, sources=sources)
    try:
        return mbz_bytes(entries, threads, keep)
    finally:
        entries.close()
