"""Read an input file safely and tell its format from its content.

XML is parsed without entity expansion, DTDs or network access, and a document type
declaration is refused outright: a question bank never needs one, and refusing it closes the
door on entity tricks ("billion laughs", external entities).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lxml import etree

from coursebuilder import limits
from coursebuilder.safexml import UnsafeXML, XMLProblem, parse_xml_bytes

MAX_IMPORT_BYTES = limits.MAX_XML_BYTES
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
    """Parse untrusted XML through `safexml`: no DOCTYPE, DTD, entities or network; default size limits."""
    try:
        root = parse_xml_bytes(data, "<import>")
    except UnsafeXML as exc:
        if "DOCTYPE" in exc.message:
            raise InputProblem("has a <!DOCTYPE> declaration; refused (exports never need one)", exc.line) from None
        raise InputProblem(f"is refused: {exc.message}", exc.line) from None
    except XMLProblem as exc:
        message = exc.message
        if "huge" in message.lower() or "too long" in message.lower():
            message += " (a text or embedded file over 10 MB is refused)"
        raise InputProblem(f"is not well-formed XML: {message}", exc.line) from None
    for node in root.iter(etree.Entity):
        line = getattr(node, "sourceline", 0)
        raise InputProblem(f"uses the entity {node.text}, which is refused", line if isinstance(line, int) else 0)
    return root
