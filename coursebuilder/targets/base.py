"""The interface every output format implements."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from coursebuilder.buildcontext import BuildContext
from coursebuilder.diagnostics import Diagnostic
from coursebuilder.markdown import MathStyle
from coursebuilder.model import Course
from coursebuilder.sourcedigests import SourceFiles

Progress = Callable[[str], None]
"""Receives a short line about what a target is doing (shown with `--verbose`)."""


@dataclass(frozen=True)
class BuildOptions:
    """Options of one build that are not part of the course source."""

    scorm_structure: str | None = None
    """Override course.yaml's `settings.scorm.structure` (`single` or `multi`)."""
    progress: Progress = field(default=lambda message: None)
    jobs: int | None = None
    """Processes to build targets in after loading: 1 builds them here, None uses both cores."""
    cache: bool = True
    """Answer a build of unchanged source from the cache of the last build (`buildcache`),
    build only the targets whose inputs changed since, and render again only the Markdown
    that changed (`renderstore`)."""

    def output_settings(self) -> tuple[object, ...]:
        """The options that can change the bytes a target writes (the others change only how
        fast, or what is printed): the build cache keys each target's files by them."""
        return (self.scorm_structure,)

    @property
    def workers(self) -> int:
        """Processes (or threads) the build may use: `jobs` when given, else two on two cores or more."""
        return workers(self.jobs)


def workers(jobs: int | None) -> int:
    """Processes a command may use: `jobs` when given, else two on two cores or more."""
    return jobs if jobs is not None else min(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class Artifact:
    """A file a target wrote, and whether this build changed it."""

    path: Path
    changed: bool = True


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

    @abstractmethod
    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        """Write artefacts of `context.course` under `out_dir` (the course's folder in dist/) and return them.

        Same course in, same bytes out; every file is written with `output.write_bytes`.
        `context` carries what the build's targets share (see `buildcontext`).
        """
