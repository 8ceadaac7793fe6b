"""Read GIFT files the way Moodle does (question/format/gift/format.php).

Questions are separated by blank lines; `//` lines are comments (and carry `[id:…]` and
`[tag:…]`); `\\:` `\\#` `\\=` `\\{` `\\}` `\\~` `\\n` are escapes; the answer block `{…}` decides
the type. The default text format is Moodle's auto-format; `[html]`, `[markdown]`, `[plain]`
and `[moodle]` choose another. Where Moodle silently accepts nonsense (a numerical answer
that is not a number becomes "any answer"), this reader reports it instead.
"""

from __future__ import annotations

import re
from typing import Any

from coursebuilder.importer.common import (
    CategoryPath,
    ImportedQuestion,
    MatchGrades,
    Notes,
    TextConverter,
    Where,
    grade,
)
from coursebuilder.importer.htmltext import TextFormat, plain_text_of
from coursebuilder.importer.moodlexml import _default_name, parse_category

_ESCAPES = {"\\:": ":", "\\#": "#", "\\=": "=", "\\{": "{", "\\}": "}", "\\~": "~", "\\n": "\n"}
_HOLD = {escape: chr(0xE000 + index) for index, escape in enumerate(_ESCAPES)}
_BACKSLASH = chr(0xE0FF)
_FORMATS: dict[str, TextFormat] = {
    "moodle": "moodle_auto_format",
    "html": "html",
    "plain": "plain_text",
    "markdown": "markdown",
}
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_NUMERIC = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
_ORDERING = re.compile(  # qtype_ordering::import_from_gift() (Moodle 4.4)
    r"^\s*>\s*(\d+)\s*(ALL|EXACT|RANDOM|REL|CONTIGUOUS|CONTIG)?\s*(HORIZONTAL|HORI|H|1|VERTICAL|VERT|V|0)?\s*"
    r"(ALL_OR_NOTHING|ABSOLUTE_POSITION|ABSOLUTE|ABS|RELATIVE_NEXT_EXCLUDE_LAST|RELATIVE_NEXT_INCLUDE_LAST|"
    r"RELATIVE_ONE_PREVIOUS_AND_NEXT|RELATIVE_ALL_PREVIOUS_AND_NEXT|RELATIVE_TO_CORRECT|RELATIVE|REL|"
    r"LONGEST_ORDERED_SUBSET|LONGEST_CONTIGUOUS_SUBSET)?\s*(SHOW|TRUE|YES|1|HIDE|FALSE|NO|0)?\s*"
    r"(none|123|abc|ABCD|iii|IIII)?\s*(.*?)\s*$",
    re.S,
)


class _Skip(Exception):
    """The question cannot be imported; the message says why."""


