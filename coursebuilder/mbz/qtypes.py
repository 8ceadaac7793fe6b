"""questions.xml: one writer per question type, of the `plugin_qtype_<type>_question` element
that type's backup plugin defines (question/type/<type>/backup/moodle2/
backup_qtype_<type>_plugin.class.php), and the parts they share.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from lxml import etree

from coursebuilder.mbz import xml
from coursebuilder.mbz.files import Area, TableField
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sections import Activity
from coursebuilder.model import (
    CombinedFeedback,
    Description,
    Essay,
    Matching,
    MultiChoice,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
)
from coursebuilder.moodle.codes import (
    FORMAT_HTML,
    FORMAT_MOODLE,
    FORMAT_PLAIN,
    ORDERING_GRADING,
    ORDERING_LAYOUT,
    ORDERING_SELECT,
    SHOW_UNITS,
    UNIT_GRADING,
)

if TYPE_CHECKING:
    from coursebuilder.mbz.questions import QuestionBank


ANSWER: TableField = ("question_answers", "answer")
ANSWER_FEEDBACK: TableField = ("question_answers", "feedback")


def fraction(percent: float) -> str:
    return xml.decimal(percent / 100, 7)


class QuestionTexts:
    """Renders one question's texts into its files (question context = the quiz's context)."""

    def __init__(self, bank: QuestionBank, activity: Activity, question: Question, qid: int) -> None:
        self.bank = bank
        self.job = bank.job
        self.activity = activity
        self.question = question
        self.qid = qid

    def html(
        self, text: str, component: str, filearea: str, itemid: int, field: TableField, inline: bool = False
    ) -> str:
        """Render a text restored into `field`, whose files go to the file area named."""
        area = Area(self.activity.contextid, component, filearea, itemid)
        return self.job.files.html(text, self.question.source_file, area, field, inline=inline)

    def choice(self, text: str, itemid: int) -> str:
        """An answer's text: one line stays inline, longer Markdown keeps its blocks."""
        return self.html(text, "question", "answer", itemid, ANSWER, inline="\n\n" not in text.strip())

    def answer_feedback(self, text: str, itemid: int) -> str:
        return self.html(text, "question", "answerfeedback", itemid, ANSWER_FEEDBACK)

    def combined(self, feedback: CombinedFeedback, table: str) -> tuple[str, str, str]:
        """The combined feedback, kept in the `question` component's file areas whatever the
        type, restored into the fields of the same names of the type's options `table`."""
        return (
            self.html(feedback.correct, "question", "correctfeedback", self.qid, (table, "correctfeedback")),
            self.html(
                feedback.partially_correct,
                "question",
                "partiallycorrectfeedback",
                self.qid,
                (table, "partiallycorrectfeedback"),
            ),
            self.html(feedback.incorrect, "question", "incorrectfeedback", self.qid, (table, "incorrectfeedback")),
        )


def answer_element(
    parent: etree._Element, answer_id: int, text: str, text_format: int, grade: float, feedback: str
) -> None:
    """A question_answers row (`backup_qtype_plugin::add_question_question_answers`)."""
    xml.child(
        parent,
        "answer",
        {"id": answer_id},
        [
            ("answertext", text),
            ("answerformat", text_format),
            ("fraction", fraction(grade)),
            ("feedback", feedback),
            ("feedbackformat", FORMAT_HTML),
        ],
    )


def _combined_fields(feedback: tuple[str, str, str]) -> list[tuple[str, xml.Value]]:
    correct, partial, incorrect = feedback
    return [
        ("correctfeedback", correct),
        ("correctfeedbackformat", FORMAT_HTML),
        ("partiallycorrectfeedback", partial),
        ("partiallycorrectfeedbackformat", FORMAT_HTML),
        ("incorrectfeedback", incorrect),
        ("incorrectfeedbackformat", FORMAT_HTML),
    ]


def multichoice_options(
    job: Job,
    plugin: etree._Element,
    *,
    layout: int,
    single: bool,
    shuffle: bool,
    feedback: tuple[str, str, str],
    numbering: str,
    show_num_correct: bool,
    standard_instruction: bool,
) -> None:
    xml.child(
        plugin,
        "multichoice",
        {"id": job.ids.record()},
        [
            ("layout", layout),
            ("single", single),
            ("shuffleanswers", shuffle),
            *_combined_fields(feedback),
            ("answernumbering", numbering),
            ("shownumcorrect", show_num_correct),
            ("showstandardinstruction", standard_instruction),
        ],
    )


