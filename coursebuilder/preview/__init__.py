"""`coursebuilder preview`: build, serve and rebuild a course inside a small LMS stand-in."""

from coursebuilder.preview.server import PreviewError, PreviewServer, run_preview
from coursebuilder.preview.session import BuildState, PreviewSession

__all__ = ["BuildState", "PreviewError", "PreviewServer", "PreviewSession", "run_preview"]
