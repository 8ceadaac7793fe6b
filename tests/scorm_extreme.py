"""A course of extreme values for the SCORM run-time tests, and the data model rules they must meet.

The quiz holds what breaks a SCORM run time when sent carelessly: numbers no `real(10,7)`
can hold (Avogadro's number, an electron's charge, an 11-digit integer), answers padded with
spaces, answers holding the 2004 delimiters `[,]` `[.]` `[:]` and braces (a leading `{` opens
a `{lang=…}` prefix), 4,000-character texts with emoji and right-to-left script, `<` and `&`
in names, a question worth more than 1.2's weighting range, and a cloze with more gaps than
a 2004 `fill-in` holds. `ANSWERS` says how a learner answers through the page.

`data_model_problems` checks recorded interactions against the limits of the run-time
specifications that scorm-again leaves unchecked (it relaxes 1.2's CMIFeedback to any one line
and does not cap 2004 descriptions): SCORM 1.2 RTE 3.4.2.7 (CMIIdentifier, CMIFeedback of at
most 255 characters, CMIDecimal) and SCORM 2004 4th Edition RTE 4.2.9 (smallest permitted
maximums: 250 characters per fill-in response, 4,000 for long-fill-in and ids, 250 for the
description, `real(10,7)` numbers).
"""

from __future__ import annotations

import re

LONG = ("😀 שלום [,] {x} " * 400)[:4000]
"""4,000 characters of emoji, Hebrew, a 2004 delimiter and braces."""

COURSE_YAML = """\
id: extreme
title: "pH < 7 & pH > 7: שלום 👋"
shortname: EXT
language: en
lessons: [only]
final_quiz:
  title: Final quiz
  questions: [x-pad, x-seps, x-rtl, x-avogadro, x-tiny, x-huge, x-units, x-heavy, x-long, x-cloze, x-match]
settings:
  passing_score: 50
"""

LESSON = """\
---
title: Only lesson
---

# Only lesson

Read this.
"""

QUIZ_YAML = f"""\
defaults:
  lesson: only
questions:
  - id: x-pad
    type: shortanswer
    text: Where do you pour acids?
    answers:
      - {{text: "  fume hood  "}}
  - id: x-seps
    type: shortanswer
    text: "Type the separators."
    answers:
      - {{text: "{{lang=xx}} a[,]b[.]c[:]d {{y}}"}}
  - id: x-rtl
    type: shortanswer
    text: "Say hello in Arabic."
    answers:
      - {{text: "مرحبا بالعالم 👋🏽"}}
  - id: x-avogadro
    type: numerical
    text: Avogadro's number?
    answers:
      - {{value: 6.022e23, tolerance: 1.0e20}}
  - id: x-tiny
    type: numerical
    text: The charge of an electron, in coulombs?
    answers:
      - {{value: 1.602e-19, tolerance: 1.0e-21}}
  - id: x-huge
    type: numerical
    text: An eleven-digit number?
    answers:
      - {{value: 98765432101}}
  - id: x-units
    type: numerical
    text: How long is 1500 m?
    answers:
      - {{value: 1500, tolerance: 5}}
    units:
      - {{name: m}}
      - {{name: km, multiplier: 0.001}}
  - id: x-heavy
    type: multichoice
    name: "pH < 7 & pH > 7"
    points: 500
    text: "Is pH < 7 & pH > 7 possible? 🤔"
    answers:
      - {{text: "No <never> & never", grade: 100}}
      - {{text: "Yes 😀"}}
  - id: x-long
    type: truefalse
    text: "{LONG}\\n\\nשלום? {LONG}"
    correct: true
  - id: x-cloze
    type: cloze
    text: "{{{{g1}}}} {{{{g2}}}} {{{{g3}}}} {{{{g4}}}} {{{{g5}}}} {{{{g6}}}} {{{{g7}}}} {{{{g8}}}} {{{{g9}}}} {{{{g10}}}} {{{{g11}}}}"
    gaps:
      - {{id: g1, answers: [{{text: "1,000"}}]}}
      - {{id: g2, answers: [{{text: "a[,]b"}}]}}
      - {{id: g3, answers: [{{text: "{{z}}"}}]}}
      - {{id: g4, type: numerical, answers: [{{text: "6.022e23", tolerance: 1.0e20}}]}}
      - {{id: g5, answers: [{{text: "*"}}]}}
      - {{id: g6, answers: [{{text: "x"}}]}}
      - {{id: g7, answers: [{{text: "x"}}]}}
      - {{id: g8, answers: [{{text: "x"}}]}}
      - {{id: g9, answers: [{{text: "x"}}]}}
      - {{id: g10, answers: [{{text: "x"}}]}}
      - {{id: g11, answers: [{{text: "x"}}]}}
  - id: x-match
    type: matching
    text: "Match [.] and {{ }}."
    pairs:
      - {{question: "a[.]b", answer: "[.]"}}
      - {{question: "{{", answer: "}}"}}
    distractors: ["[,]"]
"""

