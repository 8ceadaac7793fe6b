"""What `coursebuilder import` is asked to do and what it did: the import's public types.

The report (`report.py`) and the tests read `ImportResult`; every merge step adds to it, so it
lives apart from the steps that fill it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from coursebuilder.diagnostics import Diagnostic
from coursebuilder.importer.common import MatchGrades, Skipped

Action = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True)
class ImportOptions:
    """What `coursebuilder import` was asked to do."""

    into: Path
    lesson: str | None = None
    """Put every question into this lesson (created when the course lacks it)."""
    match_grades: MatchGrades = "error"
    """Moodle's "match grades" option: refuse grades Moodle does not accept, or take the nearest."""
    dry_run: bool = False


@dataclass(frozen=True)
class Change:
    """What happened to one question or glossary entry."""

    what: Literal["question", "entry"]
    key: str
    action: Action
    file: str
    kind: str


@dataclass
class ImportResult:
    """Everything the import did or found, for the report and for tests."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)
    """(path relative to the course, what happened to it)."""
    actions: list[str] = field(default_factory=list)
    """Lessons or a course created, categories mapped: one line each."""
    inputs: list[tuple[str, str, int]] = field(default_factory=list)
    """(input file, detected format, items read)."""
    failed: bool = False
    """True when nothing was written because an input or the course could not be read."""
    course_errors: list[Diagnostic] = field(default_factory=list)
    """Errors `validate` finds in the course after the import."""
    dry_run: bool = False

    @property
    def imported_by_type(self) -> Counter[str]:
        return Counter(c.kind for c in self.changes)

    @property
    def skipped_by_type(self) -> Counter[str]:
        return Counter(s.kind for s in self.skipped)
