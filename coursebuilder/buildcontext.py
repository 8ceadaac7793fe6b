"""What the targets of one build share: made once per build and handed to each target.

Targets render the same texts and the two SCORM versions (and the course backup's SCORM
activity) the same pages; doing that work once is what this object is for. It holds all
that passes between targets, so nothing does so behind the reader's back, and nothing
here outlives the build: another build, of this course or another, starts from a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coursebuilder.markdown import RenderCache
from coursebuilder.model import Course
from coursebuilder.sourcedigests import SourceFiles

if TYPE_CHECKING:
    from coursebuilder.scorm.package import SharedContent, Structure
    from coursebuilder.targets.moodle import SharedBank


@dataclass
class BuildContext:
    """The course of one build and the work its targets share."""

    course: Course
    """The loaded course every target of the build writes."""
    renders: RenderCache = field(default_factory=RenderCache)
    """Each Markdown text parsed once, whichever target renders it (images resolved per target)."""
    keep: Path | None = None
    """A folder where targets may keep what they made for the next build of the course into
    the same output (beside the build cache), or None: keep nothing."""
    sources: SourceFiles | None = None
    """The course's files as the build cache hashed them before the load, when the build keeps
    anything: what a target's kept parts are keyed by."""
    wait_to_write: Callable[[], None] | None = None
    """What a target calls before it writes into the output folder. In a process that began
    building before the course's checks were done (`build`), it waits there until the build
    may write, and ends the process should the build stop; None: write at once."""
    scorm: dict[Structure, SharedContent] = field(default_factory=dict)
    """By SCORM structure: the pages, quiz and files both SCORM versions share (`targets.scorm`)."""
    bank: SharedBank | None = None
    """The question bank's forked helper, begun before the course's checks (`Target.begin`)
    and taken by the `moodle` target when it builds; None: none was begun, or it was taken."""

    def close(self) -> None:
        """End what a target began and did not take: the build stopped before it."""
        if self.bank is not None:
            bank, self.bank = self.bank, None
            bank.close()
