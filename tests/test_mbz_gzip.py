"""The backup's gzip is compressed in segments that threads share: whatever the threads and
however the tar arrives, the archive is one gzip member that any gunzip reads as the tar, the
same bytes every time, and about the size of one compressor's output; after an edit, only the
segments it touched are compressed again."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import random
import tarfile
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursebuilder.mbz import archive
from coursebuilder.mbz.archive import COMPRESS_LEVEL, SEGMENT_BYTES, Entries, mbz_bytes
from coursebuilder.renderstore import read_checked, write_checked
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
    cut_every=st.sampled_from([1, 2, 1024]),
    shortest=st.sampled_from([1, 700]),
    threads=st.sampled_from([1, 2, 3]),
)
def test_any_cut_reads_back_as_the_tar(
    sizes: list[int], segment: int, cut_every: int, shortest: int, threads: int
) -> None:
    """Small segments and many chosen names, so that cuts fall on headers, inside entries,
    before entries, and at the archive's very end (a tar is whole records: 20,480 bytes end
    exactly on a cut)."""
    entries = {f"f/{n}.xml": xml_like(size, n, period=3_000) for n, size in enumerate(sizes)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(archive, "SEGMENT_BYTES", segment)
        patch.setattr(archive, "CUT_EVERY", cut_every)
        patch.setattr(archive, "SHORTEST_SEGMENT", shortest)
        data = mbz_bytes(entries, threads=threads)
        serial = mbz_bytes(entries, threads=1)
    assert one_member(data) == tarfile_tar(entries)
    assert data == serial


# --------------------------------------------------------------------------- segments kept


@pytest.fixture
def deflated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the segments compressed from now on."""
    sizes: list[int] = []
    real = archive.deflate_run

    def counted(segment: bytes, window: bytes, level: int, last: bool) -> bytes:
        sizes.append(len(segment))
        return real(segment, window, level, last)

    monkeypatch.setattr(archive, "deflate_run", counted)
    return sizes


@pytest.fixture(scope="module")
def many() -> dict[str, bytes]:
    """A backup like a large course's: thousands of small entries in activity folders, and a
    questions.xml of several segments."""
    entries = {
        f"activities/page_{n}/{part}.xml": xml_like(300 + (n * 37 + len(part)) % 2_500, n, period=1_500)
        for n in range(100, 1_600)
        for part in ("module", "page", "inforef")
    }
    entries["questions.xml"] = xml_like(3 * SEGMENT_BYTES + 777, 5)
    return entries


def test_cuts_fall_at_chosen_entries_and_large_entries(many: dict[str, bytes]) -> None:
    """The tar is cut before an entry of a segment or more and before some chosen names, so
    the stream has more cuts than a cut every `SEGMENT_BYTES` would make, and still reads back."""
    lengths: list[int] = []
    real = archive._compressed

    def recorded(segment: bytes, *rest: Any) -> tuple[str, bytes]:
        lengths.append(len(segment))
        return real(segment, *rest)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(archive, "_compressed", recorded)
        data = mbz_bytes(many, threads=1)
    cuts = list(itertools.accumulate(lengths))
    tar = tarfile_tar(many)
    assert one_member(data) == tar
    questions_header = tar.index(b"questions.xml\0")
    assert questions_header in cuts, "the large entry starts a segment"
    assert questions_header + SEGMENT_BYTES in cuts, "and is cut every segment from its start"
    chosen = [cut for before, cut in itertools.pairwise([0, *cuts[:-1]]) if cut - before < SEGMENT_BYTES]
    assert len(chosen) >= 4, "cut before entries, not only every segment"
    for cut in chosen:
        path = tar[cut : cut + 100].rstrip(b"\0")
        assert path == b"questions.xml" or zlib.crc32(path) % archive.CUT_EVERY == 0, path


def edited_at(entries: dict[str, bytes], name: str, extra: bytes) -> dict[str, bytes]:
    return {**entries, name: entries[name] + extra}


