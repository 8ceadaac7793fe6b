"""The course-level and root files: course/, sections/, users, roles, gradebook and the manifest.

Shapes follow `backup_course_structure_step`, `backup_section_structure_step`,
`backup_users_structure_step`, `backup_final_roles_structure_step`,
`backup_gradebook_structure_step` (backup/moodle2/backup_stepslib.php) and
`backup_root_task`/`backup_plan_builder` for moodle_backup.xml.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from lxml import etree

from coursebuilder.layout import COURSE_FILE
from coursebuilder.mbz import xml
from coursebuilder.mbz.activity import inforef
from coursebuilder.mbz.files import Area, StoredFile
from coursebuilder.mbz.gradebook import grade_item_fields
from coursebuilder.mbz.ids import (
    COURSE_CONTEXT,
    COURSE_GRADE_CATEGORY,
    COURSE_GRADE_ITEM,
    COURSE_ID,
    STUDENT_ROLE,
    SYSTEM_CONTEXT,
    USER_CONTEXT,
)
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.text import bullet_list

MOODLE_VERSION = 2022112800
MOODLE_RELEASE = "4.1 (Build: 20221128)"
BACKUP_VERSION = 2022112800
BACKUP_RELEASE = "4.1"
"""Moodle 4.1 LTS's `backup::VERSION`/`RELEASE`: restores on 4.1 to 5.x with the 4.0+ question layout."""
WWWROOT = "https://coursebuilder.invalid"

ROOT_SETTINGS: tuple[tuple[str, int], ...] = (
    ("imscc11", 0),
    ("users", 1),
    ("anonymize", 0),
    ("role_assignments", 1),
    ("activities", 1),
    ("blocks", 1),
    ("files", 1),
    ("filters", 1),
    ("comments", 1),
    ("badges", 1),
    ("calendarevents", 1),
    ("userscompletion", 1),
    ("logs", 0),
    ("grade_histories", 0),
    ("groups", 1),
    ("competencies", 1),
    ("customfield", 1),
    ("contentbankcontent", 1),
    ("xapistate", 1),
    ("legacyfiles", 1),
)
"""Root settings as a default course backup has them; `users` 1 keeps the glossary entries."""


def moodle_lang(language: str) -> str:
    """A BCP 47 tag as a Moodle language pack name (`pt-BR` → `pt_br`; Moodle's `en` is en-GB)."""
    code = language.lower().replace("-", "_")
    return "en" if code == "en_gb" else code


def username(course_id: str) -> str:
    """A username no real account has, the same for every build of the course.

    Restore maps a backup's user to an existing one by username and email; the same username
    with another email is a precheck conflict, so both are derived from the course id.
    """
    name = f"coursebuilder-{course_id}"
    if len(name) > 100:
        name = f"coursebuilder-{course_id[:60]}-{hashlib.sha1(course_id.encode()).hexdigest()[:12]}"
    return name


# ---------------------------------------------------------------------- course/


