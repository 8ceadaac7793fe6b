"""Cloze texts with formulas: inside `$…$` and `$$…$$` a `{{…}}` is TeX, never a gap.

TeX writes double braces naturally (`$\\frac{{a}}{b}$`, `$x^{{2}}$`). The gap references of a
cloze text are found by one rule (`model.gap_refs`), with the formulas as the notation finds
them (dollarmath's rules: `\\$` is a dollar sign, code spans hold no formula). Every output
that carries a cloze text is checked here: Moodle XML and the course backup against the model
of Moodle's own parser (tests/moodle_semantics.py: `qtype_multianswer_extract_question()`,
the `{#n}` split of `qtype_multianswer::initialise_question_instance()`, MathJax and the TeX
filter), the SCORM quiz page, the preview's question bank and the importer's `preserve`.
"""

from __future__ import annotations

import json
import shutil
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from pydantic import ValidationError

from coursebuilder.build import build_course
from coursebuilder.formulas import notation
from coursebuilder.importer.preserve import preserve_texts
from coursebuilder.loader import load_course
from coursebuilder.model import Cloze, Course, gap_refs, replace_gaps
from tests import moodle_semantics as moodle
from tests.conftest import SKELETON
from tests.mbz_util import parse, unpack, value


def cloze(text: str, *gap_ids: str) -> Cloze:
    """A cloze question of `text` whose gaps (short answers) are `gap_ids`."""
    gaps = [{"id": gap_id, "answers": [{"text": f"answer {gap_id}"}]} for gap_id in gap_ids]
    return Cloze.model_validate({"id": "q", "type": "cloze", "text": text, "gaps": gaps})


def source_formulas(text: str) -> list[tuple[str, bool]]:
    formulas, _ = notation.scan(text)
    return [(formula.tex, formula.display) for formula in formulas]


def mathml_formulas(element: Any) -> list[tuple[str, bool]]:
    """The formulas of an HTML element written as MathML: (the TeX it keeps, display)."""
    return [(math.xpath("string(.//annotation)"), math.get("display") == "block") for math in element.iter("math")]


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("No formula: {{a}} and {{ b }}.", ["a", "b"]),
        ("$x^{{2}}$ is {{sq}}", ["sq"]),
        ("$\\frac{{a}}{b}$ and then {{a}}", ["a"]),
        ("Display $$\\sqrt{{a}}$$ in a paragraph, {{a}}", ["a"]),
        ("$$\n\\frac{{a}}{{b}} = 1\n$$\n\nfor {{a}} and {{b}}", ["a", "b"]),
        ("- $y_{{i}}$ in a list\n- {{i}}", ["i"]),
        ("> $x^{{q}}$ quoted {{q}}", ["q"]),
        # A `\$` is a dollar sign: it opens no formula.
        ("costs \\$5 {{a}} or \\${{b}}\\$", ["a", "b"]),
        # In code `$` is literal: no formula there either.
        ("code `$x {{a}}$` is {{b}}", ["a", "b"]),
        ("```\n$x {{a}}$\n```\n\n{{b}}", ["a", "b"]),
        # Prose dollars by dollarmath's rules: no formula.
        ("it costs $5 and {{a}} $10", ["a"]),
        ("$ x {{a}} $", ["a"]),
        # The text's own letters never pass for the marks the rule parses with.
        ("zgap0z $zgap1z^{{a}}$ {{b}} zgapz", ["b"]),
    ],
)
def test_gap_references_are_found_outside_formulas_only(text: str, refs: list[str]) -> None:
    assert [match.group(1) for match in gap_refs(text)] == refs
    for match in gap_refs(text):
        assert text[match.start() : match.end()].startswith("{{")


def test_replacing_gaps_leaves_formulas_alone() -> None:
    text = "With $\\frac{{a}}{b} = x^{{2}}$ and $$\\sqrt{{a}}$$, {{a}} then {{ b }}; `{{c}}`"
    replaced = replace_gaps(text, lambda gap_id: f"<{gap_id.upper()}>")
    assert replaced == "With $\\frac{{a}}{b} = x^{{2}}$ and $$\\sqrt{{a}}$$, <A> then <B>; `<C>`"
    assert replace_gaps("no formula {{a}}, {{b}}", str.upper) == "no formula A, B"


# --------------------------------------------------------------------------- validation


def test_tex_braces_in_a_formula_are_not_a_gap() -> None:
    """No gap is named like the TeX group: the text refers to one gap, outside the formula."""
    question = cloze("The square $x^{{2}}$ of 3 is {{sq}}.", "sq")
    assert [gap.id for gap in question.gaps] == ["sq"]


def test_a_gap_named_like_tex_braces_is_counted_outside_formulas() -> None:
    """A gap `a` used once in the prose, and `{{a}}` in formulas: used exactly once."""
    question = cloze("With $\\frac{{a}}{b}$ and $$\\sqrt{{a}}$$, a is {{a}}.", "a")
    assert [gap.id for gap in question.gaps] == ["a"]


