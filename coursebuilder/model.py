"""The course model: one frozen, validated tree that every target reads.

Source files map onto these classes one to one (see `loader`). Field docstrings become the
`description` of the JSON Schema in `schemas/`, so editors show them as help.
"""

# No `from __future__ import annotations` here: pydantic would have to compile and evaluate
# every field's annotation from a string as it builds the models, at each start-up.

import dataclasses
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from typing import Annotated, Any, Literal, Protocol, Self, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from coursebuilder.diagnostics import did_you_mean
from coursebuilder.grades import is_moodle_grade, nearest_grade

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
"""Ids are lowercase slugs: they become file names, XML ids and Moodle idnumbers."""
LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
"""A BCP 47 language tag, as course.yaml's `language` takes it: `en`, `id`, `pt-BR`."""

_NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
"""The characters XML 1.0 cannot carry, as a class's ranges (a lone surrogate aside)."""
XML_TEXT = f"^[^{_NOT_XML}]*$"
"""Text XML 1.0 can carry, as a pattern pydantic-core matches itself (no call into Python
for each value). The surrogates are not in it: a string holding a lone one (a YAML escape can
make it) is refused before any pattern, as `string_unicode` (see `xml_char_message`)."""

Text = Annotated[str, Field(pattern=XML_TEXT)]
"""Every text field but those with a pattern of their own (which allow ASCII only)."""
Slug = Annotated[str, Field(pattern=SLUG, max_length=100)]
Name = Annotated[Text, Field(min_length=1, max_length=255)]


class MarkdownText:
    """Marks a field as Markdown, so every target renders it and checks its images."""


Markdown = Annotated[Text, MarkdownText()]

_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
"""A number written with a decimal comma (`1,5`), as in many languages."""


def decimal_comma(text: str) -> str | None:
    """What is wrong with a number written with a decimal comma (`1,5`); None for other texts."""
    if not _DECIMAL_COMMA.fullmatch(text.strip()):
        return None
    return f"{text!r} is not a number: write the decimal point as a full stop ({text.strip().replace(',', '.')})"


def _no_flag(kind: str) -> BeforeValidator:
    """Refuse `true` and `false` (and YAML's `yes`, `no`, `on`, `off`) where a number belongs:
    pydantic would read them as 1 and 0, so `points: yes` would quietly be worth one point.
    A decimal comma is told the full stop, and `70%` the number alone (every number with a
    percent is one already). `kind` is pydantic's error type for the field, so the message is
    the one every value of the wrong kind gets."""

    def checked(value: object) -> object:
        if isinstance(value, bool):
            raise PydanticCustomError(kind, "not a number")
        if isinstance(value, str):
            if comma := decimal_comma(value):
                raise rule("number", comma)
            if value.strip().endswith("%") and _is_float(number := value.strip()[:-1].rstrip()):
                raise rule("number", f"{value!r} is not a number: write {number}, without the %")
        return value

    return BeforeValidator(checked)


Number = Annotated[float, _no_flag("float_type")]
_NO_FLAG = _no_flag("int_type")
WholeNumber = Annotated[int, _NO_FLAG]
"""An optional whole number puts its bounds before `_NO_FLAG` (`Annotated[int, Field(ge=1),
_NO_FLAG] | None`): after it, pydantic keeps them out of the JSON Schema's `minimum`."""


def _empty_list() -> list[Any]:
    """The default of the list fields. Not the built-in `list`: pydantic reads the signature
    of each default factory as it builds a model, and for a built-in that means parsing its
    text signature, slow enough to matter at start-up (a few milliseconds in all)."""
    return []


_XML_BAD = re.compile(f"[{_NOT_XML}\ud800-\udfff]")


class Locator(Protocol):
    """Records the lines of the objects read from one file, when first asked."""

    def locate(self) -> None: ...


def rule(code: str, message: str) -> PydanticCustomError:
    """An error of one of our own rules; `code` ends up in the diagnostic as `[code]`."""
    return PydanticCustomError(code, "{message}", {"message": message})


def xml_unsafe_char(text: str) -> str | None:
    """Return the first character XML 1.0 cannot carry, or None."""
    found = _XML_BAD.search(text)
    return found.group() if found else None


def xml_char_message(error: Mapping[str, Any]) -> str | None:
    """Our message for a pydantic error that is `Text`'s check failing (None for any other):
    the value does not match `XML_TEXT`, or holds a lone surrogate (`string_unicode`)."""
    kind, value = error["type"], error.get("input")
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") != XML_TEXT:
        return None
    if kind not in ("string_pattern_mismatch", "string_unicode") or not isinstance(value, str):
        return None
    bad = xml_unsafe_char(value)
    return f"contains U+{ord(bad):04X}, which XML 1.0 cannot carry" if bad is not None else None


_EXPECTED = {
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping of fields",
}
"""What a field of each kind takes, by pydantic's error type for a value of another kind."""
_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}
"""A number out of range, by pydantic's error type: the words of its bound, and the bound's name."""
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_PATTERNS = {
    SLUG: "an id (lower-case letters, digits, '-' and '_', from a letter or digit)",
    LANGUAGE_TAG: "a language code such as 'en', 'id' or 'pt-BR'",
}
"""What a text of each pattern is, for a message (pydantic's shows the pattern itself)."""


