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

from coursebuilder.exchange.text import Html, Renderer, flag, set_text
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
        for item in glossary.entries:
            definition = renderer.markdown(item.definition, GLOSSARY_FILE)
            entry = SubElement(entries, "ENTRY")
            _value(entry, "CONCEPT", item.term)
            _value(entry, "DEFINITION", definition.text)
            _value(entry, "FORMAT", FORMAT_HTML)
            _value(entry, "USEDYNALINK", flag(item.auto_link))
            _value(entry, "CASESENSITIVE", flag(item.case_sensitive))
            _value(entry, "FULLMATCH", flag(item.full_match))
            _value(entry, "TEACHERENTRY", "1")
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


def glossary_xml(course: Course, renderer: Renderer) -> bytes:
    """The bytes of glossary.xml (indented, UTF-8, reproducible)."""
    root = glossary_document(course, renderer)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"
