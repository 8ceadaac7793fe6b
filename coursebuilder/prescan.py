"""Scan the lessons' Markdown on a second core while the rest of the course loads.

Loading a large course spends most of its time on the quiz files (YAML and pydantic), on one
core, yet the lesson bodies are known right after the lessons load, long before the checks
parse them (about a second for 2,000 lessons). A child forked at that point scans them in the
meantime and sends back what `scan_markdown` found; the checks take it from there.
`ForkedCall` does the same for other work of a large course's load: the quiz files read on
the fast path (shared with this process by `Claims`, each part handed over as it is read by
`UnitStream`), its glossary parsed, the checks that need no scans.

A child that fails in any way (an error, a signal, a short or garbled answer) costs only its
time: the checks then scan the bodies themselves, so the diagnostics are those of a serial
load, byte for byte. Forking a process that runs other threads is unsafe (the preview server
loads from its threads): such a load scans serially too.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle
import select
import signal
import struct
import tempfile
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

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
        self._sent = frozenset(child.texts) if child is not None else frozenset()
        self._found: dict[str, Scan] = {}

    @property
    def forked(self) -> bool:
        """Whether a child scans texts (its answer not yet taken)."""
        return self._child is not None

    def scan(self, text: str) -> Scan:
        """What `scan_markdown(text)` returns; waits for the child only for a text it scans."""
        if self._child is not None and text in self._sent:
            child, self._child = self._child, None
            scans = child.collect()
            self._found = dict(zip(child.texts, scans, strict=True)) if scans is not None else {}
        found = self._found.get(text)
        return found if found is not None else scan_markdown(text)

    def close(self) -> None:
        """End a child whose results were never asked for (a load that stopped early)."""
        if self._child is not None:
            child, self._child = self._child, None
            child.end()


def prescan(bodies: Sequence[str], min_chars: int | None = WORTH_FORKING, after: Turn | None = None) -> TextScans:
    """Start scanning `bodies` in a forked child when they hold at least `min_chars`
    characters (None: never) and forking is safe; the scans are asked of what this returns.
    With `after`, the child begins once the child holding that turn is done (`Turn`)."""
    texts = list(dict.fromkeys(body for body in bodies if len(body) <= limits.MAX_BODY_CHARS))
    if min_chars is None or not texts or sum(map(len, texts)) < min_chars:
        return TextScans()
    if not may_fork():
        return TextScans()
    return TextScans(_Child.start(texts, _scan, after=after))


def _scan(text: str) -> Scan:
    # `scan_markdown` looked up when called: the tests replace it in the child.
    return scan_markdown(text)


def may_fork() -> bool:
    """Forking a process that runs other threads is unsafe (the preview server loads from its threads)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class ForkedCall:
    """`function()`, worked out in a forked child while this process goes on; called here
    instead when `fork` is false, forking is unsafe, or the child failed. `function` must not
    change anything this process keeps: its result is sent back (`_encoded`), its effects are lost."""

    def __init__(
        self,
        function: Callable[[], Any],
        fork: bool,
        instead: Callable[[], Any] | None = None,
        holds: Turn | None = None,
        after: Turn | None = None,
    ) -> None:
        """`instead`, when given, is called here in place of `function` when there is no child's
        answer: for work that cannot simply be done again (`Claims`, `no_answer`). The child
        holds turn `holds` until its work is done, and begins it once it is its turn `after`
        (`Turn`)."""
        self._function = function
        self._instead = instead or function
        try:
            forking = fork and may_fork()
            self._child = _Child.start([""], lambda _: function(), holds=holds, after=after) if forking else None
        finally:
            if holds is not None:
                holds.pass_on()

    @property
    def forked(self) -> bool:
        """Whether a child is working on it (until the result is taken)."""
        return self._child is not None

    def result(self) -> Any:
        """The result (waits for the child)."""
        child, self._child = self._child, None
        found = child.collect() if child is not None else None
        return found[0] if found is not None else self._instead()

    def close(self) -> None:
        """End a child whose result is not wanted, without waiting for it."""
        if self._child is not None:
            child, self._child = self._child, None
            child.end()


