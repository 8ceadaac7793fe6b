"""A lesson as a Page activity (`mod/page/backup/moodle2/backup_page_stepslib.php`)."""

from __future__ import annotations

from coursebuilder.mbz import xml
from coursebuilder.mbz.activity import VIEWED, activity_root, write_common
from coursebuilder.mbz.files import Area
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sections import Activity
from coursebuilder.mbz.text import paragraph

DISPLAY_OPTIONS = 'a:2:{{s:10:"printintro";i:{};s:17:"printlastmodified";i:0;}}'
"""PHP-serialised page display options: show the intro when there is one, never the date."""


def write_page(job: Job, activity: Activity) -> None:
    (lesson,) = activity.lessons
    content = job.files.html(
        lesson.body,
        lesson.path or lesson.source_file,
        Area(activity.contextid, "mod_page", "content", 0),
        ("page", "content"),
    )
    intro = paragraph(lesson.summary)
    root = activity_root(activity)
    xml.child(
        root,
        "page",
        {"id": activity.instance},
        [
            ("name", activity.name),
            ("intro", intro),
            ("introformat", 1),
            ("content", content),
            ("contentformat", 1),
            ("legacyfiles", 0),
            ("legacyfileslast", None),
            ("display", 0),
            ("displayoptions", DISPLAY_OPTIONS.format(1 if intro else 0)),
            ("revision", 1),
            ("timemodified", 0),
        ],
    )
    job.put(f"{activity.directory}/page.xml", root)
    write_common(job, activity, VIEWED)