def numerical_options(
    job: Job, plugin: etree._Element, *, show_units: int, left: bool, grading: int, penalty: float
) -> None:
    options = xml.child(plugin, "numerical_options")
    xml.child(
        options,
        "numerical_option",
        {"id": job.ids.record()},
        [
            ("instructions", ""),
            ("instructionsformat", FORMAT_HTML),
            ("showunits", show_units),
            ("unitsleft", left),
            ("unitgradingtype", grading),
            ("unitpenalty", xml.decimal(penalty, 7)),
        ],
    )


# ---------------------------------------------------------------------- one writer per type


def _multichoice(w: QuestionTexts, node: etree._Element, q: Question) -> None:
    assert isinstance(q, MultiChoice)
    plugin = xml.child(node, "plugin_qtype_multichoice_question")
    answers = xml.child(plugin, "answers")
    for choice in q.answers:
        aid = w.job.ids.answer()
        feedback = w.answer_feedback(choice.feedback, aid)
        answer_element(answers, aid, w.choice(choice.text, aid), FORMAT_HTML, choice.grade, feedback)
    multichoice_options(
        w.job,
        plugin,
        layout=0,
        single=q.single,
        shuffle=q.shuffle,
        feedback=w.combined(q.feedback, "qtype_multichoice_options"),
        numbering=q.numbering,
        show_num_correct=q.feedback.show_num_correct,
        standard_instruction=q.show_standard_instruction,
    )


def _truefalse(w: QuestionTexts, node: etree._Element, q: Question) -> None:
    assert isinstance(q, TrueFalse)
    plugin = xml.child(node, "plugin_qtype_truefalse_question")
    answers = xml.child(plugin, "answers")
    true_id, false_id = w.job.ids.answer(), w.job.ids.answer()
    for aid, label, right, feedback in (
        (true_id, "True", q.correct, q.feedback_true),
        (false_id, "False", not q.correct, q.feedback_false),
    ):
        html_feedback = w.answer_feedback(feedback, aid)
        answer_element(answers, aid, label, FORMAT_MOODLE, 100 if right else 0, html_feedback)
    xml.child(
        plugin,
        "truefalse",
        {"id": w.job.ids.record()},
        [("trueanswer", true_id), ("falseanswer", false_id), ("showstandardinstruction", 0)],
    )


def _shortanswer(w: QuestionTexts, node: etree._Element, q: Question) -> None:
    assert isinstance(q, ShortAnswer)
    plugin = xml.child(node, "plugin_qtype_shortanswer_question")
    answers = xml.child(plugin, "answers")
    for answer in q.answers:
        aid = w.job.ids.answer()
        answer_element(
            answers,
            aid,
            answer.text,
            FORMAT_MOODLE,
            answer.grade,
            w.answer_feedback(answer.feedback, aid),
        )
    xml.child(plugin, "shortanswer", {"id": w.job.ids.record()}, [("usecase", q.case_sensitive)])


def _numerical(w: QuestionTexts, node: etree._Element, q: Question) -> None:
    assert isinstance(q, Numerical)
    plugin = xml.child(node, "plugin_qtype_numerical_question")
    answers = xml.child(plugin, "answers")
    answer_ids: list[int] = []
    for answer in q.answers:
        aid = w.job.ids.answer()
        answer_ids.append(aid)
        value = "*" if answer.value == "*" else xml.number(float(answer.value))
        answer_element(answers, aid, value, FORMAT_MOODLE, answer.grade, w.answer_feedback(answer.feedback, aid))
    units = xml.child(plugin, "numerical_units")
    for unit in q.units:
        xml.child(
            units,
            "numerical_unit",
            {"id": w.job.ids.record()},
            [
                ("multiplier", xml.number(unit.multiplier) if math.isfinite(unit.multiplier) else "1"),
                ("unit", unit.name),
            ],
        )
    numerical_options(
        w.job,
        plugin,
        show_units=SHOW_UNITS[q.show_units] if q.units else SHOW_UNITS["none"],
        left=q.units_left,
        grading=UNIT_GRADING[q.unit_grading] if q.units else 0,
        penalty=q.unit_penalty,
    )
    records = xml.child(plugin, "numerical_records")
    for answer, aid in zip(q.answers, answer_ids, strict=True):
        xml.child(
            records,
            "numerical_record",
            {"id": w.job.ids.record()},
            [("answer", aid), ("tolerance", xml.number(answer.tolerance))],
        )


