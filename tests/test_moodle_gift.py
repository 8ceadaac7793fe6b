"""questions.gift.txt, read back by a port of Moodle's GIFT importer.

`read_gift` below follows `qformat_gift::readquestion()` (question/format/gift/format.php) and
`qtype_ordering::import_from_gift()` for the types we write: blocks between blank lines,
`//` comments (with `[id:…]` and `[tag:…]`), `escapedchar_pre/post`, `::name::`, `[format]`,
the answer part between the first `{` and `}`, `####` general feedback, and the rules each type
uses to split its answers. Each question read back must equal its source.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursebuilder.exchange.gift import escape, gift_text
from coursebuilder.exchange.text import Renderer, may_reference_files
from coursebuilder.loader import load_or_raise
from coursebuilder.model import Course, Numerical
from tests.conftest import EXAMPLE, SKELETON
from tests.moodle_util import canon
from tests.test_moodle_roundtrip import AWKWARD, TYPES

_ESCAPED = {
    "\\:": "&&058;",
    "\\#": "&&035;",
    "\\=": "&&061;",
    "\\{": "&&123;",
    "\\}": "&&125;",
    "\\~": "&&126;",
    "\\n": "&&010",
}
_PLAIN = {"&&058;": ":", "&&035;": "#", "&&061;": "=", "&&123;": "{", "&&125;": "}", "&&126;": "~", "&&010": "\n"}
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")


def _pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for escaped, placeholder in _ESCAPED.items():
        text = text.replace(escaped, placeholder)
    return text.replace("&&092;", "\\")


def _post(text: str) -> str:
    for placeholder, char in _PLAIN.items():
        text = text.replace(placeholder, char)
    return text


def _text(text: str) -> str:
    """parse_text_with_format(): drop a known `[format]`, undo escapes, trim."""
    match = re.match(r"\[(html|moodle|plain|markdown)\]", text)
    if match:
        text = text[match.end() :]
    return _post(text).strip()


def _weighted(answer: str) -> tuple[float | None, str]:
    """answerweightparser(): `%n%` at the start, as a percent (None when there is none)."""
    if _WEIGHT.match(answer):
        end = answer.index("%", 1)
        return float(answer[1:end]), answer[end + 1 :]
    return None, answer


def _comment(answer: str) -> tuple[str, str]:
    text, _, feedback = answer.partition("#")
    return _text(text.strip()), _text(feedback.strip())


def read_gift(data: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Categories and questions of a GIFT file, as Moodle's importer reads them."""
    categories: list[str] = []
    questions: list[dict[str, Any]] = []
    for block in re.split(r"\n\s*\n", data):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        comments = "\n".join(line for line in lines if line.startswith("//"))
        text = _pre("\n".join(line if not line.startswith("//") else " " for line in lines).strip())
        if not text:
            continue
        if text.startswith("$CATEGORY:"):
            categories.append(text[10:].strip())
            continue
        question: dict[str, Any] = {}
        found = re.search(r"\[id:((?:\\]|[^\]\x00-\x1f])+)\]", comments)
        question["id"] = found.group(1).strip().replace("\\]", "]") if found else ""
        question["tags"] = [
            tag.strip().replace("\\]", "]") for tag in re.findall(r"\[tag:((?:\\]|[^\]<>`\x00-\x1f])+)\]", comments)
        ]
        assert text.startswith("::")
        name, _, text = text[2:].partition("::")
        question["name"] = _post(name).strip()
        start, end = text.find("{"), text.find("}")
        if start < 0 and end < 0:
            question.update(type="description", text=_text(text.strip()))
            questions.append(question)
            continue
        answers = text[start + 1 : end].strip()
        question["text"] = _text(text[:start].strip())
        gf = answers.rfind("####")
        question["general_feedback"] = _text(answers[gf + 4 :]) if gf >= 0 else ""
        answers = answers[:gf].strip() if gf >= 0 else answers
        if answers.startswith(">"):  # qtype_ordering::import_from_gift
            head, *items = answers.split("\n")
            question.update(
                type="ordering", settings=head[1:].split(), items=[item.strip() for item in items if item.strip()]
            )
        elif answers == "":
            question["type"] = "essay"
        elif answers.startswith("#"):
            question["type"] = "numerical"
            body, _, wrong = answers[1:].partition("~")
            parsed = []
            for part in [p.strip() for p in body.split("=") if p.strip()]:
                weight, rest = _weighted(part)
                value, feedback = _comment(rest)
                number, _, tolerance = value.partition(":")
                parsed.append((float(number), float(tolerance or 0), 100 if weight is None else weight, feedback))
            if wrong:
                parsed.append(("*", 0.0, 0, _comment(wrong)[1]))
            question["answers"] = parsed
        elif "~" in answers:
            question["type"] = "multichoice"
            question["single"] = "=" in answers
            parsed = []
            for part in [p.strip() for p in answers.replace("=", "~=").split("~") if p.strip()]:
                if part.startswith("="):
                    weight: float | None = 100.0
                    part = part[1:]
                else:
                    weight, part = _weighted(part)
                parsed.append((weight or 0.0, *_comment(part)))
            question["answers"] = parsed
        elif "=" in answers and "->" in answers:
            question["type"] = "matching"
            pairs = []
            for part in [p.strip() for p in answers.split("=") if p.strip()]:
                item, _, answer = part.partition("->")
                pairs.append((_text(item.strip()), _post(answer).strip()))
            question["pairs"] = pairs
        elif answers.split("#")[0].strip() in ("T", "TRUE", "F", "FALSE"):
            bits = [*answers.split("#", 2), "", ""]
            truth = bits[0].strip() in ("T", "TRUE")
            right, wrong = _text(bits[2]), _text(bits[1])
            question.update(
                type="truefalse",
                correct=truth,
                feedback_true=right if truth else wrong,
                feedback_false=wrong if truth else right,
            )
        else:
            question["type"] = "shortanswer"
            parsed = []
            for part in [p.strip() for p in answers.split("=") if p.strip()]:
                weight, rest = _weighted(part)
                answer, feedback = _comment(rest)
                parsed.append((answer, 100 if weight is None else weight, feedback))
            question["answers"] = parsed
        questions.append(question)
    return categories, questions