def slug_like(text: str) -> str:
    """`text` made an id as far as it can be (`Ülkeler ve Başkentler`: `ulkeler-ve-baskentler`):
    accents dropped, letters lowered, each run of other characters a hyphen."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9_-]+", "-", plain).strip("-").lstrip("_")


def quoted_choices(expected: str) -> list[str]:
    """The choices pydantic lists in a message (`'single' or 'multi'`), unquoted."""
    return _QUOTED.findall(expected)


def problem_message(error: Mapping[str, Any]) -> str:
    """Our message for a pydantic error: `xml_char_message`'s for `Text`'s check; for a value
    of the wrong kind or choice, what the field takes and what was found (pydantic says only
    the first: "Input should be a valid boolean, unable to interpret input"), with the nearest
    choice; else pydantic's own without the `Value error, ` it puts before a validator's."""
    xml = xml_char_message(error)
    if xml is not None:
        return xml
    kind, found, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "string_type" and isinstance(found, (bool, int, float)):  # YAML read it as a number or flag
        return f"expected text, found {described(found)}: put the value in quotes to keep it as written"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {described(found)}"
    bound = _BOUNDS.get(kind)
    if bound is not None:
        limit = ctx.get(bound[1])
        shown = f"{limit:g}" if isinstance(limit, float) else str(limit)
        return f"expected {bound[0]} {shown}, found {described(found)}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        meant = ""
        if ctx["pattern"] == SLUG and isinstance(found, str) and (slug := slug_like(found)) and slug != found:
            meant = f"; did you mean {slug!r}?"
        return f"expected {_PATTERNS[ctx['pattern']]}, found {described(found)}{meant}"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind in ("string_too_long", "too_long") and isinstance(found, Sized):
        unit = "characters" if kind == "string_too_long" else "items"
        return f"has {len(found):,} {unit}; at most {ctx.get('max_length'):,} are allowed"
    if kind == "too_short" and isinstance(found, Sized):
        return f"needs at least {ctx.get('min_length')} items, found {len(found)}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        meant = did_you_mean(found, quoted_choices(expected)) if isinstance(found, str) else ""
        return f"expected {expected}, found {described(found)}{meant}"
    return str(error["msg"]).removeprefix("Value error, ")


@dataclasses.dataclass(slots=True)
class SourceInfo:
    """Where an object was read, and what the source wrote that the model does not keep."""

    file: str = ""
    """File the loader read the object from, relative to the course directory."""
    line: int = 0
    """Line of that file where the object starts."""
    lines: dict[str, int] = dataclasses.field(default_factory=dict)
    """Line of each field the source set, for diagnostics about one field."""
    columns: dict[str, int] = dataclasses.field(default_factory=dict)
    """Column (1-based) of each field the source set, where the loader knows it."""
    path: str = ""
    """Field path of the object in its file, e.g. `questions[3]`."""
    site: Locator | None = None
    """Finds the lines above when first asked (a file read without line marks)."""
    padded: str = dataclasses.field(default="", compare=False)
    """An answer's text as written, when Moodle's trimming changed it (`Trimmed`); not part
    of what makes two answers equal."""
    lesson_from_defaults: bool = dataclasses.field(default=False, compare=False)
    """A question's lesson is its file's `defaults.lesson` (it names none of its own)."""


class Model(BaseModel):
    """Base of every source model: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # The field docstrings are read by `schema` when it writes the JSON Schemas, not here
    # (pydantic's `use_attribute_docstrings` reads every class's source as it is defined).

    # Where the loader read this object, and how the source wrote it, is kept under `_source`
    # in pydantic's own per-object store of private values (`__pydantic_private__`), which
    # copies, pickles and compares it as it would a private attribute. It is not declared as
    # one: pydantic then calls Python for every object it validates to set the store up, and a
    # large course has hundreds of thousands of objects, most never located. The store stays
    # None until the object is located.

    def locate(
        self,
        file: str,
        line: int,
        lines: dict[str, int] | None = None,
        path: str | None = None,
        columns: dict[str, int] | None = None,
    ) -> None:
        """Record where the object came from (called by the loader only).

        A new record each time: a copy (`model_copy`) shares its original's record until it
        is located on its own."""
        before = self._source_info() or SourceInfo()
        self._set_source(
            SourceInfo(
                file=file,
                line=line,
                lines=lines or before.lines,
                columns=columns or before.columns,
                path=path if path is not None else before.path,
                site=before.site,
                padded=before.padded,
                lesson_from_defaults=before.lesson_from_defaults,
            )
        )

    def source_info(self) -> SourceInfo:
        """The object's record, made when it has none (for the loader, which fills it in)."""
        info = self._source_info()
        if info is None:
            info = SourceInfo()
            self._set_source(info)
        return info

    def _source_info(self) -> SourceInfo | None:
        # Read the store directly: targets ask for every text of every question.
        private = self.__pydantic_private__
        return private.get("_source") if private else None

    def _set_source(self, info: SourceInfo) -> None:
        # A new store: a copy (`model_copy`) has its own store, whose values it shares.
        object.__setattr__(self, "__pydantic_private__", {"_source": info})

    def field_path(self, field: str = "") -> str:
        """Dotted path of `field` of this object within its file, for diagnostics."""
        info = self._source_info()
        if info is None or not info.path:
            return field
        return f"{info.path}.{field}" if field else info.path

    @property
    def source_file(self) -> str:
        info = self._source_info()
        return info.file if info is not None else ""

    def source_line(self, field: str | None = None) -> int:
        """Line of `field` (or of the object) in its source file; 0 when unknown.

        A question read on the fast path learns its lines (and those of the objects inside
        it) when this is first asked of it.
        """
        info = self._located()
        if info is None:
            return 0
        if field is not None and field in info.lines:
            return info.lines[field]
        return info.line

    def source_column(self, field: str) -> int:
        """Column of `field` in its source file; 0 when unknown (located as `source_line` is)."""
        info = self._located()
        return info.columns.get(field, 0) if info is not None else 0

    def _located(self) -> SourceInfo | None:
        """The record, with its lines filled in first when its file was read without them."""
        info = self._source_info()
        if info is not None and info.site is not None:
            info.site.locate()
            info = self._source_info()
        return info


