"""The SCORM 1.2 package as a SCORM activity, and where that package comes from.

The package is built by the SCORM target; any registered target that has a
`scorm12_zip(course) -> bytes` method (the `ScormPackager` protocol) provides it, and a
caller may pass its own builder to `MbzTarget`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from coursebuilder.mbz.job import Job
from coursebuilder.mbz.plan import Activity
from coursebuilder.model import Course

ScormZip = Callable[[Course], bytes]
"""Builds a course's SCORM 1.2 zip."""


@runtime_checkable
class ScormPackager(Protocol):
    """What a target offers to put its SCORM 1.2 package into the course backup."""

    def scorm12_zip(self, course: Course) -> bytes: ...


def installed_scorm12() -> ScormZip | None:
    """The SCORM 1.2 builder of a registered target, or None while there is none."""
    from coursebuilder.targets import all_targets

    for target in all_targets().values():
        if isinstance(target, ScormPackager):
            return target.scorm12_zip
    return None


def write_scorm(job: Job, activity: Activity, package: bytes) -> None:
    raise NotImplementedError
