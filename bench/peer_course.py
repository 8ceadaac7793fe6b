"""One synthetic question bank written twice: as a coursebuilder course and as a coursekit project.

coursekit 0.7.0 (`slxd-coursekit`) writes a Moodle XML bank with `coursekit delivery questions`
from the `assessment.md` of each unit. Of our question types it can express five: multichoice
(its `single-choice` and `multi-select`), truefalse (`true-false`), shortanswer (`short-answer`),
matching (`match`) and ordering (`sorting`). Its `fill-in-the-blank` takes only short-answer
gaps, so cloze stays out, as do numerical, essay and description, which it has no directive for.

Both sides are written from the same records, so they hold the same questions: the same texts,
options, keys, pairs, items and feedback. What only one side can say is left out of both:
per-answer feedback (coursekit gives every right answer one text and every wrong answer
another), partial grades of short answers, matching distractors, hints and images (coursekit's
bank carries no files). Texts avoid what either syntax reserves (`|`, `::`, braces, `#`).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from coursebuilder.synthetic import FINAL_QUIZ_QUESTIONS, QUESTION_MIX, WORDS

PEER_TYPES: tuple[str, ...] = ("multichoice", "truefalse", "shortanswer", "matching", "ordering")
"""Our question types that coursekit's Moodle XML bank can express."""

PEER_MIX: tuple[tuple[str, int], ...] = tuple((name, share) for name, share in QUESTION_MIX if name in PEER_TYPES)
"""The synthetic course's proportions, restricted to the five types."""

COURSE_CODE = "SYN"
"""coursekit's code for the course (its folder under `courses/`)."""

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .?'-]*$")
"""Texts YAML reads as plain strings in block and flow context alike (no `,`, `:` or `#`)."""
_YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})


@dataclass(frozen=True)
class PeerQuestion:
    """One question as both tools can state it. Which fields matter depends on `kind`."""

    number: int
    kind: str
    text: str
    """One line of Markdown (coursekit's keys are one line each)."""
    right: str
    """Feedback for a right answer (coursekit's `feedback-correct`)."""
    wrong: str
    """Feedback for a wrong answer (`feedback-incorrect`)."""
    general: str = ""
    single: bool = True
    options: tuple[tuple[str, bool], ...] = ()
    """Multichoice: (text, right) in display order."""
    correct: bool = True
    """Truefalse: the right answer."""
    keys: tuple[str, ...] = ()
    """Shortanswer: accepted answers, each worth full marks."""
    pairs: tuple[tuple[str, str], ...] = ()
    """Matching: (item, answer)."""
    items: tuple[str, ...] = ()
    """Ordering: the items in their right order."""

    @property
    def qid(self) -> str:
        return f"q{self.number + 1:05d}-{self.kind}"


