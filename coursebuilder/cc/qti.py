"""Questions as IMS QTI 1.2.1 items of the Common Cartridge 1.1 profile.

The profile has six item types (`cc_profile`): multiple choice, multiple response, true/false,
fill-in-the-blank, pattern match and essay. Each of our questions becomes one of them, or is
left out; either way `notes` says what the cartridge could not keep, so `build` can warn.

The shape of each item follows what the importers read:

- Moodle (`backup/cc/entity11.quiz.class.php`, `cc11_quiz`) takes the question text from the
  first `presentation/material/mattext`, the points from the `cc_weighting` field, general
  feedback from every `respcondition` with `continue="Yes"`, an answer's feedback and score
  from the respconditions whose first `varequal` names that answer, the right answers of a
  multiple response from the `varequal case="Yes"` (not under `not`) of the respcondition
  that sets `SCORE` to 100, the accepted answers of a fill-in-the-blank from the
  respcondition whose `setvar` is exactly `100`; it throws on a true/false item unless its two
  `response_label`s are `true` and `false`.
- Canvas (`lib/cc/importer/standard/quiz_converter.rb`) has QTIMigrationTool turn the items
  into QTI 2 (a `continue="No"` respcondition opens an if/else-if chain that the following
  ones join) and then reads them (`gems/plugins/qti_exporter/lib/qti/`): a choice item's
  answer is right when the last branch naming it sets a positive score, or when it is
  a direct member of an `and` in the chain's first branch (`choice_interaction.rb`); every
  text a text item's conditions compare with is a right answer (`extended_text_interaction.rb`);
  feedback named `general_…` is general, `…incorrect…` shown for wrong answers.
- So the general feedback is the only respcondition that continues, and comes first; an
  answer's feedback lives in that answer's own respcondition; a multiple response scores in
  the first condition after it (Moodle's own exporter does the same); a fill-in-the-blank
  names no wrong answer (Canvas would take it as right).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from lxml import etree
from lxml.builder import ElementMaker  # type: ignore[import-not-found]  # lxml-stubs has no lxml.builder

from coursebuilder.model import (
    Choice,
    Essay,
    MultiChoice,
    Numerical,
    NumericAnswer,
    Question,
    ShortAnswer,
    TextAnswer,
    TrueFalse,
)
from coursebuilder.scorm.quiz import number

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
Q = ElementMaker(namespace=QTI_NS, nsmap={None: QTI_NS})

MULTIPLE_CHOICE = "cc.multiple_choice.v0p1"
MULTIPLE_RESPONSE = "cc.multiple_response.v0p1"
TRUE_FALSE = "cc.true_false.v0p1"
FILL_IN = "cc.fib.v0p1"
ESSAY = "cc.essay.v0p1"
EXAM = "cc.exam.v0p1"

RESPONSE = "response1"
"""The one response of every item."""
GENERAL_FEEDBACK = "general_fb"

Render = Callable[[str, Question, str], str]
"""Renders a Markdown text of a question (text, the question, its field) to HTML."""

_WILDCARD = re.compile(r"(?<!\\)\*")


@dataclass(frozen=True)
class Note:
    """What the cartridge changes in or leaves out of a question, for a warning."""

    question: Question
    field: str
    """Field of the question the note is about (`type` for the question as a whole)."""
    message: str
    code: str
    """`cc-omitted` (question left out), `cc-converted` (another type), `cc-partial` (credit lost)."""


@dataclass
class Converted:
    """One question's item (None when it is left out) and the notes about it."""

    item: etree._Element | None
    notes: list[Note] = field(default_factory=list)


def _el(built: Any) -> etree._Element:
    return cast(etree._Element, built)


def _html(text: str) -> etree._Element:
    return _el(Q.material(Q.mattext(text, texttype="text/html")))


def _metadata(profile: str, points: float) -> etree._Element:
    fields = [("cc_profile", profile), ("cc_weighting", number(points))]
    return _el(
        Q.itemmetadata(
            Q.qtimetadata(*[Q.qtimetadatafield(Q.fieldlabel(k), Q.fieldentry(v)) for k, v in fields]),
        )
    )


