"""Read Moodle's embedded-answers (cloze) syntax the way Moodle does.

Follows `qtype_multianswer_extract_question` (question/type/multianswer/questiontype.php):
the same regular expressions (PCRE look-behinds split into fixed-width ones), the same
unescaping (`\\}` and `\\#`, after decoding HTML entities) and the same order: gaps are found
left to right and each is replaced by a placeholder, so the text keeps its shape.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"

_TYPES: tuple[tuple[str, str], ...] = (
    ("NUMERICAL|NM", "numerical"),
    ("MULTICHOICE|MC", "multichoice"),
    ("MULTICHOICE_V|MCV", "multichoice_vertical"),
    ("MULTICHOICE_H|MCH", "multichoice_horizontal"),
    ("SHORTANSWER|SA|MW", "shortanswer"),
    ("SHORTANSWER_C|SAC|MWC", "shortanswer_case"),
    ("MULTICHOICE_S|MCS", "multichoice+shuffle"),
    ("MULTICHOICE_VS|MCVS", "multichoice_vertical+shuffle"),
    ("MULTICHOICE_HS|MCHS", "multichoice_horizontal+shuffle"),
    ("MULTIRESPONSE|MR", "multiresponse"),
    ("MULTIRESPONSE_H|MRH", "multiresponse_horizontal"),
    ("MULTIRESPONSE_S|MRS", "multiresponse+shuffle"),
    ("MULTIRESPONSE_HS|MRHS", "multiresponse_horizontal+shuffle"),
)
_TYPE_DEF = "|".join(f"({alternatives})" for alternatives, _ in _TYPES)
_GAP = re.compile(r"\{([0-9]*):(" + _TYPE_DEF + r"):(" + _ALTERNATIVE + r"(~" + _ALTERNATIVE + r")*)\}", re.S)
_ALTERNATIVES_GROUP = 2 + len(_TYPES) + 1
_ONE_ALTERNATIVE = re.compile("~?" + _ALTERNATIVE, re.S)
_NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
_NUMERICAL = re.compile(f"^({_NUMBER})(:{_NUMBER})?$", re.S)

LOOKS_LIKE_GAP = re.compile(r"\{[0-9]*:[A-Za-z_]+:")
"""Something an author meant as a gap; reported when Moodle's syntax does not match it."""


@dataclass
class ClozeAnswer:
    text: str
    fraction: float
    """Moodle's fraction (1 = full marks) as written, before multi-response normalisation."""
    feedback: str = ""
    tolerance: float | None = None
    specific: bool = False
    """Written with `%n%` (not `=` or nothing)."""


@dataclass
class ClozeGap:
    source: str
    """The gap exactly as written in the question text."""
    weight: int
    type: str
    """The course's gap type (`shortanswer`, `multichoice_vertical`, …)."""
    shuffle: bool
    answers: list[ClozeAnswer] = field(default_factory=list)


def extract(text: str) -> tuple[str, list[ClozeGap]]:
    """Return the text with gap *n* replaced by `{#n}` (1-based) and the gaps in order."""
    gaps: list[ClozeGap] = []
    while True:
        match = _GAP.search(text)
        if match is None:
            return text, gaps
        gaps.append(_gap(match))
        text = text[: match.start()] + "{#" + str(len(gaps)) + "}" + text[match.end() :]


def _gap(match: re.Match[str]) -> ClozeGap:
    weight = int(match.group(1)) if match.group(1) else 1
    kind = next(name for index, (_, name) in enumerate(_TYPES) if match.group(3 + index))
    gap_type, _, shuffle = kind.partition("+")
    gap = ClozeGap(source=match.group(0), weight=weight, type=gap_type, shuffle=bool(shuffle))
    remaining = match.group(_ALTERNATIVES_GROUP)
    while True:
        alt = _ONE_ALTERNATIVE.search(remaining)
        if alt is None:
            break
        gap.answers.append(_answer(alt, gap_type))
        remaining = remaining.split(alt.group(0), 1)[1]
    return gap


def _answer(alt: re.Match[str], gap_type: str) -> ClozeAnswer:
    fraction, specific = 0.0, False
    if alt.group(1) == "=":
        fraction = 1.0
    elif alt.group(2):
        fraction = float(alt.group(2).replace(",", ".")) / 100
        specific = alt.group(2) != "0"  # PHP: the string "0" is false, so `%0%` is not "specific"
    feedback = ""
    if alt.group(5) is not None:
        feedback = _unescape(alt.group(5))
    raw = alt.group(3)
    if gap_type == "numerical":
        number = _NUMERICAL.match(raw)
        if number is not None:
            tolerance = float(number.group(6).replace(",", ".")) if number.group(6) else 0.0
            return ClozeAnswer(number.group(1), fraction, feedback, tolerance, specific)
    return ClozeAnswer(_unescape(raw), fraction, feedback, None, specific)


def _unescape(text: str) -> str:
    text = html.unescape(text)
    return text.replace("\\}", "}").replace("\\#", "#")
