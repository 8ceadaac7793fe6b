"""The course's own activities (pages, books, the glossary) kept from one build to the next,
so that a build after a lesson edit writes again only the page of that lesson.

An activity's files depend on its layout (ids, name, section), the texts it holds, the course's
settings, the ids its part of the backup had handed out before it (files and records), the
code that writes and renders them, and the course files its texts refer to. Each activity
written is kept, in one file beside the build cache, with:

- its key (`backup.activity_key`): all of the above but the code and the course files;
- its files' bytes;
- each reference its texts made to a course file, with the URL it became (`files.Lookup`);
- how many record ids it took.

A later build with the same key makes those references again (storing the course files as
they are now, under the same ids) and takes the kept files only when every reference comes
out as the URL it was; otherwise the activity is written afresh, and the store's references
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

from coursebuilder.buildcache import checked_int, checked_text
from coursebuilder.mbz.files import Area, Lookup
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.sections import Activity
from coursebuilder.mbz.sharestore import writer_code
from coursebuilder.renderstore import read_checked, renderer_id, write_checked

_FORMAT = 1
FILE = "activities.kept"

Writer = Callable[[Job, Activity], None]


@dataclass(frozen=True)
class KeptActivity:
    """What writing one activity made: its files, its texts' references to course files, and
    the number of record ids it took."""

    files: list[tuple[str, bytes]]
    lookups: list[Lookup]
    records: int


class ActivityStore:
    """The kept activities of one course's backup, in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._maker = _maker()
        self._kept = self._load() if self._maker is not None else {}
        self._used: dict[str, KeptActivity] = {}

    def write(self, job: Job, activity: Activity, key: str, writer: Writer) -> None:
        """Add `activity`'s files to the job: those kept under `key` when its references to
        course files come out as before, else as `writer` writes them (then kept)."""
        kept = self._kept.get(key)
        if kept is not None and all(
            job.files.course_file(lookup.ref, lookup.source_file, lookup.area) == lookup.url for lookup in kept.lookups
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
            writer(job, activity)
        finally:
            job.written, job.files.lookups = None, None
        self._used[key] = KeptActivity(files, lookups, (job.ids.record.upcoming - first_record) // job.ids.record.step)

    def save(self) -> None:
        """Keep this backup's activities (and only those), unless they are what is kept already."""
        if self._maker is None or self._used.keys() == self._kept.keys():
            return
        index: list[Any] = []
        data: list[bytes] = []
        for key, kept in sorted(self._used.items()):
            lookups = [
                [lookup.ref, lookup.source_file, _area_entry(lookup.area), lookup.url] for lookup in kept.lookups
            ]
            index.append([key, [[path, len(content)] for path, content in kept.files], lookups, kept.records])
            data.extend(content for _, content in kept.files)
        payload = json.dumps(index).encode() + b"\n" + b"".join(data)
        write_checked(self.path, {"format": _FORMAT, "maker": self._maker}, payload)

    def _load(self) -> dict[str, KeptActivity]:
        payload = read_checked(self.path, {"format": _FORMAT, "maker": self._maker})
        if payload is None:
            return {}
        head, _, data = payload.partition(b"\n")
        kept: dict[str, KeptActivity] = {}
        offset = 0
        try:
            for key, files, lookups, records in json.loads(head):
                contents = []
                for path, length in files:
                    contents.append((checked_text(path), data[offset : offset + checked_int(length)]))
                    offset += length
                kept[checked_text(key)] = KeptActivity(
                    contents, [_lookup(*lookup) for lookup in lookups], checked_int(records)
                )
        except (ValueError, TypeError):
            return {}
        return kept if offset == len(data) else {}


def _area_entry(area: Area) -> list[Any]:
    return [area.contextid, area.component, area.filearea, area.itemid]


def _lookup(ref: object, source_file: object, area: list[object], url: object) -> Lookup:
    contextid, component, filearea, itemid = area
    return Lookup(
        checked_text(ref),
        checked_text(source_file),
        Area(checked_int(contextid), checked_text(component), checked_text(filearea), checked_int(itemid)),
        None if url is None else checked_text(url),
    )


def _maker() -> str | None:
    """The code that wrote and rendered the kept activities; None when it cannot be read
    (nothing is then kept or taken)."""
    code, renderer = writer_code(), renderer_id()
    if code is None or renderer is None:
        return None
    return f"{code}:{renderer}"
