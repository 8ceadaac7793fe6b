"""The interface every output format implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from coursebuilder.buildcontext import BuildContext
from coursebuilder.buildoptions import Artifact, BuildOptions, Progress, workers
from coursebuilder.diagnostics import Diagnostic
from coursebuilder.markdown import MathStyle
from coursebuilder.model import Course
from coursebuilder.sourcedigests import SourceFiles

__all__ = ["Artifact", "BuildOptions", "Progress", "Target", "workers"]


class Target(ABC):
    """An output format: checks what only it requires, then writes its files."""

    name: ClassVar[str]
    """Id used on the command line (`--target NAME`)."""
    summary: ClassVar[str]
    """One line for `coursebuilder targets`."""
    lesson_forms: ClassVar[tuple[MathStyle, ...]] = ()
    """The forms in which the target renders whole lesson bodies (`markdown.render`'s `math`),
    so that a build can render them ahead, on both cores (`build.prerender_lessons`)."""

    def check(self, course: Course) -> list[Diagnostic]:
        """Return problems only this target has with the course (none by default)."""
        return []

    def enabled(self, course: Course) -> bool:
        """Whether a plain `build` (no `--target`) builds this target for the course."""
        return True

    def inputs_digest(self, course: Course, sources: SourceFiles) -> bytes:
        """A hash of every input the target's files depend on, the tool's version and the
        build's options aside (`buildcache.target_key` adds them): a build whose digest is that
        of the last one, and whose files are still as written, does not build the target again.

        By default every file of the course directory (`sources`), which is always safe. A
        target may leave out files only where it is proven that its bytes do not depend on them.
        """
        return sources.digest()

    def begin(self, context: BuildContext, options: BuildOptions) -> None:
        """Start work on another core as soon as the course's model is made, before its checks
        (nothing by default). What is begun writes nothing into the output folder, and `build`
        takes it from `context`; a build that stops before then ends it (`BuildContext.close`)."""
        return None

    @abstractmethod
    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        """Write artefacts of `context.course` under `out_dir` (the course's folder in dist/) and return them.

        Same course in, same bytes out; every file is written with `output.write_bytes`.
        `context` carries what the build's targets share (see `buildcontext`).
        """