def expected(course: Course, question: Any, renderer: Renderer) -> dict[str, Any]:
    """What the GIFT importer should read for a source question (texts as rendered for Moodle XML,
    whose rendering the Moodle XML round trip checks)."""

    def md(text: str, inline: bool = False) -> str:
        return canon(renderer.markdown(text, question.source_file, inline).text, lambda value: value)

    data: dict[str, Any] = {
        "id": question.id,
        "tags": question.tags,
        "name": question.display_name,
        "type": question.type,
    }
    data["text"] = md(question.text)
    if question.type != "description":
        data["general_feedback"] = md(question.general_feedback)
    if question.type == "multichoice":
        data["single"] = question.single
        data["answers"] = [(a.grade, md(a.text, True), md(a.feedback)) for a in question.answers]
    elif question.type == "truefalse":
        data.update(
            correct=question.correct,
            feedback_true=md(question.feedback_true),
            feedback_false=md(question.feedback_false),
        )
    elif question.type == "shortanswer":
        data["answers"] = [(a.text, a.grade, md(a.feedback)) for a in question.answers]
    elif isinstance(question, Numerical):
        data["answers"] = [
            (a.value, a.tolerance if a.value != "*" else 0.0, a.grade, md(a.feedback)) for a in question.answers
        ]
    elif question.type == "matching":
        data["pairs"] = [(md(p.question, True), p.answer) for p in question.pairs] + [
            ("", d) for d in question.distractors
        ]
    elif question.type == "ordering":
        count = question.select_count if question.select_type != "all" else len(question.items)
        grading = question.grading_type.upper()
        settings = [str(count), question.select_type.upper(), question.layout.upper(), grading]
        data["settings"] = [*settings, "SHOW" if question.show_grading else "HIDE", question.numbering]
        data["items"] = question.items
    return data


