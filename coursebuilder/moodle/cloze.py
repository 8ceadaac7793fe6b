"""Cloze (Moodle's "embedded answers", qtype_multianswer): gaps written as `{weight:TYPE:…}`.

The writer escapes against Moodle's own parser, `qtype_multianswer_extract_question()` in
question/type/multianswer/questiontype.php, which `extract()` below ports rule for rule:

- an answer ends at the first `~`, `#` or `}` not preceded by `\\`, `&` or `&amp;`; a feedback
  at the first `~` or `}` not preceded by `\\`;
- answers (except numbers) and feedback are then passed through `html_entity_decode()`, and
  `\\}` → `}` and `\\#` → `#` are replaced, in that order.

So every character that could end or disturb a part (`~ # } { \\ & = % < > " '` and line
breaks) is written as a numeric character reference, which the decoding turns back, and a
backslash that decoding would leave before `}` or `#` is doubled first. Every reference ends in
`;`, so no part ever ends in the `\\`, `&` or `&amp;` that would hide the delimiter after it.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from typing import NamedTuple

from coursebuilder.model import Gap, GapAnswer
from coursebuilder.moodle.codes import CLOZE_TYPE
from coursebuilder.moodle.numbers import fraction, number

GAP_CODES: dict[str, tuple[str, str]] = {
    # gap type: (code, code when shuffled)
    "shortanswer": ("SA", "SA"),
    "shortanswer_case": ("SAC", "SAC"),
    "numerical": ("NM", "NM"),
    "multichoice": ("MC", "MCS"),
    "multichoice_vertical": ("MCV", "MCVS"),
    "multichoice_horizontal": ("MCH", "MCHS"),
    "multiresponse": ("MR", "MRS"),
    "multiresponse_horizontal": ("MRH", "MRHS"),
}
"""Our gap types and Moodle's short type codes."""

CODE_TYPES: dict[str, tuple[str, bool]] = {
    "NUMERICAL": ("numerical", False),
    "NM": ("numerical", False),
    "SHORTANSWER": ("shortanswer", False),
    "SA": ("shortanswer", False),
    "MW": ("shortanswer", False),
    "SHORTANSWER_C": ("shortanswer_case", False),
    "SAC": ("shortanswer_case", False),
    "MWC": ("shortanswer_case", False),
    "MULTICHOICE": ("multichoice", False),
    "MC": ("multichoice", False),
    "MULTICHOICE_V": ("multichoice_vertical", False),
    "MCV": ("multichoice_vertical", False),
    "MULTICHOICE_H": ("multichoice_horizontal", False),
    "MCH": ("multichoice_horizontal", False),
    "MULTICHOICE_S": ("multichoice", True),
    "MCS": ("multichoice", True),
    "MULTICHOICE_VS": ("multichoice_vertical", True),
    "MCVS": ("multichoice_vertical", True),
    "MULTICHOICE_HS": ("multichoice_horizontal", True),
    "MCHS": ("multichoice_horizontal", True),
    "MULTIRESPONSE": ("multiresponse", False),
    "MR": ("multiresponse", False),
    "MULTIRESPONSE_H": ("multiresponse_horizontal", False),
    "MRH": ("multiresponse_horizontal", False),
    "MULTIRESPONSE_S": ("multiresponse", True),
    "MRS": ("multiresponse", True),
    "MULTIRESPONSE_HS": ("multiresponse_horizontal", True),
    "MRHS": ("multiresponse_horizontal", True),
}
"""Every type code Moodle accepts (long and short names) → (our gap type, shuffled)."""

# ---------------------------------------------------------------- Moodle's regular expressions

_TYPES = "|".join(sorted(CODE_TYPES, key=len, reverse=True))
_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
# PCRE's `(?<!\\|&|&amp;)` has branches of different lengths; Python needs one look-behind each.
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
# Only reading (`extract`, the importer) needs the next three: they stay text until then, so
# that every build and check does not compile them at start-up (`re` keeps them once compiled).
_ANSWER_REGEX = rf"\{{([0-9]*):({_TYPES}):({_ALTERNATIVE}(?:~{_ALTERNATIVE})*)\}}"
_NEXT_ALTERNATIVE = "~?" + _ALTERNATIVE
_ENTITY = r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);"
_NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
NUMERICAL_ALTERNATIVE = re.compile(f"^({_NUMBER})(:{_NUMBER})?$", re.S)
_SUBQUESTION = re.compile(r"\{#[0-9]+\}")
LOOKS_LIKE_GAP = re.compile(r"\{[0-9]*:[A-Za-z_]+:")
"""Something an author meant as a gap; reported when Moodle's syntax does not match it."""

