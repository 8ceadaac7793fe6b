"""The files of the backup's course part kept from one build to the next, so that a build
after a lesson edit writes again only the page of that lesson.

The course part (`backup.PARTS`) is written in units: each page, book and the glossary, the
sections, the root files and files.xml. A unit's files depend on what `backup` puts in its key
(for an activity: its layout, its texts, the course's settings and the ids handed out before
it), on the code that writes and renders them, and on the course files its texts refer to.
Each unit written is kept, in one file beside the build cache, with:

- its key;
- its files' bytes;
- each reference its texts made to a course file, with the field it is restored into and
  the URL it became (`files.Lookup`);
- how many record ids it took.

A later build with the same key makes those references again (storing the course files as
they are now, under the same ids) and takes the kept files only when every reference comes
out as the URL it was; otherwise the unit is written afresh, and the references made again
leave the backup as a cold build leaves it (making a reference twice stores its file once).
The file (`renderstore.write_checked`) names its maker: the tool's version and a hash of its
code (`sharestore.writer_code`) and the renderer's (`renderstore.renderer_id`, with
markdown-it's version); one of another maker, whose checksum fails or that does not parse is
ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursebuilder.buildcache import checked_int, checked_pieces, checked_text
from coursebuilder.mbz.files import Area, Lookup
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sharestore import writer_code
from coursebuilder.renderstore import read_checked, renderer_id, write_checked

_FORMAT = 2
FILE = "course.kept"
RESAVE_SHARE = 1 / 32
"""The share of the course part's bytes that units written afresh must reach for the store to
be written again (or nothing was kept): after a lesson edit, writing its page again in the
next build costs far less than rewriting the store (16 MB for a large course)."""


@dataclass(frozen=True)
class KeptUnit:
    """What writing one unit made: its files, its texts' references to course files, and
    the number of record ids it took."""

    files: list[tuple[str, bytes]]
    lookups: list[Lookup]
    records: int


class CourseStore:
    """The kept units of one course's backup, in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._maker = _maker()
        self._kept = self._load() if self._maker is not None else {}
        self._used: dict[str, KeptUnit] = {}
        self._fresh_bytes = 0
        """The size of the files of the units written afresh (`save`)."""

    def write(self, job: Job, key: str, write: Callable[[], None]) -> None:
        """Add a unit's files to the job: those kept under `key` when its references to course
        files come out as before, else as `write` writes them into the job (then kept)."""
        kept = self._kept.get(key)
        if kept is not None and all(
            job.files.course_file(lookup.ref, lookup.source_file, lookup.area, lookup.field) == lookup.url
            for lookup in kept.lookups
        ):
            for path, data in kept.files:
                job.put_bytes(path, data)
            job.ids.record.skip(kept.records)
            self._used[key] = kept
            return
        files: list[tuple[str, bytes]] = []
        lookups: list[Lookup] = []
        first_record = job.ids.record.upcoming
        job.written, job.files.lookups = files, lookups
        try:
            write()
        finally:
            job.written, job.files.lookups = None, None
        self._used[key] = KeptUnit(files, lookups, (job.ids.record.upcoming - first_record) // job.ids.record.step)
        self._fresh_bytes += sum(len(data) for _, data in files)

    def save(self) -> None:
        """Keep this backup's units (and only those), unless they are what is kept already or
        those written afresh are less than `RESAVE_SHARE` of them (the next build writes them
        afresh again)."""
        if self._maker is None or self._used.keys() == self._kept.keys():
            return
        total = sum(len(data) for kept in self._used.values() for _, data in kept.files)
        if self._kept and self._fresh_bytes < RESAVE_SHARE * total:
            return
        index: list[Any] = []
        data: list[bytes] = []
        for key, kept in sorted(self._used.items()):
            lookups = [
                [lookup.ref, lookup.source_file, _area_entry(lookup.area), list(lookup.field), lookup.url]
                for lookup in kept.lookups
            ]
            index.append([key, [[path, len(content)] for path, content in kept.files], lookups, kept.records])
            data.extend(content for _, content in kept.files)
        write_checked(self.path, {"format": _FORMAT, "maker": self._maker}, [json.dumps(index).encode() + b"\n", *data])

    def _load(self) -> dict[str, KeptUnit]:
        payload = read_checked(self.path, {"format": _FORMAT, "maker": self._maker})
        if payload is None:
            return {}
        head, _, data = payload.partition(b"\n")
        kept: dict[str, KeptUnit] = {}
        try:
            index = json.loads(head)
            pieces = checked_pieces(data, [length for _, files, _, _ in index for _, length in files])
            if pieces is None:
                return {}
            contents = iter(pieces)
            for key, files, lookups, records in index:
                kept[checked_text(key)] = KeptUnit(
                    [(checked_text(path), next(contents)) for path, _ in files],
                    [_lookup(*lookup) for lookup in lookups],
                    checked_int(records),
                )
        except (ValueError, TypeError):
            return {}
        return kept


def _area_entry(area: Area) -> list[Any]:
    return [area.contextid, area.component, area.filearea, area.itemid]


def _lookup(ref: object, source_file: object, area: list[object], field: list[object], url: object) -> Lookup:
    contextid, component, filearea, itemid = area
    table, name = field
    return Lookup(
        checked_text(ref),
        checked_text(source_file),
        Area(checked_int(contextid), checked_text(component), checked_text(filearea), checked_int(itemid)),
        (checked_text(table), checked_text(name)),
        None if url is None else checked_text(url),
    )


def _maker() -> str | None:
    """The code that wrote and rendered the kept units; None when it cannot be read
    (nothing is then kept or taken)."""
    code, renderer = writer_code(), renderer_id()
    if code is None or renderer is None:
        return None
    return f"{code}:{renderer}"
