"""Build a course: load, check, then run each selected target into dist/<course-id>/."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from coursebuilder.diagnostics import CourseError, Diagnostic, Severity, error, sort_diagnostics
from coursebuilder.loader import gc_paused, load_course, load_or_raise, under_course
from coursebuilder.markdown import shared_renders
from coursebuilder.model import Course
from coursebuilder.output import remove_stale_temps
from coursebuilder.targets import Artifact, BuildOptions, Target, all_targets


def select_targets(course: Course, names: Sequence[str] = ()) -> list[Target]:
    """The targets named (all enabled ones when none are); unknown names are an error."""
    known = all_targets()
    unknown = [name for name in names if name not in known]
    if unknown:
        choices = ", ".join(known)
        raise CourseError(
            [error("", 0, "", f"unknown target {name!r}; choose from {choices}", "target") for name in unknown]
        )
    if names:
        return [known[name] for name in known if name in names]
    return [target for target in known.values() if target.enabled(course)]


def check_targets(course: Course, targets: Sequence[Target]) -> list[Diagnostic]:
    """Problems the selected targets find in an otherwise valid course."""
    return [diag for target in targets for diag in target.check(course)]


@gc_paused
def validate_course(root: Path | str, target_names: Sequence[str] = ()) -> tuple[Course | None, list[Diagnostic]]:
    """Load and check the course, then ask the targets a build would run (the named ones, or
    the enabled ones) for their problems too: `validate` reports all that `build` would, so a
    course that passes `validate --strict` builds without a warning. The target checks run on
    what loaded even when the sources have errors, so that one run reports everything."""
    result = load_course(root)
    course, diagnostics = result.course, result.diagnostics
    if course is None:
        return course, diagnostics
    targets = select_targets(course, target_names)
    return course, sort_diagnostics([*diagnostics, *under_course(root, check_targets(course, targets))])


class BuildEvents(Protocol):
    """Who wants to hear about a build's progress (e.g. `progress.BuildReporter`)."""

    def targets_selected(self, targets: Sequence[Target]) -> None: ...
    def target_started(self, target: Target) -> None: ...
    def target_finished(self, target: Target, artifacts: Sequence[Artifact]) -> None: ...


@gc_paused  # targets walk the whole model; the collector would too, again and again
def build_course(
    root: Path | str,
    out_dir: Path | str = "dist",
    target_names: Sequence[str] = (),
    options: BuildOptions | None = None,
    strict: bool = False,
    events: BuildEvents | None = None,
) -> tuple[list[Artifact], list[Diagnostic]]:
    """Load the course in `root` and build it; raise CourseError before writing anything if invalid."""
    options = options or BuildOptions()
    course, warnings = load_or_raise(root)
    targets = select_targets(course, target_names)
    problems = warnings + under_course(root, check_targets(course, targets))
    if any(d.severity is Severity.ERROR or strict for d in problems):
        raise CourseError(problems)
    course_dir = Path(out_dir) / course.info.id
    remove_stale_temps(course_dir)
    artifacts: list[Artifact] = []
    if events is not None:
        events.targets_selected(targets)
    with shared_renders():  # targets render the same texts: parse each once
        for target in targets:
            if events is not None:
                events.target_started(target)
            else:
                options.progress(f"{target.name}: building")
            try:
                built = target.build(course, course_dir, options)
            except CourseError as exc:  # targets name files relative to the course, as checks do
                raise CourseError(under_course(root, exc.diagnostics)) from None
            artifacts.extend(built)
            if events is not None:
                events.target_finished(target, built)
    return artifacts, problems
