"""Formulas: the notation, what Moodle's importers and filters make of what we write, the
MathML of packages, and what `validate` says about broken formulas.

tests/courses/formulas has a formula in every kind of field. Moodle's side is the oracle in
tests/moodle_semantics.py (its GIFT and XML importers, its MathJax and TeX filters), which
never imports the code under test.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from coursebuilder.build import build_course
from coursebuilder.formulas import notation, tex
from coursebuilder.loader import load_or_raise
from coursebuilder.markdown import RenderCache, render
from coursebuilder.model import Course, final_questions, iter_markdown
from tests import moodle_semantics as moodle
from tests.conftest import ROOT
from tests.mbz_util import parse, unpack

COURSE = ROOT / "tests" / "courses" / "formulas"
GOLDEN = ROOT / "tests" / "golden" / "formulas"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, Path]:
    out = tmp_path_factory.mktemp("formulas")
    build_course(COURSE, out)
    course, _ = load_or_raise(COURSE)
    return course, out / course.info.id


def source_formulas(model: object, skip: tuple[str, ...] = ()) -> list[tuple[str, bool]]:
    """Every formula of a model's Markdown fields (but those whose path starts with one of
    `skip`), as (TeX, display)."""
    found = []
    for _, _, path, text in iter_markdown(model):  # type: ignore[arg-type]
        if path.startswith(skip):
            continue
        formulas, _ = notation.scan(text)
        found.extend((formula.tex, formula.display) for formula in formulas)
    return sorted(found)


# --------------------------------------------------------------------------- the notation


@pytest.mark.parametrize(
    ("text", "formulas"),
    [
        ("Energy $E = mc^2$ here", [("E = mc^2", False)]),
        ("costs $5 and $10", []),  # a closing `$` must follow a non-space character
        ("costs $5, or \\$7", []),  # an escaped `$` closes nothing
        ("$ x $", []),  # no space inside the dollars
        ("$x$5", []),  # no digit right after the closing `$`
        ("\\$x\\$", []),
        ("`$x$` is code", []),
        ("a $$\\sum_i x_i$$ b", [("\\sum_i x_i", True)]),
        ("$$\n\\frac{a}{b}\n$$", [("\\frac{a}{b}", True)]),
        ("$a_1 *b* c_1$", [("a_1 *b* c_1", False)]),  # Markdown does not touch a formula
    ],
)
def test_notation_follows_dollarmath_rules(text: str, formulas: list[tuple[str, bool]]) -> None:
    found, _ = notation.scan(text)
    assert [(f.tex, f.display) for f in found] == formulas
    assert notation.has_math(text) == bool(formulas)


def test_markdown_leaves_a_formula_alone() -> None:
    """Underscores (Markdown's emphasis) and backslashes inside formulas survive rendering."""
    assert render("$a_1 + b_1$ and $a_2 + b_2$") == "<p>\\(a_1 + b_1\\) and \\(a_2 + b_2\\)</p>\n"
    assert "<em>" not in render("$a_1 + b_1$ and $a_2 + b_2$", math="mathml")


def test_shared_rendering_gives_each_form_its_own_output() -> None:
    text = "Speed $v = \\frac{s}{t}$ and \\\\(prose\\\\)"
    fresh = (render(text), render(text, math="mathml"))
    cache = RenderCache()
    assert (render(text, cache=cache), render(text, math="mathml", cache=cache)) == fresh
    assert (render(text, cache=cache), render(text, math="mathml", cache=cache)) == fresh
    assert fresh[0] != fresh[1]


# --------------------------------------------------------------------------- Moodle


def test_moodle_xml_importer_stores_each_formula_unchanged(built: tuple[Course, Path]) -> None:
    """qformat_xml stores every `<text>` as written; MathJax and filter_tex then find exactly the
    source formulas of each question, TeX unchanged, in the right mode."""
    course, folder = built
    stored = moodle.xml_stored_texts((folder / "moodle" / "questions.xml").read_bytes())
    for question in course.questions:
        texts = stored[question.id]
        mathjax = sorted(f for text in texts for f in moodle.mathjax_formulas(text))
        assert mathjax == source_formulas(question), question.id
        filtered = sorted(f for text in texts for f in moodle.tex_filter_formulas(text))
        assert filtered == sorted(tex for tex, _ in source_formulas(question)), question.id


def test_gift_importer_stores_each_formula_unchanged(built: tuple[Course, Path]) -> None:
    """TeX is full of GIFT's special characters (`{ } = # ~ :` and `\\`); after
    qformat_gift's unescaping the stored texts hold each formula as written."""
    course, folder = built
    stored = moodle.gift_questions((folder / "moodle" / "questions.gift.txt").read_text(encoding="utf-8"))
    carried = [q for q in course.questions if q.type != "cloze"]  # GIFT has no cloze
    assert sorted(stored) == sorted(q.id for q in carried)
    # What GIFT cannot carry (the writer says so in the file's header comment).
    not_carried = ("hints", "feedback.", "grader_info")
    for question in carried:
        texts = stored[question.id]["texts"]
        expected = source_formulas(question, skip=not_carried)
        assert sorted(f for text in texts for f in moodle.mathjax_formulas(text)) == expected, question.id
        filtered = sorted(f for text in texts for f in moodle.tex_filter_formulas(text))
        assert filtered == sorted(tex for tex, _ in expected), question.id


def test_cloze_gaps_are_not_disturbed_by_tex_braces(built: tuple[Course, Path]) -> None:
    course, folder = built
    stored = moodle.xml_stored_texts((folder / "moodle" / "questions.xml").read_bytes())
    question = next(q for q in course.questions if q.type == "cloze")
    text, gaps = moodle.cloze_gaps(stored[question.id][1])  # [0] is the name
    assert len(gaps) == len(question.gaps)  # type: ignore[attr-defined]
    formulas, _ = notation.scan(question.text)
    assert sorted(moodle.mathjax_formulas(text)) == sorted((f.tex, f.display) for f in formulas)


def test_prose_and_code_are_not_taken_for_formulas() -> None:
    """`\\(`, `\\[`, `$$` and `\\begin{…}` in prose or code would start a formula in Moodle."""
    text = "In code `$$x$$`, `\\(y\\)`; in prose \\\\(z\\\\), \\\\[w\\\\], \\\\begin{matrix}; a formula: $v$."
    html = render(text)
    assert moodle.mathjax_formulas(html) == [("v", False)]
    assert moodle.tex_filter_formulas(html) == ["v"]
    assert lxml.html.fragment_fromstring(html, create_parent="div").text_content().strip() == (
        "In code $$x$$, \\(y\\); in prose \\(z\\), \\[w\\], \\begin{matrix}; a formula: \\(v\\)."
    )


def test_backup_pages_carry_tex_for_moodle(built: tuple[Course, Path]) -> None:
    """The lesson page of the .mbz holds the lesson's formulas for Moodle's filters, and the
    prose and code that look like delimiters are not taken for formulas."""
    course, folder = built
    files = unpack((folder / "moodle" / f"{course.info.id}.mbz").read_bytes())
    contents = [
        "".join(parse(data).xpath("//content/text()")) for name, data in files.items() if name.endswith("page.xml")
    ]
    assert contents
    found = sorted(f for content in contents for f in moodle.mathjax_formulas(content))
    assert found == source_formulas(course.lessons[0])
    assert sorted(f for content in contents for f in moodle.tex_filter_formulas(content)) == [tex for tex, _ in found]


@pytest.mark.parametrize("name", ["questions.xml", "questions.gift.txt"])
def test_golden(built: tuple[Course, Path], name: str) -> None:
    """Checked by hand: `\\(…\\)`/`\\[…\\]` around untouched TeX; in XML only `<`, `&` escaped
    (CDATA when needed); in GIFT `\\ { } = # ~ :` backslash-escaped (`repchar()`)."""
    _, folder = built
    written = (folder / "moodle" / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(written, encoding="utf-8")
    assert written == golden.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- packages


def _pages(package: Path) -> dict[str, str]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".html")}


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_scorm_pages_carry_mathml_with_the_tex(built: tuple[Course, Path], version: str) -> None:
    course, folder = built
    pages = _pages(folder / "scorm" / f"{course.info.id}-{version}.zip")
    found: list[tuple[str, bool]] = []
    for markup in pages.values():
        document = lxml.html.document_fromstring(markup)
        for math in document.iter("math"):
            (semantics,) = math
            assert semantics.tag == "semantics"
            annotation = semantics[-1]
            assert annotation.tag == "annotation" and annotation.get("encoding") == "application/x-tex"
            assert not math.xpath(".//a"), "no glossary link inside a formula"
            found.append((annotation.text or "", math.get("display") == "block"))
        scripts = [script.get("src") for script in document.iter("script") if script.get("src")]
        assert all(src == "player.js" or src.endswith("/player.js") for src in scripts), scripts
        assert "mathjax" not in markup.lower()
    expected = source_formulas(course.info) + source_formulas(course.glossary) + source_formulas(course.lessons[0])
    for question in final_questions(course):  # essays and descriptions are not in the SCORM quiz
        expected += source_formulas(question)
    # Every source formula is on a page, as MathML with its TeX (a text may appear on several pages).
    assert set(expected) <= set(found)
    assert set(found) <= set(expected)


