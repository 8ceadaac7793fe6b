"""Deflate in runs: each run compressed on its own, primed with the 32 KiB before it, and
ended on a byte boundary (a sync flush) but the last, as pigz does.

The runs join into one deflate stream that any inflater reads, and a run's compressed bytes
depend only on its bytes, the window before it, the level and whether it ends the stream
(`run_key`), so that they can be kept from one build to the next and compressed again only
when one of those changes (the backup's gzip segments, a large SCORM page's runs).
"""

from __future__ import annotations

import hashlib
import zlib

WINDOW_BYTES = 32 * 1024
"""Deflate's window: how far back a run's compressor may refer."""


def run_key(run: bytes, window: bytes, level: int, last: bool) -> str:
    """All a run's compressed bytes depend on but the code and zlib (a store names those): its
    bytes, the window it is primed with, the level and whether it ends the stream."""
    digest = hashlib.sha256(b"%d %d %d\0" % (level, last, len(window)))
    digest.update(window)
    digest.update(run)
    return digest.hexdigest()


def deflate_run(run: bytes, window: bytes, level: int, last: bool) -> bytes:
    """One run as raw deflate primed with `window`, ended on a byte boundary or, for the
    last, ended."""
    if window:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=window)
    else:  # the first: as zlib starts a stream
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(run) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