def no_answer() -> None:
    """`ForkedCall`'s `instead` for work shared out with `Claims`: no answer, so that the
    caller does here what it knows the child left undone."""
    return None


class Gate:
    """Holds a forked child back at one point until this process lets it through: for work
    begun before it is known to be wanted, whose effects must wait until it is.

    Made here before the fork. The child calls `wait()`, which returns once this process has
    called `open()`; should this process `close()` it instead, or end, the child ends there
    (`os._exit`), having done nothing past that point. Here, where the work is done again when
    the child failed (`ForkedCall`), `wait()` returns at once.
    """

    def __init__(self) -> None:
        self._ends = list(os.pipe())
        """[read end, write end]; -1 once closed in this process."""
        self._maker = os.getpid()

    def wait(self) -> None:
        """In the child: return when let through; otherwise end the process here."""
        if os.getpid() != self._maker:
            _wait_or_exit(self._ends)

    def open(self) -> None:
        """Let the child through."""
        if self._ends[1] >= 0:
            with contextlib.suppress(OSError):
                os.write(self._ends[1], _GO)
        self.close()

    def close(self) -> None:
        """Stop the child at the gate (unless it was let through); release the pipe."""
        _close_ends(self._ends)


_GO = b"1"


class Turn:
    """Two forked children in turn on the second core: the one that waits for the turn begins
    its work once the one that holds it is done with its own, or has ended.

    Forked one beside the other, both would share that core and both be done late, though this
    process needs the first one's answer long before the second's (the quiz files' data before
    the lesson scans). The turn is a pipe: made here, its write end goes to the holder only
    (this process closes its own once the holder is forked, or could not be: `pass_on`),
    and the holder closes it when done; the waiter reads the other end until it ends. This
    process closes that end (`close`) once the waiter is forked, or none will be.
    """

    def __init__(self) -> None:
        try:
            self._ends = list(os.pipe())
            """[read end, write end]; -1 once closed in this process."""
        except OSError:  # no descriptor left: the waiter does not wait
            self._ends = [-1, -1]
        self._finalizer = weakref.finalize(self, _close_ends, self._ends)

    def pass_on(self) -> None:
        """Close this process's write end: here once the holder is forked (or could not be),
        so that the holder's alone is left; in the holder once its work is done."""
        _close_end(self._ends, 1)

    def wait(self) -> None:  # pragma: no cover - runs in the waiter
        """In the waiter: return once the holder is done or has ended."""
        _close_end(self._ends, 1)
        with contextlib.suppress(OSError):
            while os.read(self._ends[0], 4096):
                pass
        _close_end(self._ends, 0)

    def close(self) -> None:
        """Here, once the waiter is forked or none will be."""
        self._finalizer()


class Claims:
    """`count` units of work shared out between this process and one forked child as each
    gets to them: one side takes them from the first on (`front`), the other from the last
    back (`back`), until they meet (the bank's helper takes them from the back, the quiz
    files' reader from the front).

    Where they meet depends on the schedule, never what is made of each unit. The units are
    bytes in a pipe, filled and closed for writing before the fork: each side reads one byte
    per claim (a read of one byte is whole or none), and the pipe runs empty when all are
    claimed, the reads then ending at once. Each side counts its own claims, so it knows
    which units are its own; each knows the other's as those it did not take.
    """

    LIMIT = 4096
    """Units at most: fewer bytes than any system's pipe holds unread."""

    def __init__(self, count: int) -> None:
        if not 0 <= count <= self.LIMIT:
            raise ValueError(f"{count} units: from 0 to {self.LIMIT}")
        self.count = count
        self._fronts = self._backs = 0
        """Units claimed by this side (of this process, or of the child after the fork) from each end."""
        read_end, write_end = os.pipe()
        try:
            os.write(write_end, bytes(count))
        finally:
            os.close(write_end)
        self._read_end = [read_end]
        self._finalizer = weakref.finalize(self, _close_end, self._read_end, 0)

    def _claim(self) -> bool:
        try:
            return self._read_end[0] >= 0 and os.read(self._read_end[0], 1) != b""
        except OSError:
            return False

    def front(self) -> int | None:
        """The next unit from the first on, or None once every unit is claimed."""
        if not self._claim():
            return None
        self._fronts += 1
        return self._fronts - 1

    def back(self) -> int | None:
        """The next unit from the last back, or None once every unit is claimed."""
        if not self._claim():
            return None
        self._backs += 1
        return self.count - self._backs

    @property
    def taken(self) -> int:
        """How many units this side has claimed."""
        return self._fronts + self._backs

    def close(self) -> None:
        """Claim nothing more here: the other side takes what is left."""
        self._finalizer()


