"""Read Moodle XML back: question banks (`questions.xml`) and glossaries (`glossary.xml`).

The reader follows Moodle's importers (question/format/xml/format.php, qtype_ordering's
`import_from_xml()`, mod/glossary/import.php): the same defaults for missing elements, the
same trimming, cloze gaps found by a port of `qtype_multianswer_extract_question()`. It reads
any Moodle XML file, not only ours, and returns the course model:

- `read_questions(data)` → `QuestionBank`: category pseudo-questions as `Category`, every
  question as a `ReadQuestion` holding a model question (`MultiChoice`, `Cloze`, …), the
  category it was in and the files embedded in it; questions the model cannot hold become a
  `Problem` with the line of the file, and reading goes on.
- `read_glossary(data)` → `ReadGlossary`: a `GlossaryFile` and the embedded files.

Markdown fields of the returned models hold the HTML of the file (HTML is valid Markdown), with
images still referenced as `@@PLUGINFILE@@/name`; their bytes are in `files`. Gap ids of cloze
questions, which Moodle does not keep, are `gap1`, `gap2`, … in the order of the text.

The XML is parsed without DTDs, entity expansion or network access, and a file with a
DOCTYPE is refused.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from pydantic import TypeAdapter, ValidationError

from coursebuilder.model import SLUG, GlossaryEntry, GlossaryFile, Question
from coursebuilder.moodle import cloze
from coursebuilder.moodle.codes import COURSE_QTYPE, SHOW_UNITS_BY_CODE, UNIT_GRADING_BY_CODE
from coursebuilder.moodlexml.bank import split_category_path
from coursebuilder.safexml import UnsafeXML, XMLProblem, parse_xml_bytes, parse_xml_file

__all__ = [
    "Category",
    "MoodleXmlError",
    "Problem",
    "QuestionBank",
    "ReadGlossary",
    "ReadQuestion",
    "parse_xml",
    "read_glossary",
    "read_questions",
]


class MoodleXmlError(ValueError):
    """The data is not XML this reader accepts; the message says why."""


@dataclass(frozen=True)
class Problem:
    """Something of the file that could not be read into the model."""

    line: int
    message: str


@dataclass(frozen=True)
class Category:
    """A category pseudo-question: the questions after it belong to this category."""

    names: tuple[str, ...]
    """Category names below `top`, e.g. ("MYCOURSE", "Welcome")."""
    info: str
    info_format: str
    idnumber: str
    line: int


@dataclass(frozen=True)
class ReadQuestion:
    """A question of the file as a model object, with where it was and what it embeds."""

    question: Question
    category: tuple[str, ...]
    """Names of the category in effect (see `Category.names`)."""
    files: dict[str, bytes]
    """Embedded files by the path `@@PLUGINFILE@@` is followed by, e.g. `/diagram.svg`."""
    formats: dict[str, str]
    """Text fields whose format is not `html` (field path → Moodle format name)."""
    line: int


@dataclass
class QuestionBank:
    """Everything read from a questions file."""

    categories: list[Category] = field(default_factory=list)
    questions: list[ReadQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ReadGlossary:
    """Everything read from a glossary file."""

    glossary: GlossaryFile
    intro_files: dict[str, bytes] = field(default_factory=dict)
    entry_files: list[dict[str, bytes]] = field(default_factory=list)
    """Embedded files of each entry, in the order of `glossary.entries`."""
    problems: list[Problem] = field(default_factory=list)


# --------------------------------------------------------------------------- XML


def parse_xml(data: bytes | str | Path) -> etree._Element:
    """Parse untrusted XML safely through `safexml`: no DOCTYPE, no entities, no network.

    Text nodes may exceed libxml2's 10 MB (Moodle embeds files as base64 in the XML).
    """
    name = "<xml>"
    if isinstance(data, Path):
        name = data.as_posix()
        try:
            return parse_xml_file(data, huge_text=True)
        except XMLProblem as exc:
            raise _xml_error(exc) from None
    if isinstance(data, str):
        data = data.encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return parse_xml_bytes(data, name, huge_text=True)
    except XMLProblem as exc:
        raise _xml_error(exc) from None


def _xml_error(exc: XMLProblem) -> MoodleXmlError:
    where = f" (line {exc.line})" if exc.line else ""
    if isinstance(exc, UnsafeXML):
        return MoodleXmlError(f"XML refused{where}: {exc.message}")
    return MoodleXmlError(f"not well-formed XML{where}: {exc.message}")


def _line(element: etree._Element) -> int:
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else 0


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    for child in element:
        if child.tag == tag:
            return child
    return None


def _children(element: etree._Element, tag: str) -> list[etree._Element]:
    return [child for child in element if child.tag == tag]


def _value(element: etree._Element, tag: str, default: str) -> str:
    """The trimmed text of child `tag`, or `default` when there is no such child (getpath)."""
    child = _child(element, tag)
    if child is None:
        return default
    return (child.text or "").strip()


def _text_of(element: etree._Element | None) -> str:
    """The trimmed `<text>` of `element` (empty when missing)."""
    if element is None:
        return ""
    text = _child(element, "text")
    return (text.text or "").strip() if text is not None else ""


def _single(value: str) -> bool:
    """Moodle's `trans_single()`: "false", "" and "0" are false, anything else is true."""
    value = value.strip()
    return not (value == "false" or value in ("", "0"))


