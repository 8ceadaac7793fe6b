"""The final quiz of a package: which questions it has, and what the player needs to score them.

Scoring happens in the learner's browser, so each question becomes two things here: a view
for the page template (texts rendered, controls described) and a compact record for the
player script (grades, tolerances, the interaction type and correct-response pattern each
SCORM version expects).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from markupsafe import Markup

from coursebuilder.model import (
    SCORED_TYPES,
    Cloze,
    Course,
    Description,
    Essay,
    Gap,
    Matching,
    MultiChoice,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
    replace_gaps,
)
from coursebuilder.scorm import datamodel
from coursebuilder.scorm.html import ContentRenderer, plain_text
from coursebuilder.scorm.i18n import Messages

IDS = "abcdefghijklmnopqrstuvwxyz0123456789"
"""Response identifiers of choices, targets and items: SCORM 1.2 allows one character each."""
SOURCES = "123456789abcdefghijklmnopqrstuvwxyz0"
"""Identifiers of the matching items (the left-hand side)."""
GAP_MARK = re.compile(r"XCBGAP(\d+)X")
FILL_IN_MAX = 10
"""SCORM 2004 `fill-in` holds at most ten responses; a cloze with more is `long-fill-in`."""
SHORT = {
    "multichoice": "mc",
    "truefalse": "tf",
    "shortanswer": "sa",
    "numerical": "nu",
    "matching": "ma",
    "cloze": "cl",
    "ordering": "or",
    "essay": "es",
    "description": "de",
}
INTERACTION = {
    "mc": "choice",
    "tf": "true-false",
    "sa": "fill-in",
    "nu": "numeric",
    "ma": "matching",
    "cl": "fill-in",
    "or": "sequencing",
}


def response_id(index: int) -> str:
    """Identifier of the `index`-th choice, target or item in interaction records."""
    return IDS[index] if index < len(IDS) else f"c{index}"


def source_id(index: int) -> str:
    return SOURCES[index] if index < len(SOURCES) else f"s{index}"


def weight(question: Question) -> float:
    """Points a question is worth in the quiz (0 for essays and descriptions)."""
    if isinstance(question, Cloze):
        return float(sum(gap.weight for gap in question.gaps))
    if question.type not in SCORED_TYPES:
        return 0.0
    return float(question.points)


def number(value: float) -> str:
    """A number for people and the manifest: no exponent or trailing zeros in the usual range.

    Very large or small values keep their shortest form (`6.022e23`), never the digits of
    their binary approximation.
    """
    exact = Decimal(repr(float(value)))
    if exact == 0:
        return "0"
    if Decimal("1e-7") <= abs(exact) < Decimal("1e15"):
        text = format(round(exact, 10).normalize(), "f")
        return "0" if text == "-0" else text
    return repr(float(value)).replace("e+", "e")


def _fraction(grade: float) -> float:
    return round(grade / 100, 7)


@dataclass
class QuizPlan:
    """Everything the quiz page and the player need."""

    title: str
    views: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    shuffle: bool = False

    @property
    def scored(self) -> int:
        return sum(1 for view in self.views if view["scored"])

    @property
    def has_unscored(self) -> bool:
        return any(not view["scored"] for view in self.views)

    @property
    def key(self) -> str:
        """Changes when the questions change, so saved answers never land on other questions."""
        shape = [[r["id"], r["t"], r.get("n", 0)] for r in self.records]
        return hashlib.sha1(json.dumps(shape).encode()).hexdigest()[:6]

    def data(self, version: str) -> dict[str, Any]:
        """The player's record of the quiz, with the types and patterns of one SCORM version.

        1.2 has no `long-fill-in` (a cloze of many gaps is one `fill-in` there), and holds
        `weighting` to -100..100: when a question weighs more, every weighting is scaled by
        `ws` so that their proportions stay.
        """
        v12 = version == "1.2"
        records = []
        for record in self.records:
            item = {k: v for k, v in record.items() if k not in ("cr12", "cr04")}
            pattern = record.get("cr12" if v12 else "cr04")
            if pattern:
                item["cr"] = pattern
            if v12 and item.get("it") == "long-fill-in":
                item["it"] = "fill-in"
            records.append(item)
        data: dict[str, Any] = {"key": self.key, "shuffle": self.shuffle, "q": records}
        heaviest = max((r["w"] for r in self.records), default=0)
        if v12 and heaviest > datamodel.WEIGHT_12:
            data["ws"] = datamodel.WEIGHT_12 / heaviest
        return data


def control_name(label: str) -> str | None:
    """The accessible name of a control whose label holds a formula, or None for other labels.

    Browsers compute no name from MathML (Chromium gives a radio labelled by `<math>` alone
    an empty name), so such a control is named by its label's text, formulas as their TeX.
    """
    return plain_text(label) if "<math" in label else None


class QuizBuilder:
    """Builds the views and player records of a list of questions."""

    def __init__(self, content: ContentRenderer, msg: Messages) -> None:
        self.content = content
        self.msg = msg

    def build(self, course: Course, questions: Sequence[Question]) -> QuizPlan:
        plan = QuizPlan(title=course.info.final_quiz.title, shuffle=course.info.final_quiz.shuffle)
        for index, question in enumerate(questions):
            view, record = self.question(question, index)
            plan.views.append(view)
            plan.records.append(record)
        return plan

    def md(self, question: Question, text: str, field_name: str, inline: bool = False) -> Markup:
        return Markup(
            self.content.render(
                text, question.source_file, partial(question.source_line, field_name), field_name, inline=inline
            )
        )

    def question(self, question: Question, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
        kind = SHORT[question.type]
        scored = question.type in SCORED_TYPES
        text = question.text
        if isinstance(question, Cloze):
            order = {gap.id: n for n, gap in enumerate(question.gaps)}
            text = replace_gaps(text, lambda gap_id: f"XCBGAP{order[gap_id]}X")
        text_html = self.md(question, text, "text")
        view: dict[str, Any] = {
            "index": index,
            "id": question.id,
            "kind": kind,
            "scored": scored,
            "weight": number(weight(question)),
            "text": text_html,
            "general": self.md(question, question.general_feedback, "general_feedback"),
            "feedback": {},
            "right": "",
        }
        record: dict[str, Any] = {"id": question.id, "t": kind, "w": weight(question)}
        if scored:
            record["it"] = INTERACTION[kind]
            description = datamodel.text(plain_text(GAP_MARK.sub("___", str(text_html))), "2004", datamodel.DESCRIPTION)
            if description:
                record["d"] = description
        getattr(self, f"_{kind}")(question, view, record)
        if isinstance(question, (MultiChoice, Matching, Ordering)):
            for outcome, value in (
                ("correct", question.feedback.correct),
                ("partial", question.feedback.partially_correct),
                ("incorrect", question.feedback.incorrect),
            ):
                if value:
                    view["feedback"][outcome] = self.md(question, value, "feedback")
        return view, record

    # ------------------------------------------------------------------ one method per type

    def _mc(self, q: MultiChoice, view: dict[str, Any], record: dict[str, Any]) -> None:
        choices = []
        for n, choice in enumerate(q.answers):
            markup = self.md(q, choice.text, "answers", inline=True)
            choices.append({"value": n, "html": markup, "name": control_name(markup)})
            if choice.feedback:
                view["feedback"][str(n)] = self.md(q, choice.feedback, "answers")
        view.update(choices=choices, single=q.single, numbering=q.numbering, shuffle=q.shuffle)
        right = [n for n, choice in enumerate(q.answers) if choice.grade > 0]
        if q.single:
            right = [n for n, choice in enumerate(q.answers) if math.isclose(choice.grade, 100)]
        view["right"] = ", ".join(plain_text(str(choices[n]["html"])) for n in right)
        record.update(g=[_fraction(c.grade) for c in q.answers], one=q.single, sh=q.shuffle, n=len(q.answers))
        record["cr12"] = ",".join(response_id(n) for n in right)
        record["cr04"] = "[,]".join(response_id(n) for n in right)

    def _tf(self, q: TrueFalse, view: dict[str, Any], record: dict[str, Any]) -> None:
        for key, value in (("1", q.feedback_true), ("0", q.feedback_false)):
            if value:
                view["feedback"][key] = self.md(q, value, f"feedback_{'true' if key == '1' else 'false'}")
        view["right"] = self.msg("true" if q.correct else "false")
        record.update(c=q.correct, cr12="t" if q.correct else "f", cr04="true" if q.correct else "false")

    def _sa(self, q: ShortAnswer, view: dict[str, Any], record: dict[str, Any]) -> None:
        for n, answer in enumerate(q.answers):
            if answer.feedback:
                view["feedback"][str(n)] = self.md(q, answer.feedback, "answers")
        best = next(a.text for a in q.answers if math.isclose(a.grade, 100))
        view["right"] = best
        record.update(a=[[a.text, _fraction(a.grade)] for a in q.answers], cs=q.case_sensitive)
        record["cr12"] = datamodel.text(best, "1.2")
        pattern = datamodel.fill_in_pattern([datamodel.text(best, "2004")])
        if pattern:
            record["cr04"] = pattern

    def _nu(self, q: Numerical, view: dict[str, Any], record: dict[str, Any]) -> None:
        for n, answer in enumerate(q.answers):
            if answer.feedback:
                view["feedback"][str(n)] = self.md(q, answer.feedback, "answers")
        best = next(a for a in q.answers if math.isclose(a.grade, 100))
        unit = q.units[0].name if q.units else ""
        if best.value != "*":
            shown = number(best.value)
            if best.tolerance:
                shown += f" ± {number(best.tolerance)}"
            view["right"] = f"{unit} {shown}" if q.units_left and unit else f"{shown} {unit}".strip()
            exact, span = datamodel.decimal(best.value), datamodel.numeric_range(best.value, best.tolerance)
            if exact is None or span is None:
                record["it"] = "fill-in"  # beyond real(10,7): the learner's text, with no pattern
            else:
                record["cr12"], record["cr04"] = exact, span
        show = q.show_units if q.units else "none"
        view.update(units=[u.name for u in q.units], show_units=show, units_left=q.units_left)
        record.update(
            a=[[None if a.value == "*" else a.value, a.tolerance, _fraction(a.grade)] for a in q.answers],
            u=[[u.name, u.multiplier] for u in q.units],
            ug=["none", "response", "question"].index(q.unit_grading),
            up=q.unit_penalty,
            us=show,
        )

    def _ma(self, q: Matching, view: dict[str, Any], record: dict[str, Any]) -> None:
        targets = list(dict.fromkeys([p.answer for p in q.pairs] + list(q.distractors)))
        stems = [self.md(q, p.question, "pairs", inline=True) for p in q.pairs]
        view.update(stems=stems, stem_names=[control_name(stem) for stem in stems], targets=targets, shuffle=q.shuffle)
        correct = [targets.index(p.answer) for p in q.pairs]
        view["right"] = "; ".join(f"{plain_text(str(s))} → {targets[c]}" for s, c in zip(stems, correct, strict=True))
        record.update(c=correct, sh=q.shuffle, n=len(q.pairs))
        pairs = [(source_id(n), response_id(c)) for n, c in enumerate(correct)]
        record["cr12"] = ",".join(f"{s}.{t}" for s, t in pairs)
        record["cr04"] = "[,]".join(f"{s}[.]{t}" for s, t in pairs)

    def _cl(self, q: Cloze, view: dict[str, Any], record: dict[str, Any]) -> None:
        gaps: list[dict[str, Any]] = []
        rights: list[str] = []
        for n, gap in enumerate(q.gaps):
            gaps.append({"index": n, "type": gap.type, "answers": [a.text for a in gap.answers]})
            for m, answer in enumerate(gap.answers):
                if answer.feedback:
                    view["feedback"][f"{n}.{m}"] = Markup.escape(answer.feedback)
            rights.append(_gap_right(gap, "+"))
        parts: list[str | int] = []
        for n, piece in enumerate(GAP_MARK.split(str(view["text"]))):
            parts.append(int(piece) if n % 2 else Markup(piece))
        view.update(parts=parts, gaps=gaps, right=", ".join(_gap_right(gap, " + ") for gap in q.gaps))
        record.update(
            g=[
                {
                    "t": g.type,
                    "w": g.weight,
                    "s": g.shuffle,
                    "a": [[a.text, _fraction(a.grade), a.tolerance] for a in g.answers],
                }
                for g in q.gaps
            ],
            n=len(q.gaps),
        )
        long = len(q.gaps) > FILL_IN_MAX
        if long:
            record["it"] = "long-fill-in"
        record["cr12"] = datamodel.text(",".join(rights), "1.2")
        nodes = [datamodel.text(r, "2004", datamodel.LONG_FILL_IN if long else None) for r in rights]
        pattern = datamodel.fill_in_pattern(nodes, long)
        if pattern:
            record["cr04"] = pattern

    def _or(self, q: Ordering, view: dict[str, Any], record: dict[str, Any]) -> None:
        view.update(entries=list(q.items), layout=q.layout, numbering=q.numbering)
        view["right"] = " → ".join(q.items)
        record.update(n=len(q.items), gt=q.grading_type)
        record["cr12"] = ",".join(response_id(n) for n in range(len(q.items)))
        record["cr04"] = "[,]".join(response_id(n) for n in range(len(q.items)))

    def _es(self, q: Essay, view: dict[str, Any], record: dict[str, Any]) -> None:
        view.update(lines=min(q.response_lines, 10), template=q.response_template)

    def _de(self, q: Description, view: dict[str, Any], record: dict[str, Any]) -> None:
        view["weight"] = ""


def _gap_right(gap: Gap, joiner: str) -> str:
    """The best answer of a gap; a multiresponse gap's right answers joined by `joiner`."""
    if gap.type.startswith("multiresponse"):
        return joiner.join(a.text for a in gap.answers if a.grade > 0)
    return next(a.text for a in gap.answers if math.isclose(a.grade, 100))