# ---------------------------------------------------------------- writing

# `&` too is written as a numeric reference: an answer ending in `&amp;` would hide the `#`
# that starts its feedback from Moodle's parser.
_ENCODE = {char: f"&#{ord(char)};" for char in "~#}{\\=%<>\"'\n\r&"}
_ENCODE_TABLE = str.maketrans(_ENCODE)


def _encode(text: str) -> str:
    """Write `text` so Moodle's parser reads back exactly `text` (see the module docstring)."""
    text = text.replace("\\#", "\\\\#").replace("\\}", "\\\\}")
    return text.translate(_ENCODE_TABLE)


def _choice_html(gap_type: str, text: str) -> str:
    """Choices of multichoice/multiresponse gaps are HTML in Moodle; shortanswer and numerical
    answers are compared with the typed response as they are."""
    return html.escape(text, quote=False) if gap_type.startswith("multi") else text


def marker(gap: Gap) -> str:
    """The `{weight:TYPE:alternatives}` text of one gap."""
    code = GAP_CODES[gap.type][1 if gap.shuffle else 0]
    responses = gap.type.startswith("multiresponse")
    parts = []
    for answer in gap.answers:
        if answer.grade == 100 and not responses:
            prefix = "="
        elif answer.grade != 0:
            # Multiresponse gaps always get explicit percentages: with only `=` Moodle would
            # give each wrong choice a negative grade.
            prefix = f"%{fraction(answer.grade)}%"
        else:
            prefix = ""
        if gap.type == "numerical" and answer.text != "*":
            body = answer.text + (f":{number(answer.tolerance)}" if answer.tolerance else "")
        else:
            body = _encode(_choice_html(gap.type, answer.text))
        feedback = "#" + _encode(html.escape(answer.feedback, quote=False)) if answer.feedback else ""
        parts.append(prefix + body + feedback)
    return "{" + f"{gap.weight}:{code}:" + "~".join(parts) + "}"


# ---------------------------------------------------------------- a sub-question's own text

# What survives Moodle's editor: `set_data()` writes every `&#` as `&\#`, so a numeric reference
# comes back as its own letters; `\}`, `\#` and named references come back as they were.
_EDITABLE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "}": "\\}", "#": "\\#", "~": "&#126;", "\\": "&#92;"}
)


def subquestion_text(gap: Gap, number: Callable[[float], str]) -> str:
    """The gap as a course backup stores it for its sub-question.

    Moodle keeps each gap as written (`$wrapped->questiontext['text'] = $answerregs[0]` in
    `qtype_multianswer_extract_question()`). A restore stores it unparsed; Moodle's editor
    (`edit_multianswer_form::set_data()`) puts it back into the question text, which saving
    parses again. So it is written for that round trip: each answer and feedback as the
    backup stores it, with `&`, `<` and `>` as named references (the HTML editor keeps them,
    the parser decodes them) and `}` and `#` after a backslash (the parser removes it). No
    form of `~` or `\\` survives the editor: they are numeric references, which keep the gap
    whole. Type codes are Moodle's long ones, and every grade but full marks is `%n%`.
    `number` is the backup's way of writing numbers.
    """
    kind = CLOZE_TYPE[gap.type]
    if gap.shuffle and kind.startswith("MULTI"):
        kind = kind + ("S" if kind.endswith(("_V", "_H")) else "_S")
    parts = []
    for answer in gap.answers:
        mark = "=" if math.isclose(answer.grade, 100) else f"%{number(answer.grade)}%"
        if gap.type == "numerical":
            value = answer.text + (f":{number(answer.tolerance)}" if answer.tolerance else "")
        else:
            value = _choice_html(gap.type, answer.text).translate(_EDITABLE)
        feedback = f"#{html.escape(answer.feedback, quote=False).translate(_EDITABLE)}" if answer.feedback else ""
        parts.append(f"{mark}{value}{feedback}")
    return f"{{{gap.weight}:{kind}:{'~'.join(parts)}}}"


_ACCIDENTAL = re.compile(rf"\{{(?=[0-9]*:(?:{_TYPES}):)|\{{(?=#[0-9]+\}})")


