"""The SCORM 1.2 package as a SCORM activity of the course backup.

Moodle's restore takes the SCO tree from scorm.xml and the unpacked files from the
`mod_scorm/content` area; it does not read the zip again. The fields come from
mod/scorm/backup/moodle2/backup_scorm_stepslib.php.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from coursebuilder.buildcontext import BuildContext
from coursebuilder.loader import load_or_raise
from coursebuilder.mbz.scorm import PackageProblem, read_package
from coursebuilder.model import Course
from coursebuilder.targets.base import BuildOptions
from coursebuilder.targets.mbz import MbzTarget
from tests.conftest import SKELETON, WriteCourse
from tests.mbz_util import parse, texts, unpack, value

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"

SCORM_FIELDS = [
    "name", "scormtype", "reference", "intro", "introformat", "version", "maxgrade", "grademethod",
    "whatgrade", "maxattempt", "forcecompleted", "forcenewattempt", "lastattemptlock", "masteryoverride",
    "displayattemptstatus", "displaycoursestructure", "updatefreq", "sha1hash", "md5hash", "revision", "launch",
    "skipview", "hidebrowse", "hidetoc", "nav", "navpositionleft", "navpositiontop", "auto", "popup", "options",
    "width", "height", "timeopen", "timeclose", "timemodified", "completionstatusrequired",
    "completionscorerequired", "completionstatusallscos", "autocommit", "scoes",
]  # fmt: skip
SCO_FIELDS = [
    "manifest", "organization", "parent", "identifier", "launch", "scormtype", "title", "sortorder",
    "sco_datas", "seq_ruleconds", "seq_rolluprules", "seq_objectives", "sco_tracks",
]  # fmt: skip


def scorm_zip(course: Course, extra: dict[str, bytes] | None = None) -> bytes:
    """A small SCORM 1.2 package like the SCORM target's: one SCO with a script in a folder."""
    manifest = etree.Element(
        f"{{{CP}}}manifest", {"identifier": f"{course.info.id}-manifest"}, nsmap={None: CP, "adlcp": ADLCP}
    )
    organizations = etree.SubElement(manifest, f"{{{CP}}}organizations", {"default": "org"})
    organization = etree.SubElement(organizations, f"{{{CP}}}organization", {"identifier": "org"})
    etree.SubElement(organization, f"{{{CP}}}title").text = course.info.title
    item = etree.SubElement(organization, f"{{{CP}}}item", {"identifier": "item-1", "identifierref": "res-1"})
    etree.SubElement(item, f"{{{CP}}}title").text = "Lessons"
    etree.SubElement(item, f"{{{ADLCP}}}masteryscore").text = "70"
    resources = etree.SubElement(manifest, f"{{{CP}}}resources")
    resource = etree.SubElement(
        resources,
        f"{{{CP}}}resource",
        {"identifier": "res-1", "type": "webcontent", "href": "index.html", f"{{{ADLCP}}}scormtype": "sco"},
    )
    etree.SubElement(resource, f"{{{CP}}}file", {"href": "index.html"})
    files = {
        "imsmanifest.xml": etree.tostring(manifest, xml_declaration=True, encoding="UTF-8"),
        "index.html": b"<!doctype html><title>x</title><script src='js/player.js'></script>",
        "js/player.js": b"// player",
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def package_of(context: BuildContext) -> bytes:
    """`scorm_zip` of the build's course, as the backup target asks for it."""
    return scorm_zip(context.course)


@pytest.fixture
def scorm_course(write_course: WriteCourse) -> Path:
    course_yaml = (SKELETON / "course.yaml").read_text(encoding="utf-8") + "  moodle:\n    include_scorm: true\n"
    return write_course({"course.yaml": course_yaml})


def build(course_dir: Path, out: Path) -> dict[str, bytes]:
    course, _ = load_or_raise(course_dir)
    (artifact,) = MbzTarget(scorm12=package_of).build(BuildContext(course), out, BuildOptions())
    return unpack(artifact.path.read_bytes())


def test_scorm_activity_holds_the_package(scorm_course: Path, tmp_path: Path) -> None:
    backup = build(scorm_course, tmp_path)
    course, _ = load_or_raise(scorm_course)
    assert MbzTarget(scorm12=package_of).check(course) == []
    manifest = parse(backup["moodle_backup.xml"])
    (activity,) = [
        a for a in manifest.findall("information/contents/activities/activity") if value(a, "modulename") == "scorm"
    ]
    directory = value(activity, "directory")
    general = manifest.find("information/contents/sections/section")
    assert value(activity, "sectionid") == value(general, "sectionid"), "the package sits in section 0"
    for name in ("module", "scorm", "inforef", "grades", "roles", "filters", "comments", "calendar", "xapistate"):
        assert f"{directory}/{name}.xml" in backup
    root = parse(backup[f"{directory}/scorm.xml"])
    scorm = root.find("scorm")
    assert [child.tag for child in scorm] == SCORM_FIELDS
    assert value(scorm, "version") == "SCORM_1.2"
    scoes = scorm.findall("scoes/sco")
    assert [child.tag for child in scoes[0]] == SCO_FIELDS
    assert [(value(s, "identifier"), value(s, "parent"), value(s, "organization")) for s in scoes] == [
        ("org", "/", ""),
        ("item-1", "org", "org"),
    ]
    assert (value(scoes[1], "launch"), value(scoes[1], "scormtype")) == ("index.html", "sco")
    assert value(scorm, "launch") == scoes[1].get("id"), "launch is the id of the first SCO with a file"
    data = {value(d, "name"): value(d, "value") for d in scoes[1].iter("sco_data")}
    assert data["masteryscore"] == "70"

    files = parse(backup["files.xml"]).findall("file")
    context = root.get("contextid")
    mine = [
        (value(f, "filearea"), value(f, "filepath"), value(f, "filename"))
        for f in files
        if value(f, "contextid") == context
    ]
    assert ("content", "/js/", "player.js") in mine
    assert ("content", "/", "imsmanifest.xml") in mine
    assert ("package", "/", f"{course.info.id}-scorm12.zip") in mine
    refs = set(texts(parse(backup[f"{directory}/inforef.xml"]), "fileref/file/id"))
    assert {f.get("id") for f in files if value(f, "contextid") == context} == refs
    item = parse(backup[f"{directory}/grades.xml"]).find("grade_items/grade_item")
    assert (value(item, "itemmodule"), value(item, "grademax"), value(item, "gradepass")) == (
        "scorm",
        "100.00000",
        "70.00000",
    )
    assert value(item, "iteminstance") == root.get("id")


def test_without_the_setting_there_is_no_scorm_activity(tmp_path: Path) -> None:
    course, _ = load_or_raise(SKELETON)
    (artifact,) = MbzTarget(scorm12=package_of).build(BuildContext(course), tmp_path, BuildOptions())
    assert not any(name.startswith("activities/scorm_") for name in unpack(artifact.path.read_bytes()))


def test_unsafe_package_paths_are_refused() -> None:
    course, _ = load_or_raise(SKELETON)
    with pytest.raises(PackageProblem, match=r"\.\./evil\.js: has a '\.\.' part"):
        read_package(scorm_zip(course, {"../evil.js": b"x"}))
    with pytest.raises(PackageProblem, match="not a zip"):
        read_package(b"not a zip")


def test_a_broken_package_is_a_clear_error(scorm_course: Path, tmp_path: Path) -> None:
    from coursebuilder.diagnostics import CourseError

    course, _ = load_or_raise(scorm_course)
    with pytest.raises(CourseError, match=r"course.yaml:\d+: error: settings.moodle.include_scorm: .*no imsmanifest"):
        MbzTarget(scorm12=lambda context: b"PK\x05\x06" + b"\0" * 18).build(
            BuildContext(course), tmp_path, BuildOptions()
        )
    assert not (tmp_path / "moodle").exists()
