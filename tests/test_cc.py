"""The Common Cartridge target: official schemas, packaging rules, and what Moodle and Canvas import.

The schemas are the official IMS CC 1.1 files in `../shared/schemas-ref/cc11/` (see SOURCES.md
there); without them these tests fail rather than skip. What the importers make of the
cartridge comes from `tests/cc_semantics.py`, written from their source.
"""

from __future__ import annotations

import io
import posixpath
import re
import textwrap
import zipfile
from functools import cache
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from coursebuilder.cc import build_cartridge
from coursebuilder.cli import main
from coursebuilder.loader import load_or_raise
from tests.cc_semantics import (
    MoodleImportError,
    canvas_files,
    canvas_modules,
    canvas_questions,
    canvas_quiz_files,
    canvas_resolves,
    moodle_detects_cc11,
    moodle_import,
)
from tests.conftest import EXAMPLE, ROOT, SHARED, WriteCourse

CC11 = SHARED / "schemas-ref" / "cc11"
TYPES = ROOT / "tests" / "courses" / "moodle-types"
CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
NS = {"cp": CP, "q": QTI}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
QTI_TYPES = ("imsqti_xmlv1p2/imscc_xmlv1p1/assessment", "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank")

MORE_TYPES = {
    "course.yaml": """\
        id: cc-more
        title: The other conversions
        shortname: CC/2
        language: en
        summary: Cases the first course does not have.
        authors: [Ana Author, "Budi, Second"]
        license: CC BY-SA 4.0
        keywords: [cartridge]
        lessons: [one, two]
        """,
    "lessons/01-one.md": """\
        ---
        title: One
        ---
        A **widget** is shown here: ![a picture](../assets/pic.png). Next: [two](02-two.md).
        """,
    "lessons/02-two.md": """\
        ---
        title: Two
        ---
        No terms here.
        """,
    "glossary.yaml": """\
        entries:
          - term: widget
            definition: A small thing.
        """,
    "assets/pic.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 16,
    "quiz/one.yaml": """\
        defaults: {lesson: one}
        questions:
          - id: pick-two
            type: multichoice
            single: false
            text: Pick the two even numbers.
            general_feedback: Even numbers end in 0, 2, 4, 6 or 8.
            points: 4
            answers:
              - {text: "2", grade: 50, feedback: Even.}
              - {text: "3", grade: -50, feedback: Odd.}
              - {text: "4", grade: 50}
          - id: tf-true
            type: truefalse
            text: Two is even.
            correct: true
            feedback_true: Yes.
            feedback_false: It is.
          - id: year
            type: numerical
            text: In which year?
            answers:
              - {value: 1967, feedback: Right.}
              - {value: 1968, grade: 0, feedback: One year late.}
              - {value: "*", grade: 0, feedback: No.}
          - id: tolerant
            type: numerical
            text: About how many?
            answers:
              - {value: 10, tolerance: 1}
          - id: wild
            type: shortanswer
            text: Any word with a.
            answers:
              - {text: "*a*"}
          - id: colour
            type: shortanswer
            text: A colour of the flag?
            answers:
              - {text: red, feedback: The top half.}
              - {text: white, feedback: The bottom half.}
          - id: capital
            type: shortanswer
            text: "Capital of France? ![a picture](../assets/pic.png)"
            answers:
              - {text: Paris, feedback: Yes.}
              - {text: paris, feedback: Yes.}
              - {text: London, grade: 0, feedback: That is the UK.}
              - {text: "*", grade: 0, feedback: Try again.}
        """,
}


@cache
def schemas() -> tuple[xmlschema.XMLSchema10, xmlschema.XMLSchema10]:
    """The official CC 1.1 manifest and QTI profile schemas; a missing copy fails the test."""
    manifest = CC11 / "ccv1p1_imscp_v1p2_v1p0.xsd"
    qti = CC11 / "ccv1p1_qtiasiv1p2p1_v1p0.xsd"
    assert manifest.is_file() and qti.is_file(), (
        f"the official Common Cartridge 1.1 schemas are missing from {CC11} (set COURSEBUILDER_SHARED)"
    )
    return xmlschema.XMLSchema10(str(manifest)), xmlschema.XMLSchema10(str(qti))


