"""Helpers for the course backup tests: unpack an .mbz safely and read its XML safely."""

from __future__ import annotations

import gzip
import io
import posixpath
import tarfile
from pathlib import Path

from lxml import etree

SAMPLE_MBZ = Path(__file__).resolve().parent / "fixtures" / "moodle-backup-sample.mbz"
"""A course backup Moodle 5.2 wrote, unchanged (the shared reference sample's archive)."""

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
"""Untrusted XML: no entity expansion, no DTD, no network."""


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, SAFE_PARSER)


def unpack(data: bytes) -> dict[str, bytes]:
    """The regular files of a gzipped tar by name; refuses names that escape the archive."""
    assert data[:2] == b"\x1f\x8b", "an .mbz Moodle reads as tar.gz starts with the gzip magic"
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data)), mode="r:") as tar:
        for member in tar.getmembers():
            name = member.name
            assert not name.startswith("/") and ".." not in name.split("/"), name
            assert posixpath.normpath(name) == name.rstrip("/"), name
            if member.isfile():
                handle = tar.extractfile(member)
                assert handle is not None
                files[name] = handle.read()
    return files


def read_dir(root: Path) -> dict[str, bytes]:
    """The files of an unpacked backup by archive path."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def texts(node: etree._Element, path: str) -> list[str]:
    return [str(value) for value in node.xpath(f"{path}/text()")]


def value(node: etree._Element, path: str) -> str:
    found = node.find(path)
    assert found is not None, f"no {path} in <{node.tag}>"
    return found.text or ""


def paths(node: etree._Element, prefix: str = "") -> set[str]:
    """Every element path (`a/b/c`) in a document: its element structure."""
    here = f"{prefix}/{node.tag}" if prefix else str(node.tag)
    found = {here}
    for child in node:
        if isinstance(child.tag, str):
            found |= paths(child, here)
    return found


def child_orders(node: etree._Element, prefix: str = "") -> dict[str, list[str]]:
    """For each element path, the names of its children in first-seen order."""
    here = f"{prefix}/{node.tag}" if prefix else str(node.tag)
    orders: dict[str, list[str]] = {}
    names: list[str] = []
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag not in names:
            names.append(child.tag)
        for key, value in child_orders(child, here).items():
            merged = orders.setdefault(key, [])
            merged.extend(name for name in value if name not in merged)
    orders.setdefault(here, [])
    orders[here].extend(name for name in names if name not in orders[here])
    return orders
