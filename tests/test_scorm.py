"""SCORM packages: manifests valid against the official schemas, complete, reproducible, small."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from coursebuilder.build import build_course
from coursebuilder.cc import build_cartridge
from coursebuilder.cc.package import lesson_page as cartridge_lesson_page
from coursebuilder.cli import main
from coursebuilder.diagnostics import CourseError
from coursebuilder.loader import load_or_raise
from coursebuilder.model import GlossaryEntry, final_questions
from coursebuilder.output import ZIP_EPOCH
from coursebuilder.scorm import build_package, runtime_size
from coursebuilder.scorm.html import GlossaryLinker, inner_html
from coursebuilder.scorm.i18n import Messages, catalogue, languages
from coursebuilder.scorm.manifest import SCHEMAS12, SCHEMAS2004
from coursebuilder.scorm.package import SharedContent, lesson_page, lesson_section, package_files
from coursebuilder.targets import BuildOptions, all_targets
from tests.conftest import EXAMPLE, ROOT, SHARED, SKELETON, require_reference
from tests.scorm_courses import TRACKED, big_course, write

XSD = ROOT / "coursebuilder" / "static" / "xsd"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
VERSIONS = ["1.2", "2004"]
STRUCTURES = ["single", "multi"]
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@cache
def schema(version: str) -> xmlschema.XMLSchema10:
    """The official schemas as shipped in the package data, loaded with xmlschema (see SOURCES.md)."""
    folder, pairs = (XSD / "scorm12", SCHEMAS12) if version == "1.2" else (XSD / "scorm2004", SCHEMAS2004)
    main_file = pairs[0][1]
    loaded = xmlschema.XMLSchema10(
        str(folder / main_file), validation="lax", locations=[(ns, str(folder / loc)) for ns, loc in pairs[1:]]
    )
    # The one known problem: IMS's ims_xml.xsd binds the xml: namespace, which XML forbids;
    # xmlschema then uses its own copy of the W3C xml.xsd (SOURCES.md).
    problems = [str(e) for e in loaded.all_errors if "XML/1998/namespace" not in str(e)]
    assert not problems, problems
    assert {ns for ns, _ in pairs} <= set(loaded.maps.namespaces)
    return loaded


def files_of(course_dir: Path, version: str, structure: str) -> dict[str, bytes]:
    course, _ = load_or_raise(course_dir)
    return build_package(course, version, structure)  # type: ignore[arg-type]


def manifest(files: dict[str, bytes]) -> etree._Element:
    return etree.fromstring(files["imsmanifest.xml"], PARSER)


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


@pytest.fixture(scope="module")
def courses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example course, the scaffold, and generated courses with what packages must cope with."""
    base = tmp_path_factory.mktemp("courses")
    no_quiz = {
        "course.yaml": "id: 9-no-quiz\ntitle: No quiz\nshortname: NOQ\nlanguage: id\nlessons: [only]\n",
        "lessons/only.md": "---\ntitle: Satu-satunya\n---\n\nTeks.\n",
    }
    return {
        "example": EXAMPLE,
        "skeleton": SKELETON,
        "tracked": write(base / "tracked", TRACKED),
        "big": write(base / "big", big_course(60, 12)),
        "no-quiz": write(base / "no-quiz", no_quiz),
    }


