"""Answer-key checks: each trap of tests/courses/answer-keys warns at its answer, in every format.

Lines and columns in EXPECTED were read off quiz/traps.yaml by hand; the test also checks that
each points at the key it names. Grades are Moodle's, from the independent oracle in
tests/moodle_semantics.py (question/type/shortanswer/question.php), never from the checks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursebuilder.answerkeys import check_question, clean_key, first_match, glossary_names, student_variants
from coursebuilder.cli import main
from coursebuilder.loader import load_course
from coursebuilder.model import Choice, Cloze, Course, MultiChoice, ShortAnswer
from tests.moodle_semantics import moodle_shortanswer_grade

ROOT = Path(__file__).resolve().parent.parent
TRAPS = ROOT / "tests/courses/answer-keys"
QUIZ = (TRAPS / "quiz/traps.yaml").as_posix()

# (line, column, field, code, what the line holds at that column)
EXPECTED = {
    (9, 9, "questions[0]", "answer-variant", "text: Lembaga Swadaya Masyarakat"),
    (27, 9, "questions[2]", "answer-variant", 'text: "interdependensi*"'),
    (37, 14, "questions[3].gaps[0]", "answer-variant", 'text: "William D. Coplin"'),
    (42, 13, "questions[3].gaps[1]", "answer-variant", 'text: "nonintervensi*"'),
    (53, 9, "questions[4]", "partial-number", "grade: 50"),
    (63, 9, "questions[5]", "negative-wipeout", "grade: -100"),
    (67, 5, "questions[6]", "key-first", "shuffle: false"),
    (78, 10, "questions[7]", "key-longest", 'text: "Memenuhi kebutuhan'),
    (90, 42, "questions[8].gaps[0]", "partial-number", "grade: 50"),
    (91, 9, "questions[8].gaps[1]", "key-first", "id: kawasan"),
    (100, 48, "questions[8].gaps[2]", "negative-wipeout", "grade: -100"),
    (118, 10, "questions[10]", "repeated-option", 'text: "bandung"'),
    (125, 10, "questions[11]", "unreachable-answer", 'text: "Asean"'),
    (127, 10, "questions[11]", "unreachable-answer", 'text: "asia*"'),
}


def _diagnostics(root: Path = TRAPS) -> list[str]:
    return [d.format() for d in load_course(root).diagnostics]


def test_each_trap_warns_at_its_answer() -> None:
    result = load_course(TRAPS)
    assert result.course is not None
    found = {(d.line, d.column, d.field, d.code) for d in result.diagnostics}
    assert all(d.severity.value == "warning" and d.file == QUIZ for d in result.diagnostics)
    assert found == {item[:4] for item in EXPECTED}
    lines = Path(QUIZ).read_text(encoding="utf-8").splitlines()
    for line, column, _, _, held in EXPECTED:
        assert lines[line - 1][column - 1 :].startswith(held), (line, column, held)


def test_the_variants_the_issue_reported() -> None:
    """Each response a teacher found marked down is reported, with the answer that catches it."""
    text = "\n".join(_diagnostics())
    reported = [
        '"Lembaga Swadaya Masyarakat." scores 50 % (caught by answer[1] "Lembaga Swadaya*")',
        '"Lembaga Swadaya Masyarakat (LSM)" scores 50 % (caught by answer[1] "Lembaga Swadaya*")',
        '"William D Coplin" scores 0 % (caught by answer[1] "*")',
        '"W. D. Coplin" scores 0 % (caught by answer[1] "*")',
        '"non intervensi" scores 0 % (caught by answer[1] "*")',
        '"saling bergantung" scores 0 % (caught by answer[1] "*")',
    ]
    for message in reported:
        assert message in text, message
    assert (
        f'{QUIZ}:9:9: warning: questions[0]: "Lembaga Swadaya Masyarakat." scores 50 % (caught by answer[1] '
        '"Lembaga Swadaya*"); a student who knows the answer loses marks [answer-variant]'
    ) in text


def test_an_option_twice_and_an_answer_never_used_are_told_which_came_first() -> None:
    """Two options a student cannot tell apart (the same words, in any case); a short answer
    that Moodle never grades with, since an earlier one takes each response it would match
    (the same pattern, or a pattern an earlier one matches as it is written)."""
    found = [
        line.split(": warning: ", 1)[1] for line in _diagnostics() if "questions[1" in line.split(": warning: ")[1]
    ]
    assert found == [
        "questions[10]: answer[2] reads the same as answer[1]: the student sees one option twice [repeated-option]",
        "questions[11]: answer[1] is never used: answer[0] comes first and takes every response it would match"
        " (Moodle grades with the first answer that matches) [unreachable-answer]",
        "questions[11]: answer[3] is never used: answer[2] comes first and takes every response it would match"
        " (Moodle grades with the first answer that matches) [unreachable-answer]",
    ]
    answers = [("ASEAN*", 1.0), ("Asean", 0.5), ("Asia*", 0.2), ("asia*", 0.1)]  # Moodle's grading agrees
    for response in ["Asean", "asean", "ASEAN", "Asia", "asia", "asia tenggara", "ASIA*"]:
        assert moodle_shortanswer_grade(response, answers, usecase=False)[0] in (0, 2)


def test_fair_keys_and_silenced_questions_are_quiet() -> None:
    fields = {d.field.split(".")[0] for d in load_course(TRAPS).diagnostics}
    assert "questions[1]" not in fields, "Lembaga*Swadaya*Masyarakat* takes every variant"
    assert "questions[9]" not in fields, "allow_warnings: [key-first]"


def test_allow_warnings_silences_only_what_it_names(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(TRAPS, course)
    quiz = course / "quiz/traps.yaml"
    source = quiz.read_text(encoding="utf-8")
    quiz.write_text(source.replace("allow_warnings: [key-first]", "allow_warnings: [key-longest]"), encoding="utf-8")
    assert any(d.field == "questions[9]" and d.code == "key-first" for d in load_course(course).diagnostics)
    quiz.write_text(source.replace("allow_warnings: [key-first]", "allow_warnings: [no-such-check]"), encoding="utf-8")
    errors = [d for d in load_course(course).diagnostics if d.severity.value == "error"]
    assert [d.field for d in errors] == ["questions[9].allow_warnings[0]"]


def test_formats_and_strict() -> None:
    runner = CliRunner()
    loose = runner.invoke(main, ["validate", str(TRAPS)])
    assert loose.exit_code == 0
    strict = runner.invoke(main, ["validate", "--strict", str(TRAPS)])
    assert strict.exit_code == 1
    report = json.loads(runner.invoke(main, ["validate", "--format", "json", str(TRAPS)]).output)
    assert report["ok"] is True and report["errors"] == 0
    codes = {d["code"] for d in report["diagnostics"]}
    assert codes == {
        "answer-variant",
        "partial-number",
        "negative-wipeout",
        "key-first",
        "key-longest",
        "repeated-option",
        "unreachable-answer",
    }
    first = report["diagnostics"][0]
    assert (first["line"], first["column"], first["field"], first["severity"]) == (9, 9, "questions[0]", "warning")
    github = runner.invoke(main, ["validate", "--format", "github", str(TRAPS)]).output.splitlines()
    assert any(line.startswith(f"::warning file={QUIZ},line=63,col=9,title=negative-wipeout::") for line in github)
    assert len(github) == report["warnings"]


def test_build_reports_the_warnings_and_strict_build_refuses(tmp_path: Path) -> None:
    runner = CliRunner()
    built = runner.invoke(main, ["build", str(TRAPS), "-o", str(tmp_path / "dist")])
    assert built.exit_code == 0 and "[answer-variant]" in built.output
    refused = runner.invoke(main, ["build", "--strict", str(TRAPS), "-o", str(tmp_path / "strict"), "-q"])
    assert refused.exit_code == 1 and not (tmp_path / "strict").exists()


# --------------------------------------------------------------------------- Moodle's grading


def typed_responses(course: Course) -> list[tuple[str, list[tuple[str, float]], bool, str]]:
    """(question id or gap, answers as Moodle holds them, case used, response) for every key."""
    names = glossary_names(course.glossary)
    out = []
    extra = ["", " ", "  Lembaga Swadaya Masyarakat\t", "LEMBAGA swadaya masyarakat", "Cafe\u0301", "a*b", "A\\*B"]
    for question in course.questions:
        keyed: list[tuple[str, list[tuple[str, float]], bool]] = []
        if isinstance(question, ShortAnswer):
            keyed.append((question.id, [(a.text, a.grade / 100) for a in question.answers], question.case_sensitive))
        elif isinstance(question, Cloze):
            for gap in question.gaps:
                if gap.type.startswith("shortanswer"):
                    answers = [(a.text, a.grade / 100) for a in gap.answers]
                    keyed.append((f"{question.id}.{gap.id}", answers, gap.type == "shortanswer_case"))
        for where, answers, case in keyed:
            responses: list[str] = list(extra)
            for text, fraction in answers:
                if fraction == 1:
                    aliases = [n for n in names.get(clean_key(text).casefold(), []) if n != clean_key(text)]
                    responses += [v.text for v in student_variants(clean_key(text), case, aliases, question.text)]
            out += [(where, answers, case, response) for response in dict.fromkeys(responses)]
    return out


def _courses() -> list[Course]:
    courses = []
    for root in (TRAPS, ROOT / "course_src", ROOT / "tests/courses/moodle-types"):
        course = load_course(root).course
        assert course is not None
        courses.append(course)
    return courses


def test_the_checks_grade_as_moodle_does() -> None:
    cases = [case for course in _courses() for case in typed_responses(course)]
    assert len(cases) > 200
    for where, answers, case, response in cases:
        index, _ = moodle_shortanswer_grade(response, answers, case)
        assert first_match(response, [a for a, _ in answers], case) == index, (where, response)


def test_the_oracle_reads_question_php_as_the_issue_found_it() -> None:
    """The marks a teacher saw in Moodle for the old keys of the example course."""
    lsm = [("Lembaga Swadaya Masyarakat", 1.0), ("Lembaga Swadaya*", 0.5), ("*", 0.0)]
    assert moodle_shortanswer_grade("Lembaga Swadaya Masyarakat.", lsm, False) == (1, 0.5)
    assert moodle_shortanswer_grade("Lembaga Swadaya Masyarakat (LSM)", lsm, False) == (1, 0.5)
    assert moodle_shortanswer_grade("  lembaga swadaya masyarakat ", lsm, False) == (0, 1.0)
    assert moodle_shortanswer_grade("Lembaga  Swadaya Masyarakat", lsm, False) == (2, 0.0)
    coplin = [("Coplin", 1.0), ("William D. Coplin", 1.0), ("William Coplin", 1.0), ("*", 0.0)]
    assert moodle_shortanswer_grade("William D Coplin", coplin, False) == (3, 0.0)
    assert moodle_shortanswer_grade("W. D. Coplin", coplin, False) == (3, 0.0)
    assert moodle_shortanswer_grade("non intervensi", [("nonintervensi", 1.0), ("*", 0.0)], False) == (1, 0.0)
    assert moodle_shortanswer_grade("Kedaulatan", [("kedaulatan", 1.0)], True) == (None, 0.0)
    assert moodle_shortanswer_grade("a*b", [("a\\*b", 1.0)], False) == (0, 1.0)
    assert moodle_shortanswer_grade("axb", [("a\\*b", 1.0)], False) == (None, 0.0)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("William D. Coplin", {"William D Coplin", "W. D. Coplin", "W.D. Coplin", "William Coplin", "Coplin"}),
        ("nonintervensi", {"non-intervensi", "non intervensi", "nonintervensi."}),
        ("non-intervensi", {"non intervensi", "nonintervensi"}),
        ("Lembaga Swadaya Masyarakat", {"Lembaga  Swadaya  Masyarakat", "Lembaga Swadaya Masyarakat (LSM)"}),
    ],
)
def test_variants_include_what_students_type(key: str, expected: set[str]) -> None:
    got = {v.text for v in student_variants(key, False, [], "")}
    assert expected <= got, expected - got


def test_question_bank_page_shows_each_warning_next_to_its_question() -> None:
    import lxml.html

    from coursebuilder.preview.bank import render_bank
    from coursebuilder.preview.server import templates

    result = load_course(TRAPS)
    assert result.course is not None
    page = lxml.html.fromstring(render_bank(result.course, [], templates()).html)

    def shown(question_id: str) -> list[str]:
        (article,) = page.xpath(f"//article[@id='q-{question_id}']")
        return [" ".join(li.text_content().split()) for li in article.xpath(".//ul[@class='key-warnings']/li")]

    lsm = shown("lsm-trap")
    assert (
        'quiz/traps.yaml:9:9 questions[0]: "Lembaga Swadaya Masyarakat." scores 50 % (caught by answer[1] '
        in "\n".join(lsm)
    )
    assert all(item.endswith("[answer-variant]") for item in lsm) and len(lsm) == 4
    assert shown("prinsip-jamak") and shown("prinsip-jamak")[0].endswith("[negative-wipeout]")
    assert [item.rsplit("[", 1)[1] for item in shown("celah")] == ["partial-number]", "key-first]", "negative-wipeout]"]
    assert shown("lsm-fair") == [] and shown("urutan-disengaja") == []


def _choices(key: str, *others: tuple[str, float]) -> MultiChoice:
    answers = [Choice(text=text, grade=grade) for text, grade in others] + [Choice(text=key, grade=100)]
    return MultiChoice(type="multichoice", id="q", text="Pilih.", lesson="l", answers=answers)


@pytest.mark.parametrize(
    ("key", "others", "warns"),
    [
        # "Longer by a wide margin": 1.5 times and 15 characters longer than the longest distractor.
        ("k" * 45, [("d" * 30, 0)], True),  # exactly 1.5× and 15 longer
        ("k" * 46, [("d" * 31, 0)], False),  # 15 longer, under 1.5×
        ("k" * 24, [("d" * 10, 0)], False),  # 2.4×, 14 longer
        ("k" * 45, [("d" * 10, 0), ("d" * 30, 0)], True),  # the longest is the later one
        ("k" * 45, [("d" * 10, 0), ("d" * 31, 0)], False),
        ("k" * 45, [("d" * 31, 0), ("d" * 10, 0)], False),
        ("k" * 45, [("d" * 40, 50), ("d" * 10, 0)], True),  # partial credit is no distractor
        ("k" * 45, [("d" * 40, 50)], False),  # and with no distractor at all there is no margin
        ("**" + "k" * 44 + "**", [("d" * 30, 0)], False),  # markup is not read: 44 characters
        ("k" * 45, [("`" + "d" * 30 + "`", 0)], True),
    ],
)
def test_key_longest_needs_both_margins_over_the_longest_distractor(
    key: str, others: list[tuple[str, float]], warns: bool
) -> None:
    found = [d.code for d in check_question(_choices(key, *others), {})]
    assert found == (["key-longest"] if warns else []), found