class UnitStream:
    """What a forked child makes of the units it claims (`Claims`), handed to this process
    as each one is done, in the order the child sends them: from the front, its k-th is unit
    k (the quiz files' reader); from the back, the last but k (the bank's helper).

    Each unit's bytes go into a temporary file, at the child's own running offset, and their
    size through a pipe (four bytes, written whole): however long this process is busy
    elsewhere, the child never waits for it to read, as it would once a pipe of the bytes
    themselves were full. Made here before the fork; `started` once the child is forked (or
    could not be), after which the pipe ends when the child does.
    """

    _SIZE = struct.Struct("<I")

    def __init__(self) -> None:
        self._spill = tempfile.TemporaryFile()  # noqa: SIM115  # closed by `close`
        try:
            self._ends = list(os.pipe())
            """[read end, write end]; -1 once closed in this process."""
        except OSError:
            self._spill.close()
            raise
        self._finalizer = weakref.finalize(self, _close_stream, self._ends, self._spill)
        self._written = 0
        """In the child: bytes written so far."""
        self._places: list[tuple[int, int]] = []
        """Here: (offset, size) of each unit sent so far, in order."""
        self._offset = 0
        self._partial = b""
        self.open = True
        """Here: whether more may come (the child has not ended, and no read failed)."""

    def send(self, data: bytes) -> None:  # pragma: no cover - runs in the child
        """In the child: the next unit's bytes (empty: the unit is to be done by this process)."""
        at = 0
        while at < len(data):
            at += os.pwrite(self._spill.fileno(), memoryview(data)[at:], self._written + at)
        self._written += len(data)
        os.write(self._ends[1], self._SIZE.pack(len(data)))

    def started(self) -> None:
        """Here, once the child is forked or could not be: its end of the pipe alone is left."""
        _close_end(self._ends, 1)
        os.set_blocking(self._ends[0], False)

    def has(self, sent: int) -> bool:
        """Whether the child's `sent + 1`-th unit has come."""
        return sent < len(self._places)

    @property
    def sent(self) -> int:
        """How many units have come."""
        return len(self._places)

    def receive(self, wait: bool) -> None:
        """Take in the sizes sent so far; with `wait`, wait for one, or for the child's end."""
        if not self.open:
            return
        if wait:
            poll = select.poll()
            poll.register(self._ends[0], select.POLLIN)
            poll.poll()  # readable, or the child has ended (POLLHUP)
        try:
            chunk = os.read(self._ends[0], 4096)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.open = False
            return
        chunk = self._partial + chunk
        whole = len(chunk) - len(chunk) % self._SIZE.size
        for (size,) in self._SIZE.iter_unpack(chunk[:whole]):
            self._places.append((self._offset, size))
            self._offset += size
        self._partial = chunk[whole:]

    def unit(self, sent: int) -> bytes | None:
        """The bytes of the child's `sent + 1`-th unit (empty: the child left it to this
        process); None when it has not come, or the file does not hold it."""
        return _read_range(self._spill.fileno(), *self._places[sent]) if self.has(sent) else None

    def whole(self) -> bool:
        """Whether the child has ended, and the units that came hold the file's every byte:
        each unit it wrote was sent, at the size it wrote (for a child that answered too)."""
        return not self.open and self._offset == os.fstat(self._spill.fileno()).st_size

    def close(self) -> None:
        """Release the pipe and the temporary file."""
        self.open = False
        self._finalizer()