def test_glossary_terms_are_linked_outside_formulas_only(built: tuple[Course, Path]) -> None:
    course, folder = built
    pages = _pages(folder / "scorm" / f"{course.info.id}-scorm2004.zip")
    document = lxml.html.document_fromstring(pages["index.html"])
    links = [a for a in document.iter("a") if "gloss" in (a.get("class") or "")]
    assert any(a.text == "velocity" for a in links)
    # The term `v` (case-sensitive, whole word) occurs in the lesson only inside formulas.
    assert not any(a.text == "v" for a in links)
    assert document.xpath("//math//mi[text()='v']")
    assert all(not a.xpath("ancestor::math") for a in links)


# --------------------------------------------------------------------------- validation


def _broken(tmp_path: Path) -> Path:
    course = tmp_path / "broken"
    shutil.copytree(COURSE, course)
    lesson = course / "lessons" / "01-motion.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8")
        + "\nAn unknown command: $\\foo{x}$.\n\nChemistry: $\\ce{H2O}$.\n\nUnclosed: $x + 1 and more.\n"
        "\n$$\n\\frac{1}{\n$$\n",
        encoding="utf-8",
    )
    quiz = course / "quiz" / "motion.yaml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("{value: 6,", '{value: "$\\\\frac{12}{2}$",')
        + "  - id: f-bad-match\n    type: matching\n    text: Match.\n    pairs:\n"
        '      - {question: "$a$", answer: "$\\\\alpha$"}\n      - {question: b, answer: beta}\n'
        "      - {question: c, answer: gamma}\n",
        encoding="utf-8",
    )
    return course