COURSES = ["example", "skeleton", "tracked", "big", "no-quiz"]


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", COURSES)
def test_manifest_is_valid_and_lists_every_file(
    courses: dict[str, Path], name: str, version: str, structure: str
) -> None:
    files = files_of(courses[name], version, structure)
    text = files["imsmanifest.xml"].decode("utf-8")
    errors = [str(e).splitlines()[0] for e in schema(version).iter_errors(text)]
    assert not errors, errors
    root = manifest(files)
    # Every file of the zip is in a resource, and every file a resource names is in the zip.
    listed = [f.get("href") for f in root.iter("{*}file")]
    assert len(listed) == len(set(listed)), "a file is listed once"
    assert set(listed) == set(files) - {"imsmanifest.xml"}
    for resource in root.iter("{*}resource"):
        href = resource.get("href")
        if href is not None:
            assert href in [f.get("href") for f in resource.iter("{*}file")], "the launch file is in its resource"
    # Identifiers: valid XML ids, unique, references resolve.
    ids = [e.get("identifier") for e in root.iter() if e.get("identifier") is not None]
    assert len(ids) == len(set(ids))
    assert all(NCNAME.match(i) for i in ids), ids
    organizations = root.find("{*}organizations")
    assert organizations is not None
    assert organizations.get("default") in [o.get("identifier") for o in organizations]
    resources = {r.get("identifier") for r in root.iter("{*}resource")}
    for element in root.iter("{*}item", "{*}dependency"):
        if element.get("identifierref") is not None:
            assert element.get("identifierref") in resources
    # Version-specific spelling and shape.
    scos = [r for r in root.iter("{*}resource") if r.get("href")]
    attribute = "scormtype" if version == "1.2" else "scormType"
    wrong = "scormType" if version == "1.2" else "scormtype"
    for resource in root.iter("{*}resource"):
        names = [etree.QName(a).localname for a in resource.attrib]
        assert attribute in names and wrong not in names
    assert all(r.get(f"{{{root.nsmap['adlcp']}}}{attribute}") == "sco" for r in scos)
    schema_version = root.find("{*}metadata/{*}schemaversion")
    assert schema_version is not None
    assert schema_version.text == ("1.2" if version == "1.2" else "2004 4th Edition")


@pytest.mark.parametrize("version", VERSIONS)
def test_invalid_manifest_is_caught(courses: dict[str, Path], version: str) -> None:
    """The validation above can fail: a misplaced element is reported."""
    text = files_of(courses["tracked"], version, "single")["imsmanifest.xml"].decode()
    broken = text.replace("<title>Tracking course</title>", "<titel>Tracking course</titel>", 1)
    assert list(schema(version).iter_errors(broken))


@pytest.mark.parametrize("version", VERSIONS)
def test_schema_files_are_the_official_ones_and_all_that_is_referenced(courses: dict[str, Path], version: str) -> None:
    files = files_of(courses["tracked"], version, "single")
    shipped = {name: data for name, data in files.items() if name.endswith((".xsd", ".dtd"))}
    official = require_reference(SHARED / "schemas-ref" / ("scorm12" if version == "1.2" else "scorm2004_4th"))
    for name, data in shipped.items():
        assert (official / name).read_bytes() == data, f"{name} differs from the official file"
    # Closure of what the manifest references: xsi:schemaLocation, then each schema's
    # include/import locations and DOCTYPE system ids, followed from file to file.
    root = manifest(files)
    todo = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", "").split()[1::2]
    if version == "2004":
        todo.append("xml.xsd")  # imported by imscp_v1p1.xsd through its W3C address; shipped for offline use
    needed: set[str] = set()
    while todo:
        name = todo.pop()
        if name in needed or name.startswith("http"):
            continue
        needed.add(name)
        assert name in shipped, f"{name} is referenced but not in the package"
        text = shipped[name].decode("utf-8")
        base = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        for ref in re.findall(r'schemaLocation\s*=\s*"([^"]+)"', re.sub(r"<!--.*?-->", "", text, flags=re.S)):
            todo.append(ref if ref.startswith("http") else _join(base, ref))
        for ref in re.findall(r'<!DOCTYPE[^>]*"([^"]+\.dtd)"', text):
            todo.append(_join(base, ref))
        for ref in re.findall(r"""<!ENTITY\s+%\s+[\w-]+\s+PUBLIC\s+['"][^'"]*['"]\s+['"]([^'"]+\.dtd)['"]""", text):
            todo.append(_join(base, ref))
    assert needed == set(shipped)