class _Item:
    """Collects the parts of one item: presentation, response conditions, feedback texts."""

    def __init__(self, question: Question, profile: str, render: Render) -> None:
        self.question = question
        self.profile = profile
        self.render = render
        self.conditions: list[etree._Element] = []
        self.feedback: list[etree._Element] = []
        if question.general_feedback:
            html = render(question.general_feedback, question, "general_feedback")
            self.add_feedback(GENERAL_FEEDBACK, html)
            self.conditions.append(
                _el(
                    Q.respcondition(
                        Q.conditionvar(Q.other()),
                        Q.displayfeedback(feedbacktype="Response", linkrefid=GENERAL_FEEDBACK),
                        **{"continue": "Yes"},
                    )
                )
            )

    def add_feedback(self, ident: str, html: str) -> None:
        self.feedback.append(_el(Q.itemfeedback(Q.flow_mat(_html(html)), ident=ident)))

    def condition(
        self,
        test: Sequence[etree._Element],
        score: bool = False,
        feedback: tuple[str, str] | None = None,
        go_on: bool = False,
    ) -> None:
        """A response condition: the `test`, SCORE 100 when `score`, and its feedback (ident, HTML)."""
        parts: list[etree._Element] = [_el(Q.conditionvar(*test))]
        if score:
            parts.append(_el(Q.setvar("100", action="Set", varname="SCORE")))
        if feedback is not None and feedback[1]:
            ident, html = feedback
            self.add_feedback(ident, html)
            parts.append(_el(Q.displayfeedback(feedbacktype="Response", linkrefid=ident)))
        self.conditions.append(_el(Q.respcondition(*parts, **{"continue": "Yes" if go_on else "No"})))

    def element(self, response: etree._Element) -> etree._Element:
        question = self.question
        text = self.render(question.text, question, "text")
        processing = Q.resprocessing(
            Q.outcomes(Q.decvar(varname="SCORE", vartype="Decimal", minvalue="0", maxvalue="100")),
            *(self.conditions or [_el(Q.respcondition(Q.conditionvar(Q.other())))]),
        )
        return _el(
            Q.item(
                _metadata(self.profile, question.points),
                Q.presentation(_html(text), response),
                processing,
                *self.feedback,
                ident=question.id,
                title=question.display_name,
            )
        )


def _choice_label(ident: str, html: str) -> etree._Element:
    return _el(Q.response_label(_html(html), ident=ident))


def _equal(value: str, case: bool = False) -> etree._Element:
    return _el(Q.varequal(value, respident=RESPONSE, case="Yes" if case else "No"))


def convert(question: Question, render: Render, true_false: tuple[str, str] = ("True", "False")) -> Converted:
    """The item of `question` in the Common Cartridge profile, or None, with notes either way."""
    if isinstance(question, MultiChoice):
        return _multichoice(question, render)
    if isinstance(question, TrueFalse):
        return _truefalse(question, render, true_false)
    if isinstance(question, ShortAnswer):
        return _shortanswer(question, render)
    if isinstance(question, Numerical):
        return _numerical(question, render)
    if isinstance(question, Essay):
        return _essay(question, render)
    kinds = {
        "matching": "matching",
        "ordering": "ordering",
        "cloze": "embedded answers (cloze)",
        "description": "a description (text without an answer)",
    }
    return Converted(
        None,
        [
            Note(
                question,
                "type",
                f"left out of the Common Cartridge: its profile has no type for {kinds[question.type]}, "
                "and none of its six types keeps what is right and wrong",
                "cc-omitted",
            )
        ],
    )


def _multichoice(question: MultiChoice, render: Render) -> Converted:
    notes: list[Note] = []
    profile = MULTIPLE_CHOICE if question.single else MULTIPLE_RESPONSE
    item = _Item(question, profile, render)
    labels = []
    idents = [f"a{n}" for n in range(1, len(question.answers) + 1)]
    for index, (ident, answer) in enumerate(zip(idents, question.answers, strict=True)):
        labels.append(_choice_label(ident, render(answer.text, question, f"answers[{index}].text")))
    if question.single:
        for index, (ident, answer) in enumerate(zip(idents, question.answers, strict=True)):
            full = math.isclose(answer.grade, 100)
            if not full and answer.grade != 0:
                notes.append(_partial(question, index, answer))
            item.condition([_equal(ident)], score=full, feedback=_answer_feedback(question, render, index, answer))
    else:
        right = [ident for ident, a in zip(idents, question.answers, strict=True) if a.grade > 0]
        wrong = [ident for ident, a in zip(idents, question.answers, strict=True) if a.grade <= 0]
        test = Q("and", *[_equal(i, case=True) for i in right], *[Q("not", _equal(i, case=True)) for i in wrong])
        # the score opens the chain: Canvas reads the right answers from its `and` alone
        item.conditions.append(
            _el(Q.respcondition(Q.conditionvar(test), Q.setvar("100", action="Set", varname="SCORE")))
        )
        for index, (ident, answer) in enumerate(zip(idents, question.answers, strict=True)):
            if answer.feedback:
                item.condition([_equal(ident)], feedback=_answer_feedback(question, render, index, answer))
    cardinality = "Single" if question.single else "Multiple"
    response = Q.response_lid(
        Q.render_choice(*labels, shuffle="Yes" if question.shuffle else "No"), ident=RESPONSE, rcardinality=cardinality
    )
    return Converted(item.element(_el(response)), notes)


