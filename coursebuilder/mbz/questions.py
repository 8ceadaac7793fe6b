"""questions.xml: each quiz's own question bank, in Moodle's 4.0+ layout.

`backup_questions_structure_step` (backup/moodle2/backup_stepslib.php) nests
question_category → question_bank_entries/question_bank_entry → question_version/
question_versions → questions/question; each question carries its type's data in the
`plugin_qtype_<type>_question` element that type's backup plugin defines
(question/type/<type>/backup/moodle2/backup_qtype_<type>_plugin.class.php).

Categories live in the quiz's own context (context level 70), so the file restores alike on
4.1, where module banks are quiz banks, and on 5.x, where they are module banks too.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from coursebuilder.mbz import xml
from coursebuilder.mbz.files import Area
from coursebuilder.mbz.ids import stamp
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sections import Activity
from coursebuilder.model import (
    GAP_REF,
    Cloze,
    CombinedFeedback,
    Description,
    Essay,
    Gap,
    Hint,
    Matching,
    MultiChoice,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
)
from coursebuilder.moodle import cloze
from coursebuilder.moodle.codes import (
    CLOZE_LAYOUT,
    CONTEXT_MODULE,
    FORMAT_HTML,
    FORMAT_MOODLE,
    FORMAT_PLAIN,
    MOODLE_QTYPE,
    ORDERING_GRADING,
    ORDERING_LAYOUT,
    ORDERING_SELECT,
    SHOW_UNITS,
    UNIT_GRADING,
)


@dataclass
class Bank:
    """A quiz's question bank: what quiz.xml and inforef.xml need from questions.xml."""

    categories: list[int] = field(default_factory=list)
    slots: list[tuple[int, float]] = field(default_factory=list)
    """(question bank entry id, mark) per quiz slot, in quiz order."""

    @property
    def total(self) -> float:
        return sum(mark for _, mark in self.slots)


def fraction(percent: float) -> str:
    return xml.decimal(percent / 100, 7)


QUESTIONS_FILE = "questions.xml"
_HEAD = xml.DECLARATION + b"<question_categories>\n"
_TAIL = b"</question_categories>\n"