def _join(base: str, ref: str) -> str:
    parts: list[str] = []
    for part in (base + ref).split("/"):
        if part == "..":
            parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)


def test_manifest_content_12(courses: dict[str, Path]) -> None:
    files = files_of(courses["tracked"], "1.2", "multi")
    root = manifest(files)
    ns = {"cp": root.nsmap[None], "adlcp": root.nsmap["adlcp"], "md": root.nsmap["imsmd"]}
    assert root.get("identifier") == "MANIFEST-track-course" and root.get("version") == "2.1"
    items = root.findall(".//cp:item", ns)
    assert [i.get("identifier") for i in items] == ["ITEM-L-intro", "ITEM-L-details", "ITEM-QUIZ"]
    assert [i.findtext("cp:title", namespaces=ns) for i in items] == ["Introduction", "Details", "Final quiz"]
    assert [i.findtext("adlcp:masteryscore", namespaces=ns) for i in items] == [None, None, "70"]
    general = root.find(".//md:general", ns)
    assert general is not None
    assert general.findtext("md:title/md:langstring", namespaces=ns) == "Tracking course"
    assert (
        general.findtext("md:description/md:langstring", namespaces=ns)
        == "A course that exercises every question type."
    )
    assert general.findtext("md:language", namespaces=ns) == "en"
    assert [k.text for k in general.findall("md:keyword/md:langstring", ns)] == ["scorm", "testing"]
    assert root.findtext(".//md:lifecycle/md:version/md:langstring", namespaces=ns) == "2.1"
    # No quiz, no mastery score: Moodle would otherwise turn "completed" into "failed".
    single = manifest(files_of(courses["no-quiz"], "1.2", "single"))
    assert not single.findall(".//adlcp:masteryscore", ns)
    assert [i.get("identifier") for i in single.iter("{*}item")] == ["ITEM-9-no-quiz"]


def test_manifest_content_2004(courses: dict[str, Path]) -> None:
    root = manifest(files_of(courses["tracked"], "2004", "multi"))
    ns = {"cp": root.nsmap[None], "ss": root.nsmap["imsss"], "seq": root.nsmap["adlseq"], "lom": root.nsmap["lom"]}
    organization = root.find(".//cp:organization", ns)
    assert organization is not None
    assert organization.get(f"{{{ns['seq']}}}objectivesGlobalToSystem") == "false"
    control = organization.find("ss:sequencing/ss:controlMode", ns)
    assert control is not None and control.get("flow") == "true"
    items = organization.findall("cp:item", ns)
    for item in items:
        delivery = item.find("ss:sequencing/ss:deliveryControls", ns)
        assert delivery is not None
        assert delivery.get("completionSetByContent") == "true" and delivery.get("objectiveSetByContent") == "true"
    quiz = items[-1].find("ss:sequencing/ss:objectives/ss:primaryObjective", ns)
    assert quiz is not None and quiz.get("satisfiedByMeasure") == "true"
    assert quiz.findtext("ss:minNormalizedMeasure", namespaces=ns) == "0.7"
    for lesson in items[:-1]:
        assert lesson.find("ss:sequencing/ss:objectives", ns) is None
        rollup = lesson.find("ss:sequencing/ss:rollupRules", ns)
        assert rollup is not None and rollup.get("rollupObjectiveSatisfied") == "false"
    assert root.findtext(".//lom:general/lom:title/lom:string", namespaces=ns) == "Tracking course"
    entity = root.findtext(".//lom:contribute/lom:entity", namespaces=ns)
    assert entity is not None and "FN:Ada Lovelace" in entity
    rights = root.findtext(".//lom:rights/lom:description/lom:string", namespaces=ns)
    assert rights is not None and "CC BY 4.0" in rights and "A source article" in rights


