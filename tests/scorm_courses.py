"""Courses for the SCORM tests, written out by the tests (so every expectation sits next to its source).

`TRACKED` has one question of every scorable type plus an essay and a description in its
final quiz; `RIGHT` and `WRONG` say how a learner answers each through the page, and
`EXPECTED_12` / `EXPECTED_2004` the interaction records an LMS must then hold. Those were
written from the SCORM run-time specifications (1.2: CMIFeedback formats, one character
per choice, `source.target` pairs; 2004 4th Edition: `[,]` / `[.]` delimiters,
`min[:]max` numeric ranges), not copied from a run of the player.
"""

from __future__ import annotations

from pathlib import Path

COURSE_YAML = """\
id: track-course
title: Tracking course
shortname: TRACK
language: en
version: "2.1"
summary: A course that exercises **every** question type.
authors: [Ada Lovelace, "Grace Hopper"]
license: CC BY 4.0
keywords: [scorm, testing]
source:
  title: A source article
  publisher: Example Press
  url: https://example.org/article
lessons: [intro, details]
final_quiz:
  title: Final quiz
  questions: [q-single, q-multi, q-tf, q-short, q-units, q-match, q-cloze, q-order, q-essay, q-note]
settings:
  passing_score: 70
"""

LESSON_1 = """\
---
title: Introduction
objectives: [Know the words]
minutes: 3
---

# Introduction

An API is how content talks to the LMS. The api word in lower case is not linked,
nor is the word APIs, but a Learning Record is linked without case.

## The diagram

![Flow from source to package](../assets/flow.svg)

Read [the details](02-details.md) next, or visit [the spec](https://example.org/spec).
"""

LESSON_2 = """\
---
title: Details
minutes: 4
---

Every learning record ends in the LMS. `API` in code is never linked, and neither is
[API in a link](https://example.org/api).
"""

GLOSSARY_YAML = """\
name: Glossary
intro: Words used in this course.
entries:
  - term: API
    definition: The object a package calls to talk to the LMS.
    case_sensitive: true
  - term: learning record
    definition: What the LMS keeps about a learner.
  - term: LMS
    definition: Learning management system.
    aliases: [learning platform]
    auto_link: false
"""

QUIZ_YAML = """\
defaults:
  lesson: intro
questions:
  - id: q-single
    type: multichoice
    text: Which object does a SCORM 1.2 package look for?
    answers:
      - {text: API_1484_11, feedback: That is SCORM 2004.}
      - {text: API, grade: 100, feedback: Right.}
      - {text: window}
  - id: q-multi
    type: multichoice
    single: false
    text: Which are SCORM versions?
    answers:
      - {text: "1.2", grade: 50}
      - {text: "2004", grade: 50}
      - {text: "3.0", grade: -100}
  - id: q-tf
    type: truefalse
    text: A package must work offline.
    correct: true
  - id: q-short
    type: shortanswer
    text: Name the file at the root of every package.
    answers:
      - {text: imsmanifest.xml, grade: 100}
      - {text: "*manifest*", grade: 50, feedback: Nearly.}
  - id: q-units
    type: numerical
    text: How long is 1500 m?
    answers:
      - {value: 1500, tolerance: 5}
    units:
      - {name: m}
      - {name: km, multiplier: 0.001}
  - id: q-match
    type: matching
    text: Match each version with its API.
    pairs:
      - {question: SCORM 1.2, answer: API}
      - {question: SCORM 2004, answer: API_1484_11}
    distractors: [LMS]
  - id: q-cloze
    type: cloze
    text: "Version {{v}} has {{n}} parts and uses {{f}}. Offline? {{h}} Inside: {{m}}"
    gaps:
      - id: v
        answers: [{text: "2004"}]
      - id: n
        type: numerical
        answers: [{text: "4", tolerance: 0}]
      - id: f
        type: multichoice
        answers:
          - {text: XML, grade: 100}
          - {text: JSON, grade: 0}
      - id: h
        type: multichoice_horizontal
        answers:
          - {text: "yes", grade: 100}
          - {text: "no", grade: 0, feedback: It must be.}
      - id: m
        type: multiresponse
        answers:
          - {text: manifest, grade: 50}
          - {text: player, grade: 50}
          - {text: server, grade: -100}
  - id: q-order
    type: ordering
    text: Put the calls in order.
    items: [Initialize, SetValue, Commit, Terminate]
  - id: q-essay
    type: essay
    text: What would you build?
  - id: q-note
    type: description
    text: That was the last question.
"""

