"""glossary.xml: the course glossary in the format of Moodle's glossary export.

Tags and their order follow `glossary_generate_export_file()` in mod/glossary/lib.php, and the
values are the ones mod/glossary/import.php reads: ENTRIES inside INFO, every INFO field the
"new glossary" import needs (it has no defaults for GLOBALGLOSSARY, INTRO and SHOW*), FORMAT
on every entry (no default either), images as ENTRYFILES/INTROFILES. Moodle's export escapes
values (`s()`), but its import reads them with `xmlize()`, which loses a space between two
entity references: values holding markup are written as CDATA instead (`set_text`), which the
import reads back unchanged.
"""

from __future__ import annotations

from lxml import etree
from lxml.etree import SubElement

from coursebuilder.exchange.text import Html, Renderer, copy_element, flag, set_text
from coursebuilder.layout import GLOSSARY_FILE
from coursebuilder.model import Course
from coursebuilder.moodle import codes

FORMAT_HTML = str(codes.FORMAT_HTML)
"""The format of every text we write."""

DISPLAY_FORMAT = "dictionary"


def _value(parent: etree._Element, tag: str, value: str) -> etree._Element:
    element = SubElement(parent, tag)
    set_text(element, value)
    return element


def _files(parent: etree._Element, tag: str, value: Html) -> None:
    if not value.files:
        return
    files = SubElement(parent, tag)
    for file in value.files:
        element = SubElement(files, "FILE")
        _value(element, "FILENAME", file.name)
        _value(element, "FILEPATH", file.path)
        _value(element, "CONTENTS", file.base64)


def glossary_document(course: Course, renderer: Renderer) -> etree._Element:
    """The `<GLOSSARY>` element."""
    glossary = course.glossary
    root = etree.Element("GLOSSARY")
    info = SubElement(root, "INFO")
    intro = renderer.markdown(glossary.intro, GLOSSARY_FILE)
    _value(info, "NAME", glossary.name)
    _value(info, "INTRO", intro.text)
    _value(info, "INTROFORMAT", FORMAT_HTML)
    _value(info, "ALLOWDUPLICATEDENTRIES", "0")
    _value(info, "DISPLAYFORMAT", DISPLAY_FORMAT)
    _value(info, "SHOWSPECIAL", "1")
    _value(info, "SHOWALPHABET", "1")
    _value(info, "SHOWALL", "1")
    _value(info, "ALLOWCOMMENTS", "0")
    # Entries are linked only when the glossary itself allows linking.
    _value(info, "USEDYNALINK", flag(any(entry.auto_link for entry in glossary.entries)))
    _value(info, "DEFAULTAPPROVAL", "1")
    _value(info, "GLOBALGLOSSARY", "0")
    _value(info, "ENTBYPAGE", "10")
    _files(info, "INTROFILES", intro)
    if glossary.entries:  # Moodle's export, too, leaves ENTRIES out when there are none
        entries = SubElement(info, "ENTRIES")
        shape = _entry_shape()
        for item in glossary.entries:
            definition = renderer.markdown(item.definition, GLOSSARY_FILE)
            entry = copy_element(shape)
            entries.append(entry)
            concept, definition_element, _format, dynalink, case_sensitive, full_match, _teacher = entry
            set_text(concept, item.term)
            set_text(definition_element, definition.text)
            dynalink.text = flag(item.auto_link)
            case_sensitive.text = flag(item.case_sensitive)
            full_match.text = flag(item.full_match)
            if item.aliases:
                aliases = SubElement(entry, "ALIASES")
                for alias in item.aliases:
                    _value(SubElement(aliases, "ALIAS"), "NAME", alias)
            if item.categories:
                categories = SubElement(entry, "CATEGORIES")
                for name in item.categories:
                    category = SubElement(categories, "CATEGORY")
                    _value(category, "NAME", name)
                    _value(category, "USEDYNALINK", "0")
            _files(entry, "ENTRYFILES", definition)
    return root


def _entry_shape() -> etree._Element:
    """`<ENTRY>` with the elements every entry starts with, the fixed ones filled in: each entry
    is a copy of it (`copy_element`)."""
    entry = etree.Element("ENTRY")
    for tag in ("CONCEPT", "DEFINITION", "FORMAT", "USEDYNALINK", "CASESENSITIVE", "FULLMATCH", "TEACHERENTRY"):
        SubElement(entry, tag)
    entry[2].text = FORMAT_HTML
    entry[6].text = "1"
    return entry


def glossary_xml(course: Course, renderer: Renderer) -> bytes:
    """The bytes of glossary.xml (indented, UTF-8, reproducible).

    libxml2 indents as it serializes (`pretty_print`), by two spaces a level, as `etree.indent`
    would beforehand, in a third of the time: the two differ only inside an element that holds
    text beside elements, which the glossary has none of (a test compares them).
    """
    return etree.tostring(
        glossary_document(course, renderer), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
