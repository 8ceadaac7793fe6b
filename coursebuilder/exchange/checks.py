"""What the course format allows but Moodle's importers would reject, drop or change.

Errors are things Moodle refuses (the import of that question or entry fails, or puts it in
the wrong place); warnings are things it silently changes or drops. Each rule names the
Moodle code that decides it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from coursebuilder.diagnostics import Diagnostic, error, warning
from coursebuilder.exchange.bank import TOP
from coursebuilder.markdown import references
from coursebuilder.model import (
    Cloze,
    Course,
    Essay,
    GlossaryEntry,
    Matching,
    Model,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
)
from coursebuilder.moodle.cloze import NUMERICAL_ALTERNATIVE
from coursebuilder.moodle.params import changes_name, clean_question_name
from coursebuilder.moodle.terms import collation_key, lowered_everywhere, php_trim

TAG_MAX_LENGTH = 50
"""core_tag's TAG_MAX_LENGTH; PARAM_TAG also removes `<`, `>`, backquotes and control characters."""
_TAG_BAD = re.compile(r"[<>`\x00-\x1f]")
HINTS_WITHOUT_PARTS = frozenset({"truefalse", "shortanswer", "numerical"})
"""Types whose import reads hint texts but not their show-number-correct / clear-wrong options."""
NO_HINTS = frozenset({"essay", "description"})
"""Types whose import (`import_essay`, `import_description`) reads no hints at all."""


_PART = re.compile(r"([A-Za-z_]+)((?:\[\d+\])*)")


def _line_of(owner: Model, field: str) -> int:
    """Line of a dotted field path (`answers[1].text`), from the innermost model that has it."""
    owner.source_line()  # locates the objects inside it too (questions read on the fast path)
    model: Model = owner
    key = field
    current: object = owner
    for name, indexes in _PART.findall(field):
        if isinstance(current, Model):
            model, key = current, name + indexes
        current = getattr(current, name, None)
        for index in re.findall(r"\d+", indexes):
            current = current[int(index)] if isinstance(current, list) and int(index) < len(current) else None
    if isinstance(current, Model):  # the path names a whole object (`hints[0]`): its first line
        return current.source_line()
    own = model.source_line()
    for candidate in (key, key.split("[", 1)[0]):  # `items[2]`, else the line of `items`
        line = model.source_line(candidate)
        if line != own:
            return line
    return own


