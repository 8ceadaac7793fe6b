"""The glossary as a Glossary activity (`mod/glossary/backup/moodle2/backup_glossary_stepslib.php`).

Entries, aliases and category links are user data in Moodle: they restore only with the root
`users` setting and the activity's `userinfo` on, and each entry needs an author in users.xml
that inforef.xml lists (`restore_glossary_stepslib.php`).
"""

from __future__ import annotations

from coursebuilder.layout import GLOSSARY_FILE
from coursebuilder.mbz import xml
from coursebuilder.mbz.activity import Completion, activity_root, write_common
from coursebuilder.mbz.files import Area
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sections import Activity


def write_glossary(job: Job, activity: Activity) -> None:
    glossary = job.course.glossary
    entries = glossary.entries
    root = activity_root(activity)
    node = xml.child(
        root,
        "glossary",
        {"id": activity.instance},
        [
            ("name", activity.name),
            (
                "intro",
                job.files.html(
                    glossary.intro,
                    GLOSSARY_FILE,
                    Area(activity.contextid, "mod_glossary", "intro", 0),
                    ("glossary", "intro"),
                ),
            ),
            ("introformat", 1),
            ("allowduplicatedentries", 0),
            ("displayformat", "dictionary"),
            ("mainglossary", 0),
            ("showspecial", 1),
            ("showalphabet", 1),
            ("showall", 1),
            ("allowcomments", 0),
            ("allowprintview", 1),
            ("usedynalink", any(entry.auto_link for entry in entries)),
            ("defaultapproval", 1),
            ("globalglossary", 0),
            ("entbypage", 10),
            ("editalways", 0),
            ("rsstype", 0),
            ("rssarticles", 0),
            ("assessed", 0),
            ("assesstimestart", 0),
            ("assesstimefinish", 0),
            ("scale", 0),
            ("timecreated", 0),
            ("timemodified", 0),
            ("completionentries", 0),
        ],
    )
    entries_node = xml.child(node, "entries")
    entry_ids: list[int] = []
    for entry in entries:
        entry_id = job.ids.record()
        entry_ids.append(entry_id)
        area = Area(activity.contextid, "mod_glossary", "entry", entry_id)
        row = xml.child(
            entries_node,
            "entry",
            {"id": entry_id},
            [
                ("userid", job.userid),
                ("concept", entry.term),
                (
                    "definition",
                    job.files.html(entry.definition, GLOSSARY_FILE, area, ("glossary_entries", "definition")),
                ),
                ("definitionformat", 1),
                ("definitiontrust", 0),
                ("attachment", ""),
                ("timecreated", 0),
                ("timemodified", 0),
                ("teacherentry", 1),
                ("sourceglossaryid", 0),
                ("usedynalink", entry.auto_link),
                ("casesensitive", entry.case_sensitive),
                ("fullmatch", entry.full_match),
                ("approved", 1),
            ],
        )
        aliases = xml.child(row, "aliases")
        for alias in entry.aliases:
            xml.child(aliases, "alias", {"id": job.ids.record()}, [("alias_text", alias)])
        xml.child(row, "ratings")
    xml.child(node, "entriestags")
    categories = xml.child(node, "categories")
    names: dict[str, list[int]] = {}
    for entry, entry_id in zip(entries, entry_ids, strict=True):
        for name in entry.categories:
            names.setdefault(name, []).append(entry_id)
    for name, members in names.items():
        category = xml.child(categories, "category", {"id": job.ids.record()}, [("name", name), ("usedynalink", 0)])
        links = xml.child(category, "category_entries")
        for entry_id in members:
            xml.child(links, "category_entry", {"id": job.ids.record()}, [("entryid", entry_id)])
    job.put(f"{activity.directory}/glossary.xml", root)
    write_common(job, activity, Completion(), users=True)
