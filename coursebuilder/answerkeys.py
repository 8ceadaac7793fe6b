"""Answer-key checks: grade what a student who knows the answer would type, by Moodle's rules.

Moodle grades a short answer (and a short-answer cloze gap) by trying the answers in order;
the first whose pattern matches wins (`question_first_matching_answer_grading_strategy`).
A pattern matches when the response, trimmed and both NFC-normalised, equals it with each run
of unescaped `*` matching any characters, ignoring case unless the question is case-sensitive
(`qtype_shortanswer_question::compare_string_with_wildcard`). Nothing else is forgiven: not a
trailing period, not a doubled space, not a hyphen. So a key that looks right can still give
a student who knows the answer half marks or none; these checks find such keys, and a few
other ways a question marks unfairly, before students do.

Every finding is a warning with its own code (errors under `--strict`); a question keeps one
on purpose by listing its code in `allow_warnings`.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from coursebuilder.diagnostics import Diagnostic, warning
from coursebuilder.model import (
    Cloze,
    Course,
    Gap,
    GapAnswer,
    GlossaryFile,
    Model,
    MultiChoice,
    Numerical,
    Question,
    ShortAnswer,
    TextAnswer,
)

PHP_TRIM = " \t\n\r\0\x0b"
"""The characters PHP's `trim()` removes: what `PARAM_RAW_TRIMMED` strips from a response."""

SOLID_PREFIXES = ("non", "antar", "pasca", "multi")
"""Bound prefixes written solid (EYD V: *nonintervensi*) that students also type with a hyphen or a space."""

SMALL_WORDS = frozenset({"dan", "atau", "di", "ke", "dari", "yang", "untuk", "of", "and", "the", "for", "in", "on"})
"""Words an abbreviation skips (*Association of Southeast Asian Nations* → ASEAN)."""

KEY_LONGER_RATIO = 1.5
KEY_LONGER_CHARS = 15
"""A key is "longer by a wide margin" when it is both this many times and this many characters
longer than the longest distractor."""

_STARS = re.compile(r"(?<!\\)\*+")
_SOLID = re.compile(r"\b(" + "|".join(SOLID_PREFIXES) + r")(\w{4,})", re.IGNORECASE)
_WORD_BREAKS = re.compile(r"[\s-]+")
_INITIAL = re.compile(r"^[A-Z]\.?$")
_MARKUP = re.compile(r"[*_`~\[\]()!#>]|\{[^}]*\}")


# --------------------------------------------------------------------------- Moodle's grading


def matches(response: str, pattern: str, case_sensitive: bool) -> bool:
    """Whether Moodle's short-answer type accepts `response` for the answer `pattern`."""
    response = unicodedata.normalize("NFC", response)
    return _compiled(pattern, case_sensitive).match(response.strip(PHP_TRIM)) is not None


def first_match(response: str, patterns: Sequence[str], case_sensitive: bool) -> int | None:
    """Index of the answer Moodle grades `response` with (the first that matches), or None."""
    return _first_match(response, [_compiled(pattern, case_sensitive) for pattern in patterns])


def _first_match(response: str, compiled: Sequence[re.Pattern[str]]) -> int | None:
    response = unicodedata.normalize("NFC", response.strip(PHP_TRIM)).strip(PHP_TRIM)  # PARAM_RAW_TRIMMED, NFC, trim
    for index, pattern in enumerate(compiled):
        if pattern.match(response) is not None:
            return index
    return None


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """`compare_string_with_wildcard`'s regular expression: unescaped runs of `*` match anything."""
    bits = [re.escape(bit.replace("\\*", "*")) for bit in _STARS.split(unicodedata.normalize("NFC", pattern))]
    return re.compile("^" + ".*".join(bits) + "$", 0 if case_sensitive else re.IGNORECASE)


def clean_key(pattern: str) -> str:
    """The response a pattern stands for: wildcards dropped, as Moodle's `clean_response` shows it."""
    bits = [bit.replace("\\*", "*") for bit in re.split(r"(?<!\\)\*", pattern)]
    return " ".join(" ".join(bits).split())


# --------------------------------------------------------------------------- what students type


class Variant(NamedTuple):
    """A response a student who knows the answer may type, and why it is plausible (a tuple:
    a course has tens of thousands of them)."""

    text: str
    why: str


def person_name(text: str) -> bool:
    """Capitalised words with an initial among them (`William D. Coplin`)."""
    words = text.split()
    return (
        len(words) >= 2
        and all(w[:1].isupper() for w in words)
        and any(_INITIAL.match(w) for w in words[:-1])
        and not _INITIAL.match(words[-1])
    )