def _answer_feedback(question: Question, render: Render, index: int, answer: Choice) -> tuple[str, str] | None:
    if not answer.feedback:
        return None
    return f"a{index + 1}_fb", render(answer.feedback, question, f"answers[{index}].feedback")


def _partial(question: Question, index: int, answer: Choice | TextAnswer | NumericAnswer) -> Note:
    return Note(
        question,
        f"answers[{index}].grade",
        f"{number(answer.grade)}% of the points cannot be kept: the Common Cartridge item gives full points "
        "to the right answers and none to any other, so this answer counts as wrong",
        "cc-partial",
    )


def _truefalse(question: TrueFalse, render: Render, words: tuple[str, str]) -> Converted:
    item = _Item(question, TRUE_FALSE, render)
    # Moodle's importer throws unless the two labels are literally `true` and `false`
    labels = [_choice_label("true", words[0]), _choice_label("false", words[1])]
    for ident, text, fieldname in (
        ("true", question.feedback_true, "feedback_true"),
        ("false", question.feedback_false, "feedback_false"),
    ):
        feedback = (f"{ident}_fb", render(text, question, fieldname)) if text else None
        item.condition([_equal(ident)], score=question.correct == (ident == "true"), feedback=feedback)
    response = Q.response_lid(Q.render_choice(*labels), ident=RESPONSE, rcardinality="Single")
    return Converted(item.element(_el(response)), [])


def _fib_response() -> etree._Element:
    return _el(
        Q.response_str(
            Q.render_fib(Q.response_label(ident="answer1", rshuffle="No"), fibtype="String", prompt="Box"),
            ident=RESPONSE,
            rcardinality="Single",
        )
    )


def _shortanswer(question: ShortAnswer, render: Render) -> Converted:
    notes: list[Note] = []
    accepted: list[tuple[int, str]] = []
    catch_all: int | None = None
    for index, answer in enumerate(question.answers):
        wild = _WILDCARD.search(answer.text) is not None
        if math.isclose(answer.grade, 100):
            if wild:
                return _left_out_wildcard(question, index)
            accepted.append((index, answer.text.replace("\\*", "*")))
        elif answer.grade > 0:
            notes.append(_partial(question, index, answer))
        elif answer.text.strip() == "*":
            catch_all = index
        elif answer.feedback:
            notes.append(_wrong_feedback(question, index, answer.text))
    item = _text_item(question, render, accepted, catch_all, question.case_sensitive)
    return Converted(item, notes + _right_feedback_notes(question, accepted))


def _wrong_feedback(question: Question, index: int, text: str) -> Note:
    return Note(
        question,
        f"answers[{index}].feedback",
        f"the feedback for the wrong answer {text!r} is left out: a fill-in-the-blank item names only "
        "its right answers (Canvas takes every answer an item names as right)",
        "cc-partial",
    )


def _right_feedback_notes(question: ShortAnswer | Numerical, accepted: list[tuple[int, str]]) -> list[Note]:
    """The right answers share one feedback in the item: differing ones are left out."""
    if len({question.answers[i].feedback for i, _ in accepted}) < 2:
        return []
    index = accepted[0][0]
    return [
        Note(
            question,
            f"answers[{index}].feedback",
            "the right answers' feedback is left out: they differ, and a fill-in-the-blank item has one "
            "feedback for all its right answers",
            "cc-partial",
        )
    ]


