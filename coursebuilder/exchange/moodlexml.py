"""questions.xml: the course's question bank in Moodle XML.

Element names, order and values follow Moodle's own exporter (`qformat_xml::writequestion()`
in question/format/xml/format.php, and `qtype_ordering::export_to_xml()`), so the importer
(`qformat_xml::import_*()`) reads every field back. The tree is built with lxml directly:
one pass over the questions, each Markdown text rendered once.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import lxml.html
from lxml import etree
from lxml.etree import SubElement

from coursebuilder.exchange.bank import WHOLE, Span, category_path, pieces
from coursebuilder.exchange.text import EMPTY, Html, QuestionMarkdown, Renderer, copy_element, flag, set_text
from coursebuilder.model import (
    Choice,
    Cloze,
    CombinedFeedback,
    Course,
    Description,
    Essay,
    Matching,
    MultiChoice,
    Numerical,
    Ordering,
    Pair,
    Question,
    ShortAnswer,
    TrueFalse,
    replace_gaps,
)
from coursebuilder.moodle import cloze
from coursebuilder.moodle.codes import SHOW_UNITS, UNIT_GRADING
from coursebuilder.moodle.numbers import fraction, number

INLINE_FIELDS: frozenset[tuple[type, str]] = frozenset({(Choice, "text"), (Pair, "question")})
"""Fields shown inline by Moodle (answer options, matching items): a one-line text is rendered
without its paragraph."""

PLAIN_ANSWER_FORMAT = "moodle_auto_format"
"""What Moodle's exporter writes as the format of plain answers (ignored by its importer)."""


PLAIN_TEMPLATE_FORMATS = frozenset({"plain", "monospaced"})
"""Essay response formats whose response template is plain text, not HTML."""


def true_false(value: bool) -> str:
    return "true" if value else "false"


