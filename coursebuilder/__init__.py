"""coursebuilder: a course kept as plain text in git, built into Moodle XML and SCORM packages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coursebuilder.version import __version__

if TYPE_CHECKING:
    from coursebuilder.build import build_course
    from coursebuilder.loader import load_course

__all__ = ["__version__", "build_course", "load_course"]


def __getattr__(name: str) -> Any:
    """`build_course` and `load_course` are imported when first used (the CLI starts faster)."""
    if name == "build_course":
        from coursebuilder.build import build_course

        return build_course
    if name == "load_course":
        from coursebuilder.loader import load_course

        return load_course
    raise AttributeError(f"module 'coursebuilder' has no attribute {name!r}")