def write_course(job: Job) -> None:
    info = job.course.info
    summary = job.files.html(
        info.summary, COURSE_FILE, Area(COURSE_CONTEXT, "course", "summary", 0), ("course", "summary")
    )
    course = xml.element(
        "course",
        {"id": COURSE_ID, "contextid": COURSE_CONTEXT},
        [
            ("shortname", info.shortname),
            ("fullname", info.title),
            ("idnumber", ""),
            ("summary", summary),
            ("summaryformat", 1),
            ("format", "topics"),
            ("showgrades", 1),
            ("newsitems", 0),
            ("startdate", 0),
            ("enddate", 0),
            ("marker", 0),
            ("maxbytes", 0),
            ("legacyfiles", 0),
            ("showreports", 0),
            ("visible", 1),
            ("groupmode", 0),
            ("groupmodeforce", 0),
            ("defaultgroupingid", 0),
            ("lang", moodle_lang(info.language)),
            ("theme", ""),
            ("timecreated", 0),
            ("timemodified", 0),
            ("requested", 0),
            ("showactivitydates", 1),
            ("showcompletionconditions", 1),
            ("pdfexportfont", None),
            ("enablecompletion", 1),
            ("completionnotify", 0),
            ("enableaitools", None),
        ],
    )
    xml.child(course, "category", {"id": 1}, [("name", "Miscellaneous"), ("description", None)])
    tags = xml.child(course, "tags")
    for keyword in dict.fromkeys(k.strip() for k in info.keywords if k.strip()):
        xml.child(tags, "tag", {"id": len(tags) + 1}, [("name", keyword.lower()), ("rawname", keyword)])
    xml.child(course, "customfields")
    options = xml.child(course, "courseformatoptions")
    for name, value in (("hiddensections", 1), ("coursedisplay", 0)):
        xml.child(
            options,
            "courseformatoption",
            fields=[("format", "topics"), ("sectionid", 0), ("name", name), ("value", value)],
        )
    job.put("course/course.xml", course)
    job.put(
        "course/inforef.xml",
        inforef(roles=[STUDENT_ROLE], files=job.files.refs(Area(COURSE_CONTEXT, "course", "summary", 0))),
    )
    job.put("course/roles.xml", xml.empty("roles", "role_overrides", "role_assignments"))
    job.put("course/enrolments.xml", enrolments_xml())
    job.put("course/filters.xml", course_filters(job))
    job.put("course/comments.xml", xml.empty("comments"))
    job.put("course/calendar.xml", xml.empty("events"))
    job.put("course/competencies.xml", xml.empty("course_competencies", "competencies", "user_competencies"))
    job.put("course/completiondefaults.xml", xml.empty("course_completion_defaults"))
    job.put("course/contentbank.xml", xml.empty("contents"))


def course_filters(job: Job) -> etree._Element:
    """Turn the glossary auto-linking filter on in the course when an entry asks for linking.

    Restore applies it only where the site has the filter available (`restore_filters_structure_step`).
    """
    root = xml.element("filters")
    actives = xml.child(root, "filter_actives")
    if any(entry.auto_link for entry in job.course.glossary.entries):
        xml.child(actives, "filter_active", fields=[("filter", "glossary"), ("active", 1)])
    xml.child(root, "filter_configs")
    return root


def enrolments_xml() -> etree._Element:
    """Manual enrolment on, guest and self enrolment off: what a new Moodle course gets."""
    root = xml.element("enrolments")
    enrols = xml.child(root, "enrols")
    for enrol_id, (method, status, roleid, threshold, password, customs) in enumerate(
        (
            ("manual", 0, STUDENT_ROLE, 86400, None, {"customint1": 1}),
            ("guest", 1, 0, 0, "", {}),
            (
                "self",
                1,
                STUDENT_ROLE,
                86400,
                None,
                {"customint1": 0, "customint2": 0, "customint3": 0, "customint4": 1, "customint5": 0, "customint6": 1},
            ),
        ),
        start=1,
    ):
        fields: list[tuple[str, xml.Value]] = [
            ("enrol", method),
            ("status", status),
            ("name", None),
            ("enrolperiod", 0),
            ("enrolstartdate", 0),
            ("enrolenddate", 0),
            ("expirynotify", 0),
            ("expirythreshold", threshold),
            ("notifyall", 0),
            ("password", password),
            ("cost", None),
            ("currency", None),
            ("roleid", roleid),
        ]
        fields += [(f"customint{n}", customs.get(f"customint{n}")) for n in range(1, 9)]
        fields += [(f"customchar{n}", None) for n in range(1, 4)]
        fields += [(f"customdec{n}", None) for n in range(1, 3)]
        fields += [(f"customtext{n}", None) for n in range(1, 5)]
        fields += [("timecreated", 0), ("timemodified", 0)]
        enrol = xml.child(enrols, "enrol", {"id": enrol_id}, fields)
        xml.child(enrol, "user_enrolments")
    return root


# ---------------------------------------------------------------------- sections/


def write_sections(job: Job) -> None:
    for section in job.plan.sections:
        lesson = section.lesson
        summary = bullet_list(lesson.objectives) if lesson is not None else ""
        node = xml.element(
            "section",
            {"id": section.id},
            [
                ("number", section.number),
                ("name", section.name),
                ("summary", summary),
                ("summaryformat", 1),
                ("sequence", ",".join(str(activity.cmid) for activity in section.activities)),
                ("visible", 1),
                ("availabilityjson", None),
                ("component", None),
                ("itemid", None),
                ("timemodified", 0),
            ],
        )
        job.put(f"{section.directory}/section.xml", node)
        job.put(f"{section.directory}/inforef.xml", inforef())