@pytest.mark.parametrize("version", VERSIONS)
def test_packages_are_reproducible(courses: dict[str, Path], tmp_path: Path, version: str) -> None:
    target = "scorm12" if version == "1.2" else "scorm2004"
    first, _ = build_course(courses["tracked"], tmp_path / "a", [target])
    second, _ = build_course(courses["tracked"], tmp_path / "b", [target])
    assert first[0].path.read_bytes() == second[0].path.read_bytes()
    assert first[0].path.relative_to(tmp_path / "a") == Path(f"track-course/scorm/track-course-{target}.zip")
    again, _ = build_course(courses["tracked"], tmp_path / "a", [target])
    assert not again[0].changed, "an unchanged package is not rewritten"
    with zipfile.ZipFile(first[0].path) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {ZIP_EPOCH}
        assert "imsmanifest.xml" in archive.namelist()
        assert not [i.filename for i in infos if i.filename.startswith("/") or ".." in i.filename.split("/")]


def test_identifiers_come_from_ids_not_from_content(courses: dict[str, Path], tmp_path: Path) -> None:
    changed = dict(TRACKED)
    changed["lessons/02-details.md"] = changed["lessons/02-details.md"].replace("Details", "More details")
    other = write(tmp_path / "changed", changed)

    def identifiers(folder: Path) -> list[str]:
        root = manifest(files_of(folder, "2004", "multi"))
        return [e.get("identifier") or "" for e in root.iter() if e.get("identifier")]

    assert identifiers(courses["tracked"]) == identifiers(other)


def test_runtime_is_small_and_shipped_once(courses: dict[str, Path]) -> None:
    assert runtime_size() < 30_000, f"the player is {runtime_size()} bytes"
    files = files_of(courses["tracked"], "1.2", "multi")
    runtime = [name for name in files if name.endswith((".js", ".css"))]
    assert sorted(runtime) == ["player.css", "player.js"]
    assert sum(len(files[name]) for name in runtime) == runtime_size()
    script = files["player.js"].decode()
    assert "eval(" not in script and "new Function" not in script and "XMLHttpRequest" not in script
    assert "fetch(" not in script


@pytest.mark.parametrize("structure", STRUCTURES)
def test_pages_are_self_contained(courses: dict[str, Path], structure: str) -> None:
    files = files_of(courses["tracked"], "2004", structure)
    pages = sorted(name for name in files if name.endswith(".html"))
    assert pages == (
        ["index.html"] if structure == "single" else ["lesson-details.html", "lesson-intro.html", "quiz.html"]
    )
    for name in pages:
        doc = lxml_html.document_fromstring(files[name])
        csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
        assert len(csp) == 1
        rules = dict(rule.strip().split(" ", 1) for rule in csp[0].split(";"))
        assert rules["default-src"] == "'self'" and rules["script-src"] == "'self'" and rules["connect-src"] == "'none'"
        assert "unsafe-eval" not in csp[0]
        for element, attribute in (("script", "src"), ("link", "href"), ("img", "src")):
            for value in doc.xpath(f"//{element}/@{attribute}"):
                assert value in files, f"{name}: <{element}> {value} is not in the package"
        assert not doc.xpath("//script[not(@src) and not(@type='application/json')]"), "no inline script"
        assert not doc.xpath("//@*[starts-with(name(), 'on')]"), "no event attributes"
        for href in doc.xpath("//a/@href"):
            assert href.startswith(("#", "https://example.org")), href
        assert doc.get("lang") == "en"


def test_each_lesson_page_shows_its_own_lesson(courses: dict[str, Path]) -> None:
    course, _ = load_or_raise(courses["big"])
    files = build_package(course, "1.2", "multi")
    for lesson in course.lessons:
        doc = lxml_html.document_fromstring(files[lesson_page(lesson)])
        shown = [section.get("id") for section in doc.xpath("//main/section")]
        assert lesson_section(lesson) in shown
        assert not {lesson_section(other) for other in course.lessons if other is not lesson} & set(shown)