def test_after_an_edit_only_the_segments_it_touches_are_compressed_again(
    many: dict[str, bytes], deflated: list[int], tmp_path: Path
) -> None:
    """An entry grown by 3,000 bytes moves every later offset, but the cuts resynchronise at the
    next chosen entry: the segment holding it and the one after (its window changed) are
    compressed again, the others taken from the store; the bytes are those of an archive
    compressed with no store."""
    mbz_bytes(many, threads=2, keep=tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == [archive.GzipStore.FILE]
    edited = edited_at(many, "activities/page_800/page.xml", b"<p>more</p>" * 300)
    deflated.clear()
    kept = mbz_bytes(edited, threads=2, keep=tmp_path)
    assert 0 < sum(deflated) <= 2 * SEGMENT_BYTES
    deflated.clear()
    assert kept == mbz_bytes(edited, threads=1)
    assert sum(deflated) >= len(tarfile_tar(edited)), "compressed whole without the store"
    assert one_member(kept) == tarfile_tar(edited)


def test_an_unchanged_archive_compresses_nothing_and_keeps_its_store(
    many: dict[str, bytes], deflated: list[int], tmp_path: Path
) -> None:
    first = mbz_bytes(many, threads=1, keep=tmp_path)
    store = tmp_path / archive.GzipStore.FILE
    before = store.stat().st_mtime_ns
    deflated.clear()
    assert mbz_bytes(many, threads=2, keep=tmp_path) == first
    assert deflated == []
    assert store.stat().st_mtime_ns == before, "nothing new to keep: not written again"


def test_a_changed_large_entry_is_compressed_again_from_the_change_on(
    many: dict[str, bytes], deflated: list[int], tmp_path: Path
) -> None:
    mbz_bytes(many, threads=1, keep=tmp_path)
    questions = bytearray(many["questions.xml"])
    questions[len(questions) // 2] ^= 1
    edited = {**many, "questions.xml": bytes(questions)}
    deflated.clear()
    again = mbz_bytes(edited, threads=1, keep=tmp_path)
    assert SEGMENT_BYTES <= sum(deflated) <= 3 * SEGMENT_BYTES
    assert again == mbz_bytes(edited, threads=2)


def rewrite_store(folder: Path, change: Callable[[bytes], bytes]) -> None:
    """Rewrite the store's payload with a valid checksum: the store must still not trust it."""
    path = folder / archive.GzipStore.FILE
    header = json.loads(path.read_bytes().partition(b"\n")[0])
    payload = read_checked(path, {"maker": header["maker"]})
    assert payload is not None
    write_checked(path, {"maker": header["maker"]}, change(payload))


@pytest.mark.parametrize(
    "damage",
    [
        "a flipped byte",
        "cut short",
        "a header that does not parse",
        "another maker",
        "lengths",
        "an index of another shape",
    ],
)
def test_a_damaged_gzip_store_is_ignored(
    damage: str, many: dict[str, bytes], deflated: list[int], tmp_path: Path
) -> None:
    clean = mbz_bytes(many, threads=1, keep=tmp_path)
    path = tmp_path / archive.GzipStore.FILE
    if damage == "a flipped byte":
        body = bytearray(path.read_bytes())
        body[len(body) // 3] ^= 0x40
        path.write_bytes(bytes(body))
    elif damage == "cut short":
        path.write_bytes(path.read_bytes()[:-10])
    elif damage == "a header that does not parse":
        path.write_bytes(b'{"maker": ' + path.read_bytes())
    elif damage == "another maker":
        path.write_bytes(path.read_bytes().replace(b'"maker": "', b'"maker": "0', 1))
    elif damage == "lengths":
        rewrite_store(tmp_path, lambda payload: payload.replace(b", ", b", 1", 1))
    else:
        rewrite_store(tmp_path, lambda payload: b"{}" + payload[payload.index(b"\n") :])
    deflated.clear()
    assert mbz_bytes(many, threads=2, keep=tmp_path) == clean
    assert sum(deflated) >= len(tarfile_tar(many)), "compressed afresh"
    deflated.clear()
    assert mbz_bytes(many, threads=2, keep=tmp_path) == clean
    assert deflated == [], "and kept anew"


def test_segments_kept_by_other_code_are_compressed_again(
    many: dict[str, bytes], deflated: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mbz_bytes(many, threads=1, keep=tmp_path)
    monkeypatch.setattr(archive, "_maker", lambda: "other code")
    deflated.clear()
    assert mbz_bytes(many, threads=1, keep=tmp_path) == mbz_bytes(many, threads=2)
    assert sum(deflated) >= 2 * len(tarfile_tar(many)), "compressed afresh both times"


def test_nowhere_to_keep_the_segments_is_no_error(many: dict[str, bytes], tmp_path: Path) -> None:
    blocked = tmp_path / "a file"
    blocked.write_bytes(b"")
    assert mbz_bytes(many, threads=2, keep=blocked / "gzip") == mbz_bytes(many, threads=1)
    assert not (blocked / "gzip").exists()


@settings(max_examples=200, deadline=None)
@given(first=st.binary(max_size=3_000), second=st.binary(max_size=3_000), repeat=st.sampled_from([1, 7, 5_000]))
def test_crcs_combine_as_zlib_computes_the_whole(first: bytes, second: bytes, repeat: int) -> None:
    """Each segment's CRC is taken on its own thread; the trailer's is combined from them."""
    second *= repeat
    assert archive.crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)
