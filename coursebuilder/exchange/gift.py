"""questions.gift.txt: the question bank in GIFT, for the questions GIFT can carry.

Written the way `qformat_gift::writequestion()` (question/format/gift/format.php) writes
them, and escaped for its reader: `\\ # = ~ { } :` get a backslash and line breaks become
`\\n` (`repchar()`), so a question is one block between blank lines. The idnumber and tags go
in the `// [id:…] [tag:…]` comment the importer reads. Ordering questions use the syntax of
`qtype_ordering::import_from_gift()`.

GIFT has no files, no units, no cloze gaps, no case option: a question that needs one of
those is left out and named, with the reason, in the comment at the top of the file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from coursebuilder.exchange.bank import WHOLE, Span, category_path, pieces
from coursebuilder.exchange.text import QuestionMarkdown, Renderer
from coursebuilder.markdown import may_reference_files
from coursebuilder.model import (
    Course,
    Essay,
    Matching,
    MultiChoice,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
)
from coursebuilder.moodle.numbers import fraction, number

_GIFT_ESCAPES = (("\\", "\\\\"), ("#", "\\#"), ("=", "\\="), ("~", "\\~"), ("{", "\\{"), ("}", "\\}"), (":", "\\:"))

NOT_CARRIED_ANYWHERE = (
    "hints, combined feedback, penalties, default marks, shuffling and numbering options, "
    "essay settings and the general feedback of descriptions (Moodle's GIFT importer uses its defaults)"
)


_RESERVED = re.compile(r"[\\#=~{}:\r\n]")
"""The characters `escape` changes: most texts have none."""


def escape(text: str) -> str:
    """`repchar()`: escape GIFT's reserved characters and write line breaks as `\\n`."""
    if not _RESERVED.search(text):
        return text
    for char, escaped in _GIFT_ESCAPES:
        text = text.replace(char, escaped)
    return text.replace("\r", "").replace("\n", "\\n")