def test_validate_locates_each_broken_formula(tmp_path: Path) -> None:
    course = _broken(tmp_path)
    _, diagnostics = load_or_raise_soft(course)
    lines = (course / "lessons" / "01-motion.md").read_text(encoding="utf-8").split("\n")

    def line_of(snippet: str) -> int:
        return next(number for number, text in enumerate(lines, 1) if snippet in text)

    formula_errors = {(d.file, d.line, d.field, d.message) for d in diagnostics if d.code == "formula"}
    lesson = str(course / "lessons" / "01-motion.md")
    assert (lesson, line_of("\\foo"), "body", "formula $\\foo{x}$: unknown command \\foo") in formula_errors
    assert any(
        (f, n, m.split(":")[0]) == (lesson, line_of("\\ce{H2O}"), "formula $\\ce{H2O}$")
        and "mhchem" in m
        and "not supported" in m
        for f, n, _, m in formula_errors
    )
    assert any(
        (f, n) == (lesson, line_of("Unclosed")) and m.startswith("unbalanced `$`") for f, n, _, m in formula_errors
    )
    assert any(
        (f, n) == (lesson, lines.index("\\frac{1}{")) and "formula $$\\frac{1}{$$" in m for f, n, _, m in formula_errors
    )
    quiz_lines = (course / "quiz" / "motion.yaml").read_text(encoding="utf-8").split("\n")
    numeric_line = next(n for n, text in enumerate(quiz_lines, 1) if "frac{12}{2}" in text)
    numeric = [
        d for d in diagnostics if d.code == "formula" and d.file.endswith("motion.yaml") and "number" in d.message
    ]
    assert [(d.line, d.field) for d in numeric] == [(numeric_line, "questions[3].answers[0].value")]
    assert "Moodle grades a numerical answer by comparing numbers" in numeric[0].message
    match_line = next(n for n, text in enumerate(quiz_lines, 1) if "\\\\alpha" in text)
    matching = [d for d in diagnostics if d.code == "formula" and "drop-down" in d.message]
    assert [(d.line, d.field) for d in matching] == [(match_line, "questions[9].pairs[0].answer")]


def load_or_raise_soft(course: Path) -> tuple[object, list]:  # type: ignore[type-arg]
    from coursebuilder.diagnostics import CourseError

    try:
        return load_or_raise(course)
    except CourseError as exc:
        return None, list(exc.diagnostics)


def test_each_formula_is_checked_once_whichever_targets_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSEBUILDER_CACHE", str(tmp_path / "cache"))  # nothing kept by other tests' loads
    course, _ = load_or_raise(COURSE)
    occurrences: Counter[str] = Counter()
    for model in [course.info, course.glossary, *course.lessons, *course.questions]:
        for _, _, _, text in iter_markdown(model):
            occurrences.update(formula.tex for formula in notation.scan(text)[0])
    tex.problem.cache_clear()
    build_course(COURSE, tmp_path)
    info = tex.problem.cache_info()
    assert info.misses == len(occurrences)  # each distinct formula converted for checking once
    assert info.hits + info.misses == sum(occurrences.values())  # and looked up once per occurrence