def _check_grade(value: float) -> float:
    if not math.isfinite(value):
        raise rule("number", "must be a finite number")
    if not is_moodle_grade(value):
        raise rule("grade", f"{_fmt(value)} is not a grade Moodle accepts; nearest is {_fmt(nearest_grade(value))}")
    return value


def _fmt(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


Grade = Annotated[
    Number,
    Field(
        description="Percent of the question's points, one of the values Moodle accepts "
        "(100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, "
        "16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0, and the same negated)."
    ),
]


# --------------------------------------------------------------------------- course.yaml


class Source(Model):
    """The work a course is based on, credited in the packages' metadata."""

    title: Name
    """Title of the source work."""
    publisher: Text = ""
    """Publisher or website, as the source names itself."""
    author: Text = ""
    url: Text = ""
    date: Text = ""
    """Publication date, ISO 8601 (YYYY-MM-DD) where known."""
    note: Text = ""
    """How the course uses the source (e.g. "facts adapted, text rewritten")."""


class FinalQuiz(Model):
    """The scored quiz at the end of the course (SCORM) or the course's final Moodle quiz."""

    title: Name = "Final quiz"
    questions: Literal["all"] | list[Slug] = "all"
    """`all` (every scorable question of every lesson, in course order) or a list of question ids."""
    shuffle: bool = False
    """Shuffle the order of questions for each attempt."""

    @field_validator("questions", mode="before")
    @classmethod
    def _all_or_a_list(cls, value: object) -> object:
        """One message for a value of neither form (pydantic gives one for each)."""
        if value == "all" or isinstance(value, list):
            return value
        raise rule("choice", f"expected `all` or a list of question ids, found {described(value)}")


ScormVersion = Literal["1.2", "2004"]


class ScormSettings(Model):
    """How SCORM packages are built."""

    versions: list[ScormVersion] = Field(default_factory=lambda: list[ScormVersion](["1.2", "2004"]))
    """SCORM versions to build; 1.2 is the safest choice for Moodle."""
    structure: Literal["single", "multi"] = "single"
    """`single`: one SCO with its own navigation; `multi`: one SCO per lesson plus the quiz."""


class MoodleSettings(Model):
    """How the Moodle outputs are built."""

    lesson_activity: Literal["page", "book"] = "page"
    """Course backup: a Page per lesson, or one Book with a chapter per lesson."""
    quizzes: Literal["per_lesson", "final"] = "per_lesson"
    """Course backup: a quiz per lesson that has questions, or one final quiz."""
    include_scorm: bool = False
    """Course backup: also add the SCORM 1.2 package as a SCORM activity."""


class Settings(Model):
    """Build settings."""

    passing_score: Number = Field(default=70, ge=0, le=100)
    """Percent of the quiz's points needed to pass."""
    scorm: ScormSettings = Field(default_factory=ScormSettings)
    moodle: MoodleSettings = Field(default_factory=MoodleSettings)


class CourseInfo(Model):
    """`course.yaml`: the course's metadata, its lessons in order and its build settings."""

    id: Slug
    """Stable id; names the output files and derives every package identifier."""
    title: Name
    shortname: Name
    """Moodle's course short name; also the top question category."""
    language: str = Field(default="en", pattern=LANGUAGE_TAG)
    """BCP 47 language tag, e.g. `id` or `en-GB`; chooses the player's language."""
    version: Text = "1.0"
    summary: Markdown = ""
    authors: list[Text] = Field(default_factory=_empty_list)
    license: Text = ""
    """License of the course text, e.g. `CC BY-SA 4.0`."""
    source: Source | None = None
    keywords: list[Text] = Field(default_factory=_empty_list)
    lessons: list[Slug] = Field(min_length=1)
    """Lesson ids in course order; each names a file `lessons/NN-<id>.md` (or its `id`)."""
    final_quiz: FinalQuiz = Field(default_factory=FinalQuiz)
    settings: Settings = Field(default_factory=Settings)


# --------------------------------------------------------------------------- lessons


class LessonMeta(Model):
    """Front matter of `lessons/NN-slug.md`."""

    id: Slug | None = None
    """Defaults to the file name without its `NN-` prefix and `.md`."""
    title: Name
    objectives: list[Text] = Field(default_factory=_empty_list)
    """What the learner can do after the lesson."""
    minutes: Annotated[int, Field(ge=1, le=1000), _NO_FLAG] | None = None
    """Estimated reading time in minutes."""
    summary: Text = ""
    allow_scripts: bool = False
    """Let raw `<script>`/`<iframe>` through into this lesson's SCORM page (never into Moodle)."""


class Lesson(Model):
    """A lesson: its front matter and Markdown body."""

    id: Slug
    title: Name
    objectives: list[Text] = Field(default_factory=_empty_list)
    minutes: int | None = None
    summary: Text = ""
    allow_scripts: bool = False
    body: Markdown
    body_line: int = 1
    """Line of the file where the body starts (for diagnostics)."""
    path: Text = ""
    """Path of the lesson file relative to the course directory."""


# --------------------------------------------------------------------------- glossary


class GlossaryEntry(Model):
    """A glossary term, with Moodle's auto-linking flags."""

    term: Name
    definition: Markdown = Field(min_length=1)
    aliases: list[Name] = Field(default_factory=_empty_list)
    categories: list[Name] = Field(default_factory=_empty_list)
    case_sensitive: bool = False
    """Link only where the case matches."""
    full_match: bool = True
    """Link whole words only."""
    auto_link: bool = True
    """Let Moodle's glossary filter (and the SCORM pages) link this term in texts."""


class GlossaryFile(Model):
    """`glossary.yaml`."""

    name: Name = "Glossary"
    intro: Markdown = ""
    entries: list[GlossaryEntry] = Field(default_factory=_empty_list)


# --------------------------------------------------------------------------- questions


class Hint(Model):
    """A hint shown after a wrong try in interactive mode."""

    text: Markdown
    show_num_correct: bool = False
    clear_wrong: bool = False


AnswerKeyCheck = Literal[
    "answer-variant",
    "partial-number",
    "negative-wipeout",
    "key-first",
    "key-longest",
    "repeated-option",
    "unreachable-answer",
]
"""Codes of the answer-key warnings (`coursebuilder.answerkeys`) a question may silence."""


class QuestionBase(Model):
    """Fields every question type has."""

    id: Slug
    """Stable id: Moodle's idnumber, SCORM interaction id."""
    name: Name | None = None
    """Name in Moodle's question bank; defaults to the id."""
    text: Annotated[Markdown, Field(min_length=1)]
    """The question text, Markdown; images by path relative to the file."""
    lesson: Slug | None = None
    """Lesson the question belongs to (usually set by the file's `defaults`)."""
    category: Text | None = None
    """Sub-category under the lesson's category in the question bank."""
    tags: list[Text] = Field(default_factory=_empty_list)
    points: Number = Field(default=1, ge=0, le=1000)
    """Default mark (Moodle `defaultgrade`)."""
    penalty: Number = Field(default=0.3333333, ge=0, le=1)
    """Fraction lost per wrong try in interactive modes."""
    general_feedback: Markdown = ""
    """Shown after the question is answered, whatever the answer."""
    hints: list[Hint] = Field(default_factory=_empty_list)
    allow_warnings: list[AnswerKeyCheck] = Field(default_factory=_empty_list)
    """Answer-key warnings this question keeps on purpose, e.g. `[key-first]` when the options
    follow a fixed order; `validate` no longer reports them for this question."""

    @property
    def display_name(self) -> str:
        return self.name or self.id


class CombinedFeedback(Model):
    """Feedback by outcome, for types that grade several parts."""

    correct: Markdown = ""
    partially_correct: Markdown = ""
    incorrect: Markdown = ""
    show_num_correct: bool = False


class Choice(Model):
    """An answer of a multiple-choice question."""

    text: Markdown = Field(min_length=1)
    grade: Grade = 0
    feedback: Markdown = ""

    _grade = field_validator("grade")(classmethod(lambda cls, v: _check_grade(v)))


class MultiChoice(QuestionBase):
    """Multiple choice, one answer (`single: true`) or several."""

    type: Literal["multichoice"]
    single: bool = True
    shuffle: bool = True
    numbering: Literal["abc", "ABCD", "123", "iii", "IIII", "none"] = "abc"
    show_standard_instruction: bool = False
    answers: list[Choice] = Field(min_length=2)
    feedback: CombinedFeedback = Field(default_factory=CombinedFeedback)

    @model_validator(mode="after")
    def _grades_add_up(self) -> Self:
        grades = [a.grade for a in self.answers]
        if self.single:
            full = sum(1 for g in grades if math.isclose(g, 100))
            if full != 1:
                raise rule(
                    "single-answer",
                    f"answers: a single-answer question needs exactly one answer with grade 100, found {full}",
                )
        else:
            positive = sum(g for g in grades if g > 0)
            if not math.isclose(positive, 100, abs_tol=0.01):
                raise rule(
                    "multi-answer",
                    f"answers: positive grades of a multiple-answer question must add up to 100, not {_fmt(positive)}",
                )
        return self


class TrueFalse(QuestionBase):
    """True or false."""

    type: Literal["truefalse"]
    correct: bool
    """The right answer."""
    feedback_true: Markdown = ""
    """Shown when the learner answers true."""
    feedback_false: Markdown = ""
    """Shown when the learner answers false."""


class Trimmed(Model):
    """An answer whose `text` Moodle trims on import: the model trims it the same way.

    `padded` keeps the text as written, so that validation can say the spaces were dropped.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _trim(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        written = data.get("text") if isinstance(data, dict) else None
        if not isinstance(written, str) or written == written.strip():
            return handler(data)
        answer = handler({**data, "text": written.strip()})
        answer.source_info().padded = written
        return answer

    @property
    def padded(self) -> str:
        """The text as the source wrote it, when it had spaces around it; else empty."""
        info = self._source_info()
        return info.padded if info is not None else ""

    def __eq__(self, other: object) -> bool:
        """Equal as pydantic compares models, whatever padding the source had: the model's is gone."""
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, Trimmed)
        mine, theirs = (m._source_info() or SourceInfo() for m in (self, other))
        return self.__dict__ == other.__dict__ and mine == theirs

    __hash__ = Model.__hash__