def escape_html(text: str) -> str:
    """Escape an HTML text. A leading `[` would be read as a `[format]` marker and a leading `%`
    as a weight, so they are written as character references."""
    if text[:1] in ("[", "%"):
        text = f"&#{ord(text[0])};" + text[1:]
    return escape(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _comment_value(text: str) -> str:
    """A value inside `[tag:…]`: one line, `]` escaped as the importer expects (`\\]`)."""
    return _one_line(text).replace("]", "\\]")


# Characters written as HTML character references in ordering items, which the ordering
# importer takes as they are (no GIFT escapes are undone there).
_ITEM_CHARS = str.maketrans({char: f"&#{ord(char)};" for char in "\\#={}~:"})


def _ordering_item(item: str) -> str:
    text = html.escape(_one_line(item), quote=False).translate(_ITEM_CHARS)
    if text.startswith("/"):  # a line starting with // is a comment
        text = "&#47;" + text[1:]
    return text


_ORDERING_GIFT_GRADING = {
    "all_or_nothing": "ALL_OR_NOTHING",
    "absolute_position": "ABSOLUTE_POSITION",
    "relative_next_exclude_last": "RELATIVE_NEXT_EXCLUDE_LAST",
    "relative_next_include_last": "RELATIVE_NEXT_INCLUDE_LAST",
    "relative_one_previous_and_next": "RELATIVE_ONE_PREVIOUS_AND_NEXT",
    "relative_all_previous_and_next": "RELATIVE_ALL_PREVIOUS_AND_NEXT",
    "longest_contiguous_subset": "LONGEST_CONTIGUOUS_SUBSET",
}
"""Grading types the GIFT ordering syntax can name (its pattern cannot match
LONGEST_ORDERED_SUBSET)."""

_ARROW = re.compile(r"->")


@dataclass
class GiftPart:
    """The GIFT of a span of the bank: its blocks, and a header line for each question left out."""

    blocks: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


class GiftWriter:
    """Writes the GIFT file of a course."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self._md = QuestionMarkdown(renderer)

    def not_carried(self, question: Question) -> str | None:
        """Why GIFT cannot carry `question`, or None when it can."""
        if question.type == "cloze":
            return "GIFT has no embedded answers (cloze)"
        carried = _carried_texts(question)
        if any(self._md(question, text, inline).files for text, inline in carried if may_reference_files(text)):
            return "its text references files, which GIFT cannot embed"
        if isinstance(question, Numerical):
            if question.units:
                return "GIFT has no units"
            wildcard = [index for index, answer in enumerate(question.answers) if answer.value == "*"]
            if wildcard and (wildcard != [len(question.answers) - 1] or question.answers[-1].grade != 0):
                return "GIFT takes `*` only as the last answer, with grade 0"
        if isinstance(question, ShortAnswer) and question.case_sensitive:
            return "GIFT has no case-sensitive short answers"
        if isinstance(question, Matching):
            for pair in question.pairs:
                if _ARROW.search(self._md(question, pair.question, inline=True).text):
                    return "a matching item contains `->`, GIFT's separator"
        if isinstance(question, Ordering) and question.grading_type not in _ORDERING_GIFT_GRADING:
            return f"GIFT's ordering syntax cannot name grading type {question.grading_type}"
        return None

    def document(self, course: Course, parts: Sequence[GiftPart] | None = None) -> str:
        """The text of the GIFT file, of `parts` (the `part`s of spans that cover the bank, in
        order) or of the whole bank."""
        if parts is None:
            parts = [self.part(course)]
        blocks = [block for part in parts for block in part.blocks]
        left_out = [line for part in parts for line in part.left_out]
        header = [
            f"// {_one_line(course.info.title)} ({course.info.id}): question bank in GIFT format.",
            "// Import: Question bank > Import > GIFT format. questions.xml (Moodle XML) carries everything;",
            f"// this file does not carry {NOT_CARRIED_ANYWHERE}.",
        ]
        if left_out:
            header.append("// Questions GIFT cannot carry (import them from questions.xml):")
            header.extend(left_out)
        else:
            header.append("// Every question of the course is in this file.")
        return "\n".join(header) + "\n\n" + "\n\n".join(blocks) + "\n"

    def part(self, course: Course, span: Span = WHOLE) -> GiftPart:
        """The blocks of the categories and questions `span` holds, and the questions left out."""
        part = GiftPart()
        for piece in pieces(course, span):
            if piece.starts:
                category = category_path(piece.group.names).replace("\\", "\\\\").replace("\n", " ")
                part.blocks.append(f"$CATEGORY: {category}")
            for question in piece.questions:
                reason = self.not_carried(question)
                if reason is not None:
                    part.left_out.append(f"//   {question.id} ({question.type}): {reason}")
                    continue
                part.blocks.append(self.question(question))
        return part

    def question(self, question: Question) -> str:
        """One question block: comments, then `::name::[html]text{answers}`."""
        lines = [f"// question: {question.id}"]
        marks = [f"[id:{question.id}]"] + [
            f"[tag:{_one_line(tag).replace(']', chr(92) + ']')}]" for tag in question.tags
        ]
        lines.append("// " + " ".join(marks))
        head = f"::{escape(question.display_name)}::[html]{escape_html(self._md(question, question.text).text)}"
        general = self._md(question, question.general_feedback).text
        general_part = f"####{escape_html(general)}" if general else ""
        body = self._answers(question, general_part)
        lines.append(head + body)
        return "\n".join(lines)

    def _answers(self, question: Question, general: str) -> str:

        def feedback(text: str) -> str:
            return escape_html(self._md(question, text).text)

        if isinstance(question, MultiChoice):
            rows = []
            for answer in question.answers:
                if answer.grade == 100 and question.single:
                    mark = "="
                elif answer.grade == 0:
                    mark = "~"
                else:
                    mark = f"~%{fraction(answer.grade)}%"
                row = f"\t{mark}{escape_html(self._md(question, answer.text, inline=True).text)}"
                if answer.feedback:
                    row += "#" + feedback(answer.feedback)
                rows.append(row)
            return "{\n" + "\n".join(rows) + _general_row(general) + "\n}"
        if isinstance(question, TrueFalse):
            right, wrong = (
                (question.feedback_true, question.feedback_false)
                if question.correct
                else (question.feedback_false, question.feedback_true)
            )
            out = "{" + ("TRUE" if question.correct else "FALSE")
            if wrong:
                out += "#" + feedback(wrong)
            elif right:
                out += "#"
            if right:
                out += "#" + feedback(right)
            return out + general + "}"
        if isinstance(question, ShortAnswer):
            rows = [
                f"\t=%{fraction(answer.grade)}%{escape(answer.text)}#{feedback(answer.feedback)}"
                for answer in question.answers
            ]
            return "{\n" + "\n".join(rows) + _general_row(general) + "\n}"
        if isinstance(question, Numerical):
            rows = []
            for value in question.answers:
                if value.value == "*":
                    rows.append(f"\t~#{feedback(value.feedback)}")
                else:
                    rows.append(
                        f"\t=%{fraction(value.grade)}%{number(value.value)}:{number(value.tolerance)}"
                        f"#{feedback(value.feedback)}"
                    )
            return "{#\n" + "\n".join(rows) + _general_row(general) + "\n}"
        if isinstance(question, Matching):
            rows = [
                f"\t={escape_html(self._md(question, pair.question, inline=True).text)} -> {escape(pair.answer)}"
                for pair in question.pairs
            ]
            rows += [f"\t= -> {escape(distractor)}" for distractor in question.distractors]
            return "{\n" + "\n".join(rows) + _general_row(general) + "\n}"
        if isinstance(question, Essay):
            return "{" + general + "}"
        if isinstance(question, Ordering):
            count = question.select_count if question.select_type != "all" else len(question.items)
            settings = " ".join(
                [
                    str(count),
                    question.select_type.upper(),
                    question.layout.upper(),
                    _ORDERING_GIFT_GRADING[question.grading_type],
                    "SHOW" if question.show_grading else "HIDE",
                    question.numbering,
                ]
            )
            items = "\n".join(_ordering_item(item) for item in question.items)
            return "{>" + settings + "\n" + items + _general_row(general) + "\n}"
        return ""  # description: no answer part


def _general_row(general: str) -> str:
    return "\n\t" + general if general else ""


def _carried_texts(question: Question) -> list[tuple[str, bool]]:
    """The Markdown texts GIFT carries for `question`, with whether they are rendered inline."""
    texts = [(question.text, False), (question.general_feedback, False)]
    if isinstance(question, MultiChoice):
        texts += [(answer.text, True) for answer in question.answers]
    if isinstance(question, MultiChoice | ShortAnswer | Numerical):
        texts += [(answer.feedback, False) for answer in question.answers]
    if isinstance(question, TrueFalse):
        texts += [(question.feedback_true, False), (question.feedback_false, False)]
    if isinstance(question, Matching):
        texts += [(pair.question, True) for pair in question.pairs]
    return [(text, inline) for text, inline in texts if text]


def gift_text(course: Course, renderer: Renderer) -> str:
    """The text of questions.gift.txt (a large bank's is written in parts: `GiftWriter.part`)."""
    writer = GiftWriter(renderer)
    return writer.document(course, [writer.part(course)])
