"""The SCORM 1.2 package as a SCORM activity (`mod/scorm/backup/moodle2/backup_scorm_stepslib.php`).

Restore does not read the package again: it takes the SCO tree from scorm.xml (`scoes`) and
the unpacked files from the `mod_scorm/content` area, and keeps the zip in `mod_scorm/package`.
So the manifest is read here the way Moodle's SCORM 1.2 parser reads it
(`mod/scorm/datamodels/scormlib.php`): one sco row per organization and per item, the item's
resource giving its launch file and its `adlcp:scormtype`.

The package is built by the SCORM 1.2 target (`MbzTarget` asks it directly; a caller may pass
its own builder).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from coursebuilder.mbz import xml
from coursebuilder.mbz.activity import Completion, activity_root, write_common
from coursebuilder.mbz.files import Area
from coursebuilder.mbz.gradebook import activity_gradebook
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sections import Activity
from coursebuilder.safexml import XMLProblem, parse_xml_bytes
from coursebuilder.safezip import ZipProblem, read_zip

MAX_GRADE = 100.0
GRADE_HIGHEST = 1
"""scorm.grademethod: the highest score of the SCOs."""
STATUS_COMPLETED = 4
"""scorm.completionstatusrequired bit for "completed"."""


class PackageProblem(ValueError):
    """The SCORM zip cannot be put into the backup; the message says why."""


@dataclass
class Sco:
    """A scorm_scoes row; `organization` and `parent` are identifiers, not ids."""

    identifier: str
    title: str
    organization: str = ""
    parent: str = "/"
    launch: str = ""
    scormtype: str = ""
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class Package:
    manifest: str
    scoes: list[Sco]
    files: dict[str, bytes]


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(node: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in node if _local(child) == name)


def _attr(node: etree._Element, name: str) -> str:
    """An attribute by local name, whatever its namespace (`adlcp:scormtype` or `scormtype`)."""
    for key, value in node.attrib.items():
        if etree.QName(key).localname.lower() == name.lower():
            return str(value)
    return ""


def _title(node: etree._Element) -> str:
    title = next(_children(node, "title"), None)
    return "".join(str(text) for text in title.itertext()).strip() if title is not None else ""


def read_package(data: bytes) -> Package:
    """Unpack a SCORM 1.2 zip and read its manifest's organizations and resources."""
    try:
        files = read_zip(data, "the SCORM 1.2 package")
    except ZipProblem as exc:
        raise PackageProblem(str(exc)) from None
    if "imsmanifest.xml" not in files:
        raise PackageProblem("the SCORM package has no imsmanifest.xml at its root")
    try:
        manifest = parse_xml_bytes(files["imsmanifest.xml"], "imsmanifest.xml")
    except XMLProblem as exc:
        raise PackageProblem(f"the SCORM package's {exc}") from None
    resources = {
        _attr(resource, "identifier"): resource
        for container in _children(manifest, "resources")
        for resource in _children(container, "resource")
    }
    scoes: list[Sco] = []
    for container in _children(manifest, "organizations"):
        for organization in _children(container, "organization"):
            org_id = _attr(organization, "identifier")
            scoes.append(Sco(org_id, _title(organization)))
            scoes.extend(_items(organization, org_id, org_id, resources))
    if not any(sco.launch for sco in scoes):
        raise PackageProblem("imsmanifest.xml has no item that launches a file")
    return Package(_attr(manifest, "identifier"), scoes, files)


def _items(node: etree._Element, organization: str, parent: str, resources: dict[str, etree._Element]) -> Iterator[Sco]:
    for item in _children(node, "item"):
        identifier = _attr(item, "identifier")
        sco = Sco(identifier, _title(item), organization, parent)
        resource = resources.get(_attr(item, "identifierref"))
        if resource is not None:
            sco.launch = _attr(resource, "href") + _attr(item, "parameters")
            sco.scormtype = _attr(resource, "scormtype").lower() or "asset"
        sco.data["isvisible"] = _attr(item, "isvisible") or "true"
        for name in ("masteryscore", "datafromlms", "maxtimeallowed", "timelimitaction", "prerequisites"):
            found = next(_children(item, name), None)
            if found is not None and (found.text or "").strip():
                sco.data[name] = (found.text or "").strip()
        if _attr(item, "parameters"):
            sco.data["parameters"] = _attr(item, "parameters")
        yield sco
        yield from _items(item, organization, identifier, resources)