def test_formula_problems() -> None:
    assert tex.problem("\\frac{a}{b} + \\sqrt{x} + \\begin{pmatrix}1 & 2\\end{pmatrix}") is None
    assert tex.problem("\\foo") == "unknown command \\foo"
    assert tex.problem("x^{2") == "unbalanced braces: a `{` is never closed"
    assert tex.problem("x}") == "unbalanced braces: a `}` closes nothing"
    assert tex.problem("\\left( x") == "a \\left has no matching \\right"
    assert (tex.problem("\\begin{foo}x\\end{foo}") or "").startswith("environment 'foo' is not supported")
    # MathJax refuses `align` inside a formula ("Erroneous nesting of equation structures").
    assert (tex.problem("\\begin{align}a&=b\\end{align}") or "").startswith("environment 'align' is not supported")
    assert tex.problem("\\begin{split}a&=b\\\\c&=d\\end{split}") is None
    assert "mhchem" in (tex.problem("\\ce{H2O}") or "")
    assert "Moodle's filters" in (tex.problem("a \\) b") or "")
    assert "stand alone" in (tex.problem("\\newcommand{\\R}{x}\\R") or "")


# --------------------------------------------------------------------------- MathML, preview


def test_mathml_keeps_the_tex_and_survives_an_html_parser() -> None:
    from lxml import etree

    from coursebuilder.formulas import mathml

    markup = mathml.formula_html("a < b,\\; 5\\,\\mathrm{m}", True)
    assert "/>" not in markup  # explicit end tags: HTML parsers ignore MathML's `/>`
    parsed = lxml.html.fragment_fromstring(markup)
    assert etree.tostring(parsed, method="html", encoding="unicode") == markup
    assert parsed.get("display") == "block"
    assert parsed.xpath("string(.//annotation)") == "a < b,\\; 5\\,\\mathrm{m}"
    assert parsed.xpath(".//mi[text()='m']/@mathvariant") == ["normal"]  # upright, as \mathrm asks


def test_preview_question_bank_shows_formulas_as_mathml(tmp_path: Path) -> None:
    from coursebuilder.preview.server import PreviewServer
    from tests.test_preview import get

    course = tmp_path / "formulas"
    shutil.copytree(COURSE, course)
    server = PreviewServer(course, port=0, report=lambda line: None)
    server.start()
    try:
        code, _, body = get(server.url + "questions")
    finally:
        server.stop()
    assert code == 200
    page = lxml.html.document_fromstring(body.decode())
    (question,) = page.xpath("//*[@id='q-f-multichoice']")
    annotations = question.xpath(".//math//annotation/text()")
    assert "5\\,\\mathrm{m/s}" in annotations  # an answer option
    assert "\\frac{100}{20} = 5" in annotations  # its feedback
    assert "\\(" not in question.text_content()


# --------------------------------------------------------------------------- the physics example


def test_physics_example_is_strict_clean_and_uses_inline_and_display_math() -> None:
    from click.testing import CliRunner

    from coursebuilder.cli import main

    example = ROOT / "examples" / "physics"
    outcome = CliRunner().invoke(main, ["validate", str(example), "--strict"])
    assert outcome.exit_code == 0, outcome.output
    course, warnings = load_or_raise(example)
    assert warnings == []
    assert course.info.language == "en"
    lessons = [f for lesson in course.lessons for f in source_formulas(lesson)]
    questions = [f for question in course.questions for f in source_formulas(question)]
    for formulas in (lessons, questions):
        assert any(display for _, display in formulas) and any(not display for _, display in formulas)


def test_importing_moodle_formulas_gives_the_notation_back(built: tuple[Course, Path], tmp_path: Path) -> None:
    """`\\(…\\)` and `\\[…\\]` in Moodle XML come back as `$…$` and `$$…$$`, not as raw HTML."""
    from coursebuilder.importer import ImportOptions, run_import
    from tests.test_import_roundtrip import _strip

    course, folder = built
    copy = tmp_path / "copy"
    _strip(COURSE, copy)
    result = run_import(
        [folder / "moodle" / "questions.xml", folder / "moodle" / "glossary.xml"], ImportOptions(into=copy)
    )
    assert not result.failed and not result.course_errors
    imported, _ = load_or_raise(copy)
    by_id = {question.id: question for question in imported.questions}
    for question in course.questions:
        assert source_formulas(by_id[question.id]) == source_formulas(question), question.id
    assert source_formulas(imported.glossary) == source_formulas(course.glossary)


def test_glossary_importer_stores_each_formula_unchanged(built: tuple[Course, Path]) -> None:
    course, folder = built
    stored = moodle.glossary_definitions((folder / "moodle" / "glossary.xml").read_bytes())
    for entry in course.glossary.entries:
        assert sorted(moodle.mathjax_formulas(stored[entry.term])) == source_formulas(entry), entry.term
        assert sorted(moodle.tex_filter_formulas(stored[entry.term])) == [t for t, _ in source_formulas(entry)]