# ---------------------------------------------------------------------- root files


def write_root(job: Job, quiz_grades: float) -> None:
    """The files at the archive's root but files.xml (`write_files`) and questions.xml (the
    question bank's to write)."""
    job.put("users.xml", users_xml(job))
    job.put("roles.xml", roles_xml())
    groups = xml.element("groups")
    xml.child(groups, "groupcustomfields")
    xml.child(xml.child(groups, "groupings"), "groupingcustomfields")
    job.put("groups.xml", groups)
    job.put("scales.xml", xml.empty("scales_definition"))
    job.put("outcomes.xml", xml.empty("outcomes_definition"))
    job.put("gradebook.xml", gradebook_xml(quiz_grades))
    job.put("grade_history.xml", xml.empty("grade_history", "grade_grades"))
    job.put("completion.xml", xml.empty("course_completion"))
    job.put("badges.xml", xml.empty("badges"))
    job.put("moodle_backup.xml", manifest(job))


def write_files(job: Job, quiz_files: Iterable[StoredFile]) -> None:
    """files.xml, once every part has stored its files: the course's, then `quiz_files`."""
    job.put("files.xml", job.files.files_xml(quiz_files))


def users_xml(job: Job) -> etree._Element:
    """The one user: author of the glossary entries and owner of the questions.

    `nologin` authentication, which Moodle always has enabled, so the account restore creates
    cannot be used to sign in.
    """
    name = username(job.course.info.id)
    root = xml.element("users")
    user = xml.child(
        root,
        "user",
        {"id": job.userid, "contextid": USER_CONTEXT},
        [
            ("username", name),
            ("idnumber", ""),
            ("email", f"{name}@example.invalid"),
            ("phone1", ""),
            ("phone2", ""),
            ("institution", ""),
            ("department", ""),
            ("address", ""),
            ("city", ""),
            ("country", ""),
            ("lastip", ""),
            ("picture", 0),
            ("description", None),
            ("descriptionformat", 1),
            ("imagealt", None),
            ("auth", "nologin"),
            ("firstnamephonetic", None),
            ("lastnamephonetic", None),
            ("middlename", None),
            ("alternatename", None),
            ("firstname", job.author),
            ("lastname", job.course.info.shortname[:100]),
            ("confirmed", 1),
            ("policyagreed", 0),
            ("deleted", 0),
            ("lang", moodle_lang(job.course.info.language)),
            ("theme", ""),
            ("timezone", "99"),
            ("firstaccess", 0),
            ("lastaccess", 0),
            ("lastlogin", 0),
            ("currentlogin", 0),
            ("mailformat", 1),
            ("maildigest", 0),
            ("maildisplay", 0),
            ("autosubscribe", 0),
            ("trackforums", 0),
            ("timecreated", 0),
            ("timemodified", 0),
            ("trustbitmask", 0),
        ],
    )
    for container in ("custom_fields", "tags", "preferences"):
        xml.child(user, container)
    roles = xml.child(user, "roles")
    xml.child(roles, "role_overrides")
    xml.child(roles, "role_assignments")
    return root


def roles_xml() -> etree._Element:
    root = xml.element("roles_definition")
    xml.child(
        root,
        "role",
        {"id": STUDENT_ROLE},
        [
            ("name", ""),
            ("shortname", "student"),
            ("nameincourse", None),
            ("description", ""),
            ("sortorder", 5),
            ("archetype", "student"),
        ],
    )
    return root