def write_scorm(job: Job, activity: Activity, package: bytes, grade_sortorder: int) -> None:
    """The SCORM activity, its SCO tree, the zip and its unpacked files."""
    parsed = read_package(package)
    reference = f"{job.course.info.id}-scorm12.zip"
    for name, data in sorted(parsed.files.items()):
        job.files.add_at(Area(activity.contextid, "mod_scorm", "content", 0), name, data)
    job.files.add_at(Area(activity.contextid, "mod_scorm", "package", 0), reference, package)
    sco_ids = [job.ids.record() for _ in parsed.scoes]
    launch = next(sco_id for sco_id, sco in zip(sco_ids, parsed.scoes, strict=True) if sco.launch)
    root = activity_root(activity)
    node = xml.child(
        root,
        "scorm",
        {"id": activity.instance},
        [
            ("name", activity.name),
            ("scormtype", "local"),
            ("reference", reference),
            ("intro", ""),
            ("introformat", 1),
            ("version", "SCORM_1.2"),
            ("maxgrade", xml.number(MAX_GRADE)),
            ("grademethod", GRADE_HIGHEST),
            ("whatgrade", 0),
            ("maxattempt", 0),
            ("forcecompleted", 0),
            ("forcenewattempt", 0),
            ("lastattemptlock", 0),
            ("masteryoverride", 1),
            ("displayattemptstatus", 1),
            ("displaycoursestructure", 0),
            ("updatefreq", 0),
            ("sha1hash", hashlib.sha1(package).hexdigest()),
            ("md5hash", ""),
            ("revision", 1),
            ("launch", launch),
            ("skipview", 0),
            ("hidebrowse", 0),
            ("hidetoc", 0),
            ("nav", 1),
            ("navpositionleft", -100),
            ("navpositiontop", -100),
            ("auto", 0),
            ("popup", 0),
            ("options", ""),
            ("width", 100),
            ("height", 500),
            ("timeopen", 0),
            ("timeclose", 0),
            ("timemodified", 0),
            ("completionstatusrequired", STATUS_COMPLETED),
            ("completionscorerequired", None),
            ("completionstatusallscos", 0),
            ("autocommit", 0),
        ],
    )
    scoes = xml.child(node, "scoes")
    for sortorder, (sco_id, sco) in enumerate(zip(sco_ids, parsed.scoes, strict=True), start=1):
        row = xml.child(
            scoes,
            "sco",
            {"id": sco_id},
            [
                ("manifest", parsed.manifest),
                ("organization", sco.organization),
                ("parent", sco.parent),
                ("identifier", sco.identifier),
                ("launch", sco.launch),
                ("scormtype", sco.scormtype),
                ("title", sco.title),
                ("sortorder", sortorder),
            ],
        )
        datas = xml.child(row, "sco_datas")
        for name, value in sco.data.items():
            xml.child(datas, "sco_data", {"id": job.ids.record()}, [("name", name), ("value", value)])
        for container in ("seq_ruleconds", "seq_rolluprules", "seq_objectives", "sco_tracks"):
            xml.child(row, container)
    job.put(f"{activity.directory}/scorm.xml", root)

    grade_item = job.ids.grade_item()
    grades = activity_gradebook(
        grade_item=grade_item,
        module="scorm",
        name=activity.name,
        instance=activity.instance,
        gradepass=MAX_GRADE * job.course.info.settings.passing_score / 100,
        sortorder=grade_sortorder,
        grademax=MAX_GRADE,
    )
    write_common(job, activity, Completion(completion=2), grades=grades, grade_items=[grade_item])