@pytest.mark.parametrize("structure", STRUCTURES)
def test_both_versions_from_shared_content_equal_each_built_alone(courses: dict[str, Path], structure: str) -> None:
    """The pages' sections are made once for both versions (`SharedContent.sections_html`):
    each version's files are those of a package built sharing nothing."""
    course, _ = load_or_raise(courses["tracked"])
    shared = SharedContent(course, structure)  # type: ignore[arg-type]
    first, second = package_files(shared, "2004"), package_files(shared, "1.2")
    assert first == build_package(course, "2004", structure)  # type: ignore[arg-type]
    assert second == build_package(course, "1.2", structure)  # type: ignore[arg-type]
    assert first["imsmanifest.xml"] != second["imsmanifest.xml"]


def test_assets_are_copied_once(courses: dict[str, Path], tmp_path: Path) -> None:
    course = dict(TRACKED)
    course["lessons/02-details.md"] += "\n![again](../assets/flow.svg)\n"
    files = files_of(write(tmp_path / "c", course), "1.2", "single")
    assert [name for name in files if name.endswith(".svg")] == ["assets/flow.svg"]
    assert files["index.html"].count(b'src="assets/flow.svg"') == 2


def test_course_file_with_a_package_name_is_an_error(tmp_path: Path) -> None:
    course = dict(TRACKED)
    course["player.js"] = "// an author's file\n"
    course["lessons/02-details.md"] += "\n[script](../player.js)\n"
    loaded, _ = load_or_raise(write(tmp_path / "c", course))
    with pytest.raises(CourseError) as caught:
        build_package(loaded, "1.2", "single")
    assert "player.js" in caught.value.diagnostics[0].file


def test_final_quiz_all_takes_scorable_questions_in_lesson_order() -> None:
    course, _ = load_or_raise(SKELETON)
    questions = final_questions(course)
    assert [q.id for q in questions] == [
        "welcome-mc",
        "welcome-tf",
        "practice-multi",
        "practice-short",
        "practice-number",
        "practice-units",
        "practice-match",
        "practice-cloze",
        "practice-order",
    ]


def test_essay_and_description_are_shown_not_scored(courses: dict[str, Path]) -> None:
    files = files_of(courses["tracked"], "1.2", "single")
    doc = lxml_html.document_fromstring(files["index.html"])
    essay = doc.get_element_by_id("q-q-essay")
    assert essay.xpath(".//textarea") and not essay.xpath(".//*[@class='qfb']")
    assert "Not scored" in essay.text_content()
    data = json.loads(doc.get_element_by_id("cb-data").text)
    kinds = {q["id"]: q for q in data["quiz"]["q"]}
    assert "it" not in kinds["q-essay"] and "it" not in kinds["q-note"]
    assert kinds["q-essay"]["w"] == 0 and kinds["q-note"]["w"] == 0
    assert doc.xpath("//p[contains(., '8 questions. You pass with 70% or more.')]")


# ------------------------------------------------------------------ targets and the command line


def test_targets_are_registered_and_follow_course_settings(tmp_path: Path) -> None:
    targets = all_targets()
    assert {"scorm12", "scorm2004"} <= set(targets)
    course = dict(TRACKED)
    course["course.yaml"] += "  scorm:\n    versions: ['1.2']\n    structure: multi\n"
    folder = write(tmp_path / "c", course)
    loaded, _ = load_or_raise(folder)
    assert targets["scorm12"].enabled(loaded) and not targets["scorm2004"].enabled(loaded)
    artifacts, _ = build_course(folder, tmp_path / "dist")
    scorm = [a.path.name for a in artifacts if a.path.parent.name == "scorm"]
    assert scorm == ["track-course-scorm12.zip"]
    with zipfile.ZipFile(tmp_path / "dist" / "track-course" / "scorm" / "track-course-scorm12.zip") as archive:
        assert "lesson-intro.html" in archive.namelist(), "course.yaml asks for one SCO per lesson"
    artifacts, _ = build_course(folder, tmp_path / "dist2", ["scorm12"], BuildOptions(scorm_structure="single"))
    with zipfile.ZipFile(artifacts[0].path) as archive:
        assert "index.html" in archive.namelist() and "lesson-intro.html" not in archive.namelist()