def cartridge(course_dir: Path) -> dict[str, bytes]:
    course, _ = load_or_raise(course_dir)
    return build_cartridge(course)


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, PARSER)


def qti_files(files: dict[str, bytes]) -> list[str]:
    root = xml(files["imsmanifest.xml"])
    return [
        str(f.get("href"))
        for r in root.iter(f"{{{CP}}}resource")
        if r.get("type") in QTI_TYPES
        for f in r.iter(f"{{{CP}}}file")
    ]


@pytest.fixture(scope="module")
def more(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cc") / "course"
    for rel, text in MORE_TYPES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


COURSES = {"example": EXAMPLE, "types": TYPES}


@pytest.fixture(scope="module", params=["example", "types", "more"])
def built(request: pytest.FixtureRequest, more: Path) -> dict[str, bytes]:
    return cartridge(more if request.param == "more" else COURSES[request.param])


# ------------------------------------------------------------------------------ schemas


def test_manifest_and_every_qti_file_validate_against_the_official_schemas(built: dict[str, bytes]) -> None:
    manifest_xsd, qti_xsd = schemas()
    manifest_xsd.validate(built["imsmanifest.xml"].decode("utf-8"))
    names = qti_files(built)
    assert names
    for name in names:
        qti_xsd.validate(built[name].decode("utf-8"))


def test_the_schemas_reject_what_the_profile_forbids() -> None:
    manifest_xsd, qti_xsd = schemas()
    files = cartridge(EXAMPLE)
    manifest = files["imsmanifest.xml"].decode()
    assert list(manifest_xsd.iter_errors(manifest.replace('type="webcontent"', 'type="webpage"', 1)))
    quiz = files[qti_files(files)[0]].decode()
    assert list(qti_xsd.iter_errors(quiz.replace("<section ", "<sectio ", 1).replace("</section>", "</sectio>", 1)))
    assert list(qti_xsd.iter_errors(quiz.replace('continue="Yes"', 'continue="Maybe"', 1)))


def test_the_manifest_carries_the_course_metadata(more: Path) -> None:
    root = xml(cartridge(more)["imsmanifest.xml"])
    lom = "{http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest}"
    assert root.findtext(f"{{{CP}}}metadata/{{{CP}}}schemaversion") == "1.1.0"
    assert [e.text for e in root.iter(f"{lom}language")] == ["en"]
    assert root.findtext(f".//{lom}general/{lom}title/{lom}string") == "The other conversions"
    assert root.findtext(f".//{lom}general/{lom}description/{lom}string") == "Cases the first course does not have."
    assert [e.findtext(f"{lom}string") for e in root.iter(f"{lom}keyword")] == ["cartridge"]
    entities = [e.text or "" for e in root.iter(f"{lom}entity")]
    assert len(entities) == 2 and "FN:Ana Author" in entities[0] and "FN:Budi\\, Second" in entities[1]
    assert "CC BY-SA 4.0" in (root.findtext(f".//{lom}rights/{lom}description/{lom}string") or "")


# ------------------------------------------------------------------------------ packaging


def test_packaging_rules_hold(built: dict[str, bytes]) -> None:
    """Every file is listed and exists; the profile's rules on resources, items and identifiers."""
    root = xml(built["imsmanifest.xml"])
    resources = {r.get("identifier"): r for r in root.iter(f"{{{CP}}}resource")}
    listed = [str(f.get("href")) for r in resources.values() for f in r.iter(f"{{{CP}}}file")]
    assert sorted(set(listed)) == sorted(name for name in built if name != "imsmanifest.xml")
    assert len(listed) == len(set(listed)), "a file belongs to one resource"
    for name in built:
        assert not name.startswith("/") and ".." not in name.split("/") and "\\" not in name
    ids = [e.get("identifier") for e in root.iter() if e.get("identifier") is not None]
    assert len(ids) == len(set(ids)) and all(NCNAME.match(str(i)) for i in ids)
    banks = [r for r in resources.values() if r.get("type") == QTI_TYPES[1]]
    assert len(banks) <= 1  # rule 4a
    for res in resources.values():
        files = [f.get("href") for f in res.iter(f"{{{CP}}}file")]
        deps = [d.get("identifierref") for d in res.iter(f"{{{CP}}}dependency")]
        assert len(deps) == len(set(deps)) and res.get("identifier") not in deps  # rules 7a, 7b
        assert all(dep in resources for dep in deps)
        if res.get("type") in QTI_TYPES:  # rules 3, 4: one file, no href, no QTI dependency
            assert len(files) == 1 and res.get("href") is None
            assert all(resources[dep].get("type") == "webcontent" for dep in deps)
        if res.get("href") is not None:  # rule 10
            assert res.get("href") in files
    for item in root.iter(f"{{{CP}}}item"):
        ref = item.get("identifierref")
        if ref is not None:
            assert ref in resources and resources[ref].get("type") != QTI_TYPES[1]  # rule 8a
            assert resources[ref].get("type") != "webcontent" or resources[ref].get("href")  # rule 5g
            assert not item.findall(f"{{{CP}}}item")  # rule 8b


def test_every_reference_resolves_inside_the_cartridge(built: dict[str, bytes]) -> None:
    """Pages and question texts refer only to files of the cartridge, by relative paths."""
    pages = [name for name in built if name.endswith(".html")]
    texts: list[tuple[str, str]] = [(name, built[name].decode("utf-8")) for name in pages]
    for name in qti_files(built):
        texts += [(name, m.text or "") for m in xml(built[name]).iter(f"{{{QTI}}}mattext")]
    checked = 0
    for name, html in texts:
        if not html.strip():
            continue
        for element in lxml_html.fromstring(html).iter():
            for attribute in ("src", "href"):
                value = element.get(attribute)
                if not value or value.startswith("#") or re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I):
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), value.split("#", 1)[0]))
                assert target in built, f"{name}: {value} is not in the cartridge"
                checked += 1
    if "assets/pic.png" in built or "assets/a/pic.svg" in built:
        assert checked