def peer_counts(questions: int) -> dict[str, int]:
    """How many questions of each of the five types a bank of `questions` has."""
    total = sum(share for _, share in PEER_MIX)
    counts = {name: questions * share // total for name, share in PEER_MIX}
    counts["multichoice"] += questions - sum(counts.values())
    return counts


def peer_bank(questions: int, units: int, seed: int = 0) -> list[list[PeerQuestion]]:
    """`questions` records split evenly over `units` units (same arguments, same records)."""
    if units < 1 or questions < 0:
        raise ValueError("a bank needs at least one unit, and no negative counts")
    rng = random.Random(seed)
    kinds = [name for name, count in peer_counts(questions).items() for _ in range(count)]
    rng.shuffle(kinds)
    records = [_record(number, kind, rng) for number, kind in enumerate(kinds)]
    return [records[index * questions // units : (index + 1) * questions // units] for index in range(units)]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _phrases(rng: random.Random, count: int) -> list[str]:
    """`count` different two-word phrases."""
    chosen: list[str] = []
    while len(chosen) < count:
        phrase = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        if phrase not in chosen:
            chosen.append(phrase)
    return chosen


def _record(number: int, kind: str, rng: random.Random) -> PeerQuestion:
    subject, other, reader = (rng.choice(WORDS) for _ in range(3))
    text = f"Question {number + 1}: what does the {subject} {other} mean for a {reader}?"
    if number % 5 == 1:
        text = f"Read **carefully**: {text}"
    right = f"Right: {_sentence(rng, 5)}"
    wrong = f"Review the {rng.choice(WORDS)} section."
    general = f"The answer follows from the {rng.choice(WORDS)} section." if number % 7 == 0 else ""
    common = PeerQuestion(number, kind, text, right, wrong, general)
    if kind == "multichoice":
        texts = _phrases(rng, 4)
        single = number % 6 != 0
        rights = 1 if single else 2
        flags = [index < rights for index in range(4)]
        rng.shuffle(flags)
        return replace(common, single=single, options=tuple(zip(texts, flags, strict=True)))
    if kind == "truefalse":
        return replace(common, correct=number % 2 == 1)
    if kind == "shortanswer":
        # `a*b*` also takes the answer typed with a doubled space or a trailing period.
        return replace(common, keys=tuple("*".join(phrase.split()) + "*" for phrase in _phrases(rng, 2)))
    if kind == "matching":
        answers = _phrases(rng, 4)
        return replace(
            common,
            pairs=tuple((f"Item {index + 1} of question {number + 1}", answer) for index, answer in enumerate(answers)),
        )
    if kind == "ordering":
        return replace(common, items=tuple(_phrases(rng, 4)))
    raise ValueError(f"coursekit has no equivalent of {kind!r}")


# --------------------------------------------------------------------------- coursebuilder


def lesson_id(unit: int) -> str:
    return f"unit-{unit + 1:04d}"


def write_course(directory: Path, bank: list[list[PeerQuestion]]) -> None:
    """The bank as a coursebuilder course: one lesson and one quiz file per unit, and a final quiz."""
    lessons = [lesson_id(unit) for unit in range(len(bank))]
    course = [
        "id: synthetic",
        f"title: Synthetic bank of {sum(map(len, bank))} questions",
        "shortname: SYNTH",
        "language: en",
        'version: "1.0"',
        "lessons:",
        *(f"  - {name}" for name in lessons),
    ]
    records = [record for unit in bank for record in unit]
    final = records[:: max(1, len(records) // FINAL_QUIZ_QUESTIONS)][:FINAL_QUIZ_QUESTIONS]
    if final:  # as in the synthetic course: a short final quiz drawn from the bank, not all 20,000
        course += ["final_quiz:", "  title: Final quiz", "  questions:", *(f"    - {record.qid}" for record in final)]
    _put(directory / "course.yaml", "\n".join(course) + "\n")
    written: set[Path] = set()
    for unit, (name, records) in enumerate(zip(lessons, bank, strict=True)):
        lesson = directory / "lessons" / f"{unit + 1:04d}-{name}.md"
        _put(lesson, f"---\ntitle: Unit {unit + 1}\n---\n\nThe questions of unit {unit + 1}.\n")
        body = "".join(_our_question(record) for record in records)
        quiz = directory / "quiz" / f"{unit + 1:04d}-{name}.yaml"
        _put(quiz, f"defaults:\n  lesson: {name}\n" + ("questions:\n" + body if body else "questions: []\n"))
        written |= {lesson, quiz}
    for stale in [*directory.glob("lessons/*.md"), *directory.glob("quiz/*.yaml")]:
        if stale not in written:  # from an earlier bank with more units
            stale.unlink()


def _q(text: str) -> str:
    """A YAML scalar: plain when that is unambiguous, else double-quoted (JSON is valid YAML)."""
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _our_question(record: PeerQuestion) -> str:
    lines = [f"  - id: {record.qid}", f"    type: {record.kind}", f"    text: {_q(record.text)}"]
    lines.extend(_OUR_BODIES[record.kind](record))
    if record.general:
        lines.append(f"    general_feedback: {_q(record.general)}")
    return "\n".join(lines) + "\n"


def _combined(record: PeerQuestion) -> str:
    """The outcome feedback coursekit writes: partly right reads as wrong."""
    return (
        f"    feedback: {{correct: {_q(record.right)}, partially_correct: {_q(record.wrong)}, "
        f"incorrect: {_q(record.wrong)}}}"
    )


def _our_multichoice(record: PeerQuestion) -> Iterator[str]:
    rights = sum(right for _, right in record.options)
    wrongs = len(record.options) - rights
    if not record.single:
        yield "    single: false"
    yield "    answers:"
    for text, right in record.options:
        # coursekit's fractions: the right answers share 100; with several, each wrong one takes as much away
        grade = 100 // rights if right else (0 if record.single else -(100 // wrongs))
        yield f"      - {{text: {_q(text)}, grade: {grade}, feedback: {_q(record.right if right else record.wrong)}}}"
    yield _combined(record)


def _our_truefalse(record: PeerQuestion) -> Iterator[str]:
    yield f"    correct: {'true' if record.correct else 'false'}"
    yield f"    feedback_true: {_q(record.right if record.correct else record.wrong)}"
    yield f"    feedback_false: {_q(record.wrong if record.correct else record.right)}"


def _our_shortanswer(record: PeerQuestion) -> Iterator[str]:
    yield "    answers:"
    for key in record.keys:
        yield f"      - {{text: {_q(key)}, grade: 100, feedback: {_q(record.right)}}}"


def _our_matching(record: PeerQuestion) -> Iterator[str]:
    yield "    pairs:"
    for item, answer in record.pairs:
        yield f"      - {{question: {_q(item)}, answer: {_q(answer)}}}"
    yield _combined(record)


def _our_ordering(record: PeerQuestion) -> Iterator[str]:
    yield f"    items: [{', '.join(_q(item) for item in record.items)}]"
    yield _combined(record)


_OUR_BODIES = {
    "multichoice": _our_multichoice,
    "truefalse": _our_truefalse,
    "shortanswer": _our_shortanswer,
    "matching": _our_matching,
    "ordering": _our_ordering,
}


# --------------------------------------------------------------------------- coursekit


def unit_folder(unit: int) -> str:
    """coursekit's folder of unit number `unit` (1-based): `content/unit-NN`."""
    return f"unit-{unit:02d}"


def write_project(directory: Path, bank: list[list[PeerQuestion]]) -> Path:
    """The bank as the smallest coursekit project `coursekit delivery questions` accepts; returns course.yaml.

    The project assembles with the html backend and delivers its tests as a Moodle XML bank, so
    coursekit itself writes the bank; the course is in `assembly`, where delivery starts. Each unit
    has one assessment activity whose question bank holds the unit's questions.
    """
    project = [
        "name: Peer benchmark",
        "content_language: en",
        "ui_language: en",
        "assembly:",
        "  backend: html",
        "delivery:",
        "  assessment:",
        "    format: moodle-xml",
    ]
    _put(directory / "project.yaml", "\n".join(project) + "\n")
    course_dir = directory / "courses" / COURSE_CODE
    course = [
        f"code: {COURSE_CODE}",
        f"title: Synthetic bank of {sum(map(len, bank))} questions",
        "language: en",
        "status: assembly",
        "design:",
        "  grading:",
        "    passing_score: 50",
        "    attempts: 1",
        "units:",
    ]
    for unit in range(1, len(bank) + 1):
        course += [f"  - n: {unit}", f"    title: Unit {unit}"]
    course_yaml = course_dir / "course.yaml"
    _put(course_yaml, "\n".join(course) + "\n")
    written: set[Path] = set()
    for unit, records in enumerate(bank, 1):
        parts = [
            f"# Unit {unit} — Assessment activities\n",
            f"## ASSESSMENT ACTIVITY {unit}.1 — Quiz {unit}\n",
            "### Question bank\n",
            *(_their_question(record) for record in records),
        ]
        assessment = course_dir / "content" / unit_folder(unit) / "assessment.md"
        _put(assessment, "\n".join(parts))
        written.add(assessment)
    for stale in course_dir.glob("content/unit-*/assessment.md"):
        if stale not in written:  # from an earlier bank with more units
            stale.unlink()
    return course_yaml


def _their_question(record: PeerQuestion) -> str:
    """One question directive of coursekit's content format (section 3 of its content-format.md)."""
    if record.kind == "multichoice":
        name = "single-choice" if record.single else "multi-select"
        body = [f"- [{'x' if right else ' '}] {text}" for text, right in record.options]
    elif record.kind == "truefalse":
        name, body = "true-false", [f"answer: {'true' if record.correct else 'false'}"]
    elif record.kind == "shortanswer":
        name, body = "short-answer", [f"answers: {' | '.join(record.keys)}"]
    elif record.kind == "matching":
        name, body = "match", [f"- {item} :: {answer}" for item, answer in record.pairs]
    elif record.kind == "ordering":
        name, body = "sorting", [f"- {item}" for item in record.items]
    else:
        raise ValueError(f"coursekit has no equivalent of {record.kind!r}")
    lines = [f":::{name}", f"question: {record.text}", *body]
    lines += [f"feedback-correct: {record.right}", f"feedback-incorrect: {record.wrong}"]
    if record.general:
        lines.append(f"feedback: {record.general}")
    return "\n".join([*lines, ":::"]) + "\n"


def _put(path: Path, text: str) -> None:
    """Write `text` unless the file already holds it (a rerun leaves the sources' mtimes alone)."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
