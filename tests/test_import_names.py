"""Import reads question names as Moodle does, and gives back the lessons' front matter.

Names in Moodle XML are plain text: qformat_xml reads `name/text` with `getpath(…, true)` and
`clean_question_name()` passes it through `clean_param(PARAM_TEXT)`, which is PHP's
`strip_tags()`: a `<` followed by white space is not a tag (tests/moodle_semantics.py
`php_strip_tags`). The lesson categories our Moodle target writes describe the lesson with its
summary and objectives (`lesson_info`); a lesson the import creates gets them back.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from coursebuilder.build import build_course
from coursebuilder.importer import ImportOptions, run_import
from coursebuilder.loader import load_course
from tests.conftest import EXAMPLE, SKELETON
from tests.moodle_semantics import php_strip_tags

NAMES = [
    "pH < 7 & pH > 7",
    "a <b>bold</b> name",
    "x<7 and more",
    "1 < 2 > 0",
    "Tom & Jerry &amp; friends",
    "<!-- hidden -->shown",
    "µm <&>",
]


def _bank(names: list[str]) -> str:
    from lxml import etree

    quiz = etree.Element("quiz")
    category = etree.SubElement(quiz, "question", type="category")
    etree.SubElement(etree.SubElement(category, "category"), "text").text = "$course$/top/Names"
    for number, name in enumerate(names):
        question = etree.SubElement(quiz, "question", type="truefalse")
        etree.SubElement(etree.SubElement(question, "name"), "text").text = name
        etree.SubElement(etree.SubElement(question, "questiontext", format="html"), "text").text = "<p>Q?</p>"
        etree.SubElement(question, "idnumber").text = f"n{number}"
        for value, fraction in (("true", "100"), ("false", "0")):
            answer = etree.SubElement(question, "answer", fraction=fraction, format="moodle_auto_format")
            etree.SubElement(answer, "text").text = value
    return etree.tostring(quiz, encoding="unicode")


def test_the_oracle_reads_names_as_php_strip_tags_does() -> None:
    assert [php_strip_tags(name) for name in NAMES] == [
        "pH < 7 & pH > 7",
        "a bold name",
        "x",
        "1 < 2 > 0",
        "Tom & Jerry &amp; friends",
        "shown",
        "µm ",  # `<&>` is a tag to strip_tags(); clean_question_name() then trims
    ]


def test_names_are_plain_text(write_course, tmp_path: Path) -> None:
    root = write_course({})
    bank = tmp_path / "names.xml"
    bank.write_text(_bank(NAMES), encoding="utf-8")
    result = run_import([bank], ImportOptions(into=root))
    assert not result.failed and not result.course_errors
    course = load_course(root).course
    assert course is not None
    names = {q.id: q.name for q in course.questions if q.id.startswith("n")}
    assert [names[f"n{i}"] for i in range(len(NAMES))] == [php_strip_tags(name).strip() for name in NAMES]


def test_a_built_name_comes_back_unchanged(write_course, tmp_path: Path) -> None:
    root = write_course(
        {
            "quiz/names.yaml": """
defaults: {lesson: welcome}
questions:
  - {id: ph, type: truefalse, name: "pH < 7 & pH > 7", text: Acid?, correct: true}
  - {id: micro, type: truefalse, name: "1 < 2 > 0 & µm", text: Small?, correct: true}
"""
        }
    )
    artifacts, _ = build_course(root, tmp_path / "dist", ["moodle"])
    questions = next(a.path for a in artifacts if a.path.name == "questions.xml")
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    shutil.rmtree(copy / "quiz")
    result = run_import([questions], ImportOptions(into=copy))
    assert not result.failed and not result.course_errors
    course = load_course(copy).course
    assert course is not None
    assert {q.id: q.name for q in course.questions if q.id in ("ph", "micro")} == {
        "ph": "pH < 7 & pH > 7",
        "micro": "1 < 2 > 0 & µm",
    }


# --------------------------------------------------------------------------- lesson front matter

DESCRIBED = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/COURSE/Plants &amp; light</text></category>
    <info format="html"><text><![CDATA[<p>How plants use light &amp; water.</p>
<ul><li>Name the parts of a leaf</li><li>Explain why 2 &lt; 3 &amp; leaves are green</li></ul>]]></text></info>
  </question>
  <question type="truefalse">
    <name><text>Leaves</text></name>
    <questiontext format="html"><text><![CDATA[<p>Leaves are green?</p>]]></text></questiontext>
    <idnumber>leaves</idnumber>
    <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>
  </question>
</quiz>
"""