def test_identifiers_are_stable_when_the_content_changes(write_course: WriteCourse) -> None:
    files = cartridge(write_course({}, name="first"))
    changed = write_course({}, name="changed")
    quiz = sorted((changed / "quiz").glob("*.yaml"))[0]
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("text: ", "text: Edited. ", 1), encoding="utf-8")
    again = cartridge(changed)

    def idents(data: dict[str, bytes]) -> list[str]:
        root = xml(data["imsmanifest.xml"])
        found = [str(e.get("identifier")) for e in root.iter() if e.get("identifier")]
        for name in qti_files(data):
            found += [str(e.get("ident")) for e in xml(data[name]).iter() if e.get("ident")]
        return found

    assert files != again
    assert idents(files) == idents(again)


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for run in ("one", "two"):
        result = runner.invoke(main, ["build", str(TYPES), "-o", str(tmp_path / run), "-t", "cc", "-q"])
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / run / "moodle-types" / "cc" / "moodle-types.imscc").read_bytes())
    assert outputs[0] == outputs[1]
    with zipfile.ZipFile(io.BytesIO(outputs[0])) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.namelist() == sorted(archive.namelist())
        assert "imsmanifest.xml" in archive.namelist()


# ------------------------------------------------------------------------------ warnings


def test_build_and_validate_warn_about_every_question_left_out_or_changed() -> None:
    runner = CliRunner()
    built = runner.invoke(main, ["build", str(TYPES), "-o", "unused", "-t", "cc", "--strict"])
    assert built.exit_code == 1
    validated = runner.invoke(main, ["validate", str(TYPES), "-t", "cc"])
    assert validated.exit_code == 0
    lines = [line for line in validated.output.splitlines() if "[cc-" in line]
    assert sorted(lines) == sorted(line for line in built.output.splitlines() if "[cc-" in line)
    where = f"{TYPES / 'quiz' / 'types.yaml'}"
    omitted = {re.sub(r".*questions\[(\d)\].*", r"\1", line) for line in lines if line.endswith("[cc-omitted]")}
    # numerical with units, matching, description, cloze, ordering: each with its file and line
    assert omitted == {"3", "4", "6", "7", "8"}
    assert all(re.match(rf"^{re.escape(where)}:\d+: warning: questions\[\d\]\.", line) for line in lines)
    assert f"{where}:66: warning: questions[4].type: left out" in validated.output  # the matching question's line
    assert f"{where}:20: warning: questions[0].answers[1].grade: 50% of the points" in validated.output