def _pre(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for escape, hold in _HOLD.items():
        text = text.replace(escape, hold)
    return text.replace(_BACKSLASH, "\\")


def _post(text: str) -> str:
    for escape, hold in _HOLD.items():
        text = text.replace(hold, _ESCAPES[escape])
    return text


class GiftReader:
    """Reads the questions of one GIFT file, in order."""

    def __init__(self, name: str, converter: TextConverter, notes: Notes, match_grades: MatchGrades) -> None:
        self.name = name
        self.texts = converter
        self.notes = notes
        self.match_grades = match_grades
        self.category: CategoryPath | None = None

    def read(self, text: str) -> list[ImportedQuestion]:
        questions: list[ImportedQuestion] = []
        for start, lines in _blocks(text):
            where = Where(self.name, start)
            try:
                question = self._question(lines, where)
            except _Skip as exc:
                self.notes.skip("GIFT question", where, str(exc))
                continue
            if question is not None:
                questions.append(question)
        return questions

    def _question(self, lines: list[str], where: Where) -> ImportedQuestion | None:
        text_lines = [offset for offset, line in enumerate(lines) if not line.startswith("//")]
        for offset in text_lines[1:]:  # after the question's own first line
            if title := _TITLE_LINE.match(lines[offset]):
                self.notes.warn(
                    Where(where.file, where.line + offset),
                    f"a GIFT question title (`{title.group()}`) begins a line of the question above: GIFT "
                    "separates questions with a blank line, so Moodle reads both as one question",
                    "import-gift",
                )
                break
        comments = "\n".join(line for line in lines if line.startswith("//"))
        text = "\n".join(" " if line.startswith("//") else line for line in lines).strip()
        if not text:
            return None
        text = _pre(text)
        if text.startswith("$CATEGORY:"):
            self.category = parse_category(_post(text[10:].strip()), where)
            return None
        name = ""
        if text.startswith("::"):
            text = text[2:]
            end = text.find("::")
            if end >= 0:
                name = re.sub(r"<[^>]*>", "", _post(text[:end])).strip()[:255]
                text = text[end + 2 :].strip()
        start, finish = text.find("{"), text.find("}")
        description = start < 0 and finish < 0
        if description:
            answer_text, question_text = "", text
        elif start < 0 or finish < start:
            raise _Skip("braces { } do not match (escape a literal brace as \\{ or \\})")
        else:
            answer_text = text[start + 1 : finish].strip()
            filler = "" if text.endswith("}") else "_____"
            question_text = text[:start] + filler + text[finish + 1 :]
        general = ""
        separator = answer_text.rfind("####")
        if separator >= 0:
            general = answer_text[separator + 4 :]
            answer_text = answer_text[:separator].strip()
        qtext, qformat = _with_format(question_text, "moodle_auto_format")
        fields: dict[str, Any] = {"text": self._md(qtext, qformat, where, "question text")}
        gtext, gformat = _with_format(general, qformat)
        fields["general_feedback"] = self._md(gtext, gformat, where, "general feedback")
        idnumber, tags = _id_and_tags(comments)
        fields["tags"] = tags
        kind = self._fill(fields, answer_text, description, qformat, where)
        if not name:
            name = _default_name(_post(qtext))
        return ImportedQuestion(
            kind=kind, fields=fields, name=name, idnumber=idnumber, category=self.category, where=where
        )

    def _md(self, text: str, fmt: TextFormat, where: Where, what: str, inline: bool = False) -> str:
        return self.texts.convert(text, fmt, where, what, inline=inline)

    def _fill(self, fields: dict[str, Any], answers: str, description: bool, qformat: TextFormat, where: Where) -> str:
        if description:
            fields.update(type="description", points=0)
            return "description"
        if answers.startswith(">"):
            self._ordering(fields, answers, where)
            return "ordering"
        if answers == "":
            fields["type"] = "essay"
            return "essay"
        if answers.startswith("#"):
            self._numerical(fields, answers[1:], qformat, where)
            return "numerical"
        if "~" in answers:
            self._multichoice(fields, answers, qformat, where)
            return "multichoice"
        if "=" in answers and "->" in answers:
            self._matching(fields, answers, qformat, where)
            return "matching"
        check = answers[: answers.find("#")].strip() if answers.find("#") > 0 else answers
        if check in ("T", "TRUE", "F", "FALSE"):
            self._truefalse(fields, answers, qformat, where)
            return "truefalse"
        self._shortanswer(fields, answers, qformat, where)
        return "shortanswer"

    def _weight(self, answer: str, where: Where, what: str) -> tuple[float | None, str]:
        """Moodle's `answerweightparser`: `%50%text` → (0.5, "text"); None when no weight."""
        if not _WEIGHT.match(answer):
            if re.match(r"^%-?[0-9.]+%", answer):
                self.notes.warn(
                    where,
                    f"{what}: weight {answer[: answer.find('%', 1) + 1]} is not read by Moodle's GIFT importer "
                    "(one or two digits before the point); kept in the answer text as Moodle does",
                    "import-gift",
                )
            return None, answer
        body = answer[1:]
        end = body.find("%")
        try:
            value = float(body[:end].replace("--", "-")) / 100
        except ValueError:
            raise _Skip(f"{what}: weight {body[:end]!r} is not a number") from None
        return value, body[end + 1 :]

    def _grade(self, fraction: float, where: Where, what: str) -> float:
        value = grade(fraction, where, what, self.notes, self.match_grades)
        if value is None:
            raise _Skip(
                f"{what}: grade {fraction * 100:g}% is not one Moodle's importer accepts "
                "(use --match-grades nearest to take the nearest)"
            )
        return value

    def _split_feedback(self, answer: str, qformat: TextFormat, where: Where, what: str) -> tuple[str, TextFormat, str]:
        text, _, feedback = answer.partition("#")
        atext, aformat = _with_format(text.strip(), qformat)
        ftext, fformat = _with_format(feedback.strip(), qformat)
        return atext, aformat, self._md(ftext, fformat, where, f"{what} feedback")

    def _multichoice(self, fields: dict[str, Any], answers: str, qformat: TextFormat, where: Where) -> None:
        fields.update(type="multichoice", single="=" in answers)
        parts = answers.replace("=", "~=").split("~")
        parts[0] = parts[0].strip()
        if not parts[0]:
            parts.pop(0)
        if len(parts) < 2:
            raise _Skip("a multiple-choice question needs at least two answers")
        choices = []
        for index, part in enumerate(parts, 1):
            what = f"answer {index}"
            part = part.strip()
            fraction: float | None
            if part.startswith("="):
                fraction, part = 1.0, part[1:]
            else:
                fraction, part = self._weight(part, where, what)
            text, fmt, feedback = self._split_feedback(part, qformat, where, what)
            choices.append(
                {
                    "text": self._md(text, fmt, where, what, inline=True),
                    "grade": self._grade(fraction or 0.0, where, what),
                    "feedback": feedback,
                }
            )
        fields["answers"] = choices

    def _matching(self, fields: dict[str, Any], answers: str, qformat: TextFormat, where: Where) -> None:
        fields["type"] = "matching"
        parts = answers.split("=")
        parts[0] = parts[0].strip()
        if not parts[0]:
            parts.pop(0)
        if len(parts) < 2:
            raise _Skip("a matching question needs at least two pairs")
        pairs, distractors = [], []
        for index, part in enumerate(parts, 1):
            if "->" not in part:
                raise _Skip(f"pair {index} has no `->` (write `=question -> answer`)")
            question, _, answer = part.strip().partition("->")
            qtext, qfmt = _with_format(question.strip(), qformat)
            answer = _post(answer).strip()
            markdown = self._md(qtext, qfmt, where, f"pair {index}", inline=True)
            if not markdown:
                distractors.append(answer)
            else:
                pairs.append({"question": markdown, "answer": answer})
        fields.update(pairs=pairs, distractors=distractors)

    def _truefalse(self, fields: dict[str, Any], answers: str, qformat: TextFormat, where: Where) -> None:
        bits = [*answers.split("#", 2), "", ""]
        answer, wrong, right = bits[0].strip(), bits[1], bits[2]
        wrong_md = self._md(*_with_format(wrong.strip(), qformat), where, "wrong-answer feedback")
        right_md = self._md(*_with_format(right.strip(), qformat), where, "right-answer feedback")
        correct = _post(answer) in ("T", "TRUE")
        fields.update(
            type="truefalse",
            correct=correct,
            feedback_true=right_md if correct else wrong_md,
            feedback_false=wrong_md if correct else right_md,
            penalty=1,
        )

    def _shortanswer(self, fields: dict[str, Any], answers: str, qformat: TextFormat, where: Where) -> None:
        parts = answers.split("=")
        parts[0] = parts[0].strip()
        if not parts[0]:
            parts.pop(0)
        if not parts:
            raise _Skip("a short-answer question needs an answer")
        items = []
        for index, part in enumerate(parts, 1):
            what = f"answer {index}"
            fraction, part = self._weight(part.strip(), where, what)
            text, _fmt, feedback = self._split_feedback(part, qformat, where, what)
            items.append(
                {
                    "text": _post(text).strip(),
                    "grade": self._grade(1.0 if fraction is None else fraction, where, what),
                    "feedback": feedback,
                }
            )
        fields.update(type="shortanswer", answers=items)

    def _numerical(self, fields: dict[str, Any], answers: str, qformat: TextFormat, where: Where) -> None:
        wrong = ""
        if "~" in answers:
            position = answers.find("~")
            answers, wrong = answers[:position], answers[position:]
        parts = answers.split("=")
        parts[0] = parts[0].strip()
        if not parts[0]:
            parts.pop(0)
        if not parts:
            raise _Skip("a numerical question needs an answer")
        items = []
        for index, part in enumerate(parts, 1):
            what = f"answer {index}"
            fraction, part = self._weight(part.strip(), where, what)
            text, _fmt, feedback = self._split_feedback(part, qformat, where, what)
            value, tolerance = self._number(_post(text), what)
            items.append(
                {
                    "value": value,
                    "tolerance": tolerance,
                    "grade": self._grade(1.0 if fraction is None else fraction, where, what),
                    "feedback": feedback,
                }
            )
        if wrong:
            _text, _fmt, feedback = self._split_feedback(wrong, qformat, where, "wrong answers")
            items.append({"value": "*", "tolerance": 0, "grade": 0, "feedback": feedback})
        fields.update(type="numerical", answers=items)

    def _number(self, answer: str, what: str) -> tuple[float | str, float]:
        answer = answer.strip()
        if answer.find("..") > 0:
            low, _, high = answer.partition("..")
            if not (_NUMERIC.match(low) and _NUMERIC.match(high)):
                raise _Skip(f"{what}: range {answer!r} is not two numbers{_in_parentheses(_full_stops(answer))}")
            middle = (float(high) + float(low)) / 2
            return middle, float(high) - middle
        if answer.find(":") > 0:
            value, _, tolerance = answer.partition(":")
            if not (_NUMERIC.match(value) and _NUMERIC.match(tolerance)):
                advice = _in_parentheses(_full_stops(answer))
                raise _Skip(f"{what}: {answer!r} is not a number and a tolerance{advice}")
            return float(value), abs(float(tolerance))
        if answer == "*":
            return "*", 0.0
        if not _NUMERIC.match(answer):
            advice = _in_parentheses("Moodle would silently accept any answer", _full_stops(answer))
            raise _Skip(f"{what}: {answer!r} is not a number{advice}")
        return float(answer), 0.0

    def _ordering(self, fields: dict[str, Any], answers: str, where: Where) -> None:
        match = _ORDERING.match(_post(answers))
        if match is None:
            raise _Skip("ordering answers start with `>` and a number of items to show")
        count, select, layout, grading, show, numbering, body = (match.group(i) or "" for i in range(1, 8))
        if grading == "RELATIVE_TO_CORRECT":
            raise _Skip("grading type RELATIVE_TO_CORRECT has no equivalent in the course format")
        items = []
        for index, line in enumerate(body.split("\n"), 1):
            if not line.strip():
                continue
            plain = plain_text_of(line.strip(), "moodle_auto_format")
            if plain is None:
                raise _Skip(f"item {index} has formatting; ordering items are plain text in the course format")
            items.append(plain)
        selected = int(count) if count.isdigit() and 2 <= int(count) <= len(items) else min(6, len(items))
        select_type = {"ALL": "all", "EXACT": "all", "CONTIGUOUS": "contiguous", "CONTIG": "contiguous"}.get(
            select, "random"
        )
        if select_type != "all" and selected >= len(items):
            select_type = "all"
        fields.update(
            type="ordering",
            items=items,
            layout="horizontal" if layout in ("HORIZONTAL", "HORI", "H", "1") else "vertical",
            select_type=select_type,
            select_count=selected if select_type != "all" else 0,
            grading_type={
                "ALL_OR_NOTHING": "all_or_nothing",
                "ABSOLUTE_POSITION": "absolute_position",
                "ABSOLUTE": "absolute_position",
                "ABS": "absolute_position",
                "RELATIVE_NEXT_INCLUDE_LAST": "relative_next_include_last",
                "RELATIVE_ONE_PREVIOUS_AND_NEXT": "relative_one_previous_and_next",
                "RELATIVE_ALL_PREVIOUS_AND_NEXT": "relative_all_previous_and_next",
                "LONGEST_ORDERED_SUBSET": "longest_ordered_subset",
                "LONGEST_CONTIGUOUS_SUBSET": "longest_contiguous_subset",
            }.get(grading, "relative_next_exclude_last"),
            show_grading=show not in ("HIDE", "FALSE", "NO"),
            numbering=numbering or "none",
        )


def _full_stops(answer: str) -> str:
    """For numbers written with decimal commas (`3,14:0,01`), how to write them (Moodle's GIFT
    import reads a decimal point only, PHP's `is_numeric`); "" for anything else."""
    with_stops = answer.replace(",", ".")
    if "," not in answer or not all(_NUMERIC.match(part) for part in re.split(r"\.\.|:", with_stops)):
        return ""
    return f"write {with_stops!r}: numbers take a full stop for their decimal point"


def _in_parentheses(*notes: str) -> str:
    """` (a; b)` of the notes that are not empty, or "" when none is."""
    said = [note for note in notes if note]
    return f" ({'; '.join(said)})" if said else ""


_TITLE_LINE = re.compile(r"::[^:\n]*::")
"""A question's `::title::` at the start of a (trimmed) line: the first line of a question."""


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Questions as Moodle's `readquestions` splits them: trimmed lines between blank lines."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if line in ("", "0"):  # PHP's empty() is also true for "0"
            if current:
                blocks.append((start, current))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def _with_format(text: str, default: TextFormat) -> tuple[str, TextFormat]:
    """Moodle's `parse_text_with_format`: an optional `[format]` prefix, then unescape and trim."""
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        named = _FORMATS.get(text[1:end]) if end > 0 else None
        if named is not None:
            fmt, text = named, text[end + 1 :]
    return _post(text).strip(), fmt


def _id_and_tags(comments: str) -> tuple[str, list[str]]:
    found = _ID.search(comments)
    idnumber = found.group(1).strip().replace("\\]", "]") if found else ""
    tags: list[str] = []
    for match in _TAG.finditer(comments):
        tag = match.group(1).strip().replace("\\]", "]")
        if tag and tag not in tags:
            tags.append(tag)
    return idnumber, tags
