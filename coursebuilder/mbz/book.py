"""The lessons as chapters of one Book (`mod/book/backup/moodle2/backup_book_stepslib.php`)."""

from __future__ import annotations

from coursebuilder.mbz import xml
from coursebuilder.mbz.activity import VIEWED, activity_root, write_common
from coursebuilder.mbz.files import Area
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sections import Activity

NUMBERING_NUMBERS = 1
NAVSTYLE_IMAGES = 1


def write_book(job: Job, activity: Activity) -> None:
    root = activity_root(activity)
    book = xml.child(
        root,
        "book",
        {"id": activity.instance},
        [
            ("name", activity.name),
            ("intro", ""),
            ("introformat", 1),
            ("numbering", NUMBERING_NUMBERS),
            ("navstyle", NAVSTYLE_IMAGES),
            ("customtitles", 0),
            ("timecreated", 0),
            ("timemodified", 0),
        ],
    )
    chapters = xml.child(book, "chapters")
    for number, (lesson, chapter_id) in enumerate(zip(activity.lessons, activity.chapter_ids, strict=True), start=1):
        area = Area(activity.contextid, "mod_book", "chapter", chapter_id)
        xml.child(
            chapters,
            "chapter",
            {"id": chapter_id},
            [
                ("pagenum", number),
                ("subchapter", 0),
                ("title", lesson.title),
                (
                    "content",
                    job.files.html(lesson.body, lesson.path or lesson.source_file, area, ("book_chapters", "content")),
                ),
                ("contentformat", 1),
                ("hidden", 0),
                ("timemodified", 0),
                ("importsrc", ""),
            ],
        )
    xml.child(book, "chaptertags")
    job.put(f"{activity.directory}/book.xml", root)
    write_common(job, activity, VIEWED)