def _name_variants(name: str) -> Iterator[Variant]:
    words = name.split()
    given, surname = words[:-1], words[-1]
    bare = [w.rstrip(".") for w in given]
    yield Variant(" ".join([*bare, surname]), "initials without periods")
    yield Variant(" ".join([*(f"{w[0]}." for w in given), surname]), "initials")
    yield Variant("".join(f"{w[0]}." for w in given) + f" {surname}", "initials")
    full = [w for w in given if not _INITIAL.match(w)]
    if full and len(full) < len(given):
        yield Variant(" ".join([*full, surname]), "first name and surname")
    yield Variant(f"{given[0][0]}. {surname}", "first initial")
    yield Variant(surname, "surname")


def _abbreviation(text: str) -> str:
    letters = [w[0] for w in _WORD_BREAKS.split(text) if w and w.lower() not in SMALL_WORDS and w[0].isalpha()]
    return "".join(letters).upper() if len(letters) >= 3 else ""


def _spelling_variants(text: str) -> Iterator[Variant]:
    """Hyphen, space and solid spellings of compounds and prefixed words."""
    if "-" in text:
        yield Variant(text.replace("-", " "), "space for hyphen")
        yield Variant(text.replace("-", ""), "written solid")
    for match in _SOLID.finditer(text):
        head, tail = text[: match.start()], text[match.end() :]
        prefix, rest = match.group(1), match.group(2)
        yield Variant(f"{head}{prefix}-{rest}{tail}", "hyphen after the prefix")
        yield Variant(f"{head}{prefix} {rest}{tail}", "space after the prefix")


def student_variants(key: str, case_sensitive: bool, aliases: Sequence[str], question_text: str) -> list[Variant]:
    """What a student who knows `key` may type, the key itself first; no two alike.

    `aliases` are the glossary's other names of the keyed term; one the question text itself
    uses is what is being asked about (the abbreviation to expand, say), not an answer.
    """
    found: list[Variant] = [Variant(key, "the key")]
    found += [Variant(key + ".", "trailing period"), Variant(key + ",", "trailing comma")]
    if " " in key:
        found.append(Variant(key.replace(" ", "  "), "doubled space"))
    if not case_sensitive:
        found += [Variant(key.lower(), "lower case"), Variant(key.upper(), "upper case")]
        found.append(Variant(key[:1].upper() + key[1:], "capital first letter"))
    found += list(_spelling_variants(key))
    named = person_name(key)
    if named:
        found += list(_name_variants(key))
    if aliases:
        asked = question_text.casefold()
        for alias in aliases:
            if re.search(r"(?<!\w)" + re.escape(alias.casefold()) + r"(?!\w)", asked) is None:
                found.append(Variant(alias, "the glossary's alias"))
    if not named and " " in key:
        abbreviation = next((a for a in aliases if a.isupper() and " " not in a), "") or _abbreviation(key)
        if abbreviation and abbreviation != key:
            found.append(Variant(f"{key} ({abbreviation})", "abbreviation in parentheses"))
    seen: set[str] = set()
    unique: list[Variant] = []
    for variant in found:
        marker = variant.text if case_sensitive else variant.text.casefold()
        if variant.text.strip(PHP_TRIM) and marker not in seen:
            seen.add(marker)
            unique.append(variant)
    return unique


def glossary_names(glossary: GlossaryFile) -> dict[str, list[str]]:
    """Each spelling of a glossary term (folded) → every spelling of that term."""
    names: dict[str, list[str]] = {}
    for entry in glossary.entries:
        spellings = [entry.term, *entry.aliases]
        for spelling in spellings:
            names.setdefault(spelling.casefold(), spellings)
    return names


# --------------------------------------------------------------------------- the checks


def check_answer_keys(course: Course) -> Iterator[Diagnostic]:
    """Every answer-key warning of the course's questions."""
    names = glossary_names(course.glossary)
    for question in course.questions:
        yield from check_question(question, names)


def check_question(question: Question, names: dict[str, list[str]]) -> Iterator[Diagnostic]:
    """The answer-key warnings of one question, less those it silences in `allow_warnings`."""
    allowed = set(question.allow_warnings)
    findings = [diagnostic for diagnostic in _findings(question, names) if diagnostic.code not in allowed]
    if findings:
        # A question read on the fast path learns its lines (and those of its answers) only
        # when asked: ask, then locate the findings again.
        question.source_line()
        findings = [diagnostic for diagnostic in _findings(question, names) if diagnostic.code not in allowed]
    yield from findings