def gradebook_xml(quiz_grades: float) -> etree._Element:
    root = xml.element("gradebook")
    xml.child(root, "attributes")
    categories = xml.child(root, "grade_categories")
    xml.child(
        categories,
        "grade_category",
        {"id": COURSE_GRADE_CATEGORY},
        [
            ("parent", None),
            ("depth", 1),
            ("path", f"/{COURSE_GRADE_CATEGORY}/"),
            ("fullname", "?"),
            ("aggregation", 13),
            ("keephigh", 0),
            ("droplow", 0),
            ("aggregateonlygraded", 1),
            ("aggregateoutcomes", 0),
            ("timecreated", 0),
            ("timemodified", 0),
            ("hidden", 0),
        ],
    )
    items = xml.child(root, "grade_items")
    item = xml.child(
        items,
        "grade_item",
        {"id": COURSE_GRADE_ITEM},
        grade_item_fields(
            categoryid=None,
            itemname=None,
            itemtype="course",
            itemmodule=None,
            iteminstance=COURSE_GRADE_CATEGORY,
            itemnumber=None,
            idnumber=None,
            gradepass=0,
            aggregationcoef2=0,
            sortorder=1,
            grademax=quiz_grades or 100.0,
        ),
    )
    xml.child(item, "grade_grades")
    xml.child(root, "grade_letters")
    settings = xml.child(root, "grade_settings")
    xml.child(settings, "grade_setting", {"id": ""}, [("name", "minmaxtouse"), ("value", 1)])
    return root


def manifest(job: Job) -> etree._Element:
    """moodle_backup.xml: versions, what the backup contains and its settings."""
    info = job.course.info
    filename = f"{info.id}.mbz"
    root = xml.element("moodle_backup")
    information = xml.child(
        root,
        "information",
        fields=[
            ("name", filename),
            ("moodle_version", MOODLE_VERSION),
            ("moodle_release", MOODLE_RELEASE),
            ("backup_version", BACKUP_VERSION),
            ("backup_release", BACKUP_RELEASE),
            ("backup_date", 0),
            ("mnet_remoteusers", 0),
            ("include_files", 1),
            ("include_file_references_to_external_content", 0),
            ("original_wwwroot", WWWROOT),
            ("original_site_identifier_hash", hashlib.md5(f"coursebuilder:{info.id}".encode()).hexdigest()),
            ("original_course_id", COURSE_ID),
            ("original_course_format", "topics"),
            ("original_course_fullname", info.title),
            ("original_course_shortname", info.shortname),
            ("original_course_startdate", 0),
            ("original_course_enddate", 0),
            ("original_course_contextid", COURSE_CONTEXT),
            ("original_system_contextid", SYSTEM_CONTEXT),
        ],
    )
    details = xml.child(information, "details")
    xml.child(
        details,
        "detail",
        {"backup_id": hashlib.md5(f"coursebuilder-backup:{info.id}".encode()).hexdigest()},
        [
            ("type", "course"),
            ("format", "moodle2"),
            ("interactive", 1),
            ("mode", 10),
            ("execution", 1),
            ("executiontime", 0),
        ],
    )
    contents = xml.child(information, "contents")
    activities = xml.child(contents, "activities")
    for activity in job.plan.activities:
        assert activity.section is not None
        xml.child(
            activities,
            "activity",
            fields=[
                ("moduleid", activity.cmid),
                ("sectionid", activity.section.id),
                ("modulename", activity.modname),
                ("title", activity.name),
                ("directory", activity.directory),
                ("insubsection", ""),
            ],
        )
    sections = xml.child(contents, "sections")
    for section in job.plan.sections:
        xml.child(
            sections,
            "section",
            fields=[
                ("sectionid", section.id),
                ("title", section.title),
                ("directory", section.directory),
                ("parentcmid", ""),
                ("modname", ""),
            ],
        )
    xml.child(contents, "course", fields=[("courseid", COURSE_ID), ("title", info.shortname), ("directory", "course")])
    settings = xml.child(information, "settings")
    xml.child(settings, "setting", fields=[("level", "root"), ("name", "filename"), ("value", filename)])
    for name, value in ROOT_SETTINGS:
        xml.child(settings, "setting", fields=[("level", "root"), ("name", name), ("value", value)])
    for section in job.plan.sections:
        key = f"section_{section.id}"
        for suffix in ("included", "userinfo"):
            xml.child(
                settings,
                "setting",
                fields=[("level", "section"), ("section", key), ("name", f"{key}_{suffix}"), ("value", 1)],
            )
        for activity in section.activities:
            key_a = f"{activity.modname}_{activity.cmid}"
            for suffix in ("included", "userinfo"):
                xml.child(
                    settings,
                    "setting",
                    fields=[("level", "activity"), ("activity", key_a), ("name", f"{key_a}_{suffix}"), ("value", 1)],
                )
    return root
