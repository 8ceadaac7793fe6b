"""What the cartridge cannot carry, as warnings on the questions' files and lines."""

from __future__ import annotations

import re

from coursebuilder.cc.package import notes
from coursebuilder.cc.qti import Note
from coursebuilder.diagnostics import Diagnostic, warning
from coursebuilder.htmlsafety import kept_script_warnings
from coursebuilder.model import Course, Model

_ITEM = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


def check_cartridge(course: Course) -> list[Diagnostic]:
    """A warning for every question the cartridge leaves out or changes, and for active HTML
    a lesson keeps (`allow_scripts`), which the LMSs' HTML cleaners remove from imported pages."""
    diags = [_warning(note) for note in notes(course)]
    diags += kept_script_warnings(
        course.lessons,
        kept_in="the cartridge's page (allow_scripts: true), but LMSs clean imported pages and may "
        "remove it: the page must read well without it",
        code="cc-scripts",
    )
    return diags


def _warning(note: Note) -> Diagnostic:
    question = note.question
    return warning(
        question.source_file,
        _line(question, note.field),
        field=question.field_path(note.field),
        message=note.message,
        code=note.code,
    )


def _line(question: Model, field: str) -> int:
    """The line of `field` (`type`, `units` or `answers[2].grade`), else of the question."""
    # A question read on the fast path learns its lines (and its items') when first asked:
    # asked first, an item's line does not depend on whether an earlier check asked.
    question.source_line()
    nested = _ITEM.match(field)
    if nested is not None:
        items = getattr(question, nested.group(1), None)
        index = int(nested.group(2))
        if isinstance(items, list) and index < len(items) and isinstance(items[index], Model):
            return items[index].source_line(nested.group(3)) or question.source_line()
    return question.source_line(field.split("[", 1)[0]) or question.source_line()
