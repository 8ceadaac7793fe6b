"""What a build is asked (`BuildOptions`), what it tells as it goes (`BuildEvents`) and what it
answers with (`Artifact`).

Apart from the targets (`targets.base`), which import the model: a build answered from its
cache (`buildcache.Opened`) needs these and none of the rest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

Progress = Callable[[str], None]
"""Receives a short line about what a target is doing (shown with `--verbose`)."""


class BuildOptions(NamedTuple):
    """Options of one build that are not part of the course source."""

    scorm_structure: str | None = None
    """Override course.yaml's `settings.scorm.structure` (`single` or `multi`)."""
    progress: Progress = lambda message: None
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


class Artifact(NamedTuple):
    """A file a target wrote, and whether this build changed it."""

    path: Path
    changed: bool = True


class BuildEvents(Protocol):
    """Who wants to hear about a build's progress, target by target (e.g. `progress.BuildReporter`)."""

    def targets_selected(self, names: Sequence[str]) -> None: ...
    def target_started(self, name: str) -> None: ...
    def target_finished(self, name: str, artifacts: Sequence[Artifact]) -> None: ...
    def target_unchanged(self, name: str, artifacts: Sequence[Artifact]) -> None:
        """Target `name` was not built: its inputs and its files are as the last build left them."""
        ...


def report_unchanged(
    files: Mapping[str, Sequence[Artifact]], options: BuildOptions, events: BuildEvents | None
) -> None:
    """Tell `events` (or `options.progress`) about the targets in `files` (name → its files),
    which were not built: their inputs and files are as the last build left them."""
    for name, artifacts in files.items():
        if events is not None:
            events.target_unchanged(name, artifacts)
        else:
            options.progress(f"{name}: unchanged since the last build")
