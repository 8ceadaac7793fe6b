"""What every part of one backup shares: the course, its ids, its files and the archive's entries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from coursebuilder.mbz.files import FileStore
from coursebuilder.mbz.ids import USER_ID, Ids
from coursebuilder.mbz.sections import Plan
from coursebuilder.mbz.serializer import Serializer
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
    writer: Serializer
    """Where the archive's files go (serialized on a second thread when the build has two cores)."""
    userid: int = USER_ID

    @property
    def root(self) -> Path:
        return Path(self.course.root)

    def put(self, path: str, document: etree._Element) -> None:
        """Add an XML file to the archive (the document must not change after)."""
        self.writer.put(path, document)

    def put_bytes(self, path: str, data: bytes) -> None:
        """Add a file already serialized (e.g. `xml.empty_document`)."""
        self.writer.put_bytes(path, data)
