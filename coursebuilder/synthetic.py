"""Write large, valid, deterministic course sources for benchmarks and stress tests.

A synthetic course has every feature a real one uses: lessons with headings, lists, tables and
images; glossary terms with aliases that appear in the lessons (so `validate --strict` is
clean); and questions of every type in the proportions real banks have, some with images.
Files are written from plain text templates (YAML `json`-quoted where needed), because dumping
tens of thousands of models through PyYAML would dominate the time of a benchmark run.
"""

from __future__ import annotations

import json
import random
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

QUESTION_MIX: tuple[tuple[str, int], ...] = (
    ("multichoice", 35),
    ("truefalse", 20),
    ("shortanswer", 15),
    ("numerical", 7),
    ("matching", 6),
    ("cloze", 6),
    ("essay", 4),
    ("ordering", 4),
    ("description", 3),
)
"""Question types and their share of a bank in percent (mostly multichoice, truefalse and shortanswer)."""

SIZES: dict[str, tuple[int, int, int]] = {
    "S": (200, 20, 50),
    "M": (2_000, 200, 500),
    "L": (20_000, 2_000, 5_000),
}
"""Named sizes: (questions, lessons, glossary terms)."""

FINAL_QUIZ_QUESTIONS = 50
"""Length of the final quiz: a course with a large bank draws a short final quiz from it."""

_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "be",
    "da",
    "fe",
    "gi",
    "ho",
    "ju",
    "ke",
    "la",
    "mo",
    "ni",
    "pa",
    "re",
    "su",
    "to",
    "wa",
    "ze",
    "bi",
    "ro",
    "du",
    "fa",
    "no",
    "ya",
)
WORDS = (
    "cooperation",
    "agreement",
    "nation",
    "policy",
    "trade",
    "region",
    "treaty",
    "council",
    "member",
    "summit",
    "partner",
    "market",
    "border",
    "culture",
    "economy",
    "forum",
    "charter",
    "mission",
    "envoy",
    "delegate",
    "network",
    "exchange",
)
"""The vocabulary of every synthetic text (bench/peer_course.py writes its questions from it too)."""
_SUFFIXES = ("index", "rate", "cycle", "model", "accord", "zone")
_IMAGES = ("figure-1.png", "figure-2.png", "chart-1.svg", "chart-2.svg", "map.svg", "photo.png")
_PLAIN_YAML = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ,.?()'/-]*$")


@dataclass(frozen=True)
class CourseSize:
    """What `write_synthetic_course` wrote."""

    questions: int
    lessons: int
    terms: int
    files: int
    """Source files written (course.yaml, glossary, lessons, quizzes and assets)."""


