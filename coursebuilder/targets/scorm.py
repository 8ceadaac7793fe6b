"""SCORM 1.2 and SCORM 2004 targets: one implementation, two manifests and API names."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, cast

from coursebuilder.model import Course
from coursebuilder.output import write_bytes, zip_bytes
from coursebuilder.scorm.package import Structure, Version, build_package
from coursebuilder.targets.base import Artifact, BuildOptions, Target


class ScormTarget(Target):
    """Writes `dist/<course-id>/scorm/<course-id>-<suffix>.zip`."""

    version: ClassVar[Version]
    suffix: ClassVar[str]
    api_name: ClassVar[str]
    """The LMS object the player looks for (the player reads it from the version)."""

    def enabled(self, course: Course) -> bool:
        return self.version in course.info.settings.scorm.versions

    def structure(self, course: Course, options: BuildOptions) -> Structure:
        chosen = options.scorm_structure or course.info.settings.scorm.structure
        if chosen not in ("single", "multi"):
            raise ValueError(f"unknown SCORM structure {chosen!r}")
        return cast(Structure, chosen)

    def package(self, course: Course, options: BuildOptions) -> bytes:
        """The zip's bytes (same course and options in, same bytes out)."""
        files = build_package(course, self.version, self.structure(course, options))
        return zip_bytes(files.items())

    def build(self, course: Course, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        data = self.package(course, options)
        path = out_dir / "scorm" / f"{course.info.id}-{self.suffix}.zip"
        return [Artifact(path, write_bytes(path, data))]


class Scorm12Target(ScormTarget):
    name = "scorm12"
    summary = "SCORM 1.2 package (the safest choice for Moodle)"
    version: ClassVar[Version] = "1.2"
    suffix = "scorm12"
    api_name = "API"

    def scorm12_zip(self, course: Course) -> bytes:
        """The package as course.yaml asks for it, for the Moodle course backup's SCORM activity."""
        return self.package(course, BuildOptions())


class Scorm2004Target(ScormTarget):
    name = "scorm2004"
    summary = "SCORM 2004 4th Edition package"
    version: ClassVar[Version] = "2004"
    suffix = "scorm2004"
    api_name = "API_1484_11"


__all__ = ["Scorm12Target", "Scorm2004Target", "ScormTarget"]