class TextAnswer(Trimmed):
    """An accepted answer of a short-answer question or a cloze gap (`*` is a wildcard)."""

    text: Text = Field(min_length=1, max_length=255)
    grade: Grade = 100
    feedback: Markdown = ""

    _grade = field_validator("grade")(classmethod(lambda cls, v: _check_grade(v)))


def _needs_full_credit(answers: "list[TextAnswer] | list[NumericAnswer] | list[Choice]") -> None:
    if not any(math.isclose(a.grade, 100) for a in answers):
        raise rule("full-credit", "answers: at least one answer must have grade 100")


class ShortAnswer(QuestionBase):
    """Typed answer compared with the accepted answers."""

    type: Literal["shortanswer"]
    case_sensitive: bool = False
    answers: list[TextAnswer] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_full(self) -> Self:
        _needs_full_credit(self.answers)
        return self


FORMULA_NOT_NUMBER = (
    "{value!r} is a formula; Moodle grades a numerical answer by comparing numbers, so write "
    "the number itself (e.g. 0.5 for $\\frac{{1}}{{2}}$, 3.14159 with a tolerance for $\\pi$)"
)


def _is_float(text: str) -> bool:
    """Whether pydantic reads `text` as a float (Python's `float` also takes digits beyond ASCII)."""
    if not text.isascii():
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def described(value: object) -> str:
    """A short description of a YAML value of the wrong kind, for a message: `5`, `a list`, or
    a flag with the words YAML reads as it (an author who wrote `points: yes` sees why `true`)."""
    if isinstance(value, bool):
        return "true (YAML reads true, yes and on alike)" if value else "false (YAML reads false, no and off alike)"
    if value is None:
        return "nothing"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else f"{value[:40]!r}…"
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, dict) else f"a {type(value).__name__}"


