"""The .mbz archive: a gzipped POSIX ustar tar, as Moodle's `tgz_packer` writes it.

Moodle's `tgz_extractor` needs the `ustar` magic in every header and would turn PAX or GNU
long-name entries into plain files, so entries are plain ustar with short ASCII paths.
Entries are sorted, times, owners and modes fixed, and gzip gets mtime 0 and no file name:
the same entries always give the same bytes.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Mapping

MAX_PATH = 100
"""A ustar name field; longer paths would need the prefix field, which we never need."""


def mbz_bytes(entries: Mapping[str, bytes]) -> bytes:
    """Pack `entries` (path → bytes) with a directory entry for every folder."""
    folders = sorted({"/".join(path.split("/")[:depth]) for path in entries for depth in range(1, path.count("/") + 1)})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted([*(f"{folder}/" for folder in folders), *entries], key=lambda item: item.rstrip("/")):
            if len(name.encode("ascii")) > MAX_PATH:
                raise ValueError(f"archive path longer than {MAX_PATH} bytes: {name}")
            info = tarfile.TarInfo(name.rstrip("/") if name.endswith("/") else name)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                data = entries[name]
                info.mode = 0o644
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0)