def test_a_gap_written_only_inside_a_formula_is_missing() -> None:
    with pytest.raises(ValidationError, match=r"gap 'a' must appear exactly once in the text as \{\{a\}\}"):
        cloze("Only in the formula: $x^{{a}}$.", "a")
    with pytest.raises(ValidationError, match="inside a formula"):
        cloze("Only in the formula: $x^{{a}}$.", "a")
    with pytest.raises(ValidationError, match=r"gap 'a' must appear exactly once"):
        cloze("Twice outside: {{a}} and {{a}}, once inside $x^{{a}}$.", "a")


def test_escaped_dollars_and_code_do_not_hide_a_gap() -> None:
    """`\\$…\\$` and a code span hold no formula: the gaps there are gaps, as before."""
    question = cloze("Between \\${{a}}\\$ and in `$ {{b}} $`, $x^{{c}}$.", "a", "b")
    assert [gap.id for gap in question.gaps] == ["a", "b"]
    with pytest.raises(ValidationError, match=r"refers to gap \{\{c\}\}, which is not defined"):
        cloze("Between \\${{a}}\\$ and {{c}}.", "a")


# --------------------------------------------------------------------------- every output

QUIZ = """
questions:
- id: brace-power
  lesson: welcome
  type: cloze
  text: "The square $x^{{2}}$ of $x = 3$ is {{sq}}."
  gaps:
  - id: sq
    type: numerical
    answers:
    - {text: "9"}
- id: brace-frac
  lesson: welcome
  type: cloze
  text: |
    With $\\frac{{a}}{b} = 2$ and

    $$
    \\sqrt{{a}} = {{b}}^{2}
    $$

    $a$ is {{a}} when $b$ is {{b}}; `{{c}}` is code and \\${{d}}\\$ costs dollars.
  gaps:
  - id: a
    type: numerical
    answers:
    - {text: "4"}
  - id: b
    answers:
    - {text: two}
    - {text: "2", grade: 50}
  - id: c
    type: multichoice
    answers:
    - {text: "yes"}
    - {text: "no", grade: 0}
  - id: d
    answers:
    - {text: five}
"""
GAP_COUNTS = {"brace-power": 1, "brace-frac": 4}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, Path]:
    folder = tmp_path_factory.mktemp("cloze-formulas")
    source = folder / "course"
    shutil.copytree(SKELETON, source)
    (source / "quiz" / "braces.yaml").write_text(textwrap.dedent(QUIZ).lstrip(), encoding="utf-8")
    result = load_course(source)
    errors = [d.format() for d in result.diagnostics if d.severity.value == "error"]
    assert result.course is not None and errors == [], errors
    build_course(source, folder / "out")
    return result.course, folder / "out" / result.course.info.id


def questions(course: Course) -> dict[str, Cloze]:
    found = {q.id: q for q in course.questions if isinstance(q, Cloze) and q.id in GAP_COUNTS}
    assert sorted(found) == sorted(GAP_COUNTS)
    return found


def placeholders(stored: str) -> list[str]:
    """The sub-question numbers Moodle finds in a stored text, in order."""
    return moodle.multianswer_places(stored)[1]


def test_moodle_xml_keeps_the_formulas_and_reads_only_the_gaps(built: tuple[Course, Path]) -> None:
    """Moodle's cloze parser finds each gap once, where the text has it, and MathJax and the
    TeX filter then find each source formula with its TeX unchanged."""
    course, folder = built
    stored = moodle.xml_stored_texts((folder / "moodle" / "questions.xml").read_bytes())
    for question_id, question in questions(course).items():
        text, gaps = moodle.cloze_gaps(stored[question_id][1])  # [0] is the name
        assert [gap[0] for gap in gaps] == [gap.type for gap in question.gaps], question_id
        assert placeholders(text) == [str(n) for n in range(1, GAP_COUNTS[question_id] + 1)]
        assert moodle.mathjax_formulas(text) == source_formulas(question.text), question_id
        assert moodle.tex_filter_formulas(text) == [tex for tex, _ in source_formulas(question.text)]
        assert all("{#" not in tex for tex, _ in moodle.mathjax_formulas(text))