FLOW_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" role="img" aria-label="flow">'
    '<rect width="120" height="40" fill="#e8f0fe"/></svg>\n'
)

TRACKED: dict[str, str] = {
    "course.yaml": COURSE_YAML,
    "lessons/01-intro.md": LESSON_1,
    "lessons/02-details.md": LESSON_2,
    "glossary.yaml": GLOSSARY_YAML,
    "quiz/all.yaml": QUIZ_YAML,
    "assets/flow.svg": FLOW_SVG,
}

SCORED = ["q-single", "q-multi", "q-tf", "q-short", "q-units", "q-match", "q-cloze", "q-order"]

# How the learner answers, control by control (see `answer` in test_scorm_browser.py).
RIGHT = {
    "q-single": ("check", ["1"]),
    "q-multi": ("check", ["0", "1"]),
    "q-tf": ("check", ["1"]),
    "q-short": ("fill", "imsmanifest.xml"),
    "q-units": ("fill", "1.5 km"),
    "q-match": ("select", ["API", "API_1484_11"]),
    "q-cloze": ("gaps", ["2004", "4", "XML", "yes", ["manifest", "player"]]),
    "q-order": ("order", ["Initialize", "SetValue", "Commit", "Terminate"]),
}
WRONG = {
    "q-single": ("check", ["2"]),
    "q-multi": ("check", ["2"]),
    "q-tf": ("check", ["0"]),
    "q-short": ("fill", "index.html"),
    "q-units": ("fill", "3 km"),
    "q-match": ("select", ["LMS", "API"]),
    "q-cloze": ("gaps", ["1.2", "7", "JSON", "no", ["server"]]),
    "q-order": ("order", ["Terminate", "Commit", "SetValue", "Initialize"]),
}

# (type, learner response, correct-response pattern, weighting) per scored question.
EXPECTED_12 = {
    True: {
        "q-single": ("choice", "b", "b", "1"),
        "q-multi": ("choice", "a,b", "a,b", "1"),
        "q-tf": ("true-false", "t", "t", "1"),
        "q-short": ("fill-in", "imsmanifest.xml", "imsmanifest.xml", "1"),
        "q-units": ("numeric", "1500", "1500", "1"),
        "q-match": ("matching", "1.a,2.b", "1.a,2.b", "1"),
        "q-cloze": ("fill-in", "2004,4,XML,yes,manifest+player", "2004,4,XML,yes,manifest+player", "5"),
        "q-order": ("sequencing", "a,b,c,d", "a,b,c,d", "1"),
    },
    False: {
        "q-single": ("choice", "c", "b", "1"),
        "q-multi": ("choice", "c", "a,b", "1"),
        "q-tf": ("true-false", "f", "t", "1"),
        "q-short": ("fill-in", "index.html", "imsmanifest.xml", "1"),
        "q-units": ("numeric", "3000", "1500", "1"),
        "q-match": ("matching", "1.c,2.a", "1.a,2.b", "1"),
        "q-cloze": ("fill-in", "1.2,7,JSON,no,server", "2004,4,XML,yes,manifest+player", "5"),
        "q-order": ("sequencing", "d,c,b,a", "a,b,c,d", "1"),
    },
}
EXPECTED_2004 = {
    True: {
        "q-single": ("choice", "b", "b", "1"),
        "q-multi": ("choice", "a[,]b", "a[,]b", "1"),
        "q-tf": ("true-false", "true", "true", "1"),
        "q-short": ("fill-in", "imsmanifest.xml", "imsmanifest.xml", "1"),
        "q-units": ("numeric", "1500", "1495[:]1505", "1"),
        "q-match": ("matching", "1[.]a[,]2[.]b", "1[.]a[,]2[.]b", "1"),
        "q-cloze": ("fill-in", "2004[,]4[,]XML[,]yes[,]manifest+player", "2004[,]4[,]XML[,]yes[,]manifest+player", "5"),
        "q-order": ("sequencing", "a[,]b[,]c[,]d", "a[,]b[,]c[,]d", "1"),
    },
    False: {
        "q-single": ("choice", "c", "b", "1"),
        "q-multi": ("choice", "c", "a[,]b", "1"),
        "q-tf": ("true-false", "false", "true", "1"),
        "q-short": ("fill-in", "index.html", "imsmanifest.xml", "1"),
        "q-units": ("numeric", "3000", "1495[:]1505", "1"),
        "q-match": ("matching", "1[.]c[,]2[.]a", "1[.]a[,]2[.]b", "1"),
        "q-cloze": ("fill-in", "1.2[,]7[,]JSON[,]no[,]server", "2004[,]4[,]XML[,]yes[,]manifest+player", "5"),
        "q-order": ("sequencing", "d[,]c[,]b[,]a", "a[,]b[,]c[,]d", "1"),
    },
}


