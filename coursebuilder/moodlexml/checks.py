"""What the course format allows but Moodle's importers would reject, drop or change.

Errors are things Moodle refuses (the import of that question or entry fails); warnings are
things it silently changes or drops. Each rule names the Moodle code that decides it.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from coursebuilder.diagnostics import Diagnostic, error, warning
from coursebuilder.markdown import references
from coursebuilder.model import (
    Cloze,
    Course,
    Essay,
    Matching,
    Model,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
)
from coursebuilder.moodlexml.bank import TOP
from coursebuilder.moodlexml.cloze import NUMERICAL_ALTERNATIVE

HTML_TAG = re.compile(r"<[A-Za-z/!?]")
"""What `strip_tags()` (PARAM_TEXT, used for question and category names) would remove."""
TAG_MAX_LENGTH = 50
"""core_tag: TAG_MAX_LENGTH; PARAM_TAG also removes `<`, `>`, backquotes and control characters."""
_TAG_BAD = re.compile(r"[<>`\x00-\x1f]")
HINTS_WITHOUT_PARTS = frozenset({"truefalse", "shortanswer", "numerical"})
"""Types whose import reads hint texts but not their show-number-correct / clear-wrong options."""
NO_HINTS = frozenset({"essay", "description"})
"""Types whose import (`import_essay`, `import_description`) reads no hints at all."""


class _Checker:
    def __init__(self, course: Course) -> None:
        self.course = course
        self.root = Path(course.root) if course.root else Path()
        self.found: list[Diagnostic] = []

    def where(self, file: str) -> str:
        """The file as the loader names it: under the course directory, relative when possible."""
        path = self.root / file
        try:
            relative = os.path.relpath(path)
        except ValueError:
            return path.as_posix()
        return Path(relative).as_posix() if not relative.startswith("../..") else path.as_posix()

    def add(self, severe: bool, owner: Model, field: str, path: str, message: str, code: str) -> None:
        """Report a problem of `owner.field`, shown as `path` (an error when Moodle refuses it)."""
        make = error if severe else warning
        self.found.append(make(self.where(owner.source_file), owner.source_line(field), path, message, code))

    # ------------------------------------------------------------------ questions

    def question(self, question: Question) -> None:
        label = f"question {question.id!r}"
        if question.name and HTML_TAG.search(question.name):
            self.add(
                False, question, "name", "name", f"{label}: Moodle strips HTML tags from question names", "moodle-name"
            )
        for index, tag in enumerate(question.tags):
            problem = None
            if _TAG_BAD.search(tag):
                problem = "contains <, > or ` which Moodle removes from tags"
            elif len(tag.strip()) > TAG_MAX_LENGTH:
                problem = f"is longer than {TAG_MAX_LENGTH} characters; Moodle cuts it"
            elif tag != " ".join(tag.split()):
                problem = "has leading, trailing or repeated spaces, which Moodle removes"
            if problem:
                self.add(False, question, "tags", f"tags[{index}]", f"{label}: tag {tag!r} {problem}", "moodle-tag")
        for index, hint in enumerate(question.hints):
            path = f"hints[{index}]"
            if question.type in NO_HINTS:
                self.add(
                    False,
                    hint,
                    "text",
                    path,
                    f"{label}: Moodle does not import hints of {question.type} questions",
                    "moodle-hint",
                )
            elif question.type in HINTS_WITHOUT_PARTS and (hint.show_num_correct or hint.clear_wrong):
                self.add(
                    False,
                    hint,
                    "show_num_correct" if hint.show_num_correct else "clear_wrong",
                    path,
                    f"{label}: {question.type} hints have no show_num_correct or clear_wrong in Moodle",
                    "moodle-hint",
                )
        if question.category is not None:
            self.category_name(question, "category", question.category, label)
        if isinstance(question, ShortAnswer):
            for index, answer in enumerate(question.answers):
                self.trimmed(answer, "text", f"answers[{index}].text", answer.text, label)
        elif isinstance(question, Numerical):
            for index, unit in enumerate(question.units):
                self.trimmed(unit, "name", f"units[{index}].name", unit.name, label)
        elif isinstance(question, Matching):
            for index, pair in enumerate(question.pairs):
                self.trimmed(pair, "answer", f"pairs[{index}].answer", pair.answer, label)
            for index, distractor in enumerate(question.distractors):
                self.trimmed(question, "distractors", f"distractors[{index}]", distractor, label)
        elif isinstance(question, Ordering):
            for index, item in enumerate(question.items):
                self.trimmed(question, "items", f"items[{index}]", item, label)
            if question.select_type == "all" and question.select_count:
                self.add(
                    False,
                    question,
                    "select_count",
                    "select_count",
                    f"{label}: select_count is not used when select_type is `all`",
                    "moodle-ordering",
                )
        elif isinstance(question, Essay):
            for index, kind in enumerate(question.file_types):
                if "," in kind or kind != kind.strip() or not kind.strip():
                    self.add(
                        False,
                        question,
                        "file_types",
                        f"file_types[{index}]",
                        f"{label}: file type {kind!r} is not a single extension or group (Moodle splits at commas)",
                        "moodle-essay",
                    )
            self.trimmed(question, "response_template", "response_template", question.response_template, label)
        elif isinstance(question, Cloze):
            self.cloze(question, label)

    def cloze(self, question: Cloze, label: str) -> None:
        for gap_index, gap in enumerate(question.gaps):
            path = f"gaps[{gap_index}]"
            if gap.shuffle and not gap.type.startswith("multi"):
                self.add(
                    False,
                    gap,
                    "shuffle",
                    f"{path}.shuffle",
                    f"{label}: only choice gaps can be shuffled",
                    "moodle-cloze",
                )
            for index, answer in enumerate(gap.answers):
                where = f"{path}.answers[{index}].text"
                if gap.type == "numerical":
                    if answer.text != "*" and not NUMERICAL_ALTERNATIVE.match(answer.text):
                        self.add(
                            True,
                            answer,
                            "text",
                            where,
                            f"{label}: {answer.text!r} is not a number Moodle's cloze syntax accepts "
                            "(digits, one . or , and an optional exponent, e.g. 2.5 or -1e3)",
                            "moodle-cloze",
                        )
                else:
                    self.trimmed(answer, "text", where, answer.text, label)
            if gap.type.startswith("multiresponse"):
                positive = sum(answer.grade for answer in gap.answers if answer.grade > 0)
                if not math.isclose(positive, 100, abs_tol=0.01):
                    self.add(
                        False,
                        gap,
                        "answers",
                        f"{path}.answers",
                        f"{label}: positive grades of multiresponse gap {gap.id!r} add up to {positive:g}, "
                        "Moodle scales them to 100",
                        "moodle-cloze",
                    )

    # ------------------------------------------------------------------ names

    def trimmed(self, owner: Model, field: str, path: str, value: str, label: str) -> None:
        if value != value.strip():
            self.add(
                False,
                owner,
                field,
                path,
                f"{label}: {value!r} starts or ends with spaces, which Moodle removes",
                "moodle-trim",
            )

    def category_name(self, owner: Model, field: str, name: str, label: str) -> None:
        cleaned = name.strip()
        if not cleaned:
            self.add(True, owner, field, field, f"{label}: a question category name cannot be blank", "moodle-category")
        elif cleaned == TOP:
            self.add(
                True,
                owner,
                field,
                field,
                f"{label}: Moodle skips a category named {TOP!r}; the questions would land in the parent",
                "moodle-category",
            )
        elif HTML_TAG.search(name):
            self.add(
                False, owner, field, field, f"{label}: Moodle strips HTML tags from category names", "moodle-category"
            )

    # ------------------------------------------------------------------ course and glossary

    def course_parts(self) -> None:
        info = self.course.info
        if any(ref.kind == "image" for ref in references(info.summary)):
            self.add(
                False,
                info,
                "summary",
                "summary",
                "the course summary becomes the description of the course's question category, "
                "which cannot carry images",
                "moodle-summary",
            )
        self.category_name(info, "shortname", info.shortname, "course")
        asked = {question.lesson for question in self.course.questions}
        for lesson in self.course.lessons:
            if lesson.id in asked:
                self.category_name(lesson, "title", lesson.title, f"lesson {lesson.id!r}")

    def glossary(self) -> None:
        for index, entry in enumerate(self.course.glossary.entries):
            label = f"entry {entry.term!r}"
            if entry.term.strip() == "0":
                self.add(
                    True,
                    entry,
                    "term",
                    f"entries[{index}].term",
                    "Moodle's glossary import rejects the term '0'",
                    "moodle-glossary",
                )
            self.trimmed(entry, "term", f"entries[{index}].term", entry.term, label)
            for number, alias in enumerate(entry.aliases):
                path = f"entries[{index}].aliases[{number}]"
                if alias.strip() == "0":
                    self.add(
                        False,
                        entry,
                        "aliases",
                        path,
                        f"{label}: Moodle's glossary import drops the alias '0'",
                        "moodle-glossary",
                    )
                self.trimmed(entry, "aliases", path, alias, label)


def check_course(course: Course) -> list[Diagnostic]:
    """Every problem Moodle's importers would have with the course's question bank and glossary."""
    checker = _Checker(course)
    checker.course_parts()
    for question in course.questions:
        checker.question(question)
    checker.glossary()
    return checker.found
