"""Read an input file safely and tell its format from its content.

XML is parsed without entity expansion, DTDs or network access, and a document type
declaration is refused outright: a question bank never needs one, and refusing it closes the
door on entity tricks ("billion laughs", external entities).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lxml import etree

MAX_IMPORT_BYTES = 256 * 1024 * 1024
"""Largest input file read (a Moodle XML export with its images inside)."""

Kind = Literal["moodle-xml", "glossary-xml", "gift"]


class InputProblem(Exception):
    """An input file that cannot be read at all; `line` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message, self.line = message, line


@dataclass
class Input:
    """A readable input file: its kind, and its parsed XML or decoded text."""

    kind: Kind
    name: str
    root: etree._Element | None = None
    text: str = ""


def _doctype_offset(data: bytes) -> int | None:
    """Offset of a `<!DOCTYPE` in the prolog (before the root element), else None."""
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while pos < len(data):
        if data[pos : pos + 1].isspace():
            pos += 1
        elif data.startswith(b"<?", pos):
            end = data.find(b"?>", pos)
            pos = len(data) if end < 0 else end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos)
            pos = len(data) if end < 0 else end + 3
        elif data[pos : pos + 9].upper() == b"<!DOCTYPE":
            return pos
        else:
            return None
    return None


def read_input(path: Path, name: str | None = None) -> Input:
    """Read `path`, detect Moodle XML, glossary XML or GIFT, and parse it."""
    label = name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise InputProblem(f"file is {size:,} bytes; the limit is {MAX_IMPORT_BYTES:,}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputProblem("file does not exist") from None
    except IsADirectoryError:
        raise InputProblem("is a directory; give the exported file") from None
    except OSError as exc:
        raise InputProblem(f"cannot read: {exc.strerror}") from None
    return parse_input(data, label)


def parse_input(data: bytes, name: str) -> Input:
    """Detect the format of `data` from its first bytes (not from the file name) and parse it."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\x1f\x8b"):
        raise InputProblem(
            "is a zip or gzip archive (a Moodle course backup?); export the question bank as "
            "Moodle XML or GIFT, or the glossary as XML, and import that file"
        )
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        root = parse_xml(data)
        tag = root.tag if isinstance(root.tag, str) else ""
        if tag == "quiz":
            return Input("moodle-xml", name, root=root)
        if tag == "GLOSSARY":
            return Input("glossary-xml", name, root=root)
        raise InputProblem(
            f"is XML with root element <{tag}>; expected <quiz> (Moodle XML questions) "
            "or <GLOSSARY> (a glossary export)",
            getattr(root, "sourceline", 1) if isinstance(getattr(root, "sourceline", None), int) else 1,
        )
    if b"\x00" in data[:4096]:
        raise InputProblem("is a binary file; expected Moodle XML, GIFT or a glossary export")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputProblem(f"is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8", line) from None
    return Input("gift", name, text=text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network, default size limits."""
    offset = _doctype_offset(data)
    if offset is not None:
        line = data[:offset].count(b"\n") + 1
        raise InputProblem("has a <!DOCTYPE> declaration; refused (exports never need one)", line)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        message = re.sub(r", line \d+, column \d+$", "", str(exc.msg or exc))
        if "huge" in message.lower() or "too long" in message.lower():
            message += " (a text or embedded file over 10 MB is refused)"
        raise InputProblem(f"is not well-formed XML: {message}", line) from None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype:
        raise InputProblem("has a <!DOCTYPE> declaration; refused (exports never need one)", 1)
    for node in root.iter(etree.Entity):
        line = getattr(node, "sourceline", 0)
        raise InputProblem(f"uses the entity {node.text}, which is refused", line if isinstance(line, int) else 0)
    return root
