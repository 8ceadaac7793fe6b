"""SCORM 1.2 and SCORM 2004 targets: one implementation, two manifests and API names."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from coursebuilder.buildcontext import BuildContext
from coursebuilder.diagnostics import Diagnostic, warning
from coursebuilder.layout import COURSE_FILE
from coursebuilder.model import Course, final_questions
from coursebuilder.output import write_bytes
from coursebuilder.targets.base import Artifact, BuildOptions, Target

if TYPE_CHECKING:
    from coursebuilder.scorm.package import SharedContent, Structure, Version

RESUMABLE_12 = 650
"""Questions whose answers fit SCORM 1.2's suspend_data (about six characters each)."""


def shared_content(context: BuildContext, structure: Structure) -> SharedContent:
    """What the build's SCORM packages of `structure` share, made when the first one is built."""
    from coursebuilder.scorm.package import SharedContent

    shared = context.scorm.get(structure)
    if shared is None:
        keep = context.keep / f"scorm-{structure}" if context.keep is not None else None
        shared = context.scorm[structure] = SharedContent(context.course, structure, renders=context.renders, keep=keep)
    return shared


class ScormTarget(Target):
    """Writes `dist/<course-id>/scorm/<course-id>-<suffix>.zip`."""

    version: ClassVar[Version]
    suffix: ClassVar[str]
    api_name: ClassVar[str]
    """The LMS object the player looks for (the player reads it from the version)."""
    lesson_forms = ("mathml",)  # offline pages: formulas in MathML

    def enabled(self, course: Course) -> bool:
        return self.version in course.info.settings.scorm.versions

    def structure(self, course: Course, options: BuildOptions) -> Structure:
        chosen = options.scorm_structure or course.info.settings.scorm.structure
        if chosen not in ("single", "multi"):
            raise ValueError(f"unknown SCORM structure {chosen!r}")
        return cast("Structure", chosen)

    def package(self, context: BuildContext, options: BuildOptions) -> bytes:
        """The zip's bytes (same course and options in, same bytes out), made once per build."""
        from coursebuilder.scorm.package import package_zip

        shared = shared_content(context, self.structure(context.course, options))
        if self.version not in shared.zips:
            shared.zips[self.version] = package_zip(shared, self.version)
        return shared.zips[self.version]

    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        data = self.package(context, options)
        path = out_dir / "scorm" / f"{context.course.info.id}-{self.suffix}.zip"
        return [Artifact(path, write_bytes(path, data))]


class Scorm12Target(ScormTarget):
    name = "scorm12"
    summary = "SCORM 1.2 package (the safest choice for Moodle)"
    version: ClassVar[Version] = "1.2"
    suffix = "scorm12"
    api_name = "API"

    def check(self, course: Course) -> list[Diagnostic]:
        """A quiz too long for 1.2's 4,096 characters of suspend_data cannot be fully resumed."""
        count = len(final_questions(course))
        if count <= RESUMABLE_12:
            return []
        final = course.info.final_quiz
        return [
            warning(
                COURSE_FILE,
                final.source_line("questions") or course.info.source_line("final_quiz"),
                field="final_quiz.questions",
                message=f"{count} questions: SCORM 1.2 keeps 4,096 characters of resume data, enough for about "
                f"{RESUMABLE_12}; a learner who leaves mid-quiz may find later answers empty (SCORM 2004 keeps 64,000)",
                code="scorm-size",
            )
        ]

    def scorm12_zip(self, context: BuildContext) -> bytes:
        """The package as course.yaml asks for it, for the Moodle course backup's SCORM activity."""
        return self.package(context, BuildOptions())


class Scorm2004Target(ScormTarget):
    name = "scorm2004"
    summary = "SCORM 2004 4th Edition package"
    version: ClassVar[Version] = "2004"
    suffix = "scorm2004"
    api_name = "API_1484_11"


__all__ = ["Scorm12Target", "Scorm2004Target", "ScormTarget"]