def _read_range(fd: int, offset: int, size: int) -> bytes | None:
    """`size` bytes at `offset` of a file another process wrote; None when the file does not
    hold them (a size it misreported is never allocated)."""
    if offset + size > os.fstat(fd).st_size:
        return None
    data = b""
    while len(data) < size:
        more = os.pread(fd, size - len(data), offset + len(data))
        if not more:
            return None
        data += more
    return data


def _close_stream(ends: list[int], spill: Any) -> None:
    _close_ends(ends)
    spill.close()


def _close_end(ends: list[int], which: int) -> None:
    if ends[which] >= 0:
        with contextlib.suppress(OSError):
            os.close(ends[which])
        ends[which] = -1


def _close_ends(ends: list[int]) -> None:
    _close_end(ends, 1)
    _close_end(ends, 0)


def _wait_or_exit(ends: list[int]) -> None:  # pragma: no cover - runs in the child
    _close_end(ends, 1)  # the child's copy: the parent's alone decides when the pipe ends
    try:
        answer = os.read(ends[0], 1)
    except OSError:
        answer = b""
    if answer != _GO:
        os._exit(1)


class _Child:
    """A forked process working on `texts`, and the read end of the pipe its answer comes through."""

    def __init__(self, texts: list[str], pid: int, read_end: int) -> None:
        self.texts, self.pid, self.read_end = texts, pid, read_end
        # A load that raises before it asks for the scans still ends and reaps the child.
        self._end = weakref.finalize(self, _end, pid, read_end)

    @classmethod
    def start(
        cls, texts: list[str], function: Callable[[str], Any], holds: Turn | None = None, after: Turn | None = None
    ) -> _Child | None:
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
            _work_and_exit(function, texts, read_end, write_end, holds, after)
        os.close(write_end)
        return cls(texts, pid, read_end)

    def collect(self) -> list[Any] | None:
        """The child's results, one for each text (None when it failed), once it has ended."""
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
            return None
        try:
            results = _decoded(data)
        except Exception:  # a short or garbled answer: work here instead
            return None
        if not isinstance(results, list) or len(results) != len(self.texts):
            return None
        return results

    def end(self) -> None:
        """Stop the child without waiting for its answer."""
        self._end()


def _work_and_exit(
    function: Callable[[str], Any],
    texts: list[str],
    read_end: int,
    write_end: int,
    holds: Turn | None = None,
    after: Turn | None = None,
) -> None:  # pragma: no cover - the child
    """In the child: send `function` of each of `texts` through `write_end`, then end the
    process without running the parent's exit handlers or flushing its buffers. The work
    begins once it is its turn `after`, and turn `holds` is passed on once it is done."""
    code = 1
    try:
        os.close(read_end)
        if after is not None:
            after.wait()
        results = [function(text) for text in texts]
        if holds is not None:
            holds.pass_on()
        data = _encoded(results)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)


_MARSHAL, _PICKLE = b"m", b"p"
"""The first byte of an answer: the form of the rest."""


def _encoded(results: list[Any]) -> bytes:
    """The answer for `results`: in `marshal`'s form when they are all plain values (the quiz
    files' data, the glossary's), which is written about ten times and read twice as fast as a
    pickle; pickled otherwise (the scans, the checks' diagnostics, the bank's parts). `marshal` refuses
    what it cannot give back as it was (a subclass of `tuple` or `str`, say); both ends are this
    very program, forked, so the form is theirs alike."""
    try:
        return _MARSHAL + marshal.dumps(results)
    except ValueError:
        return _PICKLE + pickle.dumps(results, pickle.HIGHEST_PROTOCOL)


def _decoded(data: bytes) -> Any:
    body = memoryview(data)[1:]
    if data[:1] == _MARSHAL:
        return marshal.loads(body)
    if data[:1] == _PICKLE:
        return pickle.loads(body)
    raise ValueError("not an answer")


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