def _normalise(question: dict[str, Any]) -> dict[str, Any]:
    """Read HTML in canonical form; ordering items as the plain text they display."""
    out = dict(question)
    for key in ("text", "general_feedback", "feedback_true", "feedback_false"):
        if key in out:
            out[key] = canon(out[key], lambda value: value)
    if "answers" in out and out["type"] == "multichoice":
        out["answers"] = [(w, canon(t, lambda v: v), canon(f, lambda v: v)) for w, t, f in out["answers"]]
    if out["type"] in ("shortanswer", "numerical"):
        out["answers"] = [(*rest, canon(feedback, lambda v: v)) for *rest, feedback in out["answers"]]
    if out["type"] == "matching":
        out["pairs"] = [(canon(item, lambda v: v), answer) for item, answer in out["pairs"]]
    if out["type"] == "ordering":
        out["items"] = [
            lxml.html.fragment_fromstring(item, create_parent="div").text_content() for item in out["items"]
        ]
    return out


@pytest.mark.parametrize(
    "course_dir", [SKELETON, EXAMPLE, TYPES, AWKWARD], ids=["skeleton", "example", "types", "awkward"]
)
def test_gift_reads_back_question_by_question(course_dir: Path) -> None:
    course, _ = load_or_raise(course_dir)
    renderer = Renderer(course.root)
    text = gift_text(course, renderer)
    categories, questions = read_gift(text)
    header = text.split("\n\n", 1)[0]
    left_out = re.findall(r"^//   (\S+) \((\w+)\): (.+)$", header, re.M)
    read = {question["id"]: question for question in questions}
    # Every question is either in the file or named in the header, never both, never neither.
    assert sorted([*read, *(qid for qid, _, _ in left_out)]) == sorted(q.id for q in course.questions)
    assert not set(read) & {qid for qid, _, _ in left_out}
    for question in course.questions:
        if question.id in read:
            assert _normalise(read[question.id]) == expected(course, question, renderer), question.id
    assert all(category.startswith("$course$/top/") for category in categories)
    cloze_ids = {q.id for q in course.questions if q.type == "cloze"}
    assert cloze_ids <= {qid for qid, _, _ in left_out}


def test_header_names_what_gift_cannot_carry() -> None:
    course, _ = load_or_raise(TYPES)
    header = gift_text(course, Renderer(course.root)).split("\n\n", 1)[0]
    assert "//   t-cloze (cloze): GIFT has no embedded answers (cloze)" in header
    assert "//   t-numerical (numerical): GIFT has no units" in header
    assert "//   t-multichoice (multichoice): its text references files, which GIFT cannot embed" in header
    assert "//   t-shortanswer (shortanswer): GIFT has no case-sensitive short answers" in header
    assert "hints, combined feedback, penalties" in header
    assert all(line.startswith("//") for line in header.splitlines())


def test_escape() -> None:
    """`repchar()`: backslash first, then the reserved characters; line breaks as `\\n`."""
    assert escape("a\\b#c=d~e{f}g:h\ni\r") == "a\\\\b\\#c\\=d\\~e\\{f\\}g\\:h\\ni"
    assert _post(_pre(escape("\\: \\n # = ~ { } : \\\\ \n"))) == "\\: \\n # = ~ { } : \\\\ \n"


_PIECES = [
    "![pic](../assets/a/pic.svg)",
    "[pic](../assets/a/pic.svg)",
    "![pic][a]",
    "[a]",
    "\n\n[a]: ../assets/a/pic.svg",
    '<img src="../assets/a/pic.svg">',
    "<../assets/a/pic.svg>",
    "../assets/a/pic.svg",
    "![",
    "]",
    "(",
    ":",
    "[",
    " ",
    "\n",
    "word",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=8))
def test_a_text_that_may_not_reference_files_renders_with_none(pieces: list[str]) -> None:
    """What `may_reference_files` lets callers skip (the GIFT writer's check for files): a
    text it says no of renders with no file, though it names the course's picture."""
    text = "".join(pieces)
    if not may_reference_files(text):
        assert Renderer(TYPES).markdown_in(text, "quiz").files == ()


@pytest.mark.parametrize("text", ["![pic](../assets/a/pic.svg)", "![pic][a]\n\n[a]: ../assets/a/pic.svg"])
def test_the_pieces_do_reference_the_picture(text: str) -> None:
    assert may_reference_files(text)
    assert Renderer(TYPES).markdown_in(text, "quiz").files
