"""Target `mbz`: the whole course as one Moodle course backup (see `coursebuilder.mbz`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coursebuilder.buildcontext import BuildContext
from coursebuilder.diagnostics import CourseError, Diagnostic, error
from coursebuilder.layout import COURSE_FILE
from coursebuilder.mbz.checks import check_backup
from coursebuilder.model import Course
from coursebuilder.output import write_bytes
from coursebuilder.targets.base import Artifact, BuildOptions, Target
from coursebuilder.targets.scorm import Scorm12Target

ScormZip = Callable[[BuildContext], bytes]
"""Builds the SCORM 1.2 zip of the build's course."""


class MbzTarget(Target):
    name = "mbz"
    summary = "Moodle course backup (.mbz) restoring the whole course (Moodle 4.1 LTS to 5.x)"
    lesson_forms = ("moodle", "mathml")  # pages and books for Moodle's filters; the SCORM package inside

    def __init__(self, scorm12: ScormZip | None = None) -> None:
        """`scorm12` builds the SCORM 1.2 zip for `settings.moodle.include_scorm`; by default
        the SCORM 1.2 target's, so the backup carries the very package that target writes
        (made once when the build has both)."""
        self._scorm12 = scorm12 or Scorm12Target().scorm12_zip

    def check(self, course: Course) -> list[Diagnostic]:
        return check_backup(course)

    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        from coursebuilder.mbz.backup import build_mbz
        from coursebuilder.mbz.scorm import PackageProblem

        course = context.course
        scorm = self._scorm12 if course.info.settings.moodle.include_scorm else None
        try:
            data = build_mbz(
                course,
                scorm(context) if scorm is not None else None,
                renders=context.renders,
                threads=options.workers,
                keep=context.keep / self.name if context.keep is not None else None,
                sources=context.sources,
            )
        except PackageProblem as exc:
            moodle = course.info.settings.moodle
            where = moodle.source_line("include_scorm")
            raise CourseError(
                [error(COURSE_FILE, where, field="settings.moodle.include_scorm", message=str(exc), code="mbz-scorm")]
            ) from None
        path = out_dir / "moodle" / f"{course.info.id}.mbz"
        if context.wait_to_write is not None:
            context.wait_to_write()
        return [Artifact(path, write_bytes(path, data))]