def _findings(question: Question, names: dict[str, list[str]]) -> Iterator[Diagnostic]:
    path = question.field_path()
    if isinstance(question, ShortAnswer):
        yield from _text_keys(question, question.answers, question.case_sensitive, names, path)
    elif isinstance(question, Numerical):
        numbers = [(a, None if a.value == "*" else float(a.value), a.tolerance) for a in question.answers]
        yield from _partial_numbers(question, numbers, path)
    elif isinstance(question, MultiChoice):
        grades = [a.grade for a in question.answers]
        texts = [a.text for a in question.answers]
        yield from _repeated(question.answers, texts, path)
        if question.single:
            yield from _key_first(question, question.shuffle, grades, path)
            yield from _key_longer(question.answers, grades, texts, path)
        else:
            yield from _wipeout(question.answers, grades, path)
    elif isinstance(question, Cloze):
        for index, gap in enumerate(question.gaps):
            yield from _gap(question, gap, f"{path}.gaps[{index}]", names)


def _gap(question: Cloze, gap: Gap, path: str, names: dict[str, list[str]]) -> Iterator[Diagnostic]:
    grades = [a.grade for a in gap.answers]
    if gap.type.startswith("shortanswer"):
        yield from _text_keys(question, gap.answers, gap.type == "shortanswer_case", names, path)
    elif gap.type == "numerical":
        numbers = [(a, None if a.text == "*" else float(a.text), a.tolerance) for a in gap.answers]
        yield from _partial_numbers(gap, numbers, path)
    elif gap.type.startswith("multichoice"):
        texts = [a.text for a in gap.answers]
        yield from _repeated(gap.answers, texts, path)
        yield from _key_first(gap, gap.shuffle, grades, path)
        yield from _key_longer(gap.answers, grades, texts, path)
    else:
        yield from _repeated(gap.answers, [a.text for a in gap.answers], path)
        yield from _wipeout(gap.answers, grades, path)


def _warning(model: Model, fields: tuple[str, ...], path: str, message: str, code: str) -> Diagnostic:
    """A finding about `path`, at the first of `fields` of `model` the source sets (`_at`)."""
    file, line, column = _at(model, *fields)
    return warning(file, line, field=path, message=message, code=code, column=column)


def _at(model: Model, *fields: str) -> tuple[str, int, int]:
    """File, line and column of the first of `fields` the source sets (else of the object)."""
    for field in fields:
        if model.source_column(field):
            return model.source_file, model.source_line(field), model.source_column(field)
    return model.source_file, model.source_line(), 0


def _pct(grade: float) -> str:
    return f"{grade:.5f}".rstrip("0").rstrip(".")


def _text_keys(
    question: Question,
    answers: Sequence[TextAnswer] | Sequence[GapAnswer],
    case_sensitive: bool,
    names: dict[str, list[str]],
    path: str,
) -> Iterator[Diagnostic]:
    patterns = [a.text for a in answers]
    compiled = [_compiled(pattern, case_sensitive) for pattern in patterns]
    if len(patterns) > 1:
        yield from _unreachable(answers, patterns, compiled, case_sensitive, path)
    reported: set[str] = set()
    for answer in answers:
        if not math.isclose(answer.grade, 100):
            continue
        key = clean_key(answer.text)
        if not key:
            continue
        folded = key.casefold()
        aliases = [n for n in names.get(folded, []) if n.casefold() != folded]
        for variant in student_variants(key, case_sensitive, aliases, question.text):
            caught = _first_match(variant.text, compiled)
            grade = answers[caught].grade if caught is not None else 0.0
            if grade >= 100 - 1e-9 or variant.text in reported:
                continue
            reported.add(variant.text)
            file, line, column = _at(answer, "text")
            by = f'caught by answer[{caught}] "{patterns[caught]}"' if caught is not None else "no answer matches"
            yield warning(
                file,
                line,
                field=path,
                message=(
                    f'"{variant.text}" scores {_pct(max(grade, 0))} % ({by}); '
                    "a student who knows the answer loses marks"
                ),
                code="answer-variant",
                column=column,
            )