# The answers part of suspend_data (after "format|lessons read|seed|submitted|quiz key|"), one
# field per quiz question joined by "~": choices and permutations as base-36 numbers joined by
# ".", typed text URL-escaped with "+" for spaces, cloze gaps joined by "!", nothing for the
# essay and the description.
STATE = {
    True: "1~0.1~1~imsmanifest.xml~1.5+km~0.1~2004!4!0!0!0.1~0.1.2.3~~",
    False: "2~2~0~index.html~3+km~2.0~1.2!7!1!1!2~3.2.1.0~~",
}


def big_course(questions: int = 200, lessons: int = 20) -> dict[str, str]:
    """A course with `questions` scorable questions of every type spread over `lessons` lessons."""
    ids = [f"lesson-{n:02d}" for n in range(lessons)]
    files = {
        "course.yaml": f"id: big-course\ntitle: Big course\nshortname: BIG\nlessons: [{', '.join(ids)}]\n",
        "glossary.yaml": "entries: []\n",
    }
    for n, lesson in enumerate(ids):
        files[f"lessons/{n:02d}-{lesson}.md"] = f"---\ntitle: Lesson {n}\n---\n\nText of lesson {n}.\n"
    kinds = [
        "  - id: q{n}\n    type: multichoice\n    text: Pick B.\n    answers:\n"
        "      - {{text: A}}\n      - {{text: B, grade: 100}}\n      - {{text: C}}\n      - {{text: D}}\n",
        "  - id: q{n}\n    type: truefalse\n    text: True?\n    correct: true\n",
        "  - id: q{n}\n    type: shortanswer\n    text: Type a word.\n    answers: [{{text: answer}}]\n",
        "  - id: q{n}\n    type: numerical\n    text: How many?\n    answers: [{{value: 12.5, tolerance: 0.5}}]\n",
        "  - id: q{n}\n    type: matching\n    text: Match.\n    pairs:\n      - {{question: one, answer: '1'}}\n"
        "      - {{question: two, answer: '2'}}\n      - {{question: three, answer: '3'}}\n",
        "  - id: q{n}\n    type: cloze\n    text: 'A {{{{a}}}} and {{{{b}}}}.'\n    gaps:\n"
        "      - {{id: a, answers: [{{text: cat}}]}}\n      - {{id: b, type: numerical, answers: [{{text: '3'}}]}}\n",
        "  - id: q{n}\n    type: ordering\n    text: Order.\n    items: [one, two, three, four, five]\n",
    ]
    per_lesson: dict[str, list[str]] = {lesson: [] for lesson in ids}
    for n in range(questions):
        per_lesson[ids[n % lessons]].append(kinds[n % len(kinds)].format(n=n))
    for lesson, items in per_lesson.items():
        files[f"quiz/{lesson}.yaml"] = f"defaults:\n  lesson: {lesson}\nquestions:\n" + "".join(items)
    return files


def write(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path → text) under `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
