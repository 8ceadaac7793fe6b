"""The backup's gzip is compressed in fixed segments that threads share: whatever the threads
and however the tar arrives, the archive is one gzip member that any gunzip reads as the tar,
the same bytes every time, and about the size of one compressor's output."""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
import threading
import zlib
from pathlib import Path

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


# --------------------------------------------------------------------------- large entries kept


@pytest.fixture
def fresh_from_a_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries of one MiB or more start a run of their own (the `large` questions.xml does)."""
    monkeypatch.setattr(archive, "FRESH_BYTES", 1 << 20)


@pytest.fixture
def deflated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the segments compressed from now on."""
    sizes: list[int] = []
    real = archive._deflate

    def counted(segment: bytes, window: bytes, level: int, last: bool) -> bytes:
        sizes.append(len(segment))
        return real(segment, window, level, last)

    monkeypatch.setattr(archive, "_deflate", counted)
    return sizes


def test_a_large_entry_is_a_run_of_its_own_that_any_gunzip_reads(
    large: dict[str, bytes], fresh_from_a_mib: None
) -> None:
    serial = mbz_bytes(large, threads=1)
    assert one_member(serial) == tarfile_tar(large)
    assert mbz_bytes(large, threads=2) == serial == mbz_bytes(large, threads=5)
    tar = tarfile_tar(large)
    assert len(serial) - len(zlib.compress(tar, COMPRESS_LEVEL, wbits=31)) <= 64 * (len(tar) // SEGMENT_BYTES) + 2048


def test_a_kept_run_gives_the_bytes_compressed_afresh(
    large: dict[str, bytes], fresh_from_a_mib: None, deflated: list[int], tmp_path: Path
) -> None:
    """The run depends on the entry's bytes alone: with another entry before it changed, the
    next archive takes it from the store, compresses only the rest, and is byte for byte the
    archive compressed with no store."""
    mbz_bytes(large, threads=2, keep=tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["gzip.data", "gzip.json"]
    edited = {**large, "moodle_backup.xml": large["moodle_backup.xml"][::-1]}  # sorts before questions.xml
    deflated.clear()
    kept = mbz_bytes(edited, threads=2, keep=tmp_path)
    assert sum(deflated) < len(tarfile_tar(edited)) - len(large["questions.xml"]) + SEGMENT_BYTES
    deflated.clear()
    assert kept == mbz_bytes(edited, threads=1)
    assert sum(deflated) >= len(large["questions.xml"]), "compressed whole without the store"


def test_an_entry_changed_is_compressed_again(
    large: dict[str, bytes], fresh_from_a_mib: None, deflated: list[int], tmp_path: Path
) -> None:
    mbz_bytes(large, threads=1, keep=tmp_path)
    questions = bytearray(large["questions.xml"])
    questions[len(questions) // 2] ^= 1
    edited = {**large, "questions.xml": bytes(questions)}
    deflated.clear()
    again = mbz_bytes(edited, threads=1, keep=tmp_path)
    assert sum(deflated) >= len(questions)
    assert again == mbz_bytes(edited, threads=2)


@pytest.mark.parametrize(
    "damage",
    ["a flipped byte in the data", "data cut short", "a record that does not parse", "another format", "lengths"],
)
def test_a_damaged_gzip_store_is_ignored(
    damage: str, large: dict[str, bytes], fresh_from_a_mib: None, deflated: list[int], tmp_path: Path
) -> None:
    mbz_bytes(large, threads=1, keep=tmp_path)
    data, record = tmp_path / "gzip.data", tmp_path / "gzip.json"
    if damage == "a flipped byte in the data":
        body = bytearray(data.read_bytes())
        body[len(body) // 3] ^= 0x40
        data.write_bytes(bytes(body))
    elif damage == "data cut short":
        data.write_bytes(data.read_bytes()[:-10])
    elif damage == "a record that does not parse":
        record.write_text('{"format": 1, "runs": ')
    elif damage == "another format":
        record.write_text(record.read_text().replace('"format": 2', '"format": 99'))
    else:
        parsed = json.loads(record.read_text())
        for _, lengths in parsed["runs"]:
            lengths[0] += 1  # the data's hash still matches; the run does not
        record.write_text(json.dumps(parsed))
    deflated.clear()
    assert mbz_bytes(large, threads=2, keep=tmp_path) == mbz_bytes(large, threads=1)
    assert sum(deflated) >= 2 * len(large["questions.xml"]), "compressed afresh both times"


def test_several_kept_runs_each_go_back_to_their_own_entry(
    large: dict[str, bytes], fresh_from_a_mib: None, deflated: list[int], tmp_path: Path
) -> None:
    """Three large entries of different sizes, kept together, then each taken from the store
    while the small entries around them change: the archive is the one compressed afresh."""
    entries = {
        **large,
        "files/aa/aaaa": xml_like(SEGMENT_BYTES + 5_000, 7),
        "activities/zz/big.xml": xml_like(2 * SEGMENT_BYTES + 99, 8),
    }
    mbz_bytes(entries, threads=2, keep=tmp_path)
    edited = {**entries, "moodle_backup.xml": entries["moodle_backup.xml"][::-1]}
    deflated.clear()
    kept = mbz_bytes(edited, threads=2, keep=tmp_path)
    assert sum(deflated) < 2 * SEGMENT_BYTES, "the three large entries came from the store"
    assert kept == mbz_bytes(edited, threads=1)
    assert one_member(kept) == tarfile_tar(edited)


def test_runs_kept_by_other_code_are_compressed_again(
    large: dict[str, bytes],
    fresh_from_a_mib: None,
    deflated: list[int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mbz_bytes(large, threads=1, keep=tmp_path)
    monkeypatch.setattr(archive, "_archive_code", lambda: "other code")
    deflated.clear()
    assert mbz_bytes(large, threads=1, keep=tmp_path) == mbz_bytes(large, threads=2)
    assert sum(deflated) >= 2 * len(large["questions.xml"]), "compressed afresh both times"
