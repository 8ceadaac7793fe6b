"""The moodle target: what it writes, that it writes it the same way twice, and what it refuses."""

from __future__ import annotations

import base64
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from coursebuilder.build import build_course
from coursebuilder.diagnostics import CourseError
from coursebuilder.exchange.bank import category_path, split_category_path
from coursebuilder.exchange.text import Renderer, safe_file_name, set_text
from coursebuilder.loader import load_or_raise
from coursebuilder.moodle.numbers import number
from coursebuilder.targets import all_targets
from tests.conftest import EXAMPLE, SKELETON, WriteCourse
from tests.moodle_semantics import xml_stored_texts, xmlize
from tests.moodle_util import PLUGINFILE_REF, build_moodle
from tests.test_moodle_roundtrip import AWKWARD, TYPES
from tests.test_target_cache import LINKS
from tests.test_target_cache import set_text as set_quiz_text

OUTPUTS = ("questions.xml", "glossary.xml", "questions.gift.txt")


def _questions(folder: Path) -> list[etree._Element]:
    root = etree.parse(str(folder / "questions.xml")).getroot()
    return [q for q in root.iter("question") if q.get("type") != "category"]


def test_example_course_files_hold_every_question_and_entry(tmp_path: Path) -> None:
    course, folder = build_moodle(EXAMPLE, tmp_path)
    assert sorted(path.name for path in folder.iterdir() if path.suffix in (".xml", ".txt")) == sorted(OUTPUTS)
    questions = _questions(folder)
    assert len(questions) == len(course.questions) == 38
    assert Counter(q.get("type") for q in questions) == Counter(q.type for q in course.questions)
    assert [q.findtext("idnumber") for q in questions] == [q.id for q in course.questions]
    glossary = etree.parse(str(folder / "glossary.xml")).getroot()
    assert len(glossary.findall("INFO/ENTRIES/ENTRY")) == len(course.glossary.entries) == 30
    assert [e.findtext("CONCEPT") for e in glossary.findall("INFO/ENTRIES/ENTRY")] == [
        entry.term for entry in course.glossary.entries
    ]


def test_skeleton_course_counts(tmp_path: Path) -> None:
    course, folder = build_moodle(SKELETON, tmp_path)
    assert len(_questions(folder)) == len(course.questions) == 11
    categories = etree.parse(str(folder / "questions.xml")).getroot().findall("question[@type='category']")
    assert [c.findtext("category/text") for c in categories] == [
        "$course$/top/MYCOURSE",
        "$course$/top/MYCOURSE/Welcome",
        "$course$/top/MYCOURSE/Practice",
    ]
    assert len(etree.parse(str(folder / "glossary.xml")).getroot().findall("INFO/ENTRIES/ENTRY")) == 2


@pytest.mark.parametrize("course_dir", [EXAMPLE, AWKWARD], ids=["example", "awkward"])
def test_build_is_byte_for_byte_reproducible(course_dir: Path, tmp_path: Path) -> None:
    _, first = build_moodle(course_dir, tmp_path / "one")
    _, second = build_moodle(course_dir, tmp_path / "two")
    for name in OUTPUTS:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    artifacts, _ = build_course(course_dir, tmp_path / "one", ["moodle"])
    assert [artifact.changed for artifact in artifacts] == [False, False, False]


def test_every_image_is_embedded_in_the_field_that_shows_it(tmp_path: Path) -> None:
    """Each `@@PLUGINFILE@@/…` of a field has its `<file>` in that same field, and no field carries
    a file it does not reference; the bytes are the course file's."""
    course, folder = build_moodle(TYPES, tmp_path)
    pic = (Path(course.root) / "assets" / "a" / "pic.svg").read_bytes()
    other = (Path(course.root) / "assets" / "b" / "pic.svg").read_bytes()
    fields = 0
    for field in etree.parse(str(folder / "questions.xml")).getroot().iter():
        text = field.find("text")
        if text is None or field.tag == "name":
            continue
        files = {f.get("path", "") + f.get("name", ""): base64.b64decode(f.text or "") for f in field.findall("file")}
        referenced = set(PLUGINFILE_REF.findall(text.text or ""))
        assert referenced == set(files), (field.tag, text.text)
        for path, data in files.items():
            assert data == (other if path == "/pic.svg" and 'alt="raw"' in (text.text or "") else pic)
        fields += bool(files)
    assert fields == 4  # multichoice text, its first answer's feedback, essay grader info, description
    glossary = etree.parse(str(folder / "glossary.xml")).getroot()
    entry = glossary.find("INFO/ENTRIES/ENTRY")
    assert entry is not None
    names = {f.findtext("FILEPATH", "") + f.findtext("FILENAME", "") for f in entry.findall("ENTRYFILES/FILE")}
    assert names == set(PLUGINFILE_REF.findall(entry.findtext("DEFINITION", ""))) == {"/pic.svg", "/assets/b/pic.svg"}
    intro = {f.findtext("FILEPATH", "") + f.findtext("FILENAME", "") for f in glossary.findall("INFO/INTROFILES/FILE")}
    assert intro == set(PLUGINFILE_REF.findall(glossary.findtext("INFO/INTRO", ""))) == {"/pic.svg"}


