"""coursebuilder: a course kept as plain text in git, built into Moodle XML and SCORM packages."""

from coursebuilder.build import build_course
from coursebuilder.loader import load_course

__version__ = "0.1.0"
__all__ = ["__version__", "build_course", "load_course"]