def test_backup_keeps_the_formulas_and_places_only_the_gaps(built: tuple[Course, Path]) -> None:
    """The backup stores the text as Moodle keeps it: `{#n}` where each gap was, formulas whole."""
    course, folder = built
    backup = unpack((folder / "moodle" / f"{course.info.id}.mbz").read_bytes())
    bank = parse(backup["questions.xml"])
    for question_id, question in questions(course).items():
        entry = bank.xpath(f"//question_bank_entry[idnumber='{question_id}']")[0]
        node = entry.find("question_version/question_versions/questions/question")
        text = value(node, "questiontext")
        assert placeholders(text) == [str(n) for n in range(1, GAP_COUNTS[question_id] + 1)], text
        assert len(value(node, ".//multianswer/sequence").split(",")) == GAP_COUNTS[question_id]
        assert moodle.mathjax_formulas(text) == source_formulas(question.text), question_id
        assert moodle.tex_filter_formulas(text) == [tex for tex, _ in source_formulas(question.text)]
        assert moodle.cloze_gaps(text)[1] == [], "no gap syntax left in a formula"


def quiz_page(folder: Path, course: Course, version: str) -> tuple[Any, dict[str, Any]]:
    with zipfile.ZipFile(folder / "scorm" / f"{course.info.id}-{version}.zip") as archive:
        page = lxml.html.document_fromstring(archive.read("index.html").decode())
    (data,) = page.xpath("//*[@id='cb-data']")
    return page, json.loads(data.text)


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_scorm_quiz_shows_the_formulas_as_mathml_and_the_gaps_as_inputs(
    built: tuple[Course, Path], version: str
) -> None:
    course, folder = built
    page, data = quiz_page(folder, course, version)
    records = {record["id"]: record for record in data["quiz"]["q"]}
    for question_id, question in questions(course).items():
        (fieldset,) = page.xpath(f"//fieldset[@id='q-{question_id}']")
        (text,) = fieldset.xpath(".//div[@class='qtext']")
        controls = text.xpath(".//*[@data-g]")
        assert [int(control.get("data-g")) for control in controls] == list(range(GAP_COUNTS[question_id]))
        assert mathml_formulas(text) == source_formulas(question.text), question_id
        assert "XCBGAP" not in lxml.html.tostring(text, encoding="unicode")
        assert records[question_id]["n"] == GAP_COUNTS[question_id]


def test_cartridge_leaves_cloze_out_as_before(built: tuple[Course, Path]) -> None:
    """The Common Cartridge has no cloze type: these questions are left out (`cc.qti.convert`),
    the rest is built."""
    from coursebuilder.cc import build_cartridge

    course, _ = built
    files = build_cartridge(course)
    assert "imsmanifest.xml" in files
    assert not any(b"brace-frac" in data or b"brace-power" in data for data in files.values())


def test_preview_bank_marks_only_the_gaps(built: tuple[Course, Path]) -> None:
    from coursebuilder.preview.bank import render_bank
    from coursebuilder.preview.server import templates

    course, _ = built
    page = lxml.html.fromstring(render_bank(course, [], templates()).html)
    for question_id, question in questions(course).items():
        (article,) = page.xpath(f"//article[@id='q-{question_id}']")
        shown = [span.get("data-gap") for span in article.xpath(".//span[@class='gap'][@data-gap]")]
        # The preview writes a gap as HTML into the Markdown: in a code span it stays source.
        in_prose = [gap.id for gap in question.gaps if f"`{{{{{gap.id}}}}}`" not in question.text]
        assert shown == in_prose, question_id
        formulas = source_formulas(question.text)
        assert mathml_formulas(article)[: len(formulas)] == formulas, question_id  # the text comes first


def test_reimport_keeps_the_gap_names_and_leaves_formulas_alone() -> None:
    """A re-import names its gaps g1, g2, …; the course's names come back by position, and a
    TeX group in a formula is not taken for one of them."""
    old = cloze("With $\\frac{{a}}{b}$, {{a}} and {{b}}.", "a", "b")
    new = cloze("With $\\frac{{a}}{b}$, {{g1}} and {{g2}}.", "g1", "g2")
    kept = preserve_texts(old, new)
    assert kept.text == old.text
    assert [gap.id for gap in kept.gaps] == ["a", "b"]


def test_moodle_xml_imports_back_to_the_same_cloze(built: tuple[Course, Path], tmp_path: Path) -> None:
    """Importing the built bank gives the cloze texts back, formulas and all: into a course
    without questions it builds to the same bytes; into its own course it changes nothing."""
    from coursebuilder.importer import ImportOptions, run_import
    from tests.test_import_roundtrip import _build, _strip

    course, folder = built
    moodle_files = [folder / "moodle" / "questions.xml", folder / "moodle" / "glossary.xml"]
    copy = tmp_path / "copy"
    _strip(Path(course.root), copy)
    result = run_import(moodle_files, ImportOptions(into=copy))
    assert not result.failed and not result.course_errors, [d.format() for d in result.course_errors]
    assert result.skipped == []
    assert _build(copy, tmp_path / "again")["questions.xml"] == moodle_files[0].read_bytes()
    own = tmp_path / "own"
    shutil.copytree(course.root, own)
    result = run_import(moodle_files, ImportOptions(into=own))
    assert {change.action for change in result.changes} == {"unchanged"}
    assert result.files == []