def _number(value: str) -> float:
    return float(value.strip().replace(",", "."))


class _Question:
    """Reading state of one question: embedded files, text formats, the XML element."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self.files: dict[str, bytes] = {}
        self.formats: dict[str, str] = {}
        self.notes: list[str] = []

    def html(self, element: etree._Element | None, key: str) -> str:
        """A text field: its text, recording its files and (when not HTML) its format."""
        if element is None:
            return ""
        fmt = element.get("format", "html")
        if fmt != "html":
            self.formats[key] = fmt
        self.collect_files(element)
        return _text_of(element)

    def collect_files(self, element: etree._Element) -> None:
        for file in _children(element, "file"):
            name = file.get("name", "")
            path = file.get("path", "/") or "/"
            try:
                data = base64.b64decode(file.text or "", validate=False)
            except (binascii.Error, ValueError):
                self.notes.append(f"file {path}{name}: content is not base64")
                continue
            key = path + name
            if key in self.files and self.files[key] != data:
                self.notes.append(f"two different files are both named {key}")
                continue
            self.files[key] = data


_QUESTION = TypeAdapter(Question)
"""Moodle's internal type names, which its importer also accepts."""
_SLUG = re.compile(SLUG)


# --------------------------------------------------------------------------- questions


def read_questions(data: bytes | str | Path) -> QuestionBank:
    """Read a Moodle XML question file into model questions (see the module docstring)."""
    root = parse_xml(data)
    if root.tag != "quiz":
        raise MoodleXmlError(f"the root element is <{root.tag}>, not <quiz>")
    bank = QuestionBank()
    current: tuple[str, ...] = ()
    for index, element in enumerate(_children(root, "question"), start=1):
        qtype = element.get("type", "")
        line = _line(element)
        if qtype == "category":
            info = _child(element, "info")
            names = tuple(split_category_path(_text_of(_child(element, "category"))))
            bank.categories.append(
                Category(
                    names=names,
                    info=_text_of(info),
                    info_format=info.get("format", "moodle_auto_format") if info is not None else "moodle_auto_format",
                    idnumber=_value(element, "idnumber", ""),
                    line=line,
                )
            )
            current = names
            continue
        reader = _READERS.get(qtype)
        if reader is None:
            bank.problems.append(Problem(line, f"question type {qtype!r} has no equivalent in the course format"))
            continue
        state = _Question(element)
        try:
            fields = _common(state, index)
            fields.update(reader(state))
            question = _QUESTION.validate_python(fields)
        except (ValidationError, ValueError, KeyError) as exc:
            name = _text_of(_child(element, "name")) or f"question {index}"
            bank.problems.append(Problem(line, f"{name}: {_reason(exc)}"))
            continue
        bank.problems.extend(Problem(line, note) for note in state.notes)
        bank.questions.append(ReadQuestion(question, current, state.files, state.formats, line))
    return bank


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors(include_url=False)
        )
    return str(exc)