def test_plain_validate_of_the_example_stays_quiet_and_cc_is_built_on_request() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["validate", str(EXAMPLE), "--strict"]).exit_code == 0
    assert "cc " in runner.invoke(main, ["targets"]).output
    assert runner.invoke(main, ["validate", str(EXAMPLE), "-t", "nope"]).exit_code == 1


# ------------------------------------------------------------------------------ Moodle's importer


def test_moodle_makes_a_section_per_lesson_with_its_page_and_quiz() -> None:
    course, _ = load_or_raise(EXAMPLE)
    files = build_cartridge(course)
    moodle = moodle_import(files)
    assert moodle.title == course.info.title
    lessons = moodle.sections[: len(course.lessons)]
    assert [title for title, _ in lessons] == [lesson.title for lesson in course.lessons]
    for _, activities in lessons:
        assert [a.kind for a in activities] == ["page", "quiz"]
    glossary_title, glossary = moodle.sections[-1]
    assert glossary_title == course.glossary.name and [a.kind for a in glossary] == ["page"]
    assert len(moodle.banks) == 1
    # the page's picture is a course file Moodle copies, and the page points at it
    assert "assets/lima-prinsip.svg" in moodle.course_files
    pages = "".join(moodle.pages.values())
    assert "$@FILEPHP@$/assets/lima-prinsip.svg" in pages
    assert all(target in moodle.course_files for target in re.findall(r'src="\$@FILEPHP@\$/([^"]+)"', pages))


def test_moodle_keeps_each_question_with_its_points_feedback_and_right_answers(more: Path) -> None:
    course, _ = load_or_raise(more)
    moodle = moodle_import(build_cartridge(course))
    quiz = next(iter(moodle.quizzes.values()))
    by_id = {q.ident: q for q in quiz}
    assert set(by_id) == {"pick-two", "tf-true", "year", "colour", "capital"}  # `tolerant` and `wild` left out
    assert [(a.title, a.feedback) for a in by_id["colour"].answers] == [("red", ""), ("white", "")]
    pick = by_id["pick-two"]
    assert (pick.qtype, pick.cc_type, pick.defaultgrade) == ("multichoice", "cc.multiple_response.v0p1", 4)
    assert [a.score for a in pick.answers] == [0.5, 0.0, 0.5]
    assert pick.general_feedback.strip() == "<p>Even numbers end in 0, 2, 4, 6 or 8.</p>"
    assert [a.feedback.strip() for a in pick.answers] == ["<p>Even.</p>", "<p>Odd.</p>", ""]
    tf = by_id["tf-true"]
    assert [(a.ident, a.score) for a in tf.answers] == [("true", 1.0), ("false", 0.0)]
    assert [a.feedback.strip() for a in tf.answers] == ["<p>Yes.</p>", "<p>It is.</p>"]
    assert not tf.general_feedback
    year = by_id["year"]
    assert year.qtype == "shortanswer"
    # the wrong answers' feedback is left out (with a warning): Canvas would make them right
    assert [(a.title, a.score) for a in year.answers] == [("1967", 1.0)]
    capital = by_id["capital"]
    assert [(a.title, a.score) for a in capital.answers] == [("Paris", 1.0), ("paris", 1.0)]
    assert 'src="$@FILEPHP@$/assets/pic.png"' in capital.text
    assert "assets/pic.png" in moodle.course_files
    bank = moodle.quizzes[moodle.banks[0]]
    assert [q.ident for q in bank] == [q.ident for q in quiz]


