"""The backup's documents serialized on a second thread while the next ones are built.

Serializing is a quarter of a large backup's writing, and lxml lets go of the GIL while it
serializes: a second thread does it while this one builds the next document. The bytes reach
the archive in the order the documents were given, so the entries are the same as
serializing each at once; a document must not be changed once given.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from lxml import etree

from coursebuilder.mbz import xml
from coursebuilder.mbz.archive import Entries

MAX_WAITING = 16
"""Documents given and not yet in the archive: beyond this, wait for the oldest (bounds memory)."""

Trim = Callable[[bytes], bytes]
"""What to keep of a serialized document (a part of questions.xml keeps its categories only)."""


class Serializer:
    """Puts documents into the archive's entries, serializing them on a thread when `threaded`."""

    def __init__(self, entries: Entries, *, threaded: bool) -> None:
        self.entries = entries
        self._names: set[str] = set()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="mbz-xml") if threaded else None
        self._waiting: deque[tuple[str, bool, Future[bytes] | bytes]] = deque()

    def put(self, path: str, document: etree._Element) -> None:
        """Add an XML file to the archive."""
        self._claim(path)
        self._queue(path, False, document, None)

    def put_bytes(self, path: str, data: bytes) -> None:
        """Add a file already serialized (e.g. `xml.empty_document`)."""
        self._claim(path)
        self._waiting.append((path, False, data))

    def append(self, path: str, document: etree._Element, trim: Trim) -> None:
        """Add what `trim` keeps of a serialized document to the end of entry `path`."""
        self._names.add(path)
        self._queue(path, True, document, trim)

    def append_bytes(self, path: str, data: bytes) -> None:
        """Add bytes to the end of entry `path`."""
        self._names.add(path)
        self._waiting.append((path, True, data))

    def finish(self) -> None:
        """Wait for every document and put it in the archive; then stop the thread."""
        try:
            self._drain(0)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the thread (a process may fork only while it runs no other: `prescan.may_fork`)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _claim(self, path: str) -> None:
        if path in self._names:
            raise ValueError(f"{path} written twice")
        self._names.add(path)

    def _queue(self, path: str, append: bool, document: etree._Element, trim: Trim | None) -> None:
        if self._pool is None:
            self._waiting.append((path, append, _serialize(document, trim)))
        else:
            self._waiting.append((path, append, self._pool.submit(_serialize, document, trim)))
        self._drain(MAX_WAITING)

    def _drain(self, keep: int) -> None:
        """Move finished documents to the archive, in order, until at most `keep` wait."""
        waiting = self._waiting
        while waiting:
            path, append, result = waiting[0]
            if isinstance(result, Future):
                if len(waiting) <= keep and not result.done():
                    return
                data = result.result()
            else:
                data = result
            waiting.popleft()
            if append:
                self.entries.append(path, data)
            else:
                self.entries[path] = data


def _serialize(document: etree._Element, trim: Trim | None) -> bytes:
    data = xml.to_bytes(document)
    return trim(data) if trim is not None else data
