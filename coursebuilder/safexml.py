"""The one way coursebuilder parses XML: no DTD, no entities, no network, bounded size.

XML read by the project (Moodle exports to import, backups and packages in tests) may come
from anywhere. A document type declaration is what every XML attack needs — external entities
read local files or URLs (XXE), nested internal entities expand a few hundred bytes into
gigabytes ("billion laughs") — and no format we read uses one, so any `<!DOCTYPE` is refused
before libxml2 looks inside it. The parser is also set to load no DTD, expand no entity,
reach no network and keep libxml2's limits on text size and depth (no `huge_tree`).

    from coursebuilder.safexml import XMLProblem, parse_xml_bytes
    try:
        root = parse_xml_bytes(data, "questions.xml")
    except XMLProblem as exc:       # UnsafeXML too
        report(exc.name, exc.line, exc.message)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from coursebuilder import limits


class XMLProblem(ValueError):
    """XML that cannot be read. `name` is the file, `line` 1-based (0 when unknown).

    `str()` gives `name:line: message`, ready to print.
    """

    def __init__(self, name: str, line: int, message: str, column: int = 0) -> None:
        self.name, self.line, self.column, self.message = name, line, column, message
        where = f"{name}:{line}" if line else name
        super().__init__(f"{where}: {message}")


class UnsafeXML(XMLProblem):
    """XML refused for safety: a DOCTYPE (entities, external files) or a file over the size limit."""


class _DoctypeFound(Exception):
    pass


class _DoctypeGuard:
    """Parser target that stops at the DOCTYPE, before its entities are declared."""

    def doctype(self, name: Any, pubid: Any, system: Any) -> None:
        raise _DoctypeFound

    def close(self) -> None:
        return None


def _parser(target: Any = None, remove_blank_text: bool = False, huge_text: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge_text,
        remove_blank_text=remove_blank_text,
    )


def parse_xml_bytes(
    data: bytes, name: str = "<xml>", remove_blank_text: bool = False, huge_text: bool = False
) -> etree._Element:
    """Parse `data` and return its root element.

    Raises UnsafeXML for a DOCTYPE or data over `limits.MAX_XML_BYTES`, XMLProblem for XML
    that is not well-formed; both name `name` and the line.

    `huge_text` lifts libxml2's 10 MB limit on one text node (and 256 levels of nesting),
    for Moodle exports that embed large files as base64. It is safe only because a DOCTYPE
    is refused (nothing can expand) and the input is bounded by `limits.MAX_XML_BYTES`.
    """
    if len(data) > limits.MAX_XML_BYTES:
        raise UnsafeXML(name, 0, f"is {len(data):,} bytes; the limit for an XML file is {limits.MAX_XML_BYTES:,}")
    try:
        etree.fromstring(data, _parser(_DoctypeGuard()))
    except _DoctypeFound:
        raise UnsafeXML(
            name,
            _doctype_line(data),
            "has a DOCTYPE declaration, which is refused: it can define entities that read files or "
            "expand without bound (XXE, 'billion laughs'); remove it",
        ) from None
    except etree.XMLSyntaxError:
        pass  # reported with its line by the real parse below
    try:
        return etree.fromstring(data, _parser(remove_blank_text=remove_blank_text, huge_text=huge_text))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        message = re.sub(r", line \d+, column \d+$", "", str(exc.msg or "not well-formed XML"))
        if "huge" in message.lower() or "excessive depth" in message.lower():
            message += " (text nodes over 10 MB and nesting over 256 levels are refused)"
        raise XMLProblem(name, line or 0, message, column) from None
    except ValueError as exc:
        raise XMLProblem(name, 0, str(exc)) from None


def parse_xml_file(path: Path | str, name: str | None = None, huge_text: bool = False) -> etree._Element:
    """Read and parse the XML file at `path`, checking its size before reading it."""
    path = Path(path)
    label = name or path.as_posix()
    try:
        size = path.stat().st_size
        if size > limits.MAX_XML_BYTES:
            raise UnsafeXML(label, 0, f"is {size:,} bytes; the limit for an XML file is {limits.MAX_XML_BYTES:,}")
        with path.open("rb") as handle:
            data = handle.read(limits.MAX_XML_BYTES + 1)
    except OSError as exc:
        raise XMLProblem(label, 0, f"cannot read: {exc.strerror or exc}") from None
    return parse_xml_bytes(data, label, huge_text=huge_text)


def _doctype_line(data: bytes) -> int:
    at = data.upper().find(b"<!DOCTYPE")
    return data[:at].count(b"\n") + 1 if at >= 0 else 1