def test_each_asset_is_encoded_once_per_build(tmp_path: Path) -> None:
    course, _ = load_or_raise(TYPES)
    renderer = Renderer(course.root)
    first = renderer.markdown("![a](../assets/a/pic.svg)", "quiz/types.yaml")
    second = renderer.markdown("Again: ![b](../assets/a/pic.svg)", "quiz/types.yaml")
    assert first.files[0].base64 is second.files[0].base64  # the same string object: encoded once
    assert renderer.markdown("![a](../assets/a/pic.svg)", "quiz/types.yaml") is first  # rendered once


def test_file_names_moodle_refuses_are_replaced() -> None:
    """`clean_param(PARAM_FILE)` strips these characters; Moodle's file storage refuses such names."""
    assert safe_file_name('teacher\'s "plan": a|b<c>&d`e\\f.png') == "teacher_s _plan__ a_b_c__d_e_f.png"


def test_text_is_cdata_when_escaping_would_change_it() -> None:
    """Moodle's xmlize() drops whitespace between two references (`&lt;/em&gt; &lt;b&gt;`); a
    CDATA section reaches it in one piece."""
    element = etree.Element("text")
    set_text(element, "<p>a & b</p>")
    assert etree.tostring(element) == b"<text><![CDATA[<p>a & b</p>]]></text>"
    set_text(element, "<p>x]]>y</p>")  # ]]> ends one section, > starts the next
    assert etree.tostring(element) == b"<text><![CDATA[<p>x]]]]><![CDATA[>y</p>]]></text>"
    assert xmlize(etree.tostring(element))["text"]["#"] == "<p>x]]>y</p>"
    set_text(element, "a\r\nb <")  # a line end, as any XML parser reads it: LF
    assert etree.tostring(element) == b"<text><![CDATA[a\r\nb <]]></text>"
    assert xmlize(etree.tostring(element))["text"]["#"] == "a\nb <"
    set_text(element, "plain")
    assert etree.tostring(element) == b"<text>plain</text>"


def test_awkward_texts_survive_an_xml_parser(tmp_path: Path) -> None:
    _, folder = build_moodle(AWKWARD, tmp_path)
    raw = (folder / "questions.xml").read_text(encoding="utf-8")
    assert "]]]]><![CDATA[> in HTML" in raw  # raw HTML holding ]]> went out as two CDATA sections
    names = [q.findtext("name/text") for q in _questions(folder)]
    assert names[0] == "MC Tricky ]]> \"quoted\" 'apos' & a < b > c — مرحبا بالعالم, שלום עולם, 中文汉字, 😀🎉"


def test_numbers_are_written_without_exponents() -> None:
    assert [number(x) for x in (1, 0.5, 1e-7, 12345678.5, -1.5e-7, 1e12)] == [
        "1",
        "0.5",
        "0.0000001",
        "12345678.5",
        "-0.00000015",
        "1000000000000",
    ]


def test_category_paths_escape_slashes() -> None:
    """As `assemble_category_path()` writes them and `split_category_path()` reads them."""
    names = ["A/B", "/lead", "trail/", "plain"]
    path = category_path(names)
    assert path == "$course$/top/A//B/ //lead/trail// /plain"
    assert split_category_path(path) == names


def test_target_is_registered() -> None:
    target = all_targets()["moodle"]
    assert "Moodle XML" in target.summary


# --------------------------------------------------------------------------- check()


