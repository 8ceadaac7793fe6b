"""The backup's shares of quizzes, kept from one build to the next, so that a build after an
edit that leaves the quizzes alone (a lesson's text, say) does not write them again.

A large course's quizzes are three quarters of its backup's work. Each share (`backup.QuizShare`)
is written into a file of its own; with a folder to keep them in (`BuildContext.keep`, beside
the build cache), that file is kept with a record of what made it:

- the share's key (`backup.share_key`): the tool's version and a hash of its code
  (`writer_code`), the course's settings, the share's quizzes as laid out (ids, names,
  sections) and every question they hold, by its id and the hash of the file it was read
  from as the build hashed it before the load;
- where each entry lies in the file, and the files its texts stored (for files.xml);
- each course file its texts embedded, with the hash of its bytes;
- the hash of the data file.

A later build takes the share from there only when its key is the same, every embedded file
still has those bytes, and the data file hashes as recorded; anything else (another version,
a record that does not parse, a file edited or gone) means the share is written afresh and
kept again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from coursebuilder.buildcache import checked_int, checked_text
from coursebuilder.mbz.archive import Layout
from coursebuilder.mbz.files import Area, StoredFile
from coursebuilder.output import write_bytes
from coursebuilder.renderstore import package_code_id
from coursebuilder.version import __version__

_FORMAT = 1
_SPOOL_PREFIX = ".share-"
STALE_SECONDS = 24 * 3600
"""How old a share's unfinished file must be to count as left by a stopped build."""


@dataclass(frozen=True)
class WrittenShare:
    """A share of quizzes as written: where its entries lie in its file, the files its texts
    stored, and the course files they embedded (path → sha256 of the bytes read)."""

    layout: Layout
    files: list[StoredFile]
    embedded: dict[str, str]


@dataclass(frozen=True)
class KeptShare:
    """A share found in the store: its data file (opened for reading) and how it was written."""

    data: IO[bytes]
    written: WrittenShare


class ShareStore:
    """The kept shares of one course's backup, in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, part: int) -> tuple[Path, Path]:
        return self.folder / f"share-{part}.json", self.folder / f"share-{part}.data"

    def spool(self) -> IO[bytes] | None:
        """A new file to write a share into, in the store's folder (so it can be kept by
        renaming), or None when there can be none (the share is then not kept). Files a
        build left there when it was stopped before keeping them go, once `STALE_SECONDS`
        old (a younger one may be another build's, at work)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for left in self.folder.glob(f"{_SPOOL_PREFIX}*"):
                with contextlib.suppress(OSError):
                    if time.time() - left.stat().st_mtime > STALE_SECONDS:
                        left.unlink()
            return tempfile.NamedTemporaryFile(dir=self.folder, prefix=_SPOOL_PREFIX, delete=False)
        except OSError:
            return None

    def find(self, part: int, key: str) -> KeptShare | None:
        """Share `part` as kept for `key`, when everything it was made from is unchanged."""
        record_path, data_path = self._paths(part)
        try:
            record = json.loads(record_path.read_bytes())
            if record.get("format") != _FORMAT or record.get("version") != __version__ or record.get("key") != key:
                return None
            written = _written(record)
            for path, digest in written.embedded.items():
                if hashlib.sha256(Path(path).read_bytes()).hexdigest() != digest:
                    return None
            data = data_path.open("rb")
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None
        try:
            size = os.fstat(data.fileno()).st_size
            inside = all(
                start >= 0 and start + length <= size
                for pieces in written.layout[1].values()
                for start, length in pieces
            )
            if not inside or _file_digest(data) != record["data"]:
                data.close()
                return None
        except (OSError, KeyError):
            data.close()
            return None
        return KeptShare(data, written)

    def keep(self, part: int, key: str, spool: IO[bytes], written: WrittenShare) -> None:
        """Keep share `part`, written into `spool` (made by `spool`), for the next build."""
        record_path, data_path = self._paths(part)
        try:
            spool.flush()
            spool.seek(0)
            record = {
                "format": _FORMAT,
                "version": __version__,
                "key": key,
                "data": _file_digest(spool),
                "layout": [written.layout[0], written.layout[1]],
                "files": [_file_entry(stored) for stored in written.files],
                "embedded": written.embedded,
            }
            os.replace(spool.name, data_path)
            write_bytes(record_path, json.dumps(record, sort_keys=True).encode(), durable=False)
        except OSError:
            pass  # nothing kept: the next build writes the share again


@functools.cache
def writer_code() -> str | None:
    """A hash of the code of the whole package, part of every share's key: a kept share was
    written by this very code. None when the code cannot be read: nothing is then kept or taken."""
    return package_code_id(f"coursebuilder {__version__} shares {_FORMAT}")


def embedded_digests(read: Iterable[tuple[Path, bytes]]) -> dict[str, str]:
    """Each course file a share's texts embedded (its path and the bytes read) → sha256."""
    return {os.fsdecode(path): hashlib.sha256(data).hexdigest() for path, data in read}


def _file_digest(data: IO[bytes]) -> str:
    data.seek(0)
    digest = hashlib.sha256()
    while chunk := data.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def _file_entry(stored: StoredFile) -> list[Any]:
    area = stored.area
    return [
        stored.id,
        [area.contextid, area.component, area.filearea, area.itemid],
        stored.filename,
        stored.sha1,
        stored.size,
        stored.mimetype,
        stored.filepath,
    ]


def _written(record: dict[str, Any]) -> WrittenShare:
    end, parts = record["layout"]
    layout: Layout = (
        checked_int(end),
        {
            checked_text(name): [(checked_int(start), checked_int(length)) for start, length in pieces]
            for name, pieces in parts.items()
        },
    )
    files = [
        StoredFile(
            checked_int(file_id),
            Area(checked_int(contextid), checked_text(component), checked_text(filearea), checked_int(itemid)),
            checked_text(filename),
            checked_text(sha1),
            checked_int(size),
            None if mimetype is None else checked_text(mimetype),
            checked_text(filepath),
        )
        for file_id, (contextid, component, filearea, itemid), filename, sha1, size, mimetype, filepath in record[
            "files"
        ]
    ]
    embedded = {checked_text(path): checked_text(digest) for path, digest in record["embedded"].items()}
    return WrittenShare(layout, files, embedded)
