"""The files every activity folder has (`backup/moodle2/backup_activity_task.class.php`).

Restore requires module.xml, <modname>.xml, grades.xml and roles.xml, and filters.xml,
comments.xml, calendar.xml and xapistate.xml while those root settings are on; the rest are
written too, empty, as Moodle writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from coursebuilder.mbz import xml
from coursebuilder.mbz.ids import USER_ID
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sections import MODULE_VERSION, Activity


@dataclass(frozen=True)
class Completion:
    """An activity's completion rule (course_modules columns)."""

    completion: int = 0
    """0 none, 1 manual, 2 automatic."""
    view: bool = False
    gradeitemnumber: int | None = None
    passgrade: bool = False


VIEWED = Completion(completion=2, view=True)
PASSED = Completion(completion=2, gradeitemnumber=0, passgrade=True)


def activity_root(activity: Activity) -> etree._Element:
    """`<activity>` wraps the module's row (`backup_activity_structure_step::prepare_activity_structure`)."""
    return xml.element(
        "activity",
        {
            "id": activity.instance,
            "moduleid": activity.cmid,
            "modulename": activity.modname,
            "contextid": activity.contextid,
        },
    )


def write_common(
    job: Job,
    activity: Activity,
    completion: Completion,
    *,
    grades: etree._Element | None = None,
    users: bool = False,
    grade_items: list[int] | None = None,
    question_categories: list[int] | None = None,
) -> None:
    """Write module.xml, inforef.xml and the empty per-activity files."""
    base = activity.directory
    job.put(f"{base}/module.xml", module_xml(activity, completion))
    job.put(
        f"{base}/inforef.xml",
        inforef(
            users=[USER_ID] if users else [],
            files=job.files.refs_in_context(activity.contextid),
            grade_items=grade_items or [],
            question_categories=question_categories or [],
        ),
    )
    if grades is not None:
        job.put(f"{base}/grades.xml", grades)
    else:
        job.put_bytes(f"{base}/grades.xml", xml.empty_document("activity_gradebook", "grade_items", "grade_letters"))
    job.put_bytes(f"{base}/roles.xml", xml.empty_document("roles", "role_overrides", "role_assignments"))
    job.put_bytes(f"{base}/filters.xml", xml.empty_document("filters", "filter_actives", "filter_configs"))
    job.put_bytes(f"{base}/comments.xml", xml.empty_document("comments"))
    job.put_bytes(f"{base}/calendar.xml", xml.empty_document("events"))
    job.put_bytes(f"{base}/competencies.xml", xml.empty_document("course_module_competencies", "competencies"))
    job.put_bytes(f"{base}/grade_history.xml", xml.empty_document("grade_history", "grade_grades"))
    job.put_bytes(f"{base}/completion.xml", xml.empty_document("completions", "completionviews"))
    job.put_bytes(f"{base}/xapistate.xml", xml.empty_document("states"))


def module_xml(activity: Activity, completion: Completion) -> etree._Element:
    """module.xml: the course_modules row (`backup_module_structure_step`)."""
    section = activity.section
    assert section is not None
    root = xml.element(
        "module",
        {"id": activity.cmid, "version": MODULE_VERSION},
        [
            ("modulename", activity.modname),
            ("sectionid", section.id),
            ("sectionnumber", section.number),
            ("idnumber", ""),
            ("added", 0),
            ("score", 0),
            ("indent", 0),
            ("visible", 1),
            ("visibleoncoursepage", 1),
            ("visibleold", 1),
            ("groupmode", 0),
            ("groupingid", 0),
            ("completion", completion.completion),
            ("completiongradeitemnumber", completion.gradeitemnumber),
            ("completionpassgrade", completion.passgrade),
            ("completionview", completion.view),
            ("completionexpected", 0),
            ("availability", None),
            ("showdescription", 0),
            ("downloadcontent", 1),
            ("lang", None),
            ("enableaitools", None),
            ("enabledaiactions", None),
        ],
    )
    xml.child(root, "tags")
    return root


def inforef(
    *,
    users: Sequence[int] = (),
    files: Sequence[int] = (),
    grade_items: Sequence[int] = (),
    question_categories: Sequence[int] = (),
    roles: Sequence[int] = (),
) -> etree._Element:
    """inforef.xml: the ids of users.xml, files.xml, gradebook and questions.xml this part needs."""
    root = xml.element("inforef")
    for container, tag, values in (
        ("userref", "user", users),
        ("fileref", "file", files),
        ("grade_itemref", "grade_item", grade_items),
        ("question_categoryref", "question_category", question_categories),
        ("roleref", "role", roles),
    ):
        if values:
            parent = xml.child(root, container)
            for value in values:
                xml.child(parent, tag, fields=[("id", value)])
    return root