def test_check_reports_what_moodle_would_refuse_or_change(write_course: WriteCourse) -> None:
    root = write_course(
        {
            "quiz/bad.yaml": """
                defaults:
                  lesson: practice
                questions:
                  - id: bad-essay
                    type: essay
                    name: An <b>essay</b>
                    text: Write.
                    tags: [" spaced", "<tag>"]
                    hints: [{text: ignored}]
                  - id: bad-cloze
                    type: cloze
                    text: "{{n}} and {{m}}"
                    category: top
                    gaps:
                      - id: n
                        type: numerical
                        answers: [{text: "+2"}]
                      - id: m
                        type: multiresponse
                        answers: [{text: a, grade: 50}, {text: b, grade: 0}]
                  - id: bad-short
                    type: shortanswer
                    text: Say it.
                    answers: [{text: " padded "}]
                    hints: [{text: Try, clear_wrong: true}]
                """,
            "glossary.yaml": """
                entries:
                  - {term: "0", definition: Zero.}
                  - {term: one, definition: One., aliases: [" uno"]}
                """,
        }
    )
    with pytest.raises(CourseError) as raised:
        build_course(root, root.parent / "dist", ["moodle"])
    found = raised.value.diagnostics
    lines = [d.format().replace(f"{root.as_posix()}/", "") for d in found if d.code.startswith("moodle")]
    assert lines == [
        "glossary.yaml:2: error: entries[0].term: Moodle's glossary import rejects the term '0' [moodle-glossary]",
        "glossary.yaml:3: warning: entries[1].aliases[0]: entry 'one': ' uno' starts or ends with spaces, which Moodle removes [moodle-trim]",
        "quiz/bad.yaml:6: warning: questions[0].name: question 'bad-essay': Moodle strips what PHP's strip_tags() "
        "takes for HTML tags from question names (a '<' not followed by a space), leaving 'An essay' [moodle-name]",
        "quiz/bad.yaml:8: warning: questions[0].tags[0]: question 'bad-essay': tag ' spaced' has leading, trailing or repeated spaces, which Moodle removes [moodle-tag]",
        "quiz/bad.yaml:8: warning: questions[0].tags[1]: question 'bad-essay': tag '<tag>' contains <, > or ` which Moodle removes from tags [moodle-tag]",
        "quiz/bad.yaml:9: warning: questions[0].hints[0]: question 'bad-essay': Moodle does not import hints of essay questions [moodle-hint]",
        "quiz/bad.yaml:13: error: questions[1].category: category 'top': Moodle skips a category named 'top'; the questions would land in its parent [moodle-category]",
        "quiz/bad.yaml:17: error: questions[1].gaps[0].answers[0].text: question 'bad-cloze': '+2' is not a number Moodle's cloze syntax accepts (digits with one . or , and an optional exponent, e.g. 2.5 or -1e3) [moodle-cloze]",
        "quiz/bad.yaml:20: warning: questions[1].gaps[1].answers: question 'bad-cloze': positive grades of multiresponse gap 'm' add up to 50; Moodle scales them to 100 [moodle-cloze]",
        "quiz/bad.yaml:24: warning: questions[2].answers[0].text: question 'bad-short': answer ' padded ' starts or ends with spaces; they were dropped (Moodle drops them too) [moodle-trim]",
        "quiz/bad.yaml:25: warning: questions[2].hints[0]: question 'bad-short': Moodle drops show_num_correct and clear_wrong of shortanswer hints [moodle-hint]",
    ]
    assert not (root.parent / "dist").exists()  # nothing written


def test_check_warns_of_lessons_sharing_a_category(write_course: WriteCourse) -> None:
    root = write_course({"lessons/02-practice.md": "---\ntitle: Welcome\n---\n\nText.\n"})
    _, warnings = build_course(root, root.parent / "dist", ["moodle"])
    assert [d.message for d in warnings if d.code == "moodle-category"] == [
        "lesson 'practice' has the title of lesson 'welcome'; Moodle would put the questions of both in one category"
    ]


def test_check_warns_of_the_alias_moodle_drops(write_course: WriteCourse) -> None:
    root = write_course({"glossary.yaml": "entries:\n  - {term: one, definition: One., aliases: ['0']}\n"})
    _, warnings = build_course(root, root.parent / "dist", ["moodle"])
    assert [d.message for d in warnings if d.code == "moodle-glossary"] == [
        "entry 'one': Moodle's glossary import drops the alias '0'"
    ]


@pytest.mark.parametrize("link", [*LINKS.values(), "[the lesson](../assets/readings/02-practice.md)"])
def test_a_link_to_a_lesson_keeps_its_text_in_the_bank(skeleton_course: Path, tmp_path: Path, link: str) -> None:
    """A question bank has no lessons to link to: the link keeps its text and leads nowhere,
    rather than carrying the lesson's Markdown source as a file to download, and GIFT (which
    carries no file) keeps the question."""
    (skeleton_course / "assets" / "readings").symlink_to("../lessons", target_is_directory=True)
    set_quiz_text(skeleton_course / "quiz" / "welcome.yaml", "Lessons are written in Markdown.", f"See {link}")
    _, folder = build_moodle(skeleton_course, tmp_path)
    xml = (folder / "questions.xml").read_bytes()
    lesson = (skeleton_course / "lessons" / "02-practice.md").read_bytes()
    assert base64.b64encode(lesson) not in xml
    name, text, *_ = xml_stored_texts(xml)["welcome-tf"]  # as Moodle stores them
    assert name == "welcome-tf"
    assert "the lesson" in text
    assert "02-practice" not in text and "PLUGINFILE" not in text
    question = next(q for q in _questions(folder) if q.findtext("idnumber") == "welcome-tf")
    assert question.findall(".//file") == []
    gift = (folder / "questions.gift.txt").read_text()
    carried = next(line for line in gift.splitlines() if line.startswith("::welcome-tf::"))
    assert "the lesson" in carried and "02-practice" not in carried
