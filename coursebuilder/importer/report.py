"""The text `coursebuilder import` prints: problems with positions, what changed, a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from coursebuilder.diagnostics import Severity, counted_as, sort_diagnostics
from coursebuilder.importer.result import ImportResult


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{number} {kind}" for kind, number in sorted(counter.items()))


def report_lines(result: ImportResult, verbose: bool = False) -> Iterator[tuple[str, bool]]:
    """Lines to print, each with True when it belongs on stderr (problems)."""
    for diag in sort_diagnostics(result.diagnostics):
        yield diag.format(), True
    if result.failed:
        yield "import: nothing was written", True
        return
    for name, label, count in result.inputs:
        yield f"{name}: read as {label}, {counted_as(count, 'item')}", False
    for action in dict.fromkeys(result.actions):
        yield action, False
    by_file: dict[str, Counter[str]] = {}
    for change in result.changes:
        by_file.setdefault(change.file, Counter())[change.action] += 1
        if verbose:
            yield f"  {change.action:9} {change.what} {change.key} ({change.file})", False

    def counts(file: str) -> str:
        counter = by_file.get(file)
        if not counter:
            return ""
        return " (" + ", ".join(f"{counter[a]} {a}" for a in ("added", "updated", "unchanged") if counter[a]) + ")"

    written = {rel for rel, _what in result.files}
    for rel, what in result.files:
        yield f"{rel}: {what}{counts(rel)}", False
    for file in sorted(set(by_file) - written):
        yield f"{file}: unchanged{counts(file)}", False
    questions = Counter(c.kind for c in result.changes if c.what == "question")
    entries = sum(1 for c in result.changes if c.what == "entry")
    summary = f"imported {counted_as(sum(questions.values()), 'question')}"
    if questions:
        summary += f" ({_counts(questions)})"
    if entries:
        summary += f" and {entries} glossary entr{'y' if entries == 1 else 'ies'}"
    actions = Counter(c.action for c in result.changes)
    if actions:
        summary += f": {actions['added']} added, {actions['updated']} updated, {actions['unchanged']} unchanged"
    yield summary, False
    if result.skipped:
        yield f"skipped {counted_as(len(result.skipped), 'item')}: {_counts(result.skipped_by_type)}", True
    else:
        yield "skipped nothing", False
    if result.dry_run:
        yield "dry run: nothing was written", False
    warnings = sum(1 for d in result.diagnostics if d.severity is Severity.WARNING)
    if warnings:
        yield f"{counted_as(warnings, 'warning')} above", True
    for diag in result.course_errors:
        yield diag.format(), True
    if result.course_errors:
        errors = counted_as(len(result.course_errors), "error")
        yield f"the course now has {errors}; fix them before `coursebuilder build`", True