def _match(w: QuestionTexts, node: etree._Element, q: Question) -> None:
    assert isinstance(q, Matching)
    plugin = xml.child(node, "plugin_qtype_match_question")
    xml.child(
        plugin,
        "matchoptions",
        {"id": w.job.ids.record()},
        [
            ("shuffleanswers", q.shuffle),
            *_combined_fields(w.combined(q.feedback, "qtype_match_options")),
            ("shownumcorrect", q.feedback.show_num_correct),
        ],
    )
    matches = xml.child(plugin, "matches")
    for pair in q.pairs:
        match_id = w.job.ids.record()
        text = w.html(
            pair.question,
            "qtype_match",
            "subquestion",
            match_id,
            ("qtype_match_subquestions", "questiontext"),
            inline="\n\n" not in pair.question.strip(),
        )
        xml.child(
            matches,
            "match",
            {"id": match_id},
            [("questiontext", text), ("questiontextformat", FORMAT_HTML), ("answertext", pair.answer)],
        )
    for distractor in q.distractors:
        xml.child(
            matches,
            "match",
            {"id": w.job.ids.record()},
            [("questiontext", ""), ("questiontextformat", FORMAT_HTML), ("answertext", distractor)],
        )


def _essay(w: QuestionTexts, node: etree._Element, q: Question) -> None:
    assert isinstance(q, Essay)
    plugin = xml.child(node, "plugin_qtype_essay_question")
    plain = q.response_format in ("plain", "monospaced")
    template = (
        q.response_template
        if plain
        else (f"<p>{html.escape(q.response_template, quote=False)}</p>" if q.response_template else "")
    )
    xml.child(
        plugin,
        "essay",
        {"id": w.job.ids.record()},
        [
            ("responseformat", q.response_format),
            ("responserequired", q.response_required),
            ("responsefieldlines", q.response_lines),
            ("minwordlimit", q.min_words),
            ("maxwordlimit", q.max_words),
            ("attachments", q.attachments),
            ("attachmentsrequired", q.attachments_required),
            (
                "graderinfo",
                w.html(q.grader_info, "qtype_essay", "graderinfo", w.qid, ("qtype_essay_options", "graderinfo")),
            ),
            ("graderinfoformat", FORMAT_HTML),
            ("responsetemplate", template),
            ("responsetemplateformat", FORMAT_PLAIN if plain else FORMAT_HTML),
            ("filetypeslist", ",".join(q.file_types)),
            ("maxbytes", q.max_bytes),
        ],
    )


def _description(w: QuestionTexts, node: etree._Element, q: Question) -> None:
    """Moodle's description type has no backup plugin, so no `plugin_qtype_description_question`."""
    assert isinstance(q, Description)


def _ordering(w: QuestionTexts, node: etree._Element, q: Question) -> None:
    assert isinstance(q, Ordering)
    correct, partial, incorrect = w.combined(q.feedback, "qtype_ordering_options")
    plugin = xml.child(node, "plugin_qtype_ordering_question")
    answers = xml.child(plugin, "answers")
    for position, item in enumerate(q.items, start=1):
        xml.child(
            answers,
            "answer",
            {"id": w.job.ids.answer()},
            [
                ("answertext", html.escape(item, quote=False)),
                ("answerformat", FORMAT_HTML),
                ("fraction", xml.decimal(position, 7)),
                ("feedback", ""),
                ("feedbackformat", FORMAT_MOODLE),
            ],
        )
    # The ordering plugin lists incorrect feedback before partially correct feedback.
    xml.child(
        plugin,
        "ordering",
        {"id": w.job.ids.record()},
        [
            ("layouttype", ORDERING_LAYOUT[q.layout]),
            ("selecttype", ORDERING_SELECT[q.select_type]),
            ("selectcount", q.select_count if q.select_type != "all" else 0),
            ("gradingtype", ORDERING_GRADING[q.grading_type]),
            ("showgrading", q.show_grading),
            ("numberingstyle", q.numbering),
            ("correctfeedback", correct),
            ("correctfeedbackformat", FORMAT_HTML),
            ("incorrectfeedback", incorrect),
            ("incorrectfeedbackformat", FORMAT_HTML),
            ("partiallycorrectfeedback", partial),
            ("partiallycorrectfeedbackformat", FORMAT_HTML),
            ("shownumcorrect", q.feedback.show_num_correct),
        ],
    )


PLUGINS: dict[str, Callable[[QuestionTexts, etree._Element, Question], None]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _match,
    "essay": _essay,
    "description": _description,
    "ordering": _ordering,
}
"""Writers of `plugin_qtype_<type>_question` (cloze is written by the bank: it has parts)."""
