"""Scan the lessons' Markdown on a second core while the rest of the course loads.

Loading a large course spends most of its time on the quiz files (YAML and pydantic), on one
core, yet the lesson bodies are known right after the lessons load, long before the checks
parse them (about a second for 2,000 lessons). A child forked at that point scans them in the
meantime and sends back what `scan_markdown` found; the checks take it from there.

A child that fails in any way (an error, a signal, a short or garbled answer) costs only its
time: the checks then scan the bodies themselves, so the diagnostics are those of a serial
load, byte for byte. Forking a process that runs other threads is unsafe (the preview server
loads from its threads): such a load scans serially too.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import weakref
from collections.abc import Sequence

from coursebuilder import limits
from coursebuilder.htmlsafety import UnsafeHtml, scan_markdown
from coursebuilder.markdown import Reference

Scan = tuple[list[UnsafeHtml], list[Reference]]
"""What `scan_markdown` returns for one text."""

WORTH_FORKING = 1_000_000
"""Characters of lesson bodies from which a child pays for itself (a tenth of a second of scanning)."""


class TextScans:
    """`scan_markdown` of the course's texts: taken from the child for the texts it scanned,
    made here for the others (and for all of them when there is no child or it failed)."""

    def __init__(self, child: _Child | None = None) -> None:
        self._child = child
        self._found: dict[str, Scan] = {}

    def scan(self, text: str) -> Scan:
        """What `scan_markdown(text)` returns."""
        if self._child is not None:
            child, self._child = self._child, None
            self._found = child.collect()
        found = self._found.get(text)
        return found if found is not None else scan_markdown(text)

    def close(self) -> None:
        """End a child whose results were never asked for (a load that stopped early)."""
        if self._child is not None:
            child, self._child = self._child, None
            child.end()


def prescan(bodies: Sequence[str], min_chars: int | None = WORTH_FORKING) -> TextScans:
    """Start scanning `bodies` in a forked child when they hold at least `min_chars`
    characters (None: never) and forking is safe; the scans are asked of what this returns."""
    texts = list(dict.fromkeys(body for body in bodies if len(body) <= limits.MAX_BODY_CHARS))
    if min_chars is None or not texts or sum(map(len, texts)) < min_chars:
        return TextScans()
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return TextScans()
    return TextScans(_Child.start(texts))


class _Child:
    """A forked process scanning `texts`, and the read end of the pipe its answer comes through."""

    def __init__(self, texts: list[str], pid: int, read_end: int) -> None:
        self.texts, self.pid, self.read_end = texts, pid, read_end
        # A load that raises before it asks for the scans still ends and reaps the child.
        self._end = weakref.finalize(self, _end, pid, read_end)

    @classmethod
    def start(cls, texts: list[str]) -> _Child | None:
        try:
            read_end, write_end = os.pipe()
        except OSError:  # no descriptor left: scan here
            return None
        try:
            pid = os.fork()
        except OSError:  # no process left: scan here
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # pragma: no cover - runs in the child
            _scan_and_exit(texts, read_end, write_end)
        os.close(write_end)
        return cls(texts, pid, read_end)

    def collect(self) -> dict[str, Scan]:
        """The child's scans by text (none when it failed), once it has ended."""
        self._end.detach()
        data: bytes | None = None
        try:
            with contextlib.suppress(OSError), os.fdopen(self.read_end, "rb") as pipe:
                data = pipe.read()  # all of it before waiting: a large answer fills the pipe
        finally:
            if data is None:  # the read failed or was interrupted: the answer is not wanted
                _kill(self.pid)
            clean = _exited_cleanly(self.pid)
        if not clean or data is None:
            return {}
        try:
            scans = pickle.loads(data)
        except Exception:  # a short or garbled answer: scan here instead
            return {}
        if not isinstance(scans, list) or len(scans) != len(self.texts):
            return {}
        return dict(zip(self.texts, scans, strict=True))

    def end(self) -> None:
        """Stop the child without waiting for its answer."""
        self._end()


def _scan_and_exit(texts: list[str], read_end: int, write_end: int) -> None:  # pragma: no cover - the child
    """In the child: send the scans of `texts` through `write_end`, then end the process
    without running the parent's exit handlers or flushing its buffers."""
    code = 1
    try:
        os.close(read_end)
        data = pickle.dumps([scan_markdown(text) for text in texts], pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)


def _exited_cleanly(pid: int) -> bool:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): its status is unknown
        return False
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already reaped elsewhere
        os.kill(pid, signal.SIGKILL)


def _end(pid: int, read_end: int) -> None:
    _kill(pid)
    os.close(read_end)
    _exited_cleanly(pid)