def _partial_numbers(
    owner: Model, numbers: Sequence[tuple[Model, float | None, float]], path: str
) -> Iterator[Diagnostic]:
    """Partial credit near a key with no tolerance: the fact is exact, a near miss is wrong."""
    grades = [float(getattr(a, "grade", 0)) for a, _, _ in numbers]
    exact = [(v, g) for (_, v, t), g in zip(numbers, grades, strict=True) if v is not None and not t and g >= 100]
    if not exact:
        return
    key = exact[0][0]
    for index, ((answer, value, tolerance), grade) in enumerate(zip(numbers, grades, strict=True)):
        if 0 < grade < 100:
            around = (
                "any number"
                if value is None
                else f"any number from {_pct(value - tolerance)} to {_pct(value + tolerance)}"
            )
            yield _warning(
                answer,
                ("grade", "value", "text"),
                path,
                f"answer[{index}] gives {_pct(grade)} % to {around}, but the key {_pct(key)} is an exact fact: "
                "a wrong number earns marks",
                "partial-number",
            )


def _repeated(answers: Sequence[Model], texts: Sequence[str], path: str) -> Iterator[Diagnostic]:
    """Two options with the same words (in any case or spacing): one option shown twice."""
    if len({text.casefold() for text in texts}) == len(texts):  # the common case, in one step
        return
    first: dict[str, int] = {}
    for index, text in enumerate(texts):
        earlier = first.setdefault(" ".join(text.casefold().split()), index)
        if earlier != index:
            yield _warning(
                answers[index],
                ("text",),
                path,
                f"answer[{index}] reads the same as answer[{earlier}]: the student sees one option twice",
                "repeated-option",
            )


def _unreachable(
    answers: Sequence[TextAnswer] | Sequence[GapAnswer],
    patterns: Sequence[str],
    compiled: Sequence[re.Pattern[str]],
    case_sensitive: bool,
    path: str,
) -> Iterator[Diagnostic]:
    """A short answer Moodle never grades with: an earlier answer takes every response it
    would match, as the same pattern does, or as one that matches it as written (a pattern
    without wildcards matches that response only). `compiled`: the `patterns` as Moodle
    compares them."""
    seen: dict[str, int] = {}
    for index, pattern in enumerate(patterns):
        same = pattern if case_sensitive else pattern.lower()
        if not same.isascii():
            same = unicodedata.normalize("NFC", same)
        earlier = seen.setdefault(same, index)
        if earlier == index and index and _STARS.search(pattern) is None:
            caught = _first_match(pattern.replace("\\*", "*"), compiled[:index])
            earlier = index if caught is None else caught
        if earlier != index:
            yield _warning(
                answers[index],
                ("text",),
                path,
                f"answer[{index}] is never used: answer[{earlier}] comes first and takes every response "
                "it would match (Moodle grades with the first answer that matches)",
                "unreachable-answer",
            )


def _wipeout(answers: Sequence[Model], grades: Sequence[float], path: str) -> Iterator[Diagnostic]:
    """A wrong option at -100 % or less: ticking it with every right one scores nothing."""
    for index, (answer, grade) in enumerate(zip(answers, grades, strict=True)):
        if grade <= -100 + 1e-9:
            yield _warning(
                answer,
                ("grade", "value", "text"),
                path,
                f"answer[{index}] at {_pct(grade)} % cancels every right choice: "
                "a student who ticks all the right "
                "answers and this one scores 0 %",
                "negative-wipeout",
            )


def _key_first(owner: Model, shuffle: bool, grades: Sequence[float], path: str) -> Iterator[Diagnostic]:
    if not shuffle and grades and grades[0] >= 100 - 1e-9:
        yield _warning(
            owner,
            ("shuffle", "id", "type"),
            path,
            "the options are not shuffled and the key is listed first: shuffle them, or put the key elsewhere",
            "key-first",
        )


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub("", text).split())


def _key_longer(
    answers: Sequence[Model], grades: Sequence[float], texts: Sequence[str], path: str
) -> Iterator[Diagnostic]:
    """A key much longer than every distractor gives itself away."""
    keys = [n for n, g in enumerate(grades) if g >= 100 - 1e-9]
    if len(keys) != 1:
        return
    size = len(_plain(texts[keys[0]]))
    longest = -1
    for text, grade in zip(texts, grades, strict=True):
        if grade <= 0:  # a distractor; the first long enough ends the search (`_plain` costs)
            longest = max(longest, len(_plain(text)))
            if size < KEY_LONGER_RATIO * longest or size - longest < KEY_LONGER_CHARS:
                return
    if longest >= 0:
        yield _warning(
            answers[keys[0]],
            ("text",),
            path,
            f"answer[{keys[0]}], the key, has {size} characters and the longest distractor {longest}: "
            "students pick the longest option without knowing the answer",
            "key-longest",
        )