FILES: dict[str, str] = {
    "course.yaml": COURSE_YAML,
    "lessons/01-only.md": LESSON,
    "glossary.yaml": "entries: []\n",
    "quiz/extreme.yaml": QUIZ_YAML,
}

QUIZ = ["x-pad", "x-seps", "x-rtl", "x-avogadro", "x-tiny", "x-huge", "x-units", "x-heavy", "x-long", "x-cloze"]
QUIZ += ["x-match"]

ANSWERS: dict[str, tuple[str, object]] = {
    "x-pad": ("fill", "  fume hood  "),
    "x-seps": ("fill", "{lang=xx} a[,]b[.]c[:]d {y}"),
    "x-rtl": ("fill", "مرحبا بالعالم 👋🏽"),
    "x-avogadro": ("fill", "6.0221e23"),
    "x-tiny": ("fill", "1.602e-19"),
    "x-huge": ("fill", "98765432101"),
    "x-units": ("fill", "150000 cm"),
    "x-heavy": ("check", ["0"]),
    "x-long": ("check", ["1"]),
    "x-cloze": ("gaps", ["1,000", "a[,]b", "{z}", "6.022e23", LONG, "x", "x", "x", "x", "x", "x"]),
    "x-match": ("select", ["[.]", "}"]),
}
"""Every answer right except the units question (a unit the question does not know)."""

REAL_10_7 = re.compile(r"^-?\d{1,10}(\.\d{1,7})?$")


def units16(text: str) -> int:
    """Length in UTF-16 code units, as the ECMAScript run times count characters."""
    return len(text.encode("utf-16-le")) // 2


def data_model_problems(version: str, records: list[dict[str, str]]) -> list[str]:
    """What in the interaction records breaks the run-time data model's formats and limits."""
    problems: list[str] = []
    v12 = version == "1.2"
    response = "student_response" if v12 else "learner_response"
    for record in records:
        rid, kind = record["id"], record["type"]
        values = [record.get(response, "")] + [v for k, v in record.items() if k.endswith(".pattern")]
        for value in values:
            if "\n" in value or "\r" in value:
                problems.append(f"{rid}: a line break in {value!r}")
            if v12:
                if len(value) > 255:
                    problems.append(f"{rid}: {len(value)} characters, more than CMIFeedback's 255")
                continue
            nodes = value.split("[,]") if kind in ("fill-in", "choice", "matching", "sequencing") else [value]
            for node in nodes:
                if node != node.strip():
                    problems.append(f"{rid}: {node!r} starts or ends with spaces")
                if kind == "fill-in" and units16(node) > 250:
                    problems.append(f"{rid}: a fill-in response of {units16(node)} characters (at most 250)")
                if kind == "long-fill-in" and units16(node) > 4000:
                    problems.append(f"{rid}: a long-fill-in response of {units16(node)} characters (at most 4000)")
            if kind == "numeric":
                for number in value.split("[:]"):
                    if number and not REAL_10_7.match(number):
                        problems.append(f"{rid}: {number!r} is not a real(10,7)")
            if kind == "fill-in" and "[:]" in value:
                problems.append(f"{rid}: a numeric range {value!r} as a fill-in pattern")
        if v12:
            if len(rid) > 255 or not re.fullmatch(r"[\x21-\x7e]+", rid):
                problems.append(f"{rid}: not a CMIIdentifier")
            if not -100 <= float(record["weighting"]) <= 100:
                problems.append(f"{rid}: weighting {record['weighting']} outside -100..100")
        elif units16(record.get("description", "")) > 250:
            problems.append(f"{rid}: a description of {units16(record['description'])} characters (at most 250)")
    return problems