def neutralize(html_text: str) -> str:
    """Write `{` as `&#123;` where Moodle would otherwise read the question text as a gap
    (`{1:SA:` …) or as a placeholder of one (`{#1}`)."""
    return _ACCIDENTAL.sub("&#123;", html_text)


# ---------------------------------------------------------------- reading


class ParsedAnswer(NamedTuple):
    """One alternative of a gap as Moodle reads it."""

    text: str
    percent: str
    """The grade as written: `100` for `=`, the number between `%…%`, or `0`."""
    feedback: str
    tolerance: str | None
    specific: bool = False
    """Written with `%n%` other than `%0%` (PHP's string "0" is false), not with `=` or nothing:
    multiresponse gaps without any give their wrong choices an implicit negative grade."""

    @property
    def fraction(self) -> float:
        """Moodle's fraction (1 = full marks) as written."""
        return float(self.percent) / 100


class ParsedGap(NamedTuple):
    """A gap as Moodle's parser reads it."""

    code: str
    weight: int
    answers: tuple[ParsedAnswer, ...]
    source: str
    """The gap exactly as written."""

    @property
    def type(self) -> str:
        """Our gap type (`shortanswer`, `multichoice_vertical`, …)."""
        return CODE_TYPES[self.code][0]

    @property
    def shuffle(self) -> bool:
        return CODE_TYPES[self.code][1]


def _decode(text: str) -> str:
    """PHP's `html_entity_decode()`: character references with their semicolon only."""
    return re.sub(_ENTITY, lambda match: html.unescape(match.group(0)), text)


def extract(question_html: str) -> tuple[str, list[ParsedGap]]:
    """Find the gaps the way Moodle does; return the text with `{#n}` placeholders and the gaps."""
    gaps: list[ParsedGap] = []
    text = question_html
    while (found := re.search(_ANSWER_REGEX, text, re.S)) is not None:
        answers: list[ParsedAnswer] = []
        remaining = found.group(3)
        numerical = CODE_TYPES[found.group(2)][0] == "numerical"
        while (alt := re.search(_NEXT_ALTERNATIVE, remaining, re.S)) is not None:
            if alt.group(1) == "=":
                percent = "100"
            elif alt.group(2) and alt.group(2) != "0":
                percent = alt.group(2).replace(",", ".")
            else:
                percent = "0"
            feedback = ""
            if alt.group(5) is not None:
                feedback = _decode(alt.group(5)).replace("\\}", "}").replace("\\#", "#")
            raw = alt.group(3)
            specific = alt.group(2) is not None and alt.group(2) != "0"
            number = NUMERICAL_ALTERNATIVE.match(raw) if numerical else None
            if number is not None:
                answers.append(ParsedAnswer(number.group(1), percent, feedback, number.group(6) or "0", specific))
            else:
                value = _decode(raw).replace("\\}", "}").replace("\\#", "#")
                answers.append(ParsedAnswer(value, percent, feedback, None, specific))
            remaining = remaining.split(alt.group(0), 1)[1]
        weight = int(found.group(1)) if found.group(1) else 1
        gaps.append(ParsedGap(found.group(2), weight, tuple(answers), found.group(0)))
        text = text.replace(found.group(0), "{#" + str(len(gaps)) + "}", 1)
    return text, gaps


def to_gap(parsed: ParsedGap, gap_id: str) -> Gap:
    """Our model's gap for a gap read from Moodle XML (inverse of `marker`)."""
    gap_type, shuffle = CODE_TYPES[parsed.code]
    answers = []
    for answer in parsed.answers:
        text = html.unescape(answer.text) if gap_type.startswith("multi") else answer.text
        answers.append(
            GapAnswer(
                text=text,
                grade=float(answer.percent),
                feedback=html.unescape(answer.feedback),
                tolerance=abs(float(answer.tolerance.replace(",", "."))) if answer.tolerance else 0,
            )
        )
    return Gap(id=gap_id, type=gap_type, weight=parsed.weight, shuffle=shuffle, answers=answers)


def placeholders(text: str, ids: list[str]) -> str:
    """Replace Moodle's `{#n}` placeholders with our `{{id}}` references."""
    return _SUBQUESTION.sub(lambda match: "{{" + ids[int(match.group(0)[2:-1]) - 1] + "}}", text)
