"""The backup's gzip is compressed in fixed segments that threads share: whatever the threads
and however the tar arrives, the archive is one gzip member that any gunzip reads as the tar,
the same bytes every time, and about the size of one compressor's output."""

from __future__ import annotations

import gzip
import io
import random
import tarfile
import threading
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursebuilder.mbz import archive
from coursebuilder.mbz.archive import COMPRESS_LEVEL, SEGMENT_BYTES, Entries, mbz_bytes
from tests.test_mbz_streaming import tarfile_tar


def one_member(data: bytes) -> bytes:
    """The data of a gzip file that must be exactly one member, with nothing after it.

    Moodle reads a backup with `gzopen` and `gzread` (`lib/filestorage/tgz_extractor.php`,
    `tgz_extractor::extract_or_list`, read in Moodle 4.5): zlib's inflate behind gzip framing,
    which is what `wbits=31` asks of the same library here.
    """
    reader = zlib.decompressobj(31)
    tar = reader.decompress(data)
    assert reader.eof and reader.unused_data == b"", "not exactly one gzip member"
    return tar


def xml_like(size: int, seed: int, period: int = 20_000) -> bytes:
    """Records of pseudo-random text repeating every `period` bytes: a segment compressed
    without the bytes before it must spell out a whole period again."""
    generator = random.Random(seed)
    unit = b"".join(
        b'<question id="%d"><text>%s</text></question>\n' % (n, bytes(generator.choices(range(97, 123), k=40)))
        for n in range(period // 70)
    )
    return (unit * (size // len(unit) + 1))[:size]


@pytest.fixture(scope="module")
def large() -> dict[str, bytes]:
    """A backup of several segments, its largest entry crossing many cuts."""
    return {
        "moodle_backup.xml": xml_like(300_000, 1),
        "questions.xml": xml_like(4 * SEGMENT_BYTES + 12_345, 2),
        "files/3f/3f00": bytes(random.Random(3).randbytes(70_000)),
        "activities/quiz_1/quiz.xml": xml_like(900_000, 4),
    }


def test_a_backup_of_many_segments_is_one_gzip_member_of_the_whole_tar(large: dict[str, bytes]) -> None:
    data = mbz_bytes(large, threads=2)
    tar = tarfile_tar(large)
    assert len(tar) > 5 * SEGMENT_BYTES
    assert one_member(data) == tar
    assert gzip.decompress(data) == tar
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as opened:
        assert {member.name for member in opened if member.isfile()} == set(large)


def test_threads_and_write_sizes_do_not_change_the_bytes(large: dict[str, bytes]) -> None:
    serial = mbz_bytes(large, threads=1)
    assert mbz_bytes(large, threads=2) == serial
    assert mbz_bytes(large, threads=5) == serial
    spooled = Entries(spill=1 << 16)
    try:
        for name, data in large.items():  # parts that straddle the segment cuts at odd places
            for start in range(0, len(data), 333_333):
                spooled.append(name, data[start : start + 333_333])
        assert mbz_bytes(spooled, threads=2) == serial
    finally:
        spooled.close()


def test_segments_primed_with_the_window_cost_next_to_nothing(large: dict[str, bytes]) -> None:
    """Each cut adds a flush marker and a new block; without the 32 KiB before it, every
    segment would spell out a whole 20,000-byte period again (tens of kilobytes)."""
    tar = tarfile_tar(large)
    single = zlib.compress(tar, COMPRESS_LEVEL, wbits=31)
    segmented = mbz_bytes(large, threads=2)
    cuts = len(tar) // SEGMENT_BYTES
    assert len(segmented) - len(single) <= 64 * cuts + 256


def test_the_threads_are_gone_when_the_archive_is_written(large: dict[str, bytes]) -> None:
    """A build forks only while it runs no other thread (`prescan.may_fork`)."""
    mbz_bytes(large, threads=2)
    assert not [thread.name for thread in threading.enumerate() if thread.name.startswith("mbz-gzip")]


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.sampled_from([0, 1, 511, 4095, 4096, 4097, 10_240, 30_000]), min_size=1, max_size=6),
    segment=st.sampled_from([512, 4096, 10_240, 20_480]),
    threads=st.sampled_from([1, 2, 3]),
)
def test_any_cut_reads_back_as_the_tar(sizes: list[int], segment: int, threads: int) -> None:
    """Small segments, so that cuts fall on headers, inside entries, and at the archive's very
    end (a tar is whole records: 20,480 bytes end exactly on a cut)."""
    entries = {f"f/{n}.xml": xml_like(size, n, period=3_000) for n, size in enumerate(sizes)}
    original = archive.SEGMENT_BYTES
    archive.SEGMENT_BYTES = segment
    try:
        data = mbz_bytes(entries, threads=threads)
        serial = mbz_bytes(entries, threads=1)
    finally:
        archive.SEGMENT_BYTES = original
    assert one_member(data) == tarfile_tar(entries)
    assert data == serial