def _common(state: _Question, index: int) -> dict[str, Any]:
    element = state.element
    name = _text_of(_child(element, "name"))
    idnumber = _value(element, "idnumber", "")
    question_id = idnumber if idnumber and _SLUG.match(idnumber) and len(idnumber) <= 100 else f"question-{index}"
    fields: dict[str, Any] = {
        "type": COURSE_QTYPE.get(element.get("type", ""), element.get("type")),
        "id": question_id,
        "name": None if name in ("", question_id) else name,
        "text": state.html(_child(element, "questiontext"), "text"),
        "general_feedback": state.html(_child(element, "generalfeedback"), "general_feedback"),
        "points": _number(_value(element, "defaultgrade", "1")),
        "penalty": _number(_value(element, "penalty", "0.3333333")),
        "tags": [_text_of(tag) for tags in ("tags", "coursetags") for tag in _tags(element, tags)],
        "hints": [
            {
                "text": state.html(hint, f"hints[{number}].text"),
                "show_num_correct": _child(hint, "shownumcorrect") is not None,
                "clear_wrong": _child(hint, "clearwrong") is not None,
            }
            for number, hint in enumerate(_children(element, "hint"))
        ],
    }
    if abs(fields["penalty"] - 0.3333333) < 0.005:  # Moodle snaps old roundings of 1/3
        fields["penalty"] = 0.3333333
    return fields


def _tags(element: etree._Element, tag: str) -> list[etree._Element]:
    holder = _child(element, tag)
    return _children(holder, "tag") if holder is not None else []


def _answers(state: _Question) -> list[tuple[etree._Element, float]]:
    return [(answer, _number(answer.get("fraction", "0") or "0")) for answer in _children(state.element, "answer")]


def _combined(state: _Question) -> dict[str, Any]:
    element = state.element
    return {
        "correct": state.html(_child(element, "correctfeedback"), "feedback.correct"),
        "partially_correct": state.html(_child(element, "partiallycorrectfeedback"), "feedback.partially_correct"),
        "incorrect": state.html(_child(element, "incorrectfeedback"), "feedback.incorrect"),
        "show_num_correct": _child(element, "shownumcorrect") is not None,
    }


def _multichoice(state: _Question) -> dict[str, Any]:
    element = state.element
    numbering = _value(element, "answernumbering", "abc") or "abc"
    return {
        "single": _single(_value(element, "single", "true")),
        "shuffle": _single(_value(element, "shuffleanswers", "false")),
        "numbering": numbering,
        "show_standard_instruction": _single(_value(element, "showstandardinstruction", "1")),
        "feedback": _combined(state),
        "answers": [
            {
                "text": state.html(answer, f"answers[{number}].text"),
                "grade": fraction,
                "feedback": state.html(_child(answer, "feedback"), f"answers[{number}].feedback"),
            }
            for number, (answer, fraction) in enumerate(_answers(state))
        ],
    }


def _truefalse(state: _Question) -> dict[str, Any]:
    fields: dict[str, Any] = {"correct": True}
    for number, (answer, fraction) in enumerate(_answers(state)):
        value = _text_of(answer)
        if value not in ("true", "false"):  # old files: the first answer is "true"
            value = "true" if number == 0 else "false"
        feedback = state.html(_child(answer, "feedback"), f"feedback_{value}")
        fields[f"feedback_{value}"] = feedback
        fields["correct"] = (fraction == 100) if value == "true" else (fraction != 100)
    return fields


def _shortanswer(state: _Question) -> dict[str, Any]:
    return {
        "case_sensitive": _single(_value(state.element, "usecase", "0")),
        "answers": [
            {
                "text": _text_of(answer),
                "grade": fraction,
                "feedback": state.html(_child(answer, "feedback"), f"answers[{number}].feedback"),
            }
            for number, (answer, fraction) in enumerate(_answers(state))
        ],
    }