def _text_item(
    question: ShortAnswer | Numerical,
    render: Render,
    accepted: list[tuple[int, str]],
    catch_all: int | None,
    case: bool,
) -> etree._Element:
    """A fill-in-the-blank item: one condition accepting every right text, then the feedback
    for any other answer (the `*` answer's), which names no text."""
    item = _Item(question, FILL_IN, render)
    answers = question.answers
    feedbacks = {answers[i].feedback for i, _ in accepted}
    right_feedback = None
    if len(feedbacks) == 1 and answers[accepted[0][0]].feedback:
        index = accepted[0][0]
        right_feedback = ("correct_fb", render(answers[index].feedback, question, f"answers[{index}].feedback"))
    item.condition([_equal(text, case) for _, text in accepted], score=True, feedback=right_feedback)
    if catch_all is not None and answers[catch_all].feedback:
        html = render(answers[catch_all].feedback, question, f"answers[{catch_all}].feedback")
        item.condition([_el(Q.other())], feedback=("incorrect_fb", html))
    return item.element(_fib_response())


def _left_out_wildcard(question: Question, index: int) -> Converted:
    return Converted(
        None,
        [
            Note(
                question,
                f"answers[{index}].text",
                "left out of the Common Cartridge: a right answer with the wildcard * has no equivalent "
                "in its fill-in-the-blank type, which compares whole texts",
                "cc-omitted",
            )
        ],
    )


def _numerical(question: Numerical, render: Render) -> Converted:
    if question.units:
        return _numerical_left_out(question, "units", "it has units, which the profile's types cannot check")
    accepted: list[tuple[int, str]] = []
    catch_all: int | None = None
    notes: list[Note] = []
    for index, answer in enumerate(question.answers):
        exact = _whole(answer)
        if math.isclose(answer.grade, 100):
            if exact is None:
                reason = (
                    "a right answer is any number"
                    if answer.value == "*"
                    else "a right answer has a tolerance or is not a whole number"
                )
                return _numerical_left_out(question, f"answers[{index}]", reason)
            accepted.append((index, exact))
        elif answer.grade > 0:
            notes.append(_partial(question, index, answer))
        elif answer.value == "*":
            catch_all = index
        elif answer.feedback:
            notes.append(_wrong_feedback(question, index, number(answer.value)))
    shown = ", ".join(text for _, text in accepted)
    notes.insert(
        0,
        Note(
            question,
            "type",
            f"becomes a fill-in-the-blank question in the Common Cartridge: it accepts {shown} typed "
            "exactly so (the same number written another way, e.g. with a decimal point, counts as wrong)",
            "cc-converted",
        ),
    )
    notes += _right_feedback_notes(question, accepted)
    return Converted(_text_item(question, render, accepted, catch_all, case=False), notes)


def _whole(answer: NumericAnswer) -> str | None:
    """The answer as the one text a learner types, when there is exactly one (a whole number)."""
    value = answer.value
    if value == "*" or answer.tolerance != 0 or not float(value).is_integer() or abs(value) >= 1e15:
        return None
    return str(int(value))


def _numerical_left_out(question: Numerical, fieldname: str, reason: str) -> Converted:
    return Converted(
        None,
        [
            Note(
                question,
                fieldname,
                f"left out of the Common Cartridge: {reason}; its fill-in-the-blank type compares whole texts "
                "and has no numbers",
                "cc-omitted",
            )
        ],
    )


def _essay(question: Essay, render: Render) -> Converted:
    item = _Item(question, ESSAY, render)
    return Converted(item.element(_fib_response()), [])


# ------------------------------------------------------------------------------ documents


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def assessment(ident: str, title: str, items: Sequence[etree._Element]) -> bytes:
    """An assessment (a quiz): the profile's metadata and one section holding the items."""
    fields = [
        ("cc_profile", EXAM),
        ("qmd_assessmenttype", "Examination"),
        ("qmd_scoretype", "Percentage"),
        ("qmd_feedbackpermitted", "Yes"),
        ("qmd_hintspermitted", "No"),
        ("qmd_solutionspermitted", "Yes"),
        ("cc_maxattempts", "unlimited"),
    ]
    root = Q.questestinterop(
        Q.assessment(
            Q.qtimetadata(*[Q.qtimetadatafield(Q.fieldlabel(k), Q.fieldentry(v)) for k, v in fields]),
            Q.section(*items, ident=f"{ident}_section"),
            ident=ident,
            title=title,
        )
    )
    return _serialize(_el(root))


def objectbank(ident: str, items: Sequence[etree._Element]) -> bytes:
    """A question bank: every item, no quiz around them."""
    return _serialize(_el(Q.questestinterop(Q.objectbank(*items, ident=ident))))
