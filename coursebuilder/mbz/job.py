"""What every part of one backup shares: the course, its ids, its files and the archive's entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from coursebuilder.mbz import xml
from coursebuilder.mbz.archive import Entries
from coursebuilder.mbz.files import FileStore
from coursebuilder.mbz.ids import USER_ID, Ids
from coursebuilder.mbz.sections import Plan
from coursebuilder.model import Course


@dataclass
class Job:
    """One backup being written."""

    course: Course
    ids: Ids
    files: FileStore
    plan: Plan
    author: str
    """Full name of the backup's one user, who owns the glossary entries and questions."""
    userid: int = USER_ID
    entries: Entries = field(default_factory=Entries)
    written: list[tuple[str, bytes]] | None = None
    """When a list, every file added is also added there (to keep an activity's files, `coursestore`)."""

    @property
    def root(self) -> Path:
        return Path(self.course.root)

    def put(self, path: str, document: etree._Element) -> None:
        """Add an XML file to the archive."""
        self.put_bytes(path, xml.to_bytes(document))

    def put_bytes(self, path: str, data: bytes) -> None:
        """Add a file already serialized (e.g. `xml.empty_document`)."""
        if path in self.entries:
            raise ValueError(f"{path} written twice")
        self.entries[path] = data
        if self.written is not None:
            self.written.append((path, data))
