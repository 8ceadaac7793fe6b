"""Target `cc`: the whole course as an IMS Common Cartridge 1.1 (see `coursebuilder.cc`)."""

from __future__ import annotations

from pathlib import Path

from coursebuilder.buildcontext import BuildContext
from coursebuilder.diagnostics import Diagnostic
from coursebuilder.model import Course
from coursebuilder.output import write_bytes, zip_bytes
from coursebuilder.targets.base import Artifact, BuildOptions, Target

FOLDER = "cc"


class CcTarget(Target):
    """Writes `dist/<course-id>/cc/<course-id>.imscc`."""

    name = "cc"
    summary = "IMS Common Cartridge 1.1 (.imscc): pages, quizzes, question bank for Canvas, Blackboard, Moodle…"
    lesson_forms = ("mathml",)

    def enabled(self, course: Course) -> bool:
        """Built when asked for (`--target cc`): a course keeps questions the cartridge cannot hold."""
        return False

    def check(self, course: Course) -> list[Diagnostic]:
        from coursebuilder.cc.checks import check_cartridge

        return check_cartridge(course)

    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        from coursebuilder.cc.package import build_cartridge

        course = context.course
        options.progress("cc: pages, assessments, question bank")
        data = zip_bytes(build_cartridge(course, renders=context.renders).items())
        path = out_dir / FOLDER / f"{course.info.id}.imscc"
        return [Artifact(path, write_bytes(path, data))]