def looks_like_formula(value: str) -> bool:
    """A value written as TeX (`$…$`, `\\(…\\)` or a command) rather than as a number."""
    text = value.strip()
    return text.startswith(("$", "\\(", "\\[")) or re.search(r"\\[A-Za-z]", text) is not None


class NumericAnswer(Model):
    """An accepted numeric answer with an absolute tolerance (`value: "*"` matches anything)."""

    value: float | Literal["*"]
    tolerance: Number = Field(default=0, ge=0)
    grade: Grade = 100
    feedback: Markdown = ""

    _grade = field_validator("grade")(classmethod(lambda cls, v: _check_grade(v)))

    @field_validator("value", mode="before")
    @classmethod
    def _a_number(cls, value: object) -> object:
        """One message for a value that is neither a number nor `*` (pydantic gives one for
        each form); `true` is no number here, though pydantic would read it as 1."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            if value == "*":
                return value
            if looks_like_formula(value):
                raise rule("formula", FORMULA_NOT_NUMBER.format(value=value))
            if comma := decimal_comma(value):
                raise rule("number", comma)
            if _is_float(value):
                return value
        shown = "no value" if value is None else f"{described(value)} is not a number"
        raise rule("number", f'{shown}: write a number, or "*" to accept any answer')

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float | str) -> float | str:
        if isinstance(value, float) and not math.isfinite(value):
            raise rule("number", "must be a finite number")
        return value


class Unit(Model):
    """A unit the learner may write; the first unit has multiplier 1."""

    name: Annotated[Text, Field(min_length=1, max_length=50)]
    multiplier: Number = Field(default=1, gt=0)


class Numerical(QuestionBase):
    """A number, optionally with a unit."""

    type: Literal["numerical"]
    answers: list[NumericAnswer] = Field(min_length=1)
    units: list[Unit] = Field(default_factory=_empty_list)
    unit_grading: Literal["none", "response", "question"] = "none"
    """`none`: units optional; otherwise a wrong unit costs `unit_penalty` of the response or question grade."""
    unit_penalty: Number = Field(default=0.1, ge=0, le=1)
    show_units: Literal["input", "choice", "select", "none"] = "input"
    units_left: bool = False
    """Write the unit before the number (e.g. `$ 10`)."""

    @model_validator(mode="after")
    def _rules(self) -> Self:
        _needs_full_credit(self.answers)
        if self.units and not math.isclose(self.units[0].multiplier, 1):
            raise rule("units", "units: the first unit is the base unit and must have multiplier 1")
        names = [u.name for u in self.units]
        if len(set(names)) != len(names):
            raise rule("units", "units: unit names must be unique")
        if self.unit_grading != "none" and not self.units:
            raise rule("units", "unit_grading: needs at least one unit")
        return self


class Pair(Model):
    """A matching pair: a question (item) and its answer."""

    question: Markdown = Field(min_length=1)
    answer: Annotated[Text, Field(min_length=1)]


class Matching(QuestionBase):
    """Match each item with an answer from one list."""

    type: Literal["matching"]
    shuffle: bool = True
    pairs: list[Pair] = Field(min_length=2)
    distractors: list[Annotated[Text, Field(min_length=1)]] = Field(default_factory=_empty_list)
    """Extra wrong answers."""
    feedback: CombinedFeedback = Field(default_factory=CombinedFeedback)

    @model_validator(mode="after")
    def _rules(self) -> Self:
        answers = {p.answer for p in self.pairs}
        if len(answers) + len(set(self.distractors)) < 3:
            raise rule("matching", "pairs: Moodle needs at least three different answers (add a pair or a distractor)")
        for d in self.distractors:
            if d in answers:
                raise rule("matching", f"distractors: {d!r} is also a right answer")
        return self


class Essay(QuestionBase):
    """Free response graded by a teacher; shown but not scored in SCORM."""

    type: Literal["essay"]
    response_format: Literal["editor", "editorfilepicker", "plain", "monospaced", "noinline"] = "editor"
    response_required: bool = True
    response_lines: WholeNumber = Field(default=15, ge=5, le=40)
    min_words: Annotated[int, Field(ge=1), _NO_FLAG] | None = None
    max_words: Annotated[int, Field(ge=1), _NO_FLAG] | None = None
    attachments: WholeNumber = Field(default=0, ge=-1, le=3)
    """Number of files the learner may attach (-1: unlimited)."""
    attachments_required: WholeNumber = Field(default=0, ge=0, le=3)
    max_bytes: WholeNumber = Field(default=0, ge=0)
    file_types: list[Text] = Field(default_factory=_empty_list)
    grader_info: Markdown = ""
    """Notes for the teacher who grades."""
    response_template: Text = ""

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if self.min_words and self.max_words and self.min_words > self.max_words:
            raise rule("essay", "min_words: is larger than max_words")
        if self.response_format == "noinline" and self.attachments == 0:
            raise rule("essay", "attachments: a `noinline` essay needs attachments")
        if self.attachments != -1 and self.attachments_required > self.attachments:
            raise rule("essay", "attachments_required: is more than attachments")
        return self


class Description(QuestionBase):
    """Information only: text between questions, never graded."""

    type: Literal["description"]
    points: Number = Field(default=0, ge=0, le=0)


GapType = Literal[
    "shortanswer",
    "shortanswer_case",
    "numerical",
    "multichoice",
    "multichoice_vertical",
    "multichoice_horizontal",
    "multiresponse",
    "multiresponse_horizontal",
]


class GapAnswer(Trimmed):
    """An answer of a cloze gap; `tolerance` only for numerical gaps."""

    text: Annotated[Text, Field(min_length=1)]
    grade: Grade = 100
    feedback: Text = ""
    tolerance: Number = Field(default=0, ge=0)

    _grade = field_validator("grade")(classmethod(lambda cls, v: _check_grade(v)))


class Gap(Model):
    """A gap of a cloze question, written `{{id}}` in the text."""

    id: Slug
    type: GapType = "shortanswer"
    weight: WholeNumber = Field(default=1, ge=1, le=100)
    shuffle: bool = False
    """Shuffle the choices (multichoice and multiresponse gaps)."""
    answers: list[GapAnswer] = Field(min_length=1)

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if self.type == "numerical":
            for a in self.answers:
                if a.text != "*":
                    if looks_like_formula(a.text):
                        raise rule("formula", "answers: " + FORMULA_NOT_NUMBER.format(value=a.text))
                    try:
                        float(a.text)
                    except ValueError:
                        problem = decimal_comma(a.text) or f"{a.text!r} is not a number"
                        raise rule("cloze", f"answers: {problem}") from None
        elif a_tol := [a for a in self.answers if a.tolerance]:
            raise rule("cloze", f"answers: tolerance is only for numerical gaps ({a_tol[0].text!r})")
        if self.type.startswith("multichoice") and len(self.answers) < 2:
            raise rule("cloze", "answers: a multichoice gap needs at least two answers")
        if self.type.startswith("multiresponse"):
            if not any(a.grade > 0 for a in self.answers):
                raise rule("cloze", "answers: a multiresponse gap needs a positive answer")
        else:
            _needs_full_credit(self.answers)  # type: ignore[arg-type]
        return self


GAP_REF = re.compile(r"\{\{\s*([a-z0-9][a-z0-9_-]*)\s*\}\}")
"""How a cloze text refers to a gap: `{{gap-id}}`, outside formulas (see `gap_refs`)."""


def gap_refs(text: str) -> list[re.Match[str]]:
    """The gap references of cloze `text`, in order: each `{{gap-id}}` outside its formulas.

    Inside a formula (`$…$` or `$$…$$` as `formulas.notation` finds them: `\\$` is a dollar
    sign, code holds no formula) `{{…}}` is TeX's (`$x^{{2}}$`), never a gap. A text without
    `$`, as most are, holds no formula and is not parsed.
    """
    found = list(GAP_REF.finditer(text))
    if found and "$" in text:
        inside = _refs_in_formulas(text)
        found = [match for index, match in enumerate(found) if index not in inside]
    return found


def replace_gaps(text: str, replacement: Callable[[str], str]) -> str:
    """`text` with each gap reference (`gap_refs`) replaced by `replacement(gap id)`."""
    pieces: list[str] = []
    end = 0
    for match in gap_refs(text):
        pieces += (text[end : match.start()], replacement(match.group(1)))
        end = match.end()
    pieces.append(text[end:])
    return "".join(pieces)


@functools.lru_cache(maxsize=1024)
def _refs_in_formulas(text: str) -> frozenset[int]:
    """Which `GAP_REF` matches of `text` (their indexes) lie in a formula.

    The id of each match is swapped for a mark of its own (letters and digits the text does
    not otherwise hold), the text is parsed as `notation.scan` parses it, and the marks in the
    TeX of its formulas name the matches inside. The swap changes nothing the notation decides
    by: an id stands between braces, with at most spaces and line breaks around it, and holds
    no `$`, backslash, backtick or space, so every `$` has the neighbours it has in `text`,
    and the escapes, code spans and lines are the same.
    """
    from coursebuilder.formulas import notation  # markdown-it only for texts with a `$`

    prefix = "zgap"
    while prefix in text:
        prefix += "z"
    pieces: list[str] = []
    end = 0
    for index, match in enumerate(GAP_REF.finditer(text)):
        pieces += (text[end : match.start(1)], f"{prefix}{index}z")
        end = match.end(1)
    pieces.append(text[end:])
    formulas, _ = notation.scan("".join(pieces))
    mark = re.compile(prefix + r"(\d+)z")
    return frozenset(int(found.group(1)) for formula in formulas for found in mark.finditer(formula.tex))


class Cloze(QuestionBase):
    """Text with embedded gaps (Moodle's Embedded answers / multianswer)."""

    type: Literal["cloze"]
    gaps: list[Gap] = Field(min_length=1)
    points: Number = Field(default=0, ge=0, le=0)
    """Not used: a cloze question is worth the sum of its gaps' weights."""

    @model_validator(mode="after")
    def _rules(self) -> Self:
        ids = [g.id for g in self.gaps]
        if len(set(ids)) != len(ids):
            raise rule("cloze", "gaps: gap ids must be unique")
        used = [match.group(1) for match in gap_refs(self.text)]
        for ref in used:
            if ref not in ids:
                raise rule("cloze", f"text: refers to gap {{{{{ref}}}}}, which is not defined")
        for gid in ids:
            if used.count(gid) != 1:
                message = f"gaps: gap {gid!r} must appear exactly once in the text as {{{{{gid}}}}}"
                if gid not in used and gid in GAP_REF.findall(self.text):
                    message += f" (the {{{{{gid}}}}} inside a formula is TeX, not a gap)"
                raise rule("cloze", message)
        return self


class Ordering(QuestionBase):
    """Put the items in order (Moodle 4.4+ core ordering type)."""

    type: Literal["ordering"]
    items: list[Annotated[Text, Field(min_length=1)]] = Field(min_length=2)
    """Items in the correct order."""
    layout: Literal["vertical", "horizontal"] = "vertical"
    select_type: Literal["all", "random", "contiguous"] = "all"
    select_count: WholeNumber = Field(default=0, ge=0)
    grading_type: Literal[
        "all_or_nothing",
        "absolute_position",
        "relative_next_exclude_last",
        "relative_next_include_last",
        "relative_one_previous_and_next",
        "relative_all_previous_and_next",
        "longest_ordered_subset",
        "longest_contiguous_subset",
    ] = "absolute_position"
    show_grading: bool = True
    numbering: Literal["none", "abc", "ABCD", "123", "iii", "IIII"] = "none"
    feedback: CombinedFeedback = Field(default_factory=CombinedFeedback)

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if len(set(self.items)) != len(self.items):
            raise rule("ordering", "items: items must be different from each other")
        if self.select_type != "all" and not 2 <= self.select_count <= len(self.items):
            raise rule("ordering", "select_count: must be between 2 and the number of items")
        return self


Question = Annotated[
    MultiChoice | TrueFalse | ShortAnswer | Numerical | Matching | Essay | Description | Cloze | Ordering,
    Field(discriminator="type"),
]
QUESTION_TYPES: tuple[str, ...] = (
    "multichoice",
    "truefalse",
    "shortanswer",
    "numerical",
    "matching",
    "essay",
    "description",
    "cloze",
    "ordering",
)
SCORED_TYPES = frozenset(QUESTION_TYPES) - {"essay", "description"}


@functools.cache
def question_adapter() -> TypeAdapter[Question]:
    """Validates one question of any type; made when first asked (about 1 ms at each start),
    which a valid course's load never does (it validates each file's list at once)."""
    return TypeAdapter(Question)


class QuizDefaults(Model):
    """Values every question of the file takes unless it sets its own."""

    lesson: Slug | None = None
    category: Text | None = None
    tags: list[Text] = Field(default_factory=_empty_list)
    """Added to each question's own tags."""


class QuizFile(Model):
    """`quiz/*.yaml`: questions, with defaults for the file."""

    defaults: QuizDefaults = Field(default_factory=QuizDefaults)
    questions: list[Question] = Field(default_factory=_empty_list)


# --------------------------------------------------------------------------- the whole course


class Course(Model):
    """A loaded course: what every target builds from."""

    info: CourseInfo
    lessons: list[Lesson]
    glossary: GlossaryFile
    questions: list[Question]
    root: Text = ""
    """The course directory (absolute)."""


def questions_by_lesson(questions: Iterable[Question]) -> dict[str | None, list[Question]]:
    """The questions of each lesson, in course order (questions of no lesson under None).

    Group once and look lessons up, rather than scanning all questions for each lesson (which
    grows with lessons × questions). Each caller groups for itself: the lists are its own.
    """
    groups: dict[str | None, list[Question]] = {}
    for question in questions:
        groups.setdefault(question.lesson, []).append(question)
    return groups


def markdown_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Names of the fields of `model` that hold Markdown."""
    cached = _MARKDOWN_FIELDS.get(model)
    if cached is None:
        cached = tuple(
            name
            for name, info in model.model_fields.items()
            if any(isinstance(meta, MarkdownText) for meta in info.metadata)
        )
        _MARKDOWN_FIELDS[model] = cached
    return cached


_MARKDOWN_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def iter_markdown(obj: BaseModel, path: str = "") -> Iterator[tuple[BaseModel, str, str, str]]:
    """Yield (owner, field, dotted path, text) for every Markdown text inside `obj`."""
    for name in markdown_fields(type(obj)):
        text = getattr(obj, name)
        if text:
            yield obj, name, f"{path}{name}", text
    for name in _nested_fields(type(obj)):
        value = getattr(obj, name)
        if isinstance(value, BaseModel):
            yield from iter_markdown(value, f"{path}{name}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from iter_markdown(item, f"{path}{name}[{index}].")


def fields_at(root: Any, loc: Iterable[str | int]) -> tuple[str, ...]:
    """The field names of the model that `loc` (a pydantic error's location) leads to from
    type `root`; none when it leads to no single model.

    A part that names a field steps into its type, an index into a list's items, and a union's
    tag (a question's `type`) or member name picks that member; any other part (a validator's
    name) is passed over, as pydantic puts it in the location without a step of the data.
    """
    models = [kind for kind in _types_at(root, loc) if isinstance(kind, type) and issubclass(kind, BaseModel)]
    return tuple(models[0].model_fields) if len(models) == 1 else ()


def takes_texts(root: Any, loc: Iterable[str | int]) -> bool:
    """Whether `loc` (as in `fields_at`) leads from type `root` to a list of texts: a field
    that a single text is often written for (`aliases: x` for `aliases: [x]`)."""
    kinds = [kind for kind in _types_at(root, loc) if kind is not type(None)]
    return bool(kinds) and all(get_origin(kind) is list and _members([get_args(kind)[0]]) == [str] for kind in kinds)


def _types_at(root: Any, loc: Iterable[str | int]) -> list[Any]:
    """The types `loc` leads to from type `root` (see `fields_at`), unions taken apart."""
    current: list[Any] = [root]
    for part in loc:
        found = [step for kind in _members(current) for step in _steps(kind, part)]
        if found:
            current = found
    return _members(current)


def _members(kinds: list[Any]) -> list[Any]:
    """The types `kinds` stand for, with `Annotated`, `Optional` and unions taken apart."""
    out: list[Any] = []
    for kind in kinds:
        origin = get_origin(kind)
        if origin is Annotated:
            out += _members([get_args(kind)[0]])
        elif origin is not None and origin not in (list, dict, Literal) and get_args(kind):
            out += _members(list(get_args(kind)))  # a union
        else:
            out.append(kind)
    return out


def _steps(kind: Any, part: str | int) -> list[Any]:
    origin = get_origin(kind)
    if isinstance(part, int):
        return [get_args(kind)[0]] if origin is list else []
    if origin is dict:
        return [get_args(kind)[1]]
    if not (isinstance(kind, type) and issubclass(kind, BaseModel)):
        return []
    if part in kind.model_fields:
        return [kind.model_fields[part].annotation]
    tag = kind.model_fields.get("type")
    if kind.__name__ == part or (tag is not None and part in get_args(tag.annotation)):
        return [kind]
    return []


def _nested_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Names of the fields of `model` whose type can hold a model (the others hold plain values)."""
    cached = _NESTED_FIELDS.get(model)
    if cached is None:
        cached = tuple(name for name, info in model.model_fields.items() if _may_hold_model(info.annotation))
        _NESTED_FIELDS[model] = cached
    return cached


_NESTED_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}
_PLAIN_TYPES = (str, int, float, bool, type(None))


def _may_hold_model(annotation: object) -> bool:
    if get_origin(annotation) is Literal:
        return False
    if isinstance(annotation, type) and get_origin(annotation) is None and not get_args(annotation):
        return not issubclass(annotation, _PLAIN_TYPES) or issubclass(annotation, BaseModel)
    arguments = get_args(annotation)
    if get_origin(annotation) is Annotated:
        arguments = arguments[:1]
    return not arguments or any(_may_hold_model(argument) for argument in arguments)


def final_questions(course: Course) -> list[Question]:
    """The final quiz's questions: those listed in course.yaml, or every scored one in course order."""
    chosen = course.info.final_quiz.questions
    if chosen == "all":
        by_lesson = questions_by_lesson(course.questions)
        return [
            question
            for lesson in course.lessons
            for question in by_lesson.get(lesson.id, ())
            if question.type in SCORED_TYPES
        ]
    by_id = {question.id: question for question in course.questions}
    return [by_id[qid] for qid in chosen if qid in by_id]