class QuestionBank:
    """Writes the categories and questions of every quiz into one questions.xml.

    Each quiz's categories are written to the archive as soon as the quiz is done: the same
    bytes as the whole tree at the end (a category's indentation depends only on its own
    elements and its depth), without holding every question's elements at once.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self.root = xml.element("question_categories")
        self._tags: dict[str, int] = {}
        self._started = False

    def _flush(self) -> None:
        """Move the finished categories from the tree to the end of questions.xml."""
        if len(self.root) == 0:
            return
        document = xml.to_bytes(self.root)
        if not (document.startswith(_HEAD) and document.endswith(_TAIL)):
            raise AssertionError("questions.xml does not start and end as expected")
        if not self._started:
            self.job.entries.append(QUESTIONS_FILE, _HEAD)
            self._started = True
        self.job.entries.append(QUESTIONS_FILE, document[len(_HEAD) : -len(_TAIL)])
        for category in list(self.root):
            self.root.remove(category)

    def finish(self) -> None:
        """Close questions.xml (after the last quiz)."""
        self._flush()
        if self._started:
            self.job.entries.append(QUESTIONS_FILE, _TAIL)
        else:
            self.job.put(QUESTIONS_FILE, self.root)

    # ------------------------------------------------------------------ categories

    def add_bank(self, activity: Activity) -> Bank:
        """Create the quiz's categories and write its questions; return its slots."""
        bank = Bank()
        top = self._category(activity, "top", 0, 0, "top", bank)
        default = self._category(activity, activity.name, top[0], 999, "default", bank)
        children: dict[tuple[str, ...], tuple[int, etree._Element]] = {(): default}
        for question in activity.questions:
            path = tuple(part.strip() for part in (question.category or "").split("/") if part.strip())
            for depth in range(1, len(path) + 1):
                key = path[:depth]
                if key not in children:
                    parent_id = children[key[:-1]][0]
                    children[key] = self._category(activity, key[-1], parent_id, 999, "/".join(key), bank)
            category_id, category = children[path]
            entries = category.find("question_bank_entries")
            assert entries is not None
            entry_id, mark = self._question(activity, question, category_id, entries)
            bank.slots.append((entry_id, mark))
        self._flush()
        return bank

    def _category(
        self, activity: Activity, name: str, parent: int, sortorder: int, key: str, bank: Bank
    ) -> tuple[int, etree._Element]:
        category_id = self.job.ids.category()
        bank.categories.append(category_id)
        node = xml.child(
            self.root,
            "question_category",
            {"id": category_id},
            [
                ("name", name),
                ("contextid", activity.contextid),
                ("contextlevel", CONTEXT_MODULE),
                ("contextinstanceid", activity.cmid),
                ("info", ""),
                ("infoformat", FORMAT_MOODLE),
                ("stamp", stamp(self.job.course.info.id, "category", str(activity.cmid), key)),
                ("parent", parent),
                ("sortorder", sortorder),
                ("idnumber", None),
            ],
        )
        xml.child(node, "question_bank_entries")
        return category_id, node

    # ------------------------------------------------------------------ questions

    def _entry(
        self,
        entries: etree._Element,
        category_id: int,
        idnumber: str | None,
        question_id: int,
    ) -> etree._Element:
        """A bank entry with its one version; returns the `<questions>` element to fill."""
        entry = xml.child(
            entries,
            "question_bank_entry",
            {"id": question_id},
            [
                ("questioncategoryid", category_id),
                ("idnumber", idnumber),
                ("ownerid", self.job.userid),
                ("nextversion", 2),
            ],
        )
        versions = xml.child(xml.child(entry, "question_version"), "question_versions", {"id": question_id})
        xml.add_fields(versions, [("version", 1), ("status", "ready")])
        return xml.child(versions, "questions")

    def _question(
        self, activity: Activity, question: Question, category_id: int, entries: etree._Element
    ) -> tuple[int, float]:
        """Write one question (and a cloze question's parts); return its entry id and mark."""
        qid = self.job.ids.question()
        ctx = activity.contextid
        writer = _Writer(self, activity, question, qid)
        qtype = MOODLE_QTYPE[question.type]
        if isinstance(question, Cloze):
            mark = float(sum(gap.weight for gap in question.gaps))
            text = writer.html(question.text, "question", "questiontext", qid)
            numbers = {gap.id: index for index, gap in enumerate(question.gaps, start=1)}
            text = GAP_REF.sub(lambda match: f"{{#{numbers[match.group(1)]}}}", text)
        else:
            mark = 0.0 if isinstance(question, Description) else float(question.points)
            text = writer.html(question.text, "question", "questiontext", qid)
        questions = self._entry(entries, category_id, question.id, qid)
        node = xml.child(
            questions,
            "question",
            {"id": qid},
            self._fields(
                parent=0,
                name=question.display_name,
                text=text,
                general_feedback=writer.html(question.general_feedback, "question", "generalfeedback", qid),
                mark=mark,
                penalty=0.0 if isinstance(question, Description) else question.penalty,
                qtype=qtype,
                length=0 if isinstance(question, Description) else 1,
                stamp_key=(question.id,),
            ),
        )
        if isinstance(question, Cloze):
            parts = [self._cloze_part(activity, question, gap, qid, category_id, entries) for gap in question.gaps]
            plugin = xml.child(node, "plugin_qtype_multianswer_question")
            xml.child(plugin, "answers")
            xml.child(
                plugin,
                "multianswer",
                {"id": self.job.ids.record()},
                [("question", qid), ("sequence", ",".join(str(part) for part in parts))],
            )
        else:
            PLUGINS[question.type](writer, node, question)
        self._trailer(node, question.hints, writer, ctx, question.tags)
        return qid, mark

    def _fields(
        self,
        *,
        parent: int,
        name: str,
        text: str,
        general_feedback: str,
        mark: float,
        penalty: float,
        qtype: str,
        length: int,
        stamp_key: tuple[str, ...],
    ) -> list[tuple[str, xml.Value]]:
        return [
            ("parent", parent),
            ("name", name),
            ("questiontext", text),
            ("questiontextformat", FORMAT_HTML),
            ("generalfeedback", general_feedback),
            ("generalfeedbackformat", FORMAT_HTML),
            ("defaultmark", xml.decimal(mark, 7)),
            ("penalty", xml.decimal(penalty, 7)),
            ("qtype", qtype),
            ("length", length),
            ("stamp", stamp(self.job.course.info.id, "question", *stamp_key)),
            ("timecreated", 0),
            ("timemodified", 0),
            ("createdby", self.job.userid),
            ("modifiedby", self.job.userid),
        ]

    def _trailer(
        self, node: etree._Element, hints: list[Hint], writer: _Writer, contextid: int, tags: list[str]
    ) -> None:
        """The qbank plugins' (empty) data, hints and tags that follow the type's data."""
        xml.child(xml.child(node, "plugin_qbank_comment_question"), "comments")
        xml.child(xml.child(node, "plugin_qbank_customfields_question"), "customfields")
        hints_node = xml.child(node, "question_hints")
        for hint in hints:
            hint_id = self.job.ids.record()
            xml.child(
                hints_node,
                "question_hint",
                {"id": hint_id},
                [
                    ("hint", writer.html(hint.text, "question", "hint", hint_id)),
                    ("hintformat", FORMAT_HTML),
                    ("shownumcorrect", hint.show_num_correct),
                    ("clearwrong", hint.clear_wrong),
                    ("options", None),
                ],
            )
        tags_node = xml.child(node, "tags")
        for raw in dict.fromkeys(tag.strip() for tag in tags if tag.strip()):
            name = raw.lower()
            tag_id = self._tags.setdefault(name, self.job.ids.tag())
            xml.child(tags_node, "tag", {"id": tag_id, "contextid": contextid}, [("name", name), ("rawname", raw)])

    def _cloze_part(
        self, activity: Activity, question: Cloze, gap: Gap, parent: int, category_id: int, entries: etree._Element
    ) -> int:
        """A gap as the sub-question qtype_multianswer keeps for it, in the parent's category."""
        qid = self.job.ids.question()
        qtype = (
            "numerical" if gap.type == "numerical" else "shortanswer" if gap.type.startswith("short") else "multichoice"
        )
        questions = self._entry(entries, category_id, None, qid)
        node = xml.child(
            questions,
            "question",
            {"id": qid},
            self._fields(
                parent=parent,
                name=question.display_name,
                text=cloze.subquestion_text(gap, xml.number),
                general_feedback="",
                mark=float(gap.weight),
                penalty=question.penalty,
                qtype=qtype,
                length=1,
                stamp_key=(question.id, gap.id),
            ),
        )
        plugin = xml.child(node, f"plugin_qtype_{qtype}_question")
        answers = xml.child(plugin, "answers")
        answer_ids: list[int] = []
        for answer in gap.answers:
            answer_id = self.job.ids.answer()
            answer_ids.append(answer_id)
            text = html.escape(answer.text, quote=False) if qtype == "multichoice" else answer.text
            _answer(
                answers,
                answer_id,
                text,
                FORMAT_HTML if qtype == "multichoice" else FORMAT_MOODLE,
                answer.grade,
                html.escape(answer.feedback, quote=False),
            )
        if qtype == "shortanswer":
            xml.child(
                plugin, "shortanswer", {"id": self.job.ids.record()}, [("usecase", gap.type == "shortanswer_case")]
            )
        elif qtype == "numerical":
            xml.child(plugin, "numerical_units")
            _numerical_options(self.job, plugin, show_units=SHOW_UNITS["none"], left=False, grading=0, penalty=0.1)
            records = xml.child(plugin, "numerical_records")
            for answer, answer_id in zip(gap.answers, answer_ids, strict=True):
                xml.child(
                    records,
                    "numerical_record",
                    {"id": self.job.ids.record()},
                    [("answer", answer_id), ("tolerance", xml.number(answer.tolerance))],
                )
        else:
            _multichoice_options(
                self.job,
                plugin,
                layout=CLOZE_LAYOUT[gap.type],
                single=not gap.type.startswith("multiresponse"),
                shuffle=gap.shuffle,
                feedback=("", "", ""),
                numbering="none",
                show_num_correct=False,
                standard_instruction=False,
            )
        xml.child(xml.child(node, "plugin_qbank_comment_question"), "comments")
        xml.child(xml.child(node, "plugin_qbank_customfields_question"), "customfields")
        xml.child(node, "question_hints")
        xml.child(node, "tags")
        return qid


