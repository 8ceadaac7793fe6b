"""Read Moodle XML question exports (question/format/xml/format.php is the reference).

Each `<question>` becomes the fields of one course question, read the way Moodle's importer
reads them: the same defaults for missing elements, the same text formats, the same legacy
forms (`<image_base64>`, `<hintcontent>`, `match`/`multianswer` type names). What the course
format cannot hold (calculated and drag-and-drop types, plugin types, hidden questions, unit
instructions, unknown elements) is reported with its line and left out, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

import lxml.html
from lxml import etree

from coursebuilder.exchange.bank import split_category_path
from coursebuilder.importer.common import (
    CategoryPath,
    EmbeddedFile,
    ImportedQuestion,
    MatchGrades,
    Notes,
    TextConverter,
    Where,
    decode_file,
    file_key,
    grade,
    line_of,
)
from coursebuilder.importer.htmltext import TextFormat, as_html, plain_text_of, text_lines_of
from coursebuilder.moodle import cloze
from coursebuilder.moodle.codes import COURSE_QTYPE, SHOW_UNITS_BY_CODE, UNIT_GRADING_BY_CODE
from coursebuilder.moodle.params import clean_question_name

FORMATS: dict[str, TextFormat] = {
    "html": "html",
    "moodle_auto_format": "moodle_auto_format",
    "plain_text": "plain_text",
    "markdown": "markdown",
    "wiki_like": "wiki_like",
}

UNSUPPORTED = {
    "calculated": "calculated questions (formulas with random values) have no equivalent in the course format",
    "calculatedsimple": "calculated questions (formulas with random values) have no equivalent in the course format",
    "calculatedmulti": "calculated questions (formulas with random values) have no equivalent in the course format",
    "ddwtos": "drag-and-drop into text has no equivalent in the course format",
    "gapselect": "select missing words has no equivalent in the course format",
    "ddimageortext": "drag-and-drop onto image has no equivalent in the course format",
    "ddmarker": "drag-and-drop markers have no equivalent in the course format",
    "randomsamatch": "random short-answer matching draws from the question bank at run time",
    "random": "random questions draw from the question bank at run time",
}

_COMMON = frozenset(
    [
        "name",
        "questiontext",
        "generalfeedback",
        "defaultgrade",
        "penalty",
        "hidden",
        "idnumber",
        "tags",
        "coursetags",
        "hint",
        "image",
        "image_base64",
    ]
)
_COMBINED = frozenset(["correctfeedback", "partiallycorrectfeedback", "incorrectfeedback", "shownumcorrect"])
_TYPE_ELEMENTS: dict[str, frozenset[str]] = {
    "multichoice": _COMBINED | {"single", "shuffleanswers", "answernumbering", "showstandardinstruction", "answer"},
    "truefalse": frozenset({"answer"}),
    "shortanswer": frozenset({"usecase", "answer"}),
    "numerical": frozenset({"answer", "units", "unitgradingtype", "unitpenalty", "showunits", "unitsleft"})
    | {"instructions"},
    "matching": _COMBINED | {"shuffleanswers", "subquestion"},
    "essay": frozenset(
        [
            "responseformat",
            "responserequired",
            "responsefieldlines",
            "minwordlimit",
            "maxwordlimit",
            "attachments",
            "attachmentsrequired",
            "maxbytes",
            "filetypeslist",
            "graderinfo",
            "responsetemplate",
        ]
    ),
    "description": frozenset(),
    "cloze": frozenset(),
    "ordering": _COMBINED
    | {"layouttype", "selecttype", "selectcount", "gradingtype", "showgrading", "numberingstyle", "answer"}
    | {"logical", "studentsee"},
}
_HINT_PARTS = {"multichoice", "matching", "cloze", "ordering"}
"""Types whose hints keep `shownumcorrect` and `clearwrong` (Moodle's `import_hints($withparts)`)."""
_NO_HINTS = {"essay", "description"}
"""Types Moodle imports without hints."""


class _Skip(Exception):
    """The question cannot be imported; the message says why."""


class MoodleXmlReader:
    """Reads the `<question>` elements of one Moodle XML file, in order."""

    def __init__(self, name: str, converter: TextConverter, notes: Notes, match_grades: MatchGrades) -> None:
        self.name = name
        self.texts = converter
        self.notes = notes
        self.match_grades = match_grades
        self.category: CategoryPath | None = None
        self._files: dict[str, EmbeddedFile] = {}
        self._qformat: TextFormat = "html"
        self._ordering_hints_default = False
        self.categories: list[CategoryPath] = []
        """Every category pseudo-question, in order (their descriptions are checked later)."""

    def read(self, root: etree._Element) -> list[ImportedQuestion]:
        questions: list[ImportedQuestion] = []
        for element in root:
            if not isinstance(element.tag, str):
                continue
            where = self.where(element)
            if element.tag != "question":
                self.notes.warn(where, f"element <{element.tag}> is not a question; ignored", "import-unknown")
                continue
            qtype = element.get("type", "")
            if qtype == "category":
                self._category(element, where)
                continue
            kind = COURSE_QTYPE.get(qtype, qtype)
            reader = self._readers().get(kind)
            if reader is None:
                reason = UNSUPPORTED.get(qtype, "question type is not a core type the course format has (plugin?)")
                self.notes.skip(qtype or "(no type)", where, reason, "question")
                continue
            try:
                questions.append(self._question(element, kind, qtype, reader, where))
            except _Skip as exc:
                self.notes.skip(qtype, where, str(exc), f"question {self._label(element)}")
        return questions

    def where(self, element: etree._Element) -> Where:
        return Where(self.name, line_of(element))

    def _readers(self) -> dict[str, Callable[[etree._Element, dict[str, Any]], None]]:
        return {
            "multichoice": self._multichoice,
            "truefalse": self._truefalse,
            "shortanswer": self._shortanswer,
            "numerical": self._numerical,
            "matching": self._matching,
            "essay": self._essay,
            "description": self._description,
            "cloze": self._cloze,
            "ordering": self._ordering,
        }

    def _label(self, element: etree._Element) -> str:
        name = _path_text(element, "name/text")
        return repr(name) if name else "(no name)"

    # ----------------------------------------------------------------- categories

    def _category(self, element: etree._Element, where: Where) -> None:
        raw = _path_text(element, "category/text")
        if not raw:
            raw = _path_text(element, "category")
        category = parse_category(raw, where)
        info_el = element.find("info")
        info = _path_text(info_el, "text")
        if info_el is not None and info:
            fmt = self._format(info_el.get("format", "moodle_auto_format"), where)
            markdown = self.texts.convert(info, fmt, where, "category description", self._field_files(info_el))
            category = replace(category, info_html=as_html(info, fmt), info_markdown=markdown)
        self.category = category
        self.categories.append(category)

    # ----------------------------------------------------------------- common parts

    def _question(
        self,
        element: etree._Element,
        kind: str,
        qtype: str,
        reader: Callable[[etree._Element, dict[str, Any]], None],
        where: Where,
    ) -> ImportedQuestion:
        self._files = self._all_files(element)
        fmt_name = _attr(element.find("questiontext"), "format", "html")
        self._qformat = self._format(fmt_name, where)
        fields: dict[str, Any] = {"type": kind}
        if kind != "cloze":
            fields["text"] = self._questiontext(element)
        name = _clean_name(_path_text(element, "name/text"))
        if kind not in ("cloze",) and element.find("name") is None:
            self.notes.warn(where, "question has no <name>; named after its text", "import-name")
        fields["general_feedback"] = self.text(element.find("generalfeedback"), self._qformat, "generalfeedback")
        if kind not in ("description", "cloze"):
            fields["points"] = self._number(element, "defaultgrade", 1.0)
        penalty = self._number(element, "penalty", 0.3333333)
        fields["penalty"] = 0.3333333 if abs(penalty - 0.3333333) < 0.005 else penalty
        fields["tags"] = self._tags(element)
        if _path_text(element, "hidden") not in ("", "0"):
            self.notes.warn(
                where,
                "hidden question: the course format has no hidden questions; imported as visible",
                "import-dropped",
            )
        self._ordering_hints_default = False
        reader(element, fields)
        fields["hints"] = self._hints(element, kind)
        if self._ordering_hints_default:
            for hint in fields["hints"]:
                hint["show_num_correct"] = True
        self._unknown(element, _COMMON | _TYPE_ELEMENTS[kind], where)
        idnumber = _path_text(element, "idnumber")
        if not name:
            name = _default_name(str(fields.get("text", "")))
        return ImportedQuestion(
            kind=qtype, fields=fields, name=name, idnumber=idnumber, category=self.category, where=where
        )

    def _questiontext(self, element: etree._Element) -> str:
        text_el = element.find("questiontext")
        extra = self._legacy_image(element)
        return self.text(text_el, "html", "questiontext", suffix=extra)

    def _legacy_image(self, element: etree._Element) -> str:
        """Moodle's backwards compatibility: `<image>` + `<image_base64>` become an inline image."""
        name = _path_text(element, "image")
        data = _path_text(element, "image_base64")
        if not (name and data):
            return ""
        where = self.where(element)
        body = decode_file(data, name, where, self.notes)
        if body is None:
            return ""
        file_name = name.replace("/", "_")
        self._files.setdefault(file_name, EmbeddedFile(file_name, body, where))
        return f' <img src="@@PLUGINFILE@@/{file_name}" />'

    def _format(self, name: str, where: Where) -> TextFormat:
        name = name.strip()
        fmt = FORMATS.get(name)
        if fmt is None:
            self.notes.warn(where, f"text format {name!r} is unknown; read as HTML (as Moodle does)", "import-format")
            return "html"
        if fmt == "wiki_like":
            self.notes.warn(where, "text format wiki_like is obsolete; read as Moodle auto-format", "import-format")
        return fmt

    def text(
        self,
        element: etree._Element | None,
        default_format: TextFormat,
        what: str,
        suffix: str = "",
        inline: bool = False,
    ) -> str:
        """A text field (`<x format><text/><file/></x>`) as Markdown (`inline`: an answer option)."""
        if element is None:
            return ""
        where = self.where(element)
        fmt = self._format(element.get("format", default_format), where)
        raw = _path_text(element, "text") + suffix
        return self.texts.convert(raw, fmt, where, what, self._field_files(element), self._files, inline)

    def _field_files(self, element: etree._Element) -> dict[str, EmbeddedFile]:
        files: dict[str, EmbeddedFile] = {}
        for file_el in element.findall("file"):
            path = self._file_path(file_el)
            if path in files:
                continue  # Moodle skips a repeated path+name too
            encoded = file_el.text or ""
            where = self.where(file_el)
            if file_el.get("encoding", "base64") != "base64":
                self.notes.warn(where, f"file {path!r} is not base64-encoded; not imported", "import-file")
                continue
            data = decode_file(encoded, path, where, self.notes)
            if data is not None:
                files[path] = EmbeddedFile(path, data, where)
        return files

    def _file_path(self, file_el: etree._Element) -> str:
        return file_key((file_el.get("path") or "/") + "/" + file_el.get("name", ""))

    def _all_files(self, element: etree._Element) -> dict[str, EmbeddedFile]:
        """Every file of the question, to resolve a reference made from another field."""
        files: dict[str, EmbeddedFile] = {}
        for file_el in element.iter("file"):
            path = self._file_path(file_el)
            if path not in files and file_el.get("encoding", "base64") == "base64":
                data = decode_file(file_el.text or "", path, self.where(file_el), Notes())
                if data is not None:
                    files[path] = EmbeddedFile(path, data, self.where(file_el))
        return files

    def _number(self, element: etree._Element, tag: str, default: float) -> float:
        text = _path_text(element, tag)
        if text == "":
            return default
        try:
            return float(text)
        except ValueError:
            raise _Skip(f"<{tag}> {text!r} is not a number") from None

    def _int(self, element: etree._Element, tag: str, default: int) -> int:
        return int(self._number(element, tag, default))

    def _tags(self, element: etree._Element) -> list[str]:
        tags: list[str] = []
        for path in ("tags/tag", "coursetags/tag"):
            for tag_el in element.findall(path):
                value = _path_text(tag_el, "text") or (tag_el.text or "").strip()
                if value and value not in tags:
                    tags.append(value)
        return tags

    def _hints(self, element: etree._Element, kind: str) -> list[dict[str, Any]]:
        hints: list[dict[str, Any]] = []
        for hint_el in element.findall("hint"):
            where = self.where(hint_el)
            if kind in _NO_HINTS:
                self.notes.warn(
                    where, f"hint: Moodle imports no hints for {kind} questions; left out", "import-dropped"
                )
                continue
            if hint_el.find("hintcontent") is not None:  # Moodle 2.0 form
                text = self.text(hint_el.find("hintcontent"), self._qformat, "hint")
                shownum = _path_text(hint_el, "statenumberofcorrectresponses") not in ("", "0")
                clear = _path_text(hint_el, "clearincorrectresponses") not in ("", "0")
                options = _path_text(hint_el, "showfeedbacktoresponses") not in ("", "0")
            else:
                fmt = self._format(hint_el.get("format", self._qformat), where)
                raw = _path_text(hint_el, "text")
                text = self.texts.convert(raw, fmt, where, "hint", self._field_files(hint_el), self._files)
                shownum = hint_el.find("shownumcorrect") is not None
                clear = hint_el.find("clearwrong") is not None
                options = bool(_path_text(hint_el, "options"))
            if options:
                self.notes.warn(where, "hint: its options are not kept by the course format", "import-dropped")
            if not text:
                continue
            hint: dict[str, Any] = {"text": text}
            if kind in _HINT_PARTS:
                hint["show_num_correct"] = shownum
                hint["clear_wrong"] = clear
            hints.append(hint)
        return hints

    def _combined(self, element: etree._Element, fields: dict[str, Any], shownum: bool = True) -> None:
        fields["feedback"] = {
            "correct": self.text(element.find("correctfeedback"), self._qformat, "correctfeedback"),
            "partially_correct": self.text(
                element.find("partiallycorrectfeedback"), self._qformat, "partiallycorrectfeedback"
            ),
            "incorrect": self.text(element.find("incorrectfeedback"), self._qformat, "incorrectfeedback"),
            "show_num_correct": shownum and element.find("shownumcorrect") is not None,
        }
        legacy = _path_text(element, "correctresponsesfeedback")
        if shownum and legacy:
            fields["feedback"]["show_num_correct"] = _trans_single(legacy)

    def _unknown(self, element: etree._Element, known: frozenset[str], where: Where) -> None:
        for child in element:
            if not isinstance(child.tag, str) or child.tag in known:
                continue
            if not len(child) and not (child.text or "").strip():
                continue
            self.notes.warn(
                self.where(child),
                f"element <{child.tag}> is not part of {element.get('type')} questions in the course format; ignored",
                "import-unknown",
            )

    def _fraction(self, answer: etree._Element, what: str) -> float:
        raw = answer.get("fraction", "0")
        old = _path_text(answer, "fraction")  # Moodle 1.x numerical answers
        try:
            fraction = float(old) if old else float(raw) / 100
        except ValueError:
            raise _Skip(f"{what}: fraction {raw!r} is not a number") from None
        value = grade(fraction, self.where(answer), what, self.notes, self.match_grades)
        if value is None:
            raise _Skip(
                f"{what}: grade {fraction * 100:g}% is not one Moodle's importer accepts "
                "(use --match-grades nearest to take the nearest)"
            )
        return value

    def _answers(self, element: etree._Element) -> list[etree._Element]:
        answers = element.findall("answer")
        for answer in answers:
            for child in answer:
                known = child.tag in ("text", "feedback", "file", "tolerance", "fraction")
                if isinstance(child.tag, str) and not known and (len(child) or (child.text or "").strip()):
                    self.notes.warn(
                        self.where(child),
                        f"element <{child.tag}> of an answer is not read; ignored",
                        "import-unknown",
                    )
        return answers

    def _feedback(self, answer: etree._Element, what: str) -> str:
        return self.text(answer.find("feedback"), self._qformat, f"{what} feedback")

    # ----------------------------------------------------------------- types

    def _multichoice(self, element: etree._Element, fields: dict[str, Any]) -> None:
        fields["single"] = _trans_single(_path_text(element, "single", "true"))
        fields["shuffle"] = _trans_single(_path_text(element, "shuffleanswers", "false"))
        numbering = _path_text(element, "answernumbering") or "abc"
        fields["numbering"] = numbering
        fields["show_standard_instruction"] = _path_text(element, "showstandardinstruction", "1") not in ("", "0")
        choices = []
        for index, answer in enumerate(self._answers(element), 1):
            what = f"answer {index}"
            text = self.text(answer, self._qformat, what, inline=True)
            choices.append(
                {"text": text, "grade": self._fraction(answer, what), "feedback": self._feedback(answer, what)}
            )
        fields["answers"] = choices
        self._combined(element, fields)

    def _truefalse(self, element: etree._Element, fields: dict[str, Any]) -> None:
        answers = self._answers(element)
        if len(answers) != 2:
            raise _Skip(f"a true/false question has two answers, not {len(answers)}")
        first, guessed = True, False
        correct = True
        for answer in answers:
            text = _path_text(answer, "text")
            feedback = self._feedback(answer, f"answer {text!r}")
            if text not in ("true", "false"):
                guessed = True
                text = "true" if first else "false"
            try:
                full = float(answer.get("fraction", "0")) == 100
            except ValueError:
                raise _Skip(f"answer {text!r}: fraction is not a number") from None
            if text == "true":
                correct = full
                fields["feedback_true"] = feedback
            else:
                correct = not full
                fields["feedback_false"] = feedback
            first = False
        if guessed:
            self.notes.warn(
                self.where(element),
                "answers are not named `true` and `false`; the first was taken as true (as Moodle does)",
                "import-truefalse",
            )
        fields["correct"] = correct

    def _shortanswer(self, element: etree._Element, fields: dict[str, Any]) -> None:
        fields["case_sensitive"] = _path_text(element, "usecase", "0") not in ("", "0")
        answers = []
        for index, answer in enumerate(self._answers(element), 1):
            what = f"answer {index}"
            answers.append(
                {
                    "text": _path_text(answer, "text"),
                    "grade": self._fraction(answer, what),
                    "feedback": self._feedback(answer, what),
                }
            )
        fields["answers"] = answers

    def _numerical(self, element: etree._Element, fields: dict[str, Any]) -> None:
        answers = []
        for index, answer in enumerate(self._answers(element), 1):
            what = f"answer {index}"
            text = _path_text(answer, "text") or (answer.text or "").strip()
            value: float | str
            if text == "*":
                value = "*"
            else:
                try:
                    value = float(text.replace(",", "."))
                except ValueError:
                    raise _Skip(f"{what}: {text!r} is not a number") from None
            tolerance = _path_text(answer, "tolerance") or "0"
            try:
                tol = abs(float(tolerance))
            except ValueError:
                raise _Skip(f"{what}: tolerance {tolerance!r} is not a number") from None
            answers.append(
                {
                    "value": value,
                    "tolerance": tol,
                    "grade": self._fraction(answer, what),
                    "feedback": self._feedback(answer, what),
                }
            )
        fields["answers"] = answers
        units = []
        for unit in element.findall("units/unit"):
            name = _path_text(unit, "unit_name")
            multiplier = _path_text(unit, "multiplier") or "1"
            try:
                units.append({"name": name, "multiplier": float(multiplier)})
            except ValueError:
                raise _Skip(f"unit {name!r}: multiplier {multiplier!r} is not a number") from None
        fields["units"] = units
        grading = _path_text(element, "unitgradingtype", "0")
        fields["unit_grading"] = UNIT_GRADING_BY_CODE.get(grading)
        if fields["unit_grading"] is None:
            raise _Skip(f"<unitgradingtype> {grading!r} is not 0, 1 or 2")
        fields["unit_penalty"] = self._number(element, "unitpenalty", 0.1)
        show = _path_text(element, "showunits") or ("3" if not units else "0")
        fields["show_units"] = SHOW_UNITS_BY_CODE.get(show)
        if fields["show_units"] is None:
            raise _Skip(f"<showunits> {show!r} is not 0, 1, 2 or 3")
        fields["units_left"] = _path_text(element, "unitsleft", "0") not in ("", "0")
        if _path_text(element, "instructions/text"):
            self.notes.warn(
                self.where(element.find("instructions")),  # type: ignore[arg-type]
                "unit instructions are not kept by the course format",
                "import-dropped",
            )

    def _matching(self, element: etree._Element, fields: dict[str, Any]) -> None:
        fields["shuffle"] = _trans_single(_path_text(element, "shuffleanswers", "1"))
        pairs, distractors = [], []
        for index, sub in enumerate(element.findall("subquestion"), 1):
            what = f"subquestion {index}"
            answer = _path_text(sub, "answer/text")
            question = self.text(sub, self._qformat, what, inline=True)
            if not question:
                if answer:
                    distractors.append(answer)
                continue
            if not answer:
                raise _Skip(f"{what} has no answer")
            pairs.append({"question": question, "answer": answer})
        fields["pairs"] = pairs
        fields["distractors"] = distractors
        self._combined(element, fields)

    def _essay(self, element: etree._Element, fields: dict[str, Any]) -> None:
        fields["response_format"] = _path_text(element, "responseformat") or "editor"
        fields["response_required"] = _path_text(element, "responserequired", "1") not in ("", "0")
        lines = self._int(element, "responsefieldlines", 15)
        if not 5 <= lines <= 40:
            clamped = min(max(lines, 5), 40)
            self.notes.warn(
                self.where(element),
                f"response box of {lines} lines shown as {clamped} (the course allows 5 to 40)",
                "import-essay",
            )
            lines = clamped
        fields["response_lines"] = lines
        for tag, key in (("minwordlimit", "min_words"), ("maxwordlimit", "max_words")):
            value = self._int(element, tag, 0)
            fields[key] = value or None
        fields["attachments"] = self._int(element, "attachments", 0)
        fields["attachments_required"] = self._int(element, "attachmentsrequired", 0)
        fields["max_bytes"] = self._int(element, "maxbytes", 0)
        types = _path_text(element, "filetypeslist")
        fields["file_types"] = [t for t in re.split(r"[\s,;]+", types) if t]
        fields["grader_info"] = self.text(element.find("graderinfo"), self._qformat, "graderinfo")
        template_el = element.find("responsetemplate")
        template = _path_text(template_el, "text")
        if template:
            assert template_el is not None
            fmt = self._format(template_el.get("format", self._qformat), self.where(template_el))
            template, exact = text_lines_of(template, fmt)
            if not exact:
                self.notes.warn(
                    self.where(template_el),
                    "response template: its formatting is not kept (the course keeps it as text)",
                    "import-dropped",
                )
        fields["response_template"] = template

    def _description(self, element: etree._Element, fields: dict[str, Any]) -> None:
        fields["points"] = 0

    def _cloze(self, element: etree._Element, fields: dict[str, Any]) -> None:
        text_el = element.find("questiontext")
        raw = _path_text(text_el, "text") if text_el is not None else ""
        raw += self._legacy_image(element)
        replaced, gaps = cloze.extract(raw)
        if not gaps:
            raise _Skip("the text has no gaps in Moodle's {1:SHORTANSWER:=answer} syntax")
        leftover = cloze.LOOKS_LIKE_GAP.search(replaced)
        if leftover:
            self.notes.warn(
                self.where(element),
                f"{replaced[leftover.start() : leftover.start() + 30]!r}… looks like a gap "
                "but is not Moodle's syntax; kept as text",
                "import-cloze",
            )
        for index in range(1, len(gaps) + 1):
            replaced = replaced.replace("{#" + str(index) + "}", "{{g" + str(index) + "}}", 1)
        where = self.where(text_el if text_el is not None else element)
        files = self._field_files(text_el) if text_el is not None else {}
        fields["text"] = self.texts.convert(replaced, self._qformat, where, "questiontext", files, self._files)
        fields["gaps"] = [self._gap(gap, index, where) for index, gap in enumerate(gaps, 1)]

    def _gap(self, gap: cloze.ParsedGap, index: int, where: Where) -> dict[str, Any]:
        what = f"gap {index} {gap.source[:40]!r}"
        answers: list[dict[str, Any]] = []
        implicit_negative = None
        if gap.type.startswith("multiresponse") and not any(a.specific for a in gap.answers):
            total = sum(a.fraction for a in gap.answers if a.fraction > 0)
            implicit_negative = -(1.0 / total) if total else None
        for number, answer in enumerate(gap.answers, 1):
            fraction = answer.fraction
            if implicit_negative is not None and fraction <= 0:
                fraction = implicit_negative
            value = grade(fraction, where, what, self.notes, self.match_grades)
            if value is None:
                raise _Skip(f"{what}: grade {fraction * 100:g}% is not one Moodle accepts for a course question")
            text = answer.text
            if gap.type == "numerical":
                text = text.replace(",", ".")
            elif gap.type.startswith("multi"):
                # Choices of a multichoice gap are HTML in Moodle; the course keeps them as text.
                plain = plain_text_of(text, "html")
                if plain is None:
                    raise _Skip(f"{what}: choice {number} has formatting; gap choices are plain text in the course")
                text = plain
            item: dict[str, Any] = {
                "text": text,
                "grade": value,
                "feedback": self._gap_feedback(answer.feedback, what, where),
            }
            tolerance = float(answer.tolerance.replace(",", ".")) if answer.tolerance else 0.0
            if tolerance:
                item["tolerance"] = tolerance
            answers.append(item)
        return {"id": f"g{index}", "type": gap.type, "weight": gap.weight, "shuffle": gap.shuffle, "answers": answers}

    def _gap_feedback(self, feedback: str, what: str, where: Where) -> str:
        """Gap feedback is HTML in Moodle and text in the course: tags are dropped with a warning."""
        if not feedback:
            return ""
        plain = plain_text_of(feedback, "html")
        if plain is not None:
            return plain
        root = lxml.html.fragment_fromstring(feedback, create_parent="div")
        text = " ".join(root.text_content().split())
        self.notes.warn(where, f"{what}: feedback formatting is not kept (gap feedback is text)", "import-dropped")
        return text

    def _ordering(self, element: etree._Element, fields: dict[str, Any]) -> None:
        new_names = element.find("selecttype") is not None
        layout = _path_text(element, "layouttype", "VERTICAL").upper()
        select = _path_text(element, "selecttype" if new_names else "logical", "RANDOM").upper()
        count_text = _path_text(element, "selectcount" if new_names else "studentsee", "6")
        grading = _path_text(element, "gradingtype", "RELATIVE").upper()
        show = _path_text(element, "showgrading", "1").upper()
        # As qtype_ordering::set_options_for_import() (Moodle 4.4) reads them.
        fields["layout"] = "horizontal" if layout in ("HORIZONTAL", "HORI", "H", "1") else "vertical"
        fields["select_type"] = {"ALL": "all", "EXACT": "all", "CONTIGUOUS": "contiguous", "CONTIG": "contiguous"}.get(
            select, "random"
        )
        grading_map = {
            "ALL_OR_NOTHING": "all_or_nothing",
            "ABS": "absolute_position",
            "ABSOLUTE": "absolute_position",
            "ABSOLUTE_POSITION": "absolute_position",
            "RELATIVE_NEXT_INCLUDE_LAST": "relative_next_include_last",
            "RELATIVE_ONE_PREVIOUS_AND_NEXT": "relative_one_previous_and_next",
            "RELATIVE_ALL_PREVIOUS_AND_NEXT": "relative_all_previous_and_next",
            "LONGEST_ORDERED_SUBSET": "longest_ordered_subset",
            "LONGEST_CONTIGUOUS_SUBSET": "longest_contiguous_subset",
        }
        if grading == "RELATIVE_TO_CORRECT":
            raise _Skip("grading type RELATIVE_TO_CORRECT has no equivalent in the course format")
        fields["grading_type"] = grading_map.get(grading, "relative_next_exclude_last")
        fields["show_grading"] = show not in ("HIDE", "FALSE", "NO")
        numbering = _path_text(element, "numberingstyle")
        fields["numbering"] = numbering if numbering in ("none", "123", "abc", "ABCD", "iii", "IIII") else "none"
        items = []
        for index, answer in enumerate(self._answers(element), 1):
            fmt = self._format(answer.get("format", self._qformat), self.where(answer))
            plain = plain_text_of(_path_text(answer, "text"), fmt)
            if plain is None:
                raise _Skip(f"item {index} has formatting; ordering items are plain text in the course format")
            if self._feedback(answer, f"item {index}"):
                self.notes.warn(self.where(answer), f"item {index}: its feedback is not kept", "import-dropped")
            items.append(plain)
        fields["items"] = items
        try:
            count = int(float(count_text))
        except ValueError:
            count = 2
        count = max(count, 2)  # MIN_SUBSET_ITEMS
        if fields["select_type"] != "all" and count >= len(items):
            fields["select_type"], count = "all", 0  # Moodle shows every item then: the same question
        fields["select_count"] = count if fields["select_type"] != "all" else 0
        self._combined(element, fields, shownum=False)
        shownum = element.find("shownumcorrect")
        # Read as a value; missing means 1, and then every hint shows the number correct too.
        fields["feedback"]["show_num_correct"] = shownum is None or _path_text(element, "shownumcorrect") not in (
            "",
            "0",
        )
        self._ordering_hints_default = shownum is None


# --------------------------------------------------------------------------- utilities


def _path_text(element: etree._Element | None, path: str, default: str = "") -> str:
    """Trimmed text at `path` (like Moodle's `getpath(..., true)`), or `default` when absent."""
    if element is None:
        return default
    found = element.find(path)
    if found is None:
        return default
    return "".join(cast(list[str], found.xpath("text()"))).strip()


def _attr(element: etree._Element | None, name: str, default: str) -> str:
    return default if element is None else element.get(name, default)


def _trans_single(value: str) -> bool:
    """Moodle's `trans_single`: "false", "" and "0" are false, anything else true."""
    value = value.strip()
    return not (value == "false" or not value or value == "0")


def _clean_name(name: str) -> str:
    """A name is plain text: Moodle keeps `pH < 7 & pH > 7` and strips only what PHP's
    `strip_tags()` takes for a tag (`clean_question_name()`)."""
    return clean_question_name(name)


def _default_name(text: str) -> str:
    plain = re.sub(r"<[^>]*>", " ", text)
    plain = re.sub(r"[\\*_`#\[\]{}]", "", plain)
    plain = re.sub(r"\s+", " ", plain).strip()
    if len(plain) > 80:
        plain = plain[:80].rsplit(" ", 1)[0] + "…"
    return plain


def parse_category(raw: str, where: Where) -> CategoryPath:
    """Split `$course$/top/A/B//C` into ("A", "B/C") as Moodle's `split_category_path()` does."""
    names = [name for name in split_category_path(raw.strip()) if name]
    return CategoryPath(tuple(names), raw, where)
