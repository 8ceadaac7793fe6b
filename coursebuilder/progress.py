"""What `build` tells the person running it: progress per target, then where every file went.

On a terminal each target gets a line as it starts and finishes (with its time); when the
output goes to a file or a CI log it stays plain and stable: no progress, no times, only the
closing summary. `--quiet` prints nothing but problems; `--verbose` adds each step a target
reports, on a terminal or not.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from coursebuilder.diagnostics import counted_as

if TYPE_CHECKING:
    from coursebuilder.buildoptions import Artifact


def human_size(size: int) -> str:
    """`512 B`, `12.3 KB`, `4.0 MB`: sizes as a person reads them (1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it, else as it is."""
    cwd = Path.cwd()
    if path.is_absolute() and path.is_relative_to(cwd):
        return path.relative_to(cwd).as_posix()
    return path.as_posix()


class BuildReporter:
    """Receives a build's events (see `build.build_course`) and writes them for a person."""

    def __init__(
        self, stream: TextIO, *, quiet: bool = False, verbose: bool = False, interactive: bool | None = None
    ) -> None:
        self.stream = stream
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.interactive = (stream.isatty() if interactive is None else interactive) and not quiet
        self._started: dict[str, float] = {}
        """When each target began: targets in parallel processes start and end interleaved."""
        self._width = 0

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def step(self, message: str) -> None:
        """A step inside a target (shown with --verbose)."""
        if self.verbose:
            self._write(f"    {message}\n")

    def targets_selected(self, names: Sequence[str]) -> None:
        self._width = max((len(name) for name in names), default=0)

    def target_started(self, name: str) -> None:
        self._started[name] = time.perf_counter()
        if self.interactive or self.verbose:
            self._write(f"  {name:{self._width}}  building …\n")

    def target_finished(self, name: str, artifacts: Sequence[Artifact]) -> None:
        if not (self.interactive or self.verbose):
            return
        files = counted_as(len(artifacts), "file")
        took = ""
        if self.interactive:
            seconds = time.perf_counter() - self._started.pop(name, 0.0)
            took = f", {seconds:.2f} s" if seconds < 10 else f", {seconds:.1f} s"
        self._write(f"  {name:{self._width}}  done: {files}{took}\n")

    def target_unchanged(self, name: str, artifacts: Sequence[Artifact]) -> None:
        """A target not built: its inputs and files are as the last build left them."""
        if not (self.interactive or self.verbose):
            return
        files = counted_as(len(artifacts), "file")
        self._write(f"  {name:{self._width}}  unchanged: {files}\n")

    def summary(self, artifacts: Sequence[Artifact]) -> None:
        """The closing list: each artefact with its size and path, then the total."""
        if self.quiet:
            return
        if not artifacts:
            self._write("nothing built: no target is enabled for this course (see `coursebuilder targets`)\n")
            return
        rows = []
        total = 0
        for artifact in artifacts:
            size = artifact.path.stat().st_size
            total += size
            note = "" if artifact.changed else "  (unchanged)"
            rows.append((human_size(size), display_path(artifact.path) + note))
        width = max(len(size) for size, _ in rows)
        lines = [f"  {size:>{width}}  {where}" for size, where in rows]
        count = counted_as(len(artifacts), "file")
        self._write(f"built {count}, {human_size(total)}:\n" + "\n".join(lines) + "\n")