def _numerical(state: _Question) -> dict[str, Any]:
    element = state.element
    answers = []
    for number, (answer, fraction) in enumerate(_answers(state)):
        value = _text_of(answer) or "*"
        answers.append(
            {
                "value": value if value == "*" else _number(value),
                "tolerance": abs(_number(_value(answer, "tolerance", "0") or "0")),
                "grade": fraction,
                "feedback": state.html(_child(answer, "feedback"), f"answers[{number}].feedback"),
            }
        )
    holder = _child(element, "units")
    units = [
        {"name": _value(unit, "unit_name", ""), "multiplier": _number(_value(unit, "multiplier", "1"))}
        for unit in (_children(holder, "unit") if holder is not None else [])
    ]
    show_units = _value(element, "showunits", "0" if units else "3")
    return {
        "answers": answers,
        "units": units,
        "unit_grading": UNIT_GRADING_BY_CODE[_value(element, "unitgradingtype", "0")],
        "unit_penalty": _number(_value(element, "unitpenalty", "0.1")),
        "show_units": SHOW_UNITS_BY_CODE[show_units],
        "units_left": _single(_value(element, "unitsleft", "0")),
    }


def _matching(state: _Question) -> dict[str, Any]:
    element = state.element
    pairs, distractors = [], []
    for number, sub in enumerate(_children(element, "subquestion")):
        item = state.html(sub, f"pairs[{number}].question")
        answer = _text_of(_child(sub, "answer"))
        if item:
            pairs.append({"question": item, "answer": answer})
        else:
            distractors.append(answer)
    return {
        "shuffle": _single(_value(element, "shuffleanswers", "1")),
        "pairs": pairs,
        "distractors": distractors,
        "feedback": _combined(state),
    }


def _limit(value: str) -> int | None:
    return int(value) if value and int(value) > 0 else None


def _essay(state: _Question) -> dict[str, Any]:
    element = state.element
    template = _child(element, "responsetemplate")
    template_text = _text_of(template)
    if template is not None and template.get("format", "html") != "plain_text":
        template_text = "\n".join(html.unescape(line) for line in template_text.split("<br>"))
    file_types = _value(element, "filetypeslist", "")
    return {
        "response_format": _value(element, "responseformat", "editor"),
        "response_required": _single(_value(element, "responserequired", "1")),
        "response_lines": int(_value(element, "responsefieldlines", "15")),
        "min_words": _limit(_value(element, "minwordlimit", "")),
        "max_words": _limit(_value(element, "maxwordlimit", "")),
        "attachments": int(_value(element, "attachments", "0")),
        "attachments_required": int(_value(element, "attachmentsrequired", "0")),
        "max_bytes": int(_value(element, "maxbytes", "0") or "0"),
        "file_types": [part.strip() for part in file_types.split(",") if part.strip()],
        "grader_info": state.html(_child(element, "graderinfo"), "grader_info"),
        "response_template": template_text,
    }


def _description(state: _Question) -> dict[str, Any]:
    return {"points": 0}


def _cloze(state: _Question) -> dict[str, Any]:
    text, parsed = cloze.extract(state.html(_child(state.element, "questiontext"), "text"))
    ids = [f"gap{number}" for number in range(1, len(parsed) + 1)]
    return {
        "text": cloze.placeholders(text, ids),
        "points": 0,
        "gaps": [cloze.to_gap(gap, gap_id) for gap, gap_id in zip(parsed, ids, strict=True)],
    }


def _ordering_grading(value: str) -> str:
    value = value.upper()
    if value in ("ABS", "ABSOLUTE", "ABSOLUTE_POSITION"):
        return "absolute_position"
    if value == "RELATIVE_TO_CORRECT":
        raise ValueError("ordering grading type RELATIVE_TO_CORRECT has no equivalent in the course format")
    known = {
        "ALL_OR_NOTHING",
        "RELATIVE_NEXT_INCLUDE_LAST",
        "RELATIVE_ONE_PREVIOUS_AND_NEXT",
        "RELATIVE_ALL_PREVIOUS_AND_NEXT",
        "LONGEST_ORDERED_SUBSET",
        "LONGEST_CONTIGUOUS_SUBSET",
    }
    return value.lower() if value in known else "relative_next_exclude_last"