class _Writer:
    """Renders one question's texts into its files (question context = the quiz's context)."""

    def __init__(self, bank: QuestionBank, activity: Activity, question: Question, qid: int) -> None:
        self.bank = bank
        self.job = bank.job
        self.activity = activity
        self.question = question
        self.qid = qid

    def html(self, text: str, component: str, filearea: str, itemid: int, inline: bool = False) -> str:
        area = Area(self.activity.contextid, component, filearea, itemid)
        return self.job.files.html(text, self.question.source_file, area, inline=inline)

    def choice(self, text: str, itemid: int) -> str:
        """An answer's text: one line stays inline, longer Markdown keeps its blocks."""
        return self.html(text, "question", "answer", itemid, inline="\n\n" not in text.strip())

    def combined(self, feedback: CombinedFeedback) -> tuple[str, str, str]:
        return (
            self.html(feedback.correct, "question", "correctfeedback", self.qid),
            self.html(feedback.partially_correct, "question", "partiallycorrectfeedback", self.qid),
            self.html(feedback.incorrect, "question", "incorrectfeedback", self.qid),
        )


def _answer(parent: etree._Element, answer_id: int, text: str, text_format: int, grade: float, feedback: str) -> None:
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


def _multichoice_options(
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


def _numerical_options(
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


def _multichoice(w: _Writer, node: etree._Element, q: Question) -> None:
    assert isinstance(q, MultiChoice)
    plugin = xml.child(node, "plugin_qtype_multichoice_question")
    answers = xml.child(plugin, "answers")
    for choice in q.answers:
        aid = w.job.ids.answer()
        feedback = w.html(choice.feedback, "question", "answerfeedback", aid)
        _answer(answers, aid, w.choice(choice.text, aid), FORMAT_HTML, choice.grade, feedback)
    _multichoice_options(
        w.job,
        plugin,
        layout=0,
        single=q.single,
        shuffle=q.shuffle,
        feedback=w.combined(q.feedback),
        numbering=q.numbering,
        show_num_correct=q.feedback.show_num_correct,
        standard_instruction=q.show_standard_instruction,
    )


def _truefalse(w: _Writer, node: etree._Element, q: Question) -> None:
    assert isinstance(q, TrueFalse)
    plugin = xml.child(node, "plugin_qtype_truefalse_question")
    answers = xml.child(plugin, "answers")
    true_id, false_id = w.job.ids.answer(), w.job.ids.answer()
    for aid, label, right, feedback in (
        (true_id, "True", q.correct, q.feedback_true),
        (false_id, "False", not q.correct, q.feedback_false),
    ):
        html_feedback = w.html(feedback, "question", "answerfeedback", aid)
        _answer(answers, aid, label, FORMAT_MOODLE, 100 if right else 0, html_feedback)
    xml.child(
        plugin,
        "truefalse",
        {"id": w.job.ids.record()},
        [("trueanswer", true_id), ("falseanswer", false_id), ("showstandardinstruction", 0)],
    )


def _shortanswer(w: _Writer, node: etree._Element, q: Question) -> None:
    assert isinstance(q, ShortAnswer)
    plugin = xml.child(node, "plugin_qtype_shortanswer_question")
    answers = xml.child(plugin, "answers")
    for answer in q.answers:
        aid = w.job.ids.answer()
        _answer(
            answers,
            aid,
            answer.text,
            FORMAT_MOODLE,
            answer.grade,
            w.html(answer.feedback, "question", "answerfeedback", aid),
        )
    xml.child(plugin, "shortanswer", {"id": w.job.ids.record()}, [("usecase", q.case_sensitive)])


def _numerical(w: _Writer, node: etree._Element, q: Question) -> None:
    assert isinstance(q, Numerical)
    plugin = xml.child(node, "plugin_qtype_numerical_question")
    answers = xml.child(plugin, "answers")
    answer_ids: list[int] = []
    for answer in q.answers:
        aid = w.job.ids.answer()
        answer_ids.append(aid)
        value = "*" if answer.value == "*" else xml.number(float(answer.value))
        _answer(
            answers, aid, value, FORMAT_MOODLE, answer.grade, w.html(answer.feedback, "question", "answerfeedback", aid)
        )
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
    _numerical_options(
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


def _match(w: _Writer, node: etree._Element, q: Question) -> None:
    assert isinstance(q, Matching)
    plugin = xml.child(node, "plugin_qtype_match_question")
    xml.child(
        plugin,
        "matchoptions",
        {"id": w.job.ids.record()},
        [
            ("shuffleanswers", q.shuffle),
            *_combined_fields(w.combined(q.feedback)),
            ("shownumcorrect", q.feedback.show_num_correct),
        ],
    )
    matches = xml.child(plugin, "matches")
    for pair in q.pairs:
        match_id = w.job.ids.record()
        text = w.html(pair.question, "qtype_match", "subquestion", match_id, inline="\n\n" not in pair.question.strip())
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


def _essay(w: _Writer, node: etree._Element, q: Question) -> None:
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
            ("graderinfo", w.html(q.grader_info, "qtype_essay", "graderinfo", w.qid)),
            ("graderinfoformat", FORMAT_HTML),
            ("responsetemplate", template),
            ("responsetemplateformat", FORMAT_PLAIN if plain else FORMAT_HTML),
            ("filetypeslist", ",".join(q.file_types)),
            ("maxbytes", q.max_bytes),
        ],
    )


def _description(w: _Writer, node: etree._Element, q: Question) -> None:
    """Moodle's description type has no backup plugin, so no `plugin_qtype_description_question`."""
    assert isinstance(q, Description)


def _ordering(w: _Writer, node: etree._Element, q: Question) -> None:
    assert isinstance(q, Ordering)
    correct, partial, incorrect = w.combined(q.feedback)
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


PLUGINS: dict[str, Callable[[_Writer, etree._Element, Question], None]] = {
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
