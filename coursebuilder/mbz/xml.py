"""XML as Moodle's backup writer shapes it, built with lxml.

Moodle writes every value as an element's text, `$@NULL@$` for SQL NULL, numbers with fixed
decimals, and a double-quoted XML declaration that restore looks for in the first 200 bytes
(`backup/util/helper/convert_helper.class.php`); lxml's own declaration uses single quotes,
so the declaration is written here and the document after it by lxml.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping

from lxml import etree

NULL = "$@NULL@$"
"""How Moodle's backup marks an SQL NULL."""

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

Value = str | int | float | bool | None
Fields = Iterable[tuple[str, Value]]


def text(value: Value) -> str:
    """A value as Moodle writes it: NULL marker, 1/0 for booleans, plain integers."""
    kind = value.__class__
    if kind is str:  # most values, then plain integers: tested first (670,000 fields in a large backup)
        return value  # type: ignore[return-value]
    if kind is int:
        return str(value)
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number(value)
    return value


def number(value: float) -> str:
    """A number without a needless `.0` (how an author would type it)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def decimal(value: float, places: int) -> str:
    """A number with Moodle's fixed decimals (`1.0000000` for marks, `10.00000` for grades)."""
    return f"{value:.{places}f}"


def element(tag: str, attrs: Mapping[str, Value] | None = None, fields: Fields = ()) -> etree._Element:
    """A new element with attributes and leaf children."""
    node = etree.Element(tag, {key: text(value) for key, value in (attrs or {}).items()})
    add_fields(node, fields)
    return node


def child(
    parent: etree._Element, tag: str, attrs: Mapping[str, Value] | None = None, fields: Fields = ()
) -> etree._Element:
    """A child element (a container or a record) with attributes and leaf children.

    A record is a copy of a template with its attributes and fields, made once per shape:
    copying the elements in C and filling in their texts costs about a third less than
    creating each element (a large backup has a million fields).
    """
    if not fields:
        return etree.SubElement(parent, tag, {key: text(value) for key, value in attrs.items()} if attrs else None)
    rows = fields if isinstance(fields, list) else list(fields)
    node = _copy(_template(tag, tuple(attrs) if attrs else (), tuple([name for name, _ in rows])))
    if attrs:
        for key, value in attrs.items():
            node.set(key, value if value.__class__ is str else text(value))
    for leaf, (_, value) in zip(list(node), rows, strict=True):  # a list is quicker than iterating
        kind = value.__class__
        leaf.text = value if kind is str else str(value) if kind is int else text(value)  # most are text or int
    parent.append(node)
    return node


_copy: Callable[[etree._Element], etree._Element] = etree._Element.__copy__  # type: ignore[attr-defined]
"""A deep copy of an element (what `copy.copy` calls, without its dispatch)."""


@functools.cache
def _template(tag: str, attrs: tuple[str, ...], names: tuple[str, ...]) -> etree._Element:
    """An element with the given attributes (empty) and one empty child per field name.

    Made once per shape: tags and names are the writers' own, never the course's.
    """
    node = etree.Element(tag, dict.fromkeys(attrs, ""))
    for name in names:
        etree.SubElement(node, name)
    return node


def add_fields(parent: etree._Element, fields: Fields) -> None:
    """Append one leaf element per (name, value)."""
    sub = etree.SubElement
    for name, value in fields:
        sub(parent, name).text = value if value.__class__ is str else text(value)


def graft(parent: etree._Element, template: etree._Element) -> etree._Element:
    """Append a copy of `template` (a subtree of fixed shape, made once) to `parent`; return it."""
    node = _copy(template)
    parent.append(node)
    return node


def graft_children(parent: etree._Element, template: etree._Element) -> None:
    """Append copies of `template`'s children to `parent`."""
    parent.extend(list(_copy(template)))


def empty(tag: str, *children: str) -> etree._Element:
    """A document with empty containers, like the many files Moodle writes with no rows."""
    root = element(tag)
    for name in children:
        child(root, name)
    return root


@functools.cache
def empty_document(tag: str, *children: str) -> bytes:
    """The bytes of `to_bytes(empty(tag, *children))`, made once: every activity has eight."""
    return to_bytes(empty(tag, *children))


def to_bytes(root: etree._Element) -> bytes:
    """Serialise with Moodle's declaration and two-space indentation.

    A value without text is written `<tag></tag>`, which restore reads as the string `''`. A
    container (an element made by `element`, `child` or `empty`) without children holds a line
    break and its closing tag's indentation, as Moodle's `xml_writer::end_tag()` writes it:
    restore's parser reads whitespace as an empty container, but `''` as a string, and indexing
    into it (users.xml `custom_fields`, `tags`, `preferences`) stops the restore with a TypeError.
    Fields always have text (`add_fields` sets it), so a childless element without text is a container.
    """
    for node in root.iter():
        if not len(node) and node.text is None:  # counting children is cheaper than reading a text
            node.text = "\n" + "  " * sum(1 for _ in node.iterancestors())
    return DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)