class QuestionWriter:
    """Writes questions into a `<quiz>` element."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self._md = QuestionMarkdown(renderer)
        self._types: dict[str, Callable[[etree._Element, Any], None]] = {
            "multichoice": self._multichoice,
            "truefalse": self._truefalse,
            "shortanswer": self._shortanswer,
            "numerical": self._numerical,
            "matching": self._matching,
            "essay": self._essay,
            "description": self._description,
            "cloze": self._cloze,
            "ordering": self._ordering,
        }

    # ------------------------------------------------------------------ document

    def document(self, course: Course) -> etree._Element:
        """The `<quiz>` element: category pseudo-questions, each followed by its questions."""
        quiz = etree.Element("quiz")
        for _ in self.parts(course, quiz):
            pass
        return quiz

    def parts(self, course: Course, quiz: etree._Element, span: Span = WHOLE) -> Iterator[etree._Element]:
        """Add the children of `quiz` one category or question at a time, yielding each when done.

        A caller may serialize each one and take it out of `quiz` again, so that the tree of
        20,000 questions is never held at once. Only the categories and questions of `span`
        are added (the course's own category goes with the first question).
        """
        if 0 in span:
            root_info = self.renderer.markdown(course.info.summary, "course.yaml")
            yield self.category(quiz, (course.info.shortname,), Html(root_info.text))
        for piece in pieces(course, span):
            group = piece.group
            if piece.starts:
                lesson = group.lesson
                info = lesson_info(lesson.summary, lesson.objectives) if len(group.names) == 2 else EMPTY
                yield self.category(quiz, group.names, info)
            for question in piece.questions:
                if "--" not in question.id:
                    comment = etree.Comment(f" question: {question.id} ")
                    quiz.append(comment)
                    yield comment
                yield self.question(quiz, question)

    def category(self, quiz: etree._Element, names: tuple[str, ...], info: Html) -> etree._Element:
        """A category pseudo-question: the questions after it go into this category."""
        element = SubElement(quiz, "question")
        element.set("type", "category")
        set_text(SubElement(SubElement(element, "category"), "text"), category_path(names))
        info_element = SubElement(element, "info")
        info_element.set("format", "html")
        set_text(SubElement(info_element, "text"), info.text)
        SubElement(element, "idnumber")
        return element

    def question(self, quiz: etree._Element, question: Question) -> etree._Element:
        """The `<question>` element (after its comment, which the caller adds)."""
        element = copy_element(_question_shape(question.type))
        quiz.append(element)
        self._types[question.type](element, question)
        if question.tags:
            tags = SubElement(element, "tags")
            for tag in question.tags:
                set_text(SubElement(SubElement(tags, "tag"), "text"), tag)
        return element

    # ------------------------------------------------------------------ parts

    @staticmethod
    def _field(parent: etree._Element, tag: str, value: Html, fmt: str = "html") -> etree._Element:
        """`<tag format><text>…</text><file …/>…</tag>`."""
        element = copy_element(_field_shape(tag, fmt))
        parent.append(element)
        _fill(element, value)
        return element

    def _header(self, element: etree._Element, question: Question, text: Html | None = None) -> None:
        """Fill in the elements every question starts with (`_question_shape`)."""
        name, question_text, general_feedback, *default_grade, penalty, _hidden, idnumber = element
        set_text(name[0], question.display_name)
        _fill(question_text, text if text is not None else self._md(question, question.text))
        _fill(general_feedback, self._md(question, question.general_feedback))
        for grade in default_grade:  # none in a cloze question's shape
            grade.text = number(question.points)
        penalty.text = number(question.penalty)
        idnumber.text = question.id

    def _answer(
        self, parent: etree._Element, fraction: str, text: Html, fmt: str, feedback: Html | None
    ) -> etree._Element:
        element = copy_element(_answer_shape(fraction, fmt))
        parent.append(element)
        _fill(element, text)
        if feedback is not None:
            self._field(element, "feedback", feedback)
        return element

    def _combined(self, element: etree._Element, question: Question, feedback: CombinedFeedback) -> None:
        self._field(element, "correctfeedback", self._md(question, feedback.correct))
        self._field(element, "partiallycorrectfeedback", self._md(question, feedback.partially_correct))
        self._field(element, "incorrectfeedback", self._md(question, feedback.incorrect))

    def _hints(self, element: etree._Element, question: Question) -> None:
        for hint in question.hints:
            value = self._md(question, hint.text)
            hint_element = copy_element(_field_shape("hint", "html"))
            element.append(hint_element)
            set_text(hint_element[0], value.text)
            if hint.show_num_correct:
                SubElement(hint_element, "shownumcorrect")
            if hint.clear_wrong:
                SubElement(hint_element, "clearwrong")
            _files(hint_element, value)

    # ------------------------------------------------------------------ types

    def _multichoice(self, element: etree._Element, question: MultiChoice) -> None:
        self._header(element, question)
        SubElement(element, "single").text = true_false(question.single)
        SubElement(element, "shuffleanswers").text = true_false(question.shuffle)
        SubElement(element, "answernumbering").text = question.numbering
        SubElement(element, "showstandardinstruction").text = flag(question.show_standard_instruction)
        self._combined(element, question, question.feedback)
        if question.feedback.show_num_correct:
            SubElement(element, "shownumcorrect")
        for answer in question.answers:
            self._answer(
                element,
                fraction(answer.grade),
                self._md(question, answer.text, inline=True),
                "html",
                self._md(question, answer.feedback),
            )
        self._hints(element, question)

    def _truefalse(self, element: etree._Element, question: TrueFalse) -> None:
        self._header(element, question)
        for value, feedback in ((True, question.feedback_true), (False, question.feedback_false)):
            fraction = "100" if question.correct == value else "0"
            self._answer(element, fraction, Html(true_false(value)), PLAIN_ANSWER_FORMAT, self._md(question, feedback))
        self._hints(element, question)

    def _shortanswer(self, element: etree._Element, question: ShortAnswer) -> None:
        self._header(element, question)
        SubElement(element, "usecase").text = flag(question.case_sensitive)
        for answer in question.answers:
            self._answer(
                element,
                fraction(answer.grade),
                Html(answer.text),
                PLAIN_ANSWER_FORMAT,
                self._md(question, answer.feedback),
            )
        self._hints(element, question)

    def _numerical(self, element: etree._Element, question: Numerical) -> None:
        self._header(element, question)
        for answer in question.answers:
            value = "*" if answer.value == "*" else number(answer.value)
            answer_element = self._answer(
                element, fraction(answer.grade), Html(value), PLAIN_ANSWER_FORMAT, self._md(question, answer.feedback)
            )
            SubElement(answer_element, "tolerance").text = number(answer.tolerance)
        if question.units:
            units = SubElement(element, "units")
            for unit in question.units:
                unit_element = SubElement(units, "unit")
                SubElement(unit_element, "multiplier").text = number(unit.multiplier)
                set_text(SubElement(unit_element, "unit_name"), unit.name)
        SubElement(element, "unitgradingtype").text = str(UNIT_GRADING[question.unit_grading])
        SubElement(element, "unitpenalty").text = number(question.unit_penalty)
        SubElement(element, "showunits").text = str(SHOW_UNITS[question.show_units])
        SubElement(element, "unitsleft").text = flag(question.units_left)
        self._hints(element, question)

    def _matching(self, element: etree._Element, question: Matching) -> None:
        self._header(element, question)
        SubElement(element, "shuffleanswers").text = true_false(question.shuffle)
        self._combined(element, question, question.feedback)
        if question.feedback.show_num_correct:
            SubElement(element, "shownumcorrect")
        items = [(self._md(question, pair.question, inline=True), pair.answer) for pair in question.pairs]
        items += [(EMPTY, distractor) for distractor in question.distractors]  # no item: a distractor
        for item, answer in items:
            sub = SubElement(element, "subquestion")
            sub.set("format", "html")
            set_text(SubElement(sub, "text"), item.text)
            _files(sub, item)
            set_text(SubElement(SubElement(sub, "answer"), "text"), answer)
        self._hints(element, question)

    def _essay(self, element: etree._Element, question: Essay) -> None:
        self._header(element, question)
        SubElement(element, "responseformat").text = question.response_format
        SubElement(element, "responserequired").text = flag(question.response_required)
        SubElement(element, "responsefieldlines").text = str(question.response_lines)
        SubElement(element, "minwordlimit").text = str(question.min_words) if question.min_words else None
        SubElement(element, "maxwordlimit").text = str(question.max_words) if question.max_words else None
        SubElement(element, "attachments").text = str(question.attachments)
        SubElement(element, "attachmentsrequired").text = str(question.attachments_required)
        SubElement(element, "maxbytes").text = str(question.max_bytes)
        set_text(SubElement(element, "filetypeslist"), ",".join(question.file_types))
        self._field(element, "graderinfo", self._md(question, question.grader_info))
        if question.response_format in PLAIN_TEMPLATE_FORMATS:
            self._field(element, "responsetemplate", Html(question.response_template), "plain_text")
        else:
            self._field(element, "responsetemplate", self.renderer.plain(question.response_template))
        self._hints(element, question)

    def _description(self, element: etree._Element, question: Description) -> None:
        self._header(element, question)
        self._hints(element, question)

    def _cloze(self, element: etree._Element, question: Cloze) -> None:
        tokens, with_tokens = cloze_tokens(question)
        rendered = self._md(question, with_tokens)
        text = cloze.neutralize(rendered.text)
        for gap in question.gaps:
            if text.count(tokens[gap.id]) != 1:
                raise RuntimeError(f"{question.id}: gap {gap.id!r} did not survive Markdown rendering")
            text = text.replace(tokens[gap.id], cloze.marker(gap))
        self._header(element, question, Html(text, rendered.files))
        self._hints(element, question)

    def _ordering(self, element: etree._Element, question: Ordering) -> None:
        self._header(element, question)
        SubElement(element, "layouttype").text = question.layout.upper()
        SubElement(element, "selecttype").text = question.select_type.upper()
        count = question.select_count if question.select_type != "all" else len(question.items)
        SubElement(element, "selectcount").text = str(count)
        SubElement(element, "gradingtype").text = question.grading_type.upper()
        SubElement(element, "showgrading").text = "SHOW" if question.show_grading else "HIDE"
        SubElement(element, "numberingstyle").text = question.numbering
        self._combined(element, question, question.feedback)
        # qtype_ordering reads shownumcorrect as a value; when absent it defaults to 1.
        SubElement(element, "shownumcorrect").text = flag(question.feedback.show_num_correct)
        for position, item in enumerate(question.items, start=1):
            self._answer(element, str(position), Html(html.escape(item, quote=False)), "html", None)
        self._hints(element, question)


# Elements made again and again are made once each, as shapes, and copied: a copy of a small
# tree costs about a third of making its elements one by one, and gives the same elements.
# Only what the writer fills in differs from one copy to the next; a shape itself is never
# changed, and copying is how lxml lets a tree made in one thread be used in another.


@functools.cache
def _question_shape(kind: str) -> etree._Element:
    """`<question type>` with the elements every question starts with, empty (`_header`)."""
    element = etree.Element("question")
    element.set("type", kind)
    SubElement(SubElement(element, "name"), "text")
    for tag in ("questiontext", "generalfeedback"):
        element.append(copy_element(_field_shape(tag, "html")))
    if kind != "cloze":  # a cloze question is worth the sum of its gaps
        SubElement(element, "defaultgrade")
    SubElement(element, "penalty")
    SubElement(element, "hidden").text = "0"
    SubElement(element, "idnumber")
    return element


@functools.cache
def _field_shape(tag: str, fmt: str) -> etree._Element:
    """`<tag format><text/></tag>` (`_fill`)."""
    element = etree.Element(tag)
    element.set("format", fmt)  # set apart: lxml takes an attribute dictionary slowly
    SubElement(element, "text")
    return element


@functools.cache
def _answer_shape(fraction: str, fmt: str) -> etree._Element:
    """`<answer fraction format><text/></answer>` (`_fill`)."""
    element = etree.Element("answer")
    element.set("fraction", fraction)
    element.set("format", fmt)
    SubElement(element, "text")
    return element


def _fill(element: etree._Element, value: Html) -> None:
    """Fill in a field's or answer's `<text>`, and add the files after it."""
    set_text(element[0], value.text)
    if value.files:
        _files(element, value)


def _files(element: etree._Element, value: Html) -> None:
    for file in value.files:
        SubElement(element, "file", {"name": file.name, "path": file.path, "encoding": "base64"}).text = file.base64


def cloze_tokens(question: Cloze) -> tuple[dict[str, str], str]:
    """The text of a cloze question as it is rendered: each gap reference replaced by a token
    (private-use characters, but not the render cache's image marks: the text stays cacheable),
    which the gap's marker replaces in the HTML; and the token of each gap."""
    tokens = {gap.id: f"\ue002{index}\ue003" for index, gap in enumerate(question.gaps)}
    return tokens, replace_gaps(question.text, tokens.__getitem__)


def lesson_info(summary: str, objectives: list[str]) -> Html:
    """A lesson category's description: the lesson summary and its objectives, as HTML."""
    parts: list[etree._Element] = []
    if summary:
        paragraph = etree.Element("p")
        paragraph.text = summary
        parts.append(paragraph)
    if objectives:
        listing = etree.Element("ul")
        for objective in objectives:
            SubElement(listing, "li").text = objective
        parts.append(listing)
    return Html("\n".join(etree.tostring(part, method="html", encoding="unicode") for part in parts))


def read_lesson_info(text: str) -> tuple[str, list[str]] | None:
    """The summary and objectives of a description `lesson_info` wrote, or None when `text` is
    not of that shape (nothing else than a text-only `<p>` and a `<ul>` of text-only `<li>`)."""
    try:
        parts = lxml.html.fragments_fromstring(text) if text.strip() else []
    except etree.ParserError:
        return None
    if any(isinstance(part, str) and part.strip() for part in parts):
        return None
    elements = [part for part in parts if not isinstance(part, str)]
    summary, objectives = "", []
    if elements and elements[0].tag == "p" and _text_only(elements[0]):
        summary = elements.pop(0).text or ""
    if elements and elements[0].tag == "ul" and not (elements[0].text or "").strip():
        listing = elements.pop(0)
        for item in listing:
            if item.tag != "li" or not _text_only(item) or (item.tail or "").strip():
                return None
            objectives.append(item.text or "")
    if elements:
        return None
    return summary, objectives


def _text_only(element: etree._Element) -> bool:
    return len(element) == 0 and not element.attrib


DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"
INDENT = "  "


def questions_xml(course: Course, renderer: Renderer) -> bytes:
    """The bytes of questions.xml (indented, UTF-8, reproducible)."""
    return b"".join(questions_xml_document(questions_xml_part(course, renderer)))


def questions_xml_document(children: Iterable[bytes]) -> Iterator[bytes]:
    """questions.xml in pieces around `children`, what `questions_xml_part` wrote of spans
    that cover the bank in order (in this process or another): the same bytes as indenting
    and serializing the whole tree."""
    first = True
    for chunk in children:
        if chunk:
            yield DECLARATION + b"<quiz>" + chunk if first else chunk
            first = False
    yield DECLARATION + b"<quiz/>\n" if first else b"\n</quiz>\n"


BATCH = 200
"""Children of `<quiz>` serialized at once: fewer calls into lxml and fewer, larger writes,
for the memory of a few hundred questions' elements."""

_OPEN, _CLOSE = b"<quiz>", b"\n</quiz>\n"


def questions_xml_part(course: Course, renderer: Renderer, span: Span = WHOLE) -> Iterator[bytes]:
    """The children of `<quiz>` that `span` holds, each after its line break and indentation.

    They are indented and serialized a batch at a time, as the children of a `<quiz>` that
    holds that batch only (each child is indented alike whatever its siblings), without that
    element's tags, and dropped: memory never holds the whole bank's elements.
    """
    quiz = etree.Element("quiz")
    count = 0
    for _ in QuestionWriter(renderer).parts(course, quiz, span):
        count += 1
        if count == BATCH:
            yield _children(quiz)
            count = 0
    if count:
        yield _children(quiz)


def _children(quiz: etree._Element) -> bytes:
    """The indented children of `quiz` as bytes; `quiz` is left empty.

    libxml2 indents as it serializes (`pretty_print`), by two spaces a level (`INDENT`), as
    `etree.indent` would beforehand, in half the time: the two differ only inside an element
    that holds text beside elements, which no question has (a test compares them).
    """
    data = etree.tostring(quiz, encoding="UTF-8", pretty_print=True)
    quiz.clear()
    if not (data.startswith(_OPEN) and data.endswith(_CLOSE)):
        raise RuntimeError("unexpected serialization of <quiz>")
    return data[len(_OPEN) : -len(_CLOSE)]