def _ordering(state: _Question) -> dict[str, Any]:
    """As `qtype_ordering::import_from_xml()` and `set_options_for_import()` read it."""
    element = state.element
    layout = _value(element, "layouttype", "VERTICAL").upper()
    select = _value(element, "selecttype", _value(element, "logical", "RANDOM")).upper()
    count_text = _value(element, "selectcount", _value(element, "studentsee", "6"))
    count = int(count_text) if count_text.isdigit() and int(count_text) >= 2 else 2
    numbering = _value(element, "numberingstyle", "none")
    select_type = (
        "all" if select in ("ALL", "EXACT") else "contiguous" if select in ("CONTIGUOUS", "CONTIG") else "random"
    )
    feedback = _combined(state)
    feedback["show_num_correct"] = _single(_value(element, "shownumcorrect", "1"))
    return {
        "items": [html.unescape(_text_of(answer)) for answer, _ in _answers(state)],
        "layout": "horizontal" if layout in ("HORIZONTAL", "HORI", "H", "1") else "vertical",
        "select_type": select_type,
        "select_count": 0 if select_type == "all" else count,
        "grading_type": _ordering_grading(_value(element, "gradingtype", "RELATIVE")),
        "show_grading": _value(element, "showgrading", "1").upper() not in ("HIDE", "FALSE", "NO"),
        "numbering": numbering if numbering in ("none", "123", "abc", "ABCD", "iii", "IIII") else "none",
        "feedback": feedback,
    }


_READERS: dict[str, Callable[[_Question], dict[str, Any]]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "match": _matching,
    "essay": _essay,
    "description": _description,
    "cloze": _cloze,
    "multianswer": _cloze,
    "ordering": _ordering,
}


# --------------------------------------------------------------------------- glossary


def _glossary_files(element: etree._Element, tag: str, problems: list[Problem]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    holder = _child(element, tag)
    for file in _children(holder, "FILE") if holder is not None else []:
        path = _value(file, "FILEPATH", "/") or "/"
        name = _value(file, "FILENAME", "")
        try:
            files[path + name] = base64.b64decode(_value(file, "CONTENTS", ""))
        except (binascii.Error, ValueError):
            problems.append(Problem(_line(file), f"file {path}{name}: content is not base64"))
    return files


def _flag(element: etree._Element, tag: str, default: bool) -> bool:
    value = _value(element, tag, "")
    return default if value == "" else value not in ("0", "false")


def read_glossary(data: bytes | str | Path) -> ReadGlossary:
    """Read a Moodle glossary export into a `GlossaryFile` (entries the model rejects become problems)."""
    root = parse_xml(data)
    if root.tag != "GLOSSARY":
        raise MoodleXmlError(f"the root element is <{root.tag}>, not <GLOSSARY>")
    info = _child(root, "INFO")
    if info is None:
        raise MoodleXmlError("<GLOSSARY> has no <INFO>")
    problems: list[Problem] = []
    entries: list[GlossaryEntry] = []
    entry_files: list[dict[str, bytes]] = []
    holder = _child(info, "ENTRIES")
    for element in _children(holder, "ENTRY") if holder is not None else []:
        line = _line(element)
        aliases = _child(element, "ALIASES")
        categories = _child(element, "CATEGORIES")
        definition = _child(element, "DEFINITION")
        try:
            entry = GlossaryEntry(
                term=_value(element, "CONCEPT", ""),
                definition=(definition.text or "") if definition is not None else "",
                aliases=[
                    _value(alias, "NAME", "") for alias in (_children(aliases, "ALIAS") if aliases is not None else [])
                ],
                categories=[
                    _value(category, "NAME", "")
                    for category in (_children(categories, "CATEGORY") if categories is not None else [])
                ],
                case_sensitive=_flag(element, "CASESENSITIVE", False),
                full_match=_flag(element, "FULLMATCH", True),
                auto_link=_flag(element, "USEDYNALINK", True),
            )
        except ValidationError as exc:
            problems.append(Problem(line, f"entry {_value(element, 'CONCEPT', '?')!r}: {_reason(exc)}"))
            continue
        entries.append(entry)
        entry_files.append(_glossary_files(element, "ENTRYFILES", problems))
    intro = _child(info, "INTRO")
    glossary = GlossaryFile(
        name=_value(info, "NAME", "") or "Glossary",
        intro=(intro.text or "") if intro is not None else "",
        entries=entries,
    )
    return ReadGlossary(glossary, _glossary_files(info, "INTROFILES", problems), entry_files, problems)
