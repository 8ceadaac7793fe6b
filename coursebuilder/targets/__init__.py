"""Output formats, registered in one place: adding a format is one module and one line here."""

from __future__ import annotations

from coursebuilder.targets.base import Artifact, BuildOptions, Target
from coursebuilder.targets.cc import CcTarget
from coursebuilder.targets.mbz import MbzTarget
from coursebuilder.targets.moodle import MoodleTarget
from coursebuilder.targets.scorm import Scorm12Target, Scorm2004Target

TARGET_CLASSES: tuple[type[Target], ...] = (MoodleTarget, Scorm12Target, Scorm2004Target, MbzTarget, CcTarget)


def all_targets() -> dict[str, Target]:
    """Every known target by name, in build order."""
    return {cls.name: cls() for cls in TARGET_CLASSES}


__all__ = ["TARGET_CLASSES", "Artifact", "BuildOptions", "Target", "all_targets"]