def test_a_new_lesson_takes_summary_and_objectives_from_its_category(tmp_path: Path) -> None:
    bank = tmp_path / "bank.xml"
    bank.write_text(DESCRIBED, encoding="utf-8")
    root = tmp_path / "course"
    result = run_import([bank], ImportOptions(into=root))
    assert not result.failed and not result.course_errors
    course = load_course(root).course
    assert course is not None
    [lesson] = course.lessons
    assert (lesson.title, lesson.summary, lesson.objectives) == (
        "Plants & light",
        "How plants use light & water.",
        ["Name the parts of a leaf", "Explain why 2 < 3 & leaves are green"],
    )
    assert "Name the parts" not in lesson.body


def _normal(value: object) -> object:
    """What Moodle XML cannot carry, made equal: a Markdown text's final line breaks."""
    if isinstance(value, str):
        return value.rstrip("\n")
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return value


def _question(question: Any, lesson_title: str) -> object:
    """A question's source fields, its lesson named by title; cloze gaps named by position
    (Moodle XML numbers gaps, it does not name them)."""
    data = question.model_dump(exclude={"lesson"})
    data["lesson"] = lesson_title
    if data["type"] == "cloze":
        names = {gap["id"]: f"g{number}" for number, gap in enumerate(data["gaps"], 1)}
        data["text"] = re.sub(
            r"\{\{\s*([a-z0-9][a-z0-9_-]*)\s*\}\}", lambda m: "{{" + names[m.group(1)] + "}}", data["text"]
        )
        for gap in data["gaps"]:
            gap["id"] = names[gap["id"]]
    return _normal(data)


@pytest.mark.parametrize("source", [EXAMPLE, SKELETON], ids=["example", "skeleton"])
def test_build_import_build_into_an_empty_course_gives_back_the_source(source: Path, tmp_path: Path) -> None:
    """Only questions.xml and glossary.xml go in; lessons, course and glossary come back as they
    were, in what those files carry: lesson titles, summaries and objectives, the course's short
    name and summary, every question and every glossary entry. Then the build is the same."""
    original = load_course(source).course
    assert original is not None
    artifacts, _ = build_course(source, tmp_path / "first", ["moodle"])
    built = {a.path.name: a.path for a in artifacts}
    target = tmp_path / original.info.id
    result = run_import([built["questions.xml"], built["glossary.xml"]], ImportOptions(into=target))
    assert not result.failed and not result.course_errors, [d.format() for d in result.course_errors]
    back = load_course(target).course
    assert back is not None

    asked = {q.lesson for q in original.questions}
    want = [(lesson.title, lesson.summary, lesson.objectives) for lesson in original.lessons if lesson.id in asked]
    assert [(lesson.title, lesson.summary, lesson.objectives) for lesson in back.lessons] == want
    assert (back.info.shortname, _normal(back.info.summary)) == (
        original.info.shortname,
        _normal(original.info.summary),
    )
    titles = {lesson.id: lesson.title for lesson in original.lessons}
    back_titles = {lesson.id: lesson.title for lesson in back.lessons}
    assert sorted((_question(q, back_titles[q.lesson]) for q in back.questions), key=str) == sorted(
        (_question(q, titles[q.lesson]) for q in original.questions), key=str
    )
    assert [_normal(e.model_dump()) for e in back.glossary.entries] == [
        _normal(e.model_dump()) for e in original.glossary.entries
    ]
    again, _ = build_course(target, tmp_path / "second", ["moodle"])
    for artifact in again:
        if artifact.path.name != "questions.gift.txt":
            assert artifact.path.read_bytes() == built[artifact.path.name].read_bytes(), artifact.path.name


def test_category_names_are_plain_text_too(tmp_path: Path) -> None:
    """split_category_path(): each name trimmed, then PARAM_TEXT."""
    raw = "$course$/top/COURSE/Acids < 7 & <em class=x>bases//salts"  # a `</…>` would be split at its /
    bank = tmp_path / "bank.xml"
    bank.write_text(
        DESCRIBED.replace("$course$/top/COURSE/Plants &amp; light", raw.replace("&", "&amp;").replace("<", "&lt;")),
        encoding="utf-8",
    )
    root = tmp_path / "course"
    result = run_import([bank], ImportOptions(into=root))
    assert not result.failed and not result.course_errors
    course = load_course(root).course
    assert course is not None
    assert [lesson.title for lesson in course.lessons] == [php_strip_tags("Acids < 7 & <em class=x>bases/salts")]
    assert course.lessons[0].title == "Acids < 7 & bases/salts"