def test_cli_structure_option(tmp_path: Path) -> None:
    folder = write(tmp_path / "c", TRACKED)
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(tmp_path / "dist"), "--structure", "multi"])
    assert result.exit_code == 0, result.output
    for suffix in ("scorm12", "scorm2004"):
        path = tmp_path / "dist" / "track-course" / "scorm" / f"track-course-{suffix}.zip"
        assert str(path) in result.output
        with zipfile.ZipFile(path) as archive:
            assert {"lesson-intro.html", "lesson-details.html", "quiz.html"} <= set(archive.namelist())


# ------------------------------------------------------------------ messages


def test_every_catalogue_has_the_same_messages() -> None:
    english = catalogue("en")
    assert {"en", "id"} <= set(languages())
    for code in languages():
        table = catalogue(code)
        assert set(table) == set(english), code
        for key, text in table.items():
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", english[key])), (code, key)


def test_language_chooses_the_catalogue(courses: dict[str, Path]) -> None:
    assert Messages("en-GB")("next") == "Next"
    assert Messages("fr")("next") == "Next", "a language without a catalogue falls back to English"
    assert Messages("id")("lesson_n", n=1, total=3) == "Pelajaran 1 dari 3"
    files = files_of(courses["no-quiz"], "1.2", "single")
    doc = lxml_html.document_fromstring(files["index.html"])
    assert doc.get("lang") == "id"
    assert doc.xpath("//a[@class='skip']/text()") == ["Langsung ke isi"]
    data = json.loads(doc.get_element_by_id("cb-data").text)
    assert data["msg"]["no_lms"] == catalogue("id")["no_lms"]


# ------------------------------------------------------------------ glossary links


def _link(html: str, *entries: GlossaryEntry) -> str:
    holder = lxml_html.fragment_fromstring(html, create_parent="div")
    GlossaryLinker([(f"g-{n}", e) for n, e in enumerate(entries)]).link(holder, "Glossary")
    return inner_html(holder)


def _entry(**fields: Any) -> GlossaryEntry:
    return GlossaryEntry(definition="d", **fields)


def test_glossary_links_follow_each_entrys_flags() -> None:
    api = _entry(term="API", case_sensitive=True)
    assert _link("<p>An API, an api, APIs.</p>", api) == (
        '<p>An <a class="gloss" href="#g-0" title="Glossary">API</a>, an api, APIs.</p>'
    )
    loose = _entry(term="learn", full_match=False)
    assert _link("<p>Learning.</p>", loose) == '<p><a class="gloss" href="#g-0" title="Glossary">Learn</a>ing.</p>'
    assert _link("<p>lesson</p>", _entry(term="lesson", auto_link=False)) == "<p>lesson</p>"
    alias = _entry(term="learning record", aliases=["record"])
    assert _link("<p>A learning\nrecord, a record.</p>", alias) == (
        '<p>A <a class="gloss" href="#g-0" title="Glossary">learning\nrecord</a>, '
        'a <a class="gloss" href="#g-0" title="Glossary">record</a>.</p>'
    )


def test_glossary_links_skip_headings_links_and_code() -> None:
    term = _entry(term="API")
    html = (
        "<h2>API</h2><p><a href='x'>API</a> <code>API</code> <em>API</em> tail API</p>"
        "<pre>API</pre><span class='nolink'>API</span>"
    )
    linked = _link(html, term)
    assert linked.count('class="gloss"') == 2
    assert "<h2>API</h2>" in linked and "<code>API</code>" in linked and "<pre>API</pre>" in linked
    assert '<em><a class="gloss" href="#g-0" title="Glossary">API</a></em>' in linked


