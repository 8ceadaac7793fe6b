"""Importing a hand-written Moodle XML bank (tests/fixtures/import/bank.xml) into a course.

The fixture follows question/format/xml/format.php (see its header). Each imported question is
compared with what the fixture's question means to Moodle (tests/moodle_semantics.py states
exactly which differences count as equal); what the course cannot hold must be reported.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt

from coursebuilder.importer import ImportOptions, run_import
from coursebuilder.loader import load_course
from tests.moodle_semantics import asset_files, model_question, rounded, xml_questions

FIXTURES = Path(__file__).parent / "fixtures" / "import"
BANK = FIXTURES / "bank.xml"

COURSE = {
    "course.yaml": "id: imp\ntitle: Import test\nshortname: IMP\nlessons:\n  - basics\n",
    "lessons/01-basics.md": "---\ntitle: Basics\n---\nThe basics.\n",
}


@pytest.fixture
def course(write_course) -> Path:
    return write_course(COURSE, base=False)


def _import(root: Path, *files: Path, **options) -> object:
    return run_import(list(files), ImportOptions(into=root, **options))


def _messages(result) -> list[str]:
    return [d.format() for d in result.diagnostics]


def test_every_supported_question_is_imported_with_its_meaning(course: Path) -> None:
    result = _import(course, BANK)
    assert not result.failed and not result.course_errors, _messages(result) + [
        d.format() for d in result.course_errors
    ]
    loaded = load_course(course)
    assert loaded.course is not None
    by_id = {q.id: q for q in loaded.course.questions}
    files = asset_files(course)
    titles = {lesson.id: lesson.title for lesson in loaded.course.lessons}

    expected_ids = {
        "capital-france": "capital-france",
        "": None,  # no idnumber: an id from the name
        "Primary Colour": "primary-colour",
    }
    fixture = [q for q in xml_questions(BANK.read_bytes()) if q["type"] not in ("calculated", "ddwtos")]
    assert len(fixture) == len(by_id) == 12
    generated = {"Prime numbers": "prime-numbers", "Old matching": "old-matching"}
    for want in fixture:
        qid = want["idnumber"] if want["idnumber"] not in expected_ids else expected_ids[want["idnumber"]]
        qid = qid or generated[want["name"]]
        question = by_id[qid]
        category = ("$course$", "top", "IMP", titles[question.lesson], *(question.category or "").split("/"))
        got = model_question(question, files, tuple(part for part in category if part))
        want = dict(want, idnumber=qid)
        assert rounded(got) == rounded(want), qid


def test_categories_become_lessons_and_sub_categories(course: Path) -> None:
    _import(course, BANK)
    loaded = load_course(course)
    assert loaded.course is not None
    assert loaded.course.info.lessons == ["basics", "advanced-topics"]
    placed = {q.id: (q.lesson, q.category) for q in loaded.course.questions}
    assert placed["capital-france"] == ("basics", None)
    assert placed["walk-metres"] == ("basics", "Numbers")
    assert placed["steps-order"] == ("advanced-topics", None)
    lesson = (course / "lessons" / "02-advanced-topics.md").read_text(encoding="utf-8")
    assert lesson.startswith("---\ntitle: Advanced topics\n---\n")


def test_what_the_course_cannot_hold_is_reported_with_its_line(course: Path) -> None:
    result = _import(course, BANK)
    name = str(BANK)
    messages = _messages(result)
    lines = BANK.read_text(encoding="utf-8").split("\n")

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if text in line)

    def question_of(name: str) -> int:
        return max(i for i, line in enumerate(lines[: line_of(name)], 1) if "<question " in line)

    expected = [
        (line_of('<question type="calculated">'), "calculated question: calculated questions"),
        (line_of('<question type="ddwtos">'), "ddwtos question: drag-and-drop into text"),
        (line_of("<instructions"), "unit instructions are not kept"),
        (line_of("<unknownsetting>"), "element <unknownsetting> is not part of shortanswer questions"),
        (question_of("<text>Hidden extra</text>"), "hidden question"),
        (
            question_of("<text>Hidden extra</text>"),
            "idnumber 'Primary Colour' is not a valid id; used 'primary-colour'",
        ),
    ]
    for line, text in expected:
        hits = [m for m in messages if m.startswith(f"{name}:{line}:") and text in m]
        assert hits, (text, messages)
    skipped = {s.kind: s.where.line for s in result.skipped}
    assert skipped == {
        "calculated": line_of('<question type="calculated">'),
        "ddwtos": line_of('<question type="ddwtos">'),
    }
    assert result.skipped_by_type == {"calculated": 1, "ddwtos": 1}
    assert result.imported_by_type["multichoice"] == 2


def test_embedded_files_go_to_assets_and_references_are_rewritten(course: Path) -> None:
    _import(course, BANK)
    assert sorted(p.name for p in (course / "assets").iterdir()) == ["diagram.svg", "map-of-france.png", "shape.svg"]
    basics = (course / "quiz" / "basics.yaml").read_text(encoding="utf-8")
    assert 'src="../assets/map-of-france.png"' in basics
    assert "@@PLUGINFILE@@" not in basics
    advanced = (course / "quiz" / "advanced-topics.yaml").read_text(encoding="utf-8")
    assert "![Diagram](../assets/diagram.svg)" in advanced


def test_reimport_changes_nothing(course: Path) -> None:
    _import(course, BANK)
    before = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    stamps = {p: p.stat().st_mtime_ns for p in before}
    result = _import(course, BANK)
    assert {c.action for c in result.changes} == {"unchanged"}
    assert result.files == []
    after = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in after} == stamps


def test_reimport_updates_in_place_and_keeps_the_rest_of_the_file(course: Path, tmp_path: Path) -> None:
    _import(course, BANK)
    quiz = course / "quiz" / "basics.yaml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("questions:\n", "# hand-written comment\nquestions:\n"), encoding="utf-8")
    changed = tmp_path / "bank-v2.xml"
    changed.write_text(
        BANK.read_text(encoding="utf-8").replace("Type the capital of France.", "Type the capital city of France."),
        encoding="utf-8",
    )
    result = _import(course, changed, lesson=None)
    actions = {c.key: c.action for c in result.changes}
    assert actions["capital-typed"] == "updated"
    assert sum(1 for a in actions.values() if a == "updated") == 1
    assert ("quiz/basics.yaml", "edited") in result.files
    new = quiz.read_text(encoding="utf-8")
    assert "# hand-written comment" in new
    diff = subprocess.run(
        ["git", "diff", "--no-index", "--numstat", "--", "-", str(quiz)],
        input=text.replace("questions:\n", "# hand-written comment\nquestions:\n"),
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert diff[:2] == ["1", "1"], diff
    loaded = load_course(course)
    assert loaded.course is not None
    assert [q.id for q in loaded.course.questions].count("capital-typed") == 1


def test_ids_without_idnumber_are_stable_and_unique(course: Path, tmp_path: Path) -> None:
    twice = tmp_path / "twice.xml"
    text = BANK.read_text(encoding="utf-8")
    start = text.index("<!-- question: 102")
    end = text.index("<!-- question: 103")
    block = text[start:end]
    twice.write_text(text[:end] + block.replace("<text>7</text>", "<text>11</text>") + text[end:], encoding="utf-8")
    result = _import(course, twice)
    ids = [c.key for c in result.changes if c.what == "question"]
    assert "prime-numbers" in ids and "prime-numbers-2" in ids
    again = _import(course, twice)
    assert {c.key: c.action for c in again.changes}["prime-numbers-2"] == "unchanged"


def test_lesson_option_puts_everything_into_one_lesson(course: Path) -> None:
    result = _import(course, BANK, lesson="imported")
    assert not result.failed
    loaded = load_course(course)
    assert loaded.course is not None
    assert {q.lesson for q in loaded.course.questions} == {"imported"}
    placed = {q.id: q.category for q in loaded.course.questions}
    assert placed["walk-metres"] == "Basics/Numbers"
    assert placed["steps-order"] == "Advanced topics"
    assert loaded.course.info.lessons == ["basics", "imported"]


def test_import_into_a_new_directory_creates_a_course(tmp_path: Path) -> None:
    root = tmp_path / "my-bank"
    result = _import(root, BANK)
    assert not result.failed and not result.course_errors, [d.format() for d in result.course_errors]
    loaded = load_course(root)
    assert loaded.course is not None
    assert loaded.course.info.id == "my-bank"
    # Every category sits below `IMP`: the export's course, so it becomes the short name.
    assert loaded.course.info.shortname == "IMP"
    assert loaded.course.info.lessons == ["basics", "advanced-topics"]
    assert len(loaded.course.questions) == 12


def test_dry_run_writes_nothing(course: Path) -> None:
    before = sorted(p for p in course.rglob("*"))
    result = _import(course, BANK, dry_run=True)
    assert sorted(p for p in course.rglob("*")) == before
    assert ("quiz/basics.yaml", "would be created") in result.files


def test_a_broken_course_is_not_touched(course: Path) -> None:
    (course / "course.yaml").write_text("id: imp\ntitle: x\n", encoding="utf-8")
    result = _import(course, BANK)
    assert result.failed
    assert not (course / "quiz").exists()


def test_cli_reports_and_exit_status(course: Path) -> None:
    from click.testing import CliRunner

    from coursebuilder.cli import main

    runner = CliRunner()
    ok = runner.invoke(main, ["import", str(BANK), "--into", str(course)])
    assert ok.exit_code == 0, ok.output
    assert "imported 12 questions" in ok.output
    assert "skipped 2 items: 1 calculated, 1 ddwtos" in ok.output
    one = course.parent / "one.xml"
    one.write_text(
        "<quiz><question type='truefalse'><name><text>One</text></name>"
        "<questiontext format='html'><text>Sky is blue?</text></questiontext>"
        "<answer fraction='100'><text>true</text></answer><answer fraction='0'><text>false</text></answer>"
        "</question></quiz>",
        encoding="utf-8",
    )
    single = runner.invoke(main, ["import", str(one), "--into", str(course)])
    assert single.exit_code == 0, single.output
    assert "read as Moodle XML, 1 item\n" in single.output and "imported 1 question (1 truefalse)" in single.output
    verbose = runner.invoke(main, ["import", str(BANK), "--into", str(course), "-v"])
    assert "unchanged question capital-france (quiz/basics.yaml)" in verbose.output
    missing = runner.invoke(main, ["import", "nope.xml", "--into", str(course)])
    assert missing.exit_code == 1
    assert "nope.xml: error: file does not exist [import-read]" in missing.output
    assert "Traceback" not in missing.output
    bad = runner.invoke(main, ["import", str(BANK), "--into", str(course), "--lesson", "Not A Slug"])
    assert bad.exit_code == 2


def test_moodles_own_export_is_read_and_what_it_cannot_hold_is_reported(course: Path) -> None:
    """A file as Moodle exports it (CDATA split around ]]>, the old `match` type name, a type
    the course format does not have) imports the supported questions, and reports the other
    one at its line."""
    data = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Default for C1/Sub//cat</text></category>
    <info format="moodle_auto_format"><text>Info</text></info>
    <idnumber>cat-1</idnumber>
  </question>
<!-- question: 17  -->
  <question type="shortanswer">
    <name><text>Q 1</text></name>
    <questiontext format="moodle_auto_format">
      <text><![CDATA[x ]]]]><![CDATA[> y <b>]]></text>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber>Not A Slug</idnumber>
    <usecase>0</usecase>
    <answer fraction="100" format="moodle_auto_format"><text>yes</text><feedback format="html"><text></text></feedback></answer>
  </question>
  <question type="match">
    <name><text>M</text></name>
    <questiontext format="html"><text>Match</text></questiontext>
    <subquestion format="html"><text>a</text><answer><text>1</text></answer></subquestion>
    <subquestion format="html"><text>b</text><answer><text>2</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>3</text></answer></subquestion>
  </question>
  <question type="calculated"><name><text>Calc</text></name></question>
</quiz>"""
    source = course.parent / "export.xml"
    source.write_text(data, encoding="utf-8")
    result = _import(course, source)
    assert not result.failed and not result.course_errors
    loaded = load_course(course).course
    assert loaded is not None
    short, match = sorted(loaded.questions, key=lambda q: q.type, reverse=True)
    assert short.type == "shortanswer" and short.display_name == "Q 1"
    shown = lxml.html.fragment_fromstring(MarkdownIt().render(short.text), create_parent="div").text_content()
    assert shown.strip() == "x ]]> y"
    titles = {lesson.id: lesson.title for lesson in loaded.lessons}
    assert short.id == "not-a-slug" and titles[short.lesson or ""] == "Sub/cat"
    assert match.type == "matching"
    assert [p.answer for p in match.pairs] == ["1", "2"] and match.distractors == ["3"]
    line = data.splitlines().index('  <question type="calculated"><name><text>Calc</text></name></question>') + 1
    assert {s.kind: s.where.line for s in result.skipped} == {"calculated": line}
