"""`validate`'s report, kept from one run to the next.

Checking a course again that has not changed since the last check (a hook before each
commit, an editor that validates on save, `make` running `validate` before `build`) gives the
same report, so the report is kept in the cache folder (`buildcache.cache_dir`), one per
course directory, under a key: the code of the package, the targets asked for, the course
directory as given (the report names files under it) and the content of every file of the
course (`SourceFiles`). A run whose key matches prints the kept report without loading the
course. Any other run loads it, taking the quiz files read, the Markdown scanned and the
question checks from the last load of the course (by `validate` or a build) where their files
did not change (`loadcache`), and keeps its report for the next.

The report is trusted only as far as it can prove itself (`renderstore.read_checked`): a
header naming the code that made it and the key, a checksum, and entries of the right shape.
Anything else is ignored and the course is checked afresh.

This module imports neither pydantic nor the targets, so a kept report costs no more than
hashing the course's files.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from coursebuilder import cachefolder
from coursebuilder.buildcache import cache_dir, entry_file, load_cache_file, maker_id, source_key
from coursebuilder.diagnostics import CourseError, Diagnostic
from coursebuilder.renderstore import read_checked, write_checked
from coursebuilder.sourcedigests import Hashing

if TYPE_CHECKING:
    from coursebuilder.model import Course

_FORMAT = 1


class Report(NamedTuple):
    """What `validate` reports about a course."""

    diagnostics: list[Diagnostic]
    """Every problem found, sorted."""
    summary: dict[str, Any] | None
    """What loaded (`summary`); None when the course could not be loaded at all."""


def summary(course: Course) -> dict[str, Any]:
    """Counts shown after a successful validation."""
    types = Counter(question.type for question in course.questions)
    return {
        "course": course.info.id,
        "lessons": len(course.lessons),
        "glossary_terms": len(course.glossary.entries),
        "questions": len(course.questions),
        "questions_by_type": dict(sorted(types.items())),
    }


def report_file(root: Path | str) -> Path:
    """Where the report of the course in `root` is kept."""
    return entry_file(root, b"validate", ".validate")


def validate_cached(root: Path | str, target_names: Sequence[str] = (), *, cache: bool = True) -> Report:
    """Check the course in `root` as `build.validate_course` does; with `cache`, answer from
    the report kept by the last run when no file of the course changed since, and keep this
    run's report, and what its load can reuse, for the next run (a build takes the latter too)."""
    kept_in = report_file(root) if cache else None
    maker = maker_id() if kept_in is not None else None  # the package's code, as the build cache names it
    key = ""
    if kept_in is not None and maker is not None:
        # An empty folder has the files of a missing one, but not its report. The key names
        # the package's code (`source_key`).
        settings = ("validate", str(root), list(target_names), os.path.isdir(root), os.path.lexists(root))
        has_report = kept_in.exists()
        # No report to answer from: the files are hashed on the second core meanwhile.
        hashing = Hashing(root, (cache_dir(),), ahead=not has_report)
        if has_report:
            key = source_key(hashing.files(), settings)
            cachefolder.mark_used(kept_in)
            kept = _read(kept_in, maker, key)
            if kept is not None:
                return kept
    from coursebuilder.build import validate_course  # the whole loader: only when checking

    keep_beside = load_cache_file(root) if kept_in is not None else None
    if keep_beside is not None:
        cachefolder.mark_used(keep_beside)
    try:
        course, diagnostics = validate_course(root, target_names, keep_beside=keep_beside)
    except CourseError as exc:  # an unknown target name
        course, diagnostics = None, exc.diagnostics
    report = Report(diagnostics, summary(course) if course is not None else None)
    if kept_in is not None and maker is not None:
        _write(kept_in, maker, key or source_key(hashing.files(), settings), report)
        cachefolder.prune(cache_dir(), keep=[kept_in, keep_beside])
    return report


def _header(maker: str, key: str) -> dict[str, object]:
    return {"format": _FORMAT, "maker": maker, "key": key}


def _write(path: Path, maker: str, key: str, report: Report) -> None:
    record = {"diagnostics": [diag.as_dict() for diag in report.diagnostics], "summary": report.summary}
    write_checked(path, _header(maker, key), json.dumps(record, ensure_ascii=False).encode())


def _read(path: Path, maker: str, key: str) -> Report | None:
    """The report kept in `path` for `key`, or None when there is none that can be trusted."""
    payload = read_checked(path, _header(maker, key))
    if payload is None:
        return None
    try:
        record = json.loads(payload)
        diagnostics = [Diagnostic.from_dict(item) for item in record["diagnostics"]]
        found = record["summary"]
        if found is not None and not _is_summary(found):
            return None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    return Report(diagnostics, found)


def _is_summary(found: object) -> bool:
    """Whether a kept summary has the shape `summary` gives."""
    if not isinstance(found, dict) or set(found) != {
        "course",
        "lessons",
        "glossary_terms",
        "questions",
        "questions_by_type",
    }:
        return False
    counts = [found["lessons"], found["glossary_terms"], found["questions"]]
    by_type = found["questions_by_type"]
    return (
        isinstance(found["course"], str)
        and all(type(count) is int for count in counts)
        and isinstance(by_type, dict)
        and all(isinstance(name, str) and type(count) is int for name, count in by_type.items())
    )
