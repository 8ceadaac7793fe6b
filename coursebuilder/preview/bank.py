"""The question bank page of the preview: every question as Moodle shows it, for proof-reading.

Questions are grouped by the category they will have in Moodle's bank (course short name,
lesson title, optional sub-category), with the rendered text, every answer with its grade and
feedback, and the settings a reviewer checks before importing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from coursebuilder.answerkeys import check_question, glossary_names
from coursebuilder.assets import AssetProblem, is_external, resolve
from coursebuilder.diagnostics import Diagnostic
from coursebuilder.grades import moodle_fraction
from coursebuilder.markdown import render
from coursebuilder.model import Course, Question, replace_gaps

TYPE_LABELS = {
    "multichoice": "Multiple choice",
    "truefalse": "True/False",
    "shortanswer": "Short answer",
    "numerical": "Numerical",
    "matching": "Matching",
    "essay": "Essay",
    "description": "Description",
    "cloze": "Embedded answers (Cloze)",
    "ordering": "Ordering",
}
"""Moodle's names of the question types, as its question bank lists them."""


@dataclass
class Category:
    """A category of the bank and its questions, in course order."""

    path: list[str]
    questions: list[Question] = field(default_factory=list)


@dataclass
class BankPage:
    """What the page shows; `assets` maps the URLs it uses to files of the course."""

    html: str
    assets: dict[str, Path]


def grade_label(percent: float) -> str:
    """A grade as Moodle's importer keeps it, e.g. `33.33333%`."""
    return f"{moodle_fraction(percent)}%"


def number_label(value: float | str) -> str:
    """A number without a trailing `.0` (`1500`, `0.25`); `*` stays as it is."""
    if isinstance(value, str):
        return value
    return f"{value:.7f}".rstrip("0").rstrip(".") or "0"


def grade_class(percent: float) -> str:
    if percent >= 100:
        return "full"
    if percent > 0:
        return "partial"
    return "negative" if percent < 0 else "none"


def categories(course: Course) -> list[Category]:
    """Questions grouped as the Moodle bank will be: shortname / lesson title [/ category]."""
    titles = {lesson.id: lesson.title for lesson in course.lessons}
    order = {lesson.id: index for index, lesson in enumerate(course.lessons)}
    groups: dict[tuple[str, ...], Category] = {}
    for question in sorted(course.questions, key=lambda q: order.get(q.lesson or "", len(order))):
        path = [course.info.shortname]
        if question.lesson:
            path.append(titles.get(question.lesson, question.lesson))
        if question.category:
            path.extend(part for part in question.category.split("/") if part)
        groups.setdefault(tuple(path), Category(path)).questions.append(question)
    return list(groups.values())


class _Renderer:
    """Renders Markdown of one course with images served by the preview server."""

    def __init__(self, course: Course) -> None:
        self.root = Path(course.root)
        self.assets: dict[str, Path] = {}

    def markdown(self, text: str, owner: Any, inline: bool = False) -> Markup:
        source = getattr(owner, "source_file", "") or ""

        def image(ref: str) -> str:
            if is_external(ref):
                return ref
            try:
                asset = resolve(self.root, source, ref)
            except AssetProblem:
                return ref
            url = f"/__asset/{asset.rel}"
            self.assets[url] = asset.path
            return url

        return Markup(render(text, resolve_image=image, inline=inline, math="mathml"))

    def cloze(self, question: Any) -> Markup:
        """Cloze text with each gap shown as a box named after the gap."""
        text = replace_gaps(question.text, lambda gap_id: f'<span class="gap" data-gap="{gap_id}">{gap_id}</span>')
        return self.markdown(text, question)


def render_bank(course: Course | None, diagnostics: list[Diagnostic], env: Any) -> BankPage:
    """The HTML of the question bank page (from the last course that loaded)."""
    renderer = _Renderer(course) if course is not None else None
    names = glossary_names(course.glossary) if course is not None else {}
    key_warnings = {q.id: list(check_question(q, names)) for q in (course.questions if course is not None else [])}
    template = env.get_template("preview/questions.html.j2")
    html = template.render(
        course=course,
        categories=categories(course) if course is not None else [],
        problems=[d for d in diagnostics if d.severity.value == "error"],
        md=renderer.markdown if renderer else None,
        cloze=renderer.cloze if renderer else None,
        grade=grade_label,
        grade_class=grade_class,
        labels=TYPE_LABELS,
        number=number_label,
        key_warnings=key_warnings,
    )
    return BankPage(html, renderer.assets if renderer else {})