def test_moodle_imports_every_question_type_the_profile_holds() -> None:
    moodle = moodle_import(cartridge(TYPES))
    quiz = next(iter(moodle.quizzes.values()))
    assert {q.ident: q.qtype for q in quiz} == {
        "t-multichoice": "multichoice",
        "t-truefalse": "truefalse",
        "t-shortanswer": "shortanswer",
        "t-essay": "essay",
    }
    multichoice = next(q for q in quiz if q.ident == "t-multichoice")
    # the 50% and -33% answers count as wrong (and `build` says so); the right one stays right
    assert [a.score for a in multichoice.answers] == [1.0, 0.0, 0.0]
    assert multichoice.defaultgrade == 2 and multichoice.name == "Multiple choice with every field"
    shortanswer = next(q for q in quiz if q.ident == "t-shortanswer")
    assert [(a.title, a.score) for a in shortanswer.answers] == [("Paris", 1.0)]
    essay = next(q for q in quiz if q.ident == "t-essay")
    assert essay.defaultgrade == 10


def test_moodle_recognises_the_cartridge_only_by_its_default_namespace(built: dict[str, bytes]) -> None:
    assert moodle_detects_cc11(built)
    prefixed = built["imsmanifest.xml"].replace(b"<manifest xmlns=", b"<cp:manifest xmlns:cp=", 1)
    assert not moodle_detects_cc11({**built, "imsmanifest.xml": prefixed})


def test_moodle_would_throw_on_true_false_labels_other_than_true_and_false(more: Path) -> None:
    files = dict(cartridge(more))
    name = next(n for n in qti_files(files) if n.startswith("assessment-"))
    files[name] = files[name].replace(b'ident="true"', b'ident="T"')
    with pytest.raises(MoodleImportError, match="Unknown answer identifier"):
        moodle_import(files)


# ------------------------------------------------------------------------------ Canvas's importer


def test_canvas_makes_a_module_per_lesson_and_finds_every_file(more: Path) -> None:
    files = cartridge(more)
    modules = canvas_modules(files)
    assert [m.title for m in modules] == ["One", "Two", "Glossary"]
    assert [kind for kind, _, _ in modules[0].items] == ["FILE_TYPE", "ASSESSMENT"]
    assert [kind for kind, _, _ in modules[1].items] == ["FILE_TYPE"]
    assert [kind for kind, _, _ in canvas_modules(files, pages_as_wiki=True)[0].items] == ["WIKIPAGE", "ASSESSMENT"]
    quizzes = canvas_quiz_files(files)
    assert quizzes == ["assessment-one.xml", "question-bank.xml"]
    course_files = canvas_files(files)
    assert {"assets/pic.png", "lesson-one.html", "lesson-two.html", "glossary.html"} <= course_files
    images = re.findall(r'src="([^"]+)"', files["lesson-one.html"].decode() + files["assessment-one.xml"].decode())
    assert images and all(canvas_resolves(src, course_files) for src in images)


def test_an_opted_in_lessons_script_is_reported(write_course: WriteCourse) -> None:
    """The cartridge's page keeps what the lesson has; LMS cleaners may drop it, and `cc` says so."""
    from coursebuilder.loader import load_course
    from coursebuilder.targets.cc import CcTarget

    root = write_course(
        {"lessons/01-welcome.md": "---\ntitle: Welcome\nallow_scripts: true\n---\nText.\n\n<script>x()</script>\n"}
    )
    course = load_course(root).course
    assert course is not None
    found = [d for d in CcTarget().check(course) if d.code == "cc-scripts"]
    assert [(d.file, d.line) for d in found] == [("lessons/01-welcome.md", 7)]


def test_canvas_keeps_what_is_right_and_wrong(more: Path) -> None:
    """Every item Canvas reads has the right answers the course has, and only those."""
    expected = {
        "pick-two": ("multiple_answers_question", ["a1", "a3"], 4.0),
        "tf-true": ("multiple_choice_question", ["true"], 1.0),
        "year": ("short_answer_question", ["1967"], 1.0),
        "colour": ("short_answer_question", ["red", "white"], 1.0),
        "capital": ("short_answer_question", ["Paris", "paris"], 1.0),
        "t-multichoice": ("multiple_choice_question", ["a1"], 2.0),
        "t-truefalse": ("multiple_choice_question", ["false"], 1.0),
        "t-shortanswer": ("short_answer_question", ["Paris"], 1.0),
        "t-essay": ("essay_question", [], 10.0),
    }
    found = {}
    for files in (cartridge(more), cartridge(TYPES)):
        for name in qti_files(files):
            for question in canvas_questions(files[name]):
                found[question.ident] = (question.qtype, question.right, question.points)
    assert found == expected


