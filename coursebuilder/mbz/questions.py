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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from coursebuilder.mbz import xml
from coursebuilder.mbz.ids import stamp
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.qtypes import (
    PLUGINS,
    QuestionTexts,
    answer_element,
    multichoice_options,
    numerical_options,
)
from coursebuilder.mbz.sections import Activity
from coursebuilder.model import (
    Cloze,
    Description,
    Gap,
    Hint,
    Question,
    replace_gaps,
)
from coursebuilder.moodle import cloze
from coursebuilder.moodle.codes import (
    CLOZE_LAYOUT,
    CONTEXT_MODULE,
    FORMAT_HTML,
    FORMAT_MOODLE,
    MOODLE_QTYPE,
    SHOW_UNITS,
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


def _entry_template() -> etree._Element:
    """A bank entry with its one version and an empty `<questions>`, the same for every question.

    Its ids, category, owner and idnumber are filled in per question (fields 0 to 3; the
    version's id); made once, copied per question, which is cheaper than building it.
    """
    entry = xml.element(
        "question_bank_entry",
        {"id": ""},
        [("questioncategoryid", ""), ("idnumber", None), ("ownerid", ""), ("nextversion", 2)],
    )
    versions = xml.child(xml.child(entry, "question_version"), "question_versions", {"id": ""})
    xml.add_fields(versions, [("version", 1), ("status", "ready")])
    xml.child(versions, "questions")
    return entry


def _trailer_template() -> etree._Element:
    """The containers that close every question: the qbank plugins' (empty) data, hints, tags."""
    holder = xml.element("trailer")
    xml.child(xml.child(holder, "plugin_qbank_comment_question"), "comments")
    xml.child(xml.child(holder, "plugin_qbank_customfields_question"), "customfields")
    xml.child(holder, "question_hints")
    xml.child(holder, "tags")
    return holder


_ENTRY = _entry_template()
_TRAILER = _trailer_template()

QUESTIONS_FILE = "questions.xml"
HEAD = xml.DECLARATION + b"<question_categories>\n"
TAIL = b"</question_categories>\n"
"""questions.xml is `HEAD`, each quiz's categories in quiz order, then `TAIL`: with no quiz,
the empty container as `xml.to_bytes` writes it."""


def question_tags(quizzes: Iterable[Activity]) -> dict[str, int]:
    """The id of each tag (by its lower-case name) the quizzes' questions carry: in order of
    first use, so that every part of the backup gives a tag the same id."""
    tags: dict[str, int] = {}
    for activity in quizzes:
        for question in activity.questions:
            for tag in question.tags:
                name = tag.strip().lower()
                if name and name not in tags:
                    tags[name] = len(tags) + 1
    return tags


class QuestionBank:
    """Writes the categories and questions of quizzes into the middle of questions.xml.

    Each quiz's categories are appended to the entry as soon as the quiz is done: the same
    bytes as the whole tree at the end (a category's indentation depends only on its own
    elements and its depth), without holding every question's elements at once. The head and
    tail are the backup's to add (`HEAD`, `TAIL`), around the quizzes of every part.
    """

    def __init__(self, job: Job, tags: Mapping[str, int]) -> None:
        self.job = job
        self.root = xml.element("question_categories")
        self._tags = tags
        """Tag ids by name (`question_tags`)."""

    def _flush(self) -> None:
        """Move the finished categories from the tree to the end of questions.xml."""
        if len(self.root) == 0:
            return
        document = xml.to_bytes(self.root)
        if not (document.startswith(HEAD) and document.endswith(TAIL)):
            raise AssertionError("questions.xml does not start and end as expected")
        self.job.entries.append(QUESTIONS_FILE, document[len(HEAD) : -len(TAIL)])
        for category in list(self.root):
            self.root.remove(category)

    def finish(self) -> None:
        """Write what is left (after the share's last quiz)."""
        self._flush()

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
        entry = xml.graft(entries, _ENTRY)
        entry.set("id", str(question_id))
        category, owner, version = entry[0], entry[2], entry[4]
        category.text = str(category_id)
        if idnumber is not None:
            entry[1].text = idnumber
        owner.text = str(self.job.userid)
        versions = version[0]
        versions.set("id", str(question_id))
        return versions[2]

    def _question(
        self, activity: Activity, question: Question, category_id: int, entries: etree._Element
    ) -> tuple[int, float]:
        """Write one question (and a cloze question's parts); return its entry id and mark."""
        qid = self.job.ids.question()
        ctx = activity.contextid
        writer = QuestionTexts(self, activity, question, qid)
        qtype = MOODLE_QTYPE[question.type]
        if isinstance(question, Cloze):
            mark = float(sum(gap.weight for gap in question.gaps))
            numbers = {gap.id: index for index, gap in enumerate(question.gaps, start=1)}
            # Moodle keeps the text with `{#n}` where gap n was. Each gap is replaced in the
            # Markdown, where its formulas are told apart: `{#n}`, like `{{id}}`, is a brace at
            # either end to Markdown, so the rendering around it is the same.
            placed = replace_gaps(question.text, lambda gap_id: f"{{#{numbers[gap_id]}}}")
            text = writer.html(placed, "question", "questiontext", qid, ("question", "questiontext"))
        else:
            mark = 0.0 if isinstance(question, Description) else float(question.points)
            text = writer.html(question.text, "question", "questiontext", qid, ("question", "questiontext"))
        questions = self._entry(entries, category_id, question.id, qid)
        node = xml.child(
            questions,
            "question",
            {"id": qid},
            self._fields(
                parent=0,
                name=question.display_name,
                text=text,
                general_feedback=writer.html(
                    question.general_feedback, "question", "generalfeedback", qid, ("question", "generalfeedback")
                ),
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
        self, node: etree._Element, hints: list[Hint], writer: QuestionTexts, contextid: int, tags: list[str]
    ) -> None:
        """The qbank plugins' (empty) data, hints and tags that follow the type's data."""
        xml.graft_children(node, _TRAILER)
        hints_node, tags_node = node[-2], node[-1]
        for hint in hints:
            hint_id = self.job.ids.record()
            xml.child(
                hints_node,
                "question_hint",
                {"id": hint_id},
                [
                    ("hint", writer.html(hint.text, "question", "hint", hint_id, ("question_hints", "hint"))),
                    ("hintformat", FORMAT_HTML),
                    ("shownumcorrect", hint.show_num_correct),
                    ("clearwrong", hint.clear_wrong),
                    ("options", None),
                ],
            )
        for raw in dict.fromkeys(tag.strip() for tag in tags if tag.strip()):
            name = raw.lower()
            tag_id = self._tags[name]
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
            answer_element(
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
            numerical_options(self.job, plugin, show_units=SHOW_UNITS["none"], left=False, grading=0, penalty=0.1)
            records = xml.child(plugin, "numerical_records")
            for answer, answer_id in zip(gap.answers, answer_ids, strict=True):
                xml.child(
                    records,
                    "numerical_record",
                    {"id": self.job.ids.record()},
                    [("answer", answer_id), ("tolerance", xml.number(answer.tolerance))],
                )
        else:
            multichoice_options(
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
        xml.graft_children(node, _TRAILER)
        return qid