def type_counts(questions: int) -> dict[str, int]:
    """How many questions of each type a course of `questions` questions has."""
    counts = {name: questions * share // 100 for name, share in QUESTION_MIX}
    counts["multichoice"] += questions - sum(counts.values())
    return counts


def write_synthetic_course(
    directory: Path | str, questions: int, lessons: int, terms: int, seed: int = 0
) -> CourseSize:
    """Write a valid course of the given size into `directory` (same arguments, same bytes).

    Files already holding the right bytes are left alone, and lesson or quiz files from an
    earlier, larger course in the same directory are removed, so the directory can be reused.
    """
    if lessons < 1 or questions < 0 or terms < 0:
        raise ValueError("a course needs at least one lesson, and no negative counts")
    root = Path(directory)
    rng = random.Random(seed)
    lesson_ids = [f"unit-{index + 1:04d}-{WORDS[index % len(WORDS)]}" for index in range(lessons)]
    glossary = [_term(index, terms, rng) for index in range(terms)]
    kinds = [name for name, count in type_counts(questions).items() for _ in range(count)]
    rng.shuffle(kinds)
    written: set[Path] = set()

    def put(rel: str, data: bytes | str) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path = root / rel
        written.add(path)
        try:
            if path.read_bytes() == raw:
                return
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)

    for name in _IMAGES:
        put(f"assets/{name}", _png(name) if name.endswith(".png") else _svg(name))
    by_lesson: list[list[_Term]] = [[] for _ in lesson_ids]
    for index, entry in enumerate(glossary):
        by_lesson[index % lessons].append(entry)
    scored: list[str] = []
    for index, lesson_id in enumerate(lesson_ids):
        first, last = index * questions // lessons, (index + 1) * questions // lessons
        put(f"lessons/{index + 1:04d}-{lesson_id}.md", _lesson(index, lesson_id, by_lesson[index], rng))
        items = [_question(number, kinds[number], glossary, rng) for number in range(first, last)]
        scored.extend(_qid(number, kinds[number]) for number in range(first, last) if kinds[number] in _SCORED)
        body = "".join(text for text, _ in items)
        put(f"quiz/{index + 1:04d}-{lesson_id}.yaml", _quiz_file(lesson_id, index, body, first < last))
    final = scored[:: max(1, len(scored) // FINAL_QUIZ_QUESTIONS)][:FINAL_QUIZ_QUESTIONS]
    put("course.yaml", _course_yaml(questions, lesson_ids, final))
    put("glossary.yaml", _glossary_yaml(glossary))
    for folder, pattern in (("lessons", "*.md"), ("quiz", "*.yaml")):
        for stale in (root / folder).glob(pattern):
            if stale not in written:
                stale.unlink()
    return CourseSize(questions, lessons, terms, len(written))


# --------------------------------------------------------------------------- text helpers


def _q(text: str) -> str:
    """A YAML scalar: plain when that is unambiguous, else double-quoted (JSON is valid YAML)."""
    if _PLAIN_YAML.match(text) and not text.endswith((" ", ":")) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


_YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"})


def _block(text: str, indent: int) -> str:
    """A YAML literal block for multi-line Markdown."""
    pad = " " * indent
    return "|\n" + "".join(f"{pad}{line}\n" if line else "\n" for line in text.rstrip("\n").split("\n"))


def _word(index: int, length: int) -> str:
    """A pronounceable made-up word, different for every index below len(_SYLLABLES)**length."""
    parts = []
    for _ in range(length):
        index, digit = divmod(index, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    return "".join(reversed(parts))


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


# --------------------------------------------------------------------------- glossary


@dataclass(frozen=True)
class _Term:
    term: str
    alias: str | None
    category: str


def _term(index: int, count: int, rng: random.Random) -> _Term:
    length = 3
    while len(_SYLLABLES) ** length < count:
        length += 1
    # Every syllable ends in a vowel, so a plural alias ("...s") never equals another term.
    capacity = len(_SYLLABLES) ** length
    word = _word((index * 7919 + 4049) % capacity, length)  # 7919 is prime: a bijection, well mixed
    term = f"{word} {_SUFFIXES[index % len(_SUFFIXES)]}" if index % 4 == 3 else word
    alias = f"{word}s" if index % 3 == 0 else None
    return _Term(term, alias, rng.choice(("Actors", "Principles", "Goals", "Benefits")))


def _glossary_yaml(entries: list[_Term]) -> str:
    out = ["# yaml-language-server: $schema=../schemas/glossary.schema.json\n", "name: Glossary\n"]
    if not entries:
        return "".join(out)
    out.append("entries:\n")
    for index, entry in enumerate(entries):
        other = entries[(index + 1) % len(entries)].term
        out.append(f"  - term: {_q(entry.term)}\n")
        definition = f"A **{entry.term}** is how a {WORDS[index % len(WORDS)]} works; see {other}."
        out.append(f"    definition: {_q(definition)}\n")
        if entry.alias:
            out.append(f"    aliases: [{_q(entry.alias)}]\n")
        out.append(f"    categories: [{entry.category}]\n")
    return "".join(out)


# --------------------------------------------------------------------------- course and lessons


def _course_yaml(questions: int, lesson_ids: list[str], final: list[str]) -> str:
    lines = [
        "# yaml-language-server: $schema=../schemas/course.schema.json",
        "id: synthetic",
        f"title: Synthetic course with {questions} questions",
        "shortname: SYNTH",
        "language: en",
        'version: "1.0"',
        "summary: A generated course for benchmarks; **every** feature, none of the meaning.",
        "authors: [coursebuilder]",
        "license: CC0 1.0",
        "lessons:",
        *(f"  - {lesson_id}" for lesson_id in lesson_ids),
    ]
    if final:
        lines += ["final_quiz:", "  title: Final quiz", "  questions:", *(f"    - {qid}" for qid in final)]
    return "\n".join(lines) + "\n"


def _lesson(index: int, lesson_id: str, terms: list[_Term], rng: random.Random) -> str:
    title = f"Unit {index + 1}: {lesson_id.rsplit('-', 1)[-1].capitalize()}"
    image = _IMAGES[index % len(_IMAGES)]
    named = [entry.term if n % 2 == 0 or entry.alias is None else entry.alias for n, entry in enumerate(terms)]
    uses = ", ".join(f"*{name}*" for name in named) or "no new terms"
    rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {_sentence(rng, 4)} |" for _ in range(4))
    paragraphs = "\n\n".join(_paragraph(rng) for _ in range(3))
    return f"""---
title: {_q(title)}
objectives:
  - {_sentence(rng, 5)}
  - {_sentence(rng, 6)}
minutes: {5 + index % 20}
---

# {title}

This unit introduces {uses}. {_sentence(rng, 12)}

{paragraphs}

## Key points

- **{rng.choice(WORDS)}**: {_sentence(rng, 8)}
- **{rng.choice(WORDS)}**: {_sentence(rng, 8)}
- `{rng.choice(WORDS)}` {_sentence(rng, 6)}

![Figure for unit {index + 1}](../assets/{image})

## In numbers

| Item | Count | Note |
|------|------:|------|
{rows}

1. {_sentence(rng, 7)}
2. {_sentence(rng, 7)}
3. {_sentence(rng, 7)}

> {_sentence(rng, 14)}

See [the figure](../assets/{image}) again before the quiz.
"""


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(4))


# --------------------------------------------------------------------------- questions


def _quiz_file(lesson_id: str, index: int, body: str, has_questions: bool) -> str:
    head = (
        "# yaml-language-server: $schema=../schemas/quiz.schema.json\n"
        f"defaults:\n  lesson: {lesson_id}\n  tags: [unit-{index + 1}]\n"
    )
    return head + ("questions:\n" + body if has_questions else "questions: []\n")


def _qid(number: int, kind: str) -> str:
    return f"q{number + 1:05d}-{kind}"


_SCORED = frozenset(name for name, _ in QUESTION_MIX) - {"essay", "description"}


def _question(number: int, kind: str, glossary: list[_Term], rng: random.Random) -> tuple[str, str]:
    qid = _qid(number, kind)
    term = glossary[number % len(glossary)].term if glossary else "cooperation"
    text = f"Question {number + 1}: what does {term} mean for a {rng.choice(WORDS)}?"
    if kind == "cloze":
        text = f"The {{{{name}}}} of {term} has {{{{count}}}} members and works as a {{{{choice}}}}."
    if number % 10 == 0:
        text = f"{text}\n\n![Chart {number + 1}](../assets/{_IMAGES[number % len(_IMAGES)]})\n"
    elif number % 5 == 1:
        text = f"Read **carefully**: {text}"
    lines = [f"  - id: {qid}", f"    type: {kind}"]
    lines.append(f"    text: {_block(text, 6).rstrip()}" if "\n" in text else f"    text: {_q(text)}")
    lines.extend(_BODIES[kind](number, rng))
    if number % 7 == 0:
        lines.append(f"    general_feedback: {_q(f'The answer follows from the {rng.choice(WORDS)} section.')}")
    if number % 11 == 0 and kind not in ("essay", "description"):
        lines += ["    hints:", f"      - text: {_q(f'Think about the {rng.choice(WORDS)}.')}"]
    return "\n".join(lines) + "\n", kind


def _answers(rng: random.Random, count: int) -> list[str]:
    """`count` different short answer texts."""
    chosen: list[str] = []
    while len(chosen) < count:
        word = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        if word not in chosen:
            chosen.append(word)
    return chosen


def _multichoice(number: int, rng: random.Random) -> Iterator[str]:
    texts = _answers(rng, 4)
    if number % 6 == 0:
        yield "    single: false"
        grades = (50, 50, -50, -50)
    else:
        grades = (100, 0, 0, 0)
    yield "    answers:"
    for index, (text, grade) in enumerate(zip(texts, grades, strict=True)):
        feedback = f", feedback: {_q('Right.' if grade > 0 else 'Not quite.')}" if index < 2 else ""
        yield f"      - {{text: {_q(text)}, grade: {grade}{feedback}}}"


def _truefalse(number: int, rng: random.Random) -> Iterator[str]:
    yield f"    correct: {'true' if number % 2 else 'false'}"
    if number % 3 == 0:
        yield f"    feedback_true: {_q(_sentence(rng, 5))}"
        yield f"    feedback_false: {_q(_sentence(rng, 5))}"


def _shortanswer(number: int, rng: random.Random) -> Iterator[str]:
    first, second = _answers(rng, 2)
    yield "    answers:"
    yield f"      - {{text: {_q(_fair_key(first))}, grade: 100}}"
    yield f"      - {{text: {_q(second.split()[0] + '*')}, grade: 50, feedback: Almost.}}"


def _fair_key(answer: str) -> str:
    """A key that also takes the answer with a trailing period or doubled spaces (`validate` checks)."""
    return "*".join(answer.split()) + "*"


def _numerical(number: int, rng: random.Random) -> Iterator[str]:
    value = rng.randint(1, 5000)
    yield "    answers:"
    yield f"      - {{value: {value}, tolerance: {number % 5}}}"
    if number % 2:
        yield "    units:"
        yield "      - {name: m, multiplier: 1}"
        yield "      - {name: km, multiplier: 0.001}"


def _matching(number: int, rng: random.Random) -> Iterator[str]:
    answers = _answers(rng, 4)
    yield "    pairs:"
    for index, answer in enumerate(answers[:3]):
        yield f"      - {{question: {_q(f'Item {index + 1} of {number + 1}')}, answer: {_q(answer)}}}"
    yield f"    distractors: [{_q(answers[3])}]"


def _cloze(number: int, rng: random.Random) -> Iterator[str]:
    first, second, third = _answers(rng, 3)
    yield "    gaps:"
    yield "      - id: name"
    yield f"        answers: [{{text: {_q(_fair_key(first))}}}]"
    yield "      - id: count"
    yield "        type: numerical"
    yield f'        answers: [{{text: "{rng.randint(2, 90)}", tolerance: 1}}]'
    yield "      - id: choice"
    yield "        type: multichoice"
    yield "        shuffle: true"
    yield "        answers:"
    yield f"          - {{text: {_q(second)}, grade: 100}}"
    yield f"          - {{text: {_q(third)}, grade: 0, feedback: No.}}"


def _essay(number: int, rng: random.Random) -> Iterator[str]:
    yield "    min_words: 20"
    yield "    max_words: 300"
    yield f"    grader_info: {_q(_sentence(rng, 8))}"


def _ordering(number: int, rng: random.Random) -> Iterator[str]:
    yield f"    items: [{', '.join(_q(item) for item in _answers(rng, 4))}]"


def _description(number: int, rng: random.Random) -> Iterator[str]:
    return iter(())


_BODIES = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "cloze": _cloze,
    "essay": _essay,
    "ordering": _ordering,
    "description": _description,
}


# --------------------------------------------------------------------------- assets


def _png(name: str) -> bytes:
    """A small RGB gradient PNG, different per name (zlib output is deterministic)."""
    size = 48
    tint = sum(name.encode()) % 256
    rows = b"".join(
        b"\x00" + bytes(channel for x in range(size) for channel in (x * 5 % 256, y * 5 % 256, tint))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _svg(name: str) -> str:
    bars = "".join(
        f'<rect x="{10 + 30 * i}" y="{90 - h}" width="20" height="{h}" fill="#3a6ea5"/>'
        for i, h in enumerate((30 + len(name) * 3 % 50, 60, 45, 20 + len(name) % 40))
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="140" height="100" viewBox="0 0 140 100">'
        f"<title>{name}</title>{bars}</svg>\n"
    )