def test_wrong_answers_feedback_left_out_is_reported(more: Path) -> None:
    from coursebuilder.targets.cc import CcTarget

    course, _ = load_or_raise(more)
    fields = {d.field for d in CcTarget().check(course) if d.code == "cc-partial"}
    assert fields == {
        "questions[2].answers[1].feedback",
        "questions[5].answers[0].feedback",
        "questions[6].answers[2].feedback",
    }


def test_every_qti_reference_resolves_within_its_item(built: dict[str, bytes]) -> None:
    """Items are unique in their file; feedback links and compared choices name what exists."""
    for name in qti_files(built):
        items = list(xml(built[name]).iter(f"{{{QTI}}}item"))
        idents = [item.get("ident") for item in items]
        assert len(idents) == len(set(idents)), name
        for item in items:
            labels = [label.get("ident") for label in item.iter(f"{{{QTI}}}response_label")]
            feedback = [f.get("ident") for f in item.iter(f"{{{QTI}}}itemfeedback")]
            assert len(labels) == len(set(labels)) and len(feedback) == len(set(feedback))
            links = [d.get("linkrefid") for d in item.iter(f"{{{QTI}}}displayfeedback")]
            assert sorted(links) == sorted(feedback), item.get("ident")  # each used once, none missing
            responses = {r.get("ident") for r in item.iter(f"{{{QTI}}}response_lid", f"{{{QTI}}}response_str")}
            for equal in item.iter(f"{{{QTI}}}varequal"):
                assert equal.get("respident") in responses
                if item.find(f".//{{{QTI}}}response_lid") is not None:
                    assert equal.text in labels


def test_lessons_are_the_scorm_pages_text_with_terms_linked_to_the_glossary_page() -> None:
    """Each lesson page holds the SCORM page's lesson body; its term links reach the glossary entries."""
    from coursebuilder.scorm.package import build_package

    course, _ = load_or_raise(EXAMPLE)
    files = build_cartridge(course)
    scorm = lxml_html.fromstring(build_package(course, "1.2", "single")["index.html"])
    glossary = lxml_html.fromstring(files["glossary.html"])
    anchors = {element.get("id") for element in glossary.iter() if element.get("id")}
    assert len(anchors) == len(course.glossary.entries)
    linked = 0
    for lesson in course.lessons:
        page = lxml_html.fromstring(files[f"lesson-{lesson.id}.html"])
        section = scorm.get_element_by_id(f"l-{lesson.id}").find_class("body")[0]
        expected = " ".join(section.text_content().split())
        assert expected and expected in " ".join(page.text_content().split())
        for link in page.find_class("gloss"):
            target, _, anchor = link.get("href").partition("#")
            assert target == "glossary.html" and anchor in anchors
            linked += 1
        assert not page.xpath("//script")
    assert linked >= len(course.lessons)


def test_a_warning_on_an_answer_names_its_line_whatever_was_checked_before() -> None:
    """The skeleton's `practice-short` accepts "Markdown*" (quiz/practice.yaml, line 17; the
    question starts on line 13), which the cartridge cannot carry: its warning names line 17,
    whether or not another check asked for the question's lines first (the file is read on the
    fast path, without them)."""
    from coursebuilder.cc.checks import check_cartridge
    from coursebuilder.exchange.checks import check_course as check_moodle
    from coursebuilder.loader import load_course
    from tests.conftest import SKELETON

    def wildcard_lines(ask_moodle_first: bool) -> list[int]:
        course = load_course(SKELETON).course
        assert course is not None
        if ask_moodle_first:
            check_moodle(course)
        found = check_cartridge(course)
        return [d.line for d in found if d.field == "questions[1].answers[0].text" and d.file == "quiz/practice.yaml"]

    lines = (SKELETON / "quiz" / "practice.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[12].strip() == "- id: practice-short" and lines[16].strip() == '- {text: "Markdown*", grade: 100}'
    assert wildcard_lines(ask_moodle_first=False) == [17]
    assert wildcard_lines(ask_moodle_first=True) == [17]