def test_example_course_builds_both_versions(tmp_path: Path) -> None:
    artifacts, _ = build_course(EXAMPLE, tmp_path)
    names = {a.path.name for a in artifacts if a.path.parent.name == "scorm"}
    course, _ = load_or_raise(EXAMPLE)
    wanted = {"1.2": "scorm12", "2004": "scorm2004"}
    assert names == {f"{course.info.id}-{wanted[v]}.zip" for v in course.info.settings.scorm.versions}
    for artifact in artifacts:
        if artifact.path.parent.name != "scorm":
            continue
        with zipfile.ZipFile(io.BytesIO(artifact.path.read_bytes())) as archive:
            assert archive.testzip() is None


def test_course_backup_carries_this_scorm_12_package(tmp_path: Path) -> None:
    """`settings.moodle.include_scorm` puts the package built here into the Moodle backup."""
    import hashlib

    from tests.mbz_util import parse, unpack

    course = dict(TRACKED)
    course["course.yaml"] += "  moodle:\n    include_scorm: true\n"
    artifacts, warnings = build_course(write(tmp_path / "c", course), tmp_path / "dist", ["scorm12", "mbz"])
    assert not [w for w in warnings if w.code == "mbz-scorm"]
    package = next(a.path for a in artifacts if a.path.suffix == ".zip").read_bytes()
    backup = unpack(next(a.path for a in artifacts if a.path.suffix == ".mbz").read_bytes())
    digest = hashlib.sha1(package).hexdigest()
    assert f"files/{digest[:2]}/{digest}" in backup, "the zip itself is kept for Moodle's SCORM activity"
    scorm_xml = next(name for name in backup if name.startswith("activities/scorm_") and name.endswith("/scorm.xml"))
    scoes = parse(backup[scorm_xml]).findall(".//sco")
    launches = {s.findtext("identifier"): s.findtext("launch") for s in scoes}
    assert launches["ITEM-track-course"] == "index.html"


def test_a_quiz_too_long_to_resume_in_scorm_12_is_reported(courses: dict[str, Path], tmp_path: Path) -> None:
    long, _ = load_or_raise(write(tmp_path / "long", big_course(700, 10)))
    targets = all_targets()
    diags = targets["scorm12"].check(long)
    assert [(d.code, d.severity.value, d.field) for d in diags] == [("scorm-size", "warning", "final_quiz.questions")]
    assert "700 questions" in diags[0].message
    assert targets["scorm2004"].check(long) == []
    tracked, _ = load_or_raise(courses["tracked"])
    assert targets["scorm12"].check(tracked) == []


@pytest.mark.parametrize(
    "link", ["../lessons/02-practice.md", "../assets/readings/02-practice.md", "../assets/practice.md"]
)
def test_a_link_to_a_lesson_by_any_path_goes_to_its_page(tmp_path: Path, link: str) -> None:
    """Through a linked folder or a linked file too, a link to a lesson goes to the lesson in
    the package (its section, in a single SCO) and the package carries no lesson source."""
    course = tmp_path / "course"
    shutil.copytree(SKELETON, course)
    (course / "assets" / "readings").symlink_to("../lessons", target_is_directory=True)
    (course / "assets" / "practice.md").symlink_to("../lessons/02-practice.md")
    quiz = course / "quiz" / "welcome.yaml"
    quiz.write_text(quiz.read_text().replace("text: Lessons are written in Markdown.", f'text: "See [it]({link})."'))
    files = files_of(course, "1.2", "single")
    assert not [name for name in files if name.endswith(".md")]
    loaded, _ = load_or_raise(course)
    practice = next(lesson for lesson in loaded.lessons if lesson.path == "lessons/02-practice.md")
    assert f'See <a href="#{lesson_section(practice)}">it</a>.' in files["index.html"].decode()
    cartridge = build_cartridge(loaded)
    assert not [name for name in cartridge if name.endswith(".md")]
    assessment = cartridge["assessment-welcome.xml"].decode()
    assert f'See &lt;a href="{cartridge_lesson_page(practice)}"&gt;it&lt;/a&gt;.' in assessment
