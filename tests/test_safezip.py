"""Zips are read one way: names, links and sizes are checked before anything is inflated."""

from __future__ import annotations

import io
import stat
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest

from coursebuilder import limits
from coursebuilder.output import zip_bytes
from coursebuilder.safezip import UnsafeZip, ZipProblem, extract_zip, read_zip


def make_zip(*entries: tuple[str | zipfile.ZipInfo, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compression) as archive:
        warnings.simplefilter("ignore")  # duplicate names are what some tests are about
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


HOSTILE = {
    "dot-dot": (make_zip(("../evil.txt", b"x")), "has a '..' part"),
    "dot-dot deeper": (make_zip(("a/b/../../../evil.txt", b"x")), "has a '..' part"),
    "backslash dot-dot": (make_zip(("a\\..\\..\\evil.txt", b"x")), "has a '..' part"),
    "absolute": (make_zip(("/etc/cron.d/evil", b"x")), "is an absolute path"),
    "windows absolute": (make_zip(("C:\\Windows\\evil.dll", b"x")), "is an absolute path"),
    "windows drive relative": (make_zip(("C:evil.dll", b"x")), "is an absolute path"),
    "backslash absolute": (make_zip(("\\evil.txt", b"x")), "is an absolute path"),
    "control character": (make_zip(("evil\x1b[2J.txt", b"x")), "control character"),  # zipfile cuts names at NUL
    "symlink": (make_zip(symlink("link", "/etc/passwd")), "is a symbolic link"),
    "symlink then file through it": (
        make_zip(symlink("assets", "/tmp"), ("assets/evil.txt", b"x")),
        "is a symbolic link",
    ),
    "names differing in case": (make_zip(("Lesson.md", b"a"), ("lesson.md", b"b")), "appears twice"),
    "same name twice": (make_zip(("a.txt", b"a"), ("a.txt", b"b")), "appears twice"),
    "file and folder of one name": (make_zip(("a", b"a"), ("A/", b"")), "appears twice"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_entries_are_refused(case: str, tmp_path: Path) -> None:
    data, message = HOSTILE[case]
    with pytest.raises(UnsafeZip, match=message) as info:
        read_zip(data, "upload.zip")
    assert str(info.value).startswith("upload.zip: ")
    dest = tmp_path / "out"
    with pytest.raises(UnsafeZip, match=message):
        extract_zip(data, dest, "upload.zip")
    assert list(dest.iterdir()) == [], "nothing is written before every entry is checked"
    assert not (tmp_path / "evil.txt").exists()


def test_a_deflate_bomb_is_refused_by_ratio() -> None:
    bomb = make_zip(("zeros.bin", bytes(20 * 1024 * 1024)))
    assert len(bomb) < 100_000
    with pytest.raises(UnsafeZip, match=r"zeros\.bin: expands [\d,]+ times .* the limit is 200"):
        read_zip(bomb, "bomb.zip")


def test_small_repetitive_files_pass_the_ratio_check() -> None:
    """Ratio alone would flag a 100 KB file of spaces; it is checked from 1 MB on."""
    assert read_zip(make_zip(("spaces.txt", b" " * 100_000)))["spaces.txt"] == b" " * 100_000


def overlapping_bomb(copies: int, size: int) -> bytes:
    """Many directory entries sharing one compressed stream (the 'better zip bomb' shape)."""
    payload = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = payload.compress(bytes(size)) + payload.flush()
    crc = zlib.crc32(bytes(size))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(kernel), size, 5, 0) + b"k.bin"
    body = local + kernel
    central = b""
    for index in range(copies):
        name = f"f{index:05}.bin".encode()
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(kernel), size, len(name), 0, 0, 0, 0, 0, 0
        )
        central += name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, copies, copies, len(central), len(body), 0)
    return body + central + end


def test_an_overlapping_entry_bomb_is_refused_by_total_size() -> None:
    bomb = overlapping_bomb(copies=2000, size=900_000)  # 1.8 GB declared, each entry under the ratio floor
    assert len(bomb) < 200_000
    with pytest.raises(UnsafeZip, match=f"expands to more than {limits.MAX_ZIP_BYTES:,} bytes in total"):
        read_zip(bomb, "overlap.zip")


def test_an_entry_over_the_entry_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ZIP_ENTRY_BYTES", 1000)
    with pytest.raises(UnsafeZip, match="the limit for one entry is 1,000"):
        read_zip(make_zip(("big.txt", b"x" * 1001), compression=zipfile.ZIP_STORED))


def test_too_many_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ZIP_ENTRIES", 3)
    with pytest.raises(UnsafeZip, match="has 4 entries; the limit is 3"):
        read_zip(make_zip(*[(f"{i}.txt", b"") for i in range(4)]))


def test_a_lying_size_is_refused_not_trusted() -> None:
    """The directory says 10 bytes, the stream holds 1 MB: reading stops, nothing wrong is returned."""
    data = bytearray(make_zip(("a.bin", bytes(1024 * 1024))))
    central = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)  # uncompressed size in the central directory
    with pytest.raises(ZipProblem, match=r"a\.bin"):
        read_zip(bytes(data), "liar.zip")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip", "is not a readable zip"),
        (b"", "is not a readable zip"),
        (make_zip(("a.txt", b"hello"))[:30], "is not a readable zip"),
    ],
)
def test_broken_zips_are_problems(data: bytes, message: str) -> None:
    with pytest.raises(ZipProblem, match=message):
        read_zip(data, "broken.zip")


def test_encrypted_entries_are_refused() -> None:
    data = bytearray(make_zip(("secret.txt", b"x")))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature)
        flags = struct.unpack_from("<H", data, at + offset)[0]
        struct.pack_into("<H", data, at + offset, flags | 1)
    with pytest.raises(ZipProblem, match=r"secret\.txt: is encrypted"):
        read_zip(bytes(data))


def test_a_package_of_ours_reads_back(tmp_path: Path) -> None:
    entries = {"imsmanifest.xml": b"<manifest/>", "lessons/01.html": b"<p>x</p>", "assets/a.png": b"\x89PNG"}
    data = zip_bytes(entries.items())
    assert read_zip(data) == entries
    path = tmp_path / "package.zip"
    path.write_bytes(data)
    assert read_zip(path) == entries
    written = extract_zip(path, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == sorted(entries)
    assert (tmp_path / "out/lessons/01.html").read_bytes() == b"<p>x</p>"


def test_folders_and_dot_parts_are_normalised() -> None:
    data = make_zip(("a/", b""), ("./a/./b.txt", b"b"), ("a//c.txt", b"c"))
    assert read_zip(data) == {"a/b.txt": b"b", "a/c.txt": b"c"}


def test_extracting_into_a_folder_with_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "existing.txt").write_text("keep")
    with pytest.raises(ZipProblem, match="is not empty"):
        extract_zip(make_zip(("existing.txt", b"overwrite")), tmp_path)
    assert (tmp_path / "existing.txt").read_text() == "keep"


def test_the_package_reads_zips_only_through_safezip() -> None:
    """Zips are written with zipfile (mode "w"); every read goes through `safezip`."""
    from tests.conftest import ROOT

    offenders = []
    for path in sorted((ROOT / "coursebuilder").rglob("*.py")):
        if path.name == "safezip.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if "ZipFile(" in line and '"w"' not in line and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "read zips with coursebuilder.safezip:\n" + "\n".join(offenders)