class _Checker:
    def __init__(self, course: Course) -> None:
        self.course = course
        self.root = Path(course.root) if course.root else Path()
        self.found: list[Diagnostic] = []
        self.categories: set[str] = set()
        """Sub-category names already checked (many questions share one)."""

    def report(self, severe: bool, owner: Model, field: str, message: str, code: str) -> None:
        """Report a problem of `owner.field` (an error when Moodle refuses it)."""
        make = error if severe else warning
        line = _line_of(owner, field)
        self.found.append(make(owner.source_file, line, field=owner.field_path(field), message=message, code=code))

    def warn(self, owner: Model, field: str, message: str, code: str) -> None:
        self.report(False, owner, field, message, code)

    def fail(self, owner: Model, field: str, message: str, code: str) -> None:
        self.report(True, owner, field, message, code)

    # ------------------------------------------------------------------ questions

    def question(self, question: Question) -> None:
        label = f"question {question.id!r}"
        if question.name and changes_name(question.name):
            message = (
                f"{label}: Moodle strips what PHP's strip_tags() takes for HTML tags from question names "
                f"(a '<' not followed by a space), leaving {clean_question_name(question.name)!r}"
            )
            self.warn(question, "name", message, "moodle-name")
        for index, tag in enumerate(question.tags):
            problem = None
            if _TAG_BAD.search(tag):
                problem = "contains <, > or ` which Moodle removes from tags"
            elif len(tag.strip()) > TAG_MAX_LENGTH:
                problem = f"is longer than {TAG_MAX_LENGTH} characters; Moodle cuts it"
            elif tag != " ".join(tag.split()):
                problem = "has leading, trailing or repeated spaces, which Moodle removes"
            if problem:
                self.warn(question, f"tags[{index}]", f"{label}: tag {tag!r} {problem}", "moodle-tag")
        for index, hint in enumerate(question.hints):
            field = f"hints[{index}]"
            if question.type in NO_HINTS:
                message = f"{label}: Moodle does not import hints of {question.type} questions"
                self.warn(question, field, message, "moodle-hint")
            elif question.type in HINTS_WITHOUT_PARTS and (hint.show_num_correct or hint.clear_wrong):
                message = f"{label}: Moodle drops show_num_correct and clear_wrong of {question.type} hints"
                self.warn(question, field, message, "moodle-hint")
        if question.category is not None and question.category not in self.categories:
            self.categories.add(question.category)
            self.category_name(question, "category", question.category, f"category {question.category!r}")
        if isinstance(question, ShortAnswer):
            for index, answer in enumerate(question.answers):
                self.trimmed(question, f"answers[{index}].text", answer.text, label)
        elif isinstance(question, Numerical):
            for index, unit in enumerate(question.units):
                self.trimmed(question, f"units[{index}].name", unit.name, label)
        elif isinstance(question, Matching):
            for index, pair in enumerate(question.pairs):
                self.trimmed(question, f"pairs[{index}].answer", pair.answer, label)
            for index, distractor in enumerate(question.distractors):
                self.trimmed(question, f"distractors[{index}]", distractor, label)
        elif isinstance(question, Ordering):
            for index, item in enumerate(question.items):
                self.trimmed(question, f"items[{index}]", item, label)
            if question.select_type == "all" and question.select_count:
                message = f"{label}: select_count is not used when select_type is `all`"
                self.warn(question, "select_count", message, "moodle-ordering")
        elif isinstance(question, Essay):
            for index, kind in enumerate(question.file_types):
                if "," in kind or kind != kind.strip() or not kind.strip():
                    message = f"{label}: file type {kind!r} is not one extension or group (Moodle splits at commas)"
                    self.warn(question, f"file_types[{index}]", message, "moodle-essay")
            self.trimmed(question, "response_template", question.response_template, label)
        elif isinstance(question, Cloze):
            self.cloze(question, label)

    def cloze(self, question: Cloze, label: str) -> None:
        """Gaps Moodle's `qtype_multianswer_extract_question()` would read differently."""
        for gap_index, gap in enumerate(question.gaps):
            field = f"gaps[{gap_index}]"
            if gap.shuffle and not gap.type.startswith("multi"):
                message = f"{label}: gap {gap.id!r}: only choice gaps can be shuffled"
                self.warn(question, f"{field}.shuffle", message, "moodle-cloze")
            for index, answer in enumerate(gap.answers):
                at = f"{field}.answers[{index}].text"
                if gap.type != "numerical":
                    self.trimmed(question, at, answer.text, label)
                elif answer.text == "*":
                    message = (
                        f"{label}: gap {gap.id!r}: Moodle's cloze parser gives the catch-all '*' of a numerical "
                        "gap no tolerance, so its import logs a PHP warning (Undefined array key, "
                        "question/type/numerical/questiontype.php); use a number with a tolerance wide enough "
                        "to catch every other answer instead"
                    )
                    self.warn(question, at, message, "moodle-cloze")
                elif not NUMERICAL_ALTERNATIVE.match(answer.text):
                    message = (
                        f"{label}: {answer.text!r} is not a number Moodle's cloze syntax accepts "
                        "(digits with one . or , and an optional exponent, e.g. 2.5 or -1e3)"
                    )
                    self.fail(question, at, message, "moodle-cloze")
            if gap.type.startswith("multiresponse"):
                positive = sum(answer.grade for answer in gap.answers if answer.grade > 0)
                if not math.isclose(positive, 100, abs_tol=0.01):
                    message = (
                        f"{label}: positive grades of multiresponse gap {gap.id!r} add up to {positive:g}; "
                        "Moodle scales them to 100"
                    )
                    self.warn(question, f"{field}.answers", message, "moodle-cloze")

    # ------------------------------------------------------------------ names

    def trimmed(self, owner: Model, field: str, value: str, label: str) -> None:
        if value != value.strip():
            self.warn(
                owner, field, f"{label}: {value!r} starts or ends with spaces, which Moodle removes", "moodle-trim"
            )

    def category_name(self, owner: Model, field: str, name: str, label: str) -> None:
        """Category names go through `split_category_path()`: trimmed and `clean_param(PARAM_TEXT)`."""
        cleaned = name.strip()
        if not cleaned:
            self.fail(owner, field, f"{label}: a question category name cannot be blank", "moodle-category")
        elif cleaned == TOP:
            message = f"{label}: Moodle skips a category named {TOP!r}; the questions would land in its parent"
            self.fail(owner, field, message, "moodle-category")
        elif changes_name(name):
            message = (
                f"{label}: Moodle strips what PHP's strip_tags() takes for HTML tags from category names "
                "(a '<' not followed by a space)"
            )
            self.warn(owner, field, message, "moodle-category")

    # ------------------------------------------------------------------ course and glossary

    def course_parts(self) -> None:
        info = self.course.info
        if any(ref.kind == "image" for ref in references(info.summary)):
            message = (
                "the course summary becomes the description of the course's question category, "
                "which cannot carry images"
            )
            self.warn(info, "summary", message, "moodle-summary")
        self.category_name(info, "shortname", info.shortname, "course")
        asked = {question.lesson for question in self.course.questions}
        titles: dict[str, str] = {}
        for lesson in self.course.lessons:
            if lesson.id not in asked:
                continue
            self.category_name(lesson, "title", lesson.title, f"lesson {lesson.id!r}")
            other = titles.setdefault(lesson.title.strip(), lesson.id)
            if other != lesson.id:
                message = (
                    f"lesson {lesson.id!r} has the title of lesson {other!r}; "
                    "Moodle would put the questions of both in one category"
                )
                self.warn(lesson, "title", message, "moodle-category")

    def glossary(self) -> None:
        """mod/glossary/import.php trims concepts and aliases and skips empty ones ('0' is empty in PHP)."""
        self.duplicate_concepts()
        for entry in self.course.glossary.entries:
            label = f"entry {entry.term!r}"
            if entry.term.strip() == "0":
                self.fail(entry, "term", "Moodle's glossary import rejects the term '0'", "moodle-glossary")
            self.trimmed(entry, "term", entry.term, label)
            for number, alias in enumerate(entry.aliases):
                field = f"aliases[{number}]"
                if alias.strip() == "0":
                    self.warn(entry, field, f"{label}: Moodle's glossary import drops the alias '0'", "moodle-glossary")
                self.trimmed(entry, field, alias, label)

    def duplicate_concepts(self) -> None:
        """Entries mod/glossary/import.php rejects as duplicates (see coursebuilder.moodle.terms):
        an error where every database rejects it, a warning where a case- and accent-insensitive
        collation would."""
        exact: dict[str, GlossaryEntry] = {}
        lowered: dict[str, GlossaryEntry] = {}
        collated: dict[str, GlossaryEntry] = {}
        for entry in self.course.glossary.entries:
            concept = php_trim(entry.term)
            other = exact.get(concept) if entry.case_sensitive else lowered.get(concept.lower())
            if other is not None:
                message = (
                    f"Moodle's glossary import rejects {entry.term!r} as a duplicate of {other.term!r} "
                    f"(line {other.source_line('term')})"
                )
                self.fail(entry, "term", message, "glossary-collision")
            elif (other := collated.get(collation_key(concept))) is not None:
                message = (
                    f"{entry.term!r} equals {other.term!r} (line {other.source_line('term')}) under a case- and "
                    "accent-insensitive database collation (MySQL's default utf8mb4_unicode_ci): "
                    "Moodle's glossary import there rejects it as a duplicate"
                )
                self.warn(entry, "term", message, "glossary-collision")
            exact.setdefault(concept, entry)
            if (lower := lowered_everywhere(concept)) is not None:
                lowered.setdefault(lower, entry)
            collated.setdefault(collation_key(concept), entry)


def check_course(course: Course) -> list[Diagnostic]:
    """Every problem Moodle's importers would have with the course's question bank and glossary."""
    checker = _Checker(course)
    checker.course_parts()
    for question in course.questions:
        checker.question(question)
    checker.glossary()
    return checker.found
