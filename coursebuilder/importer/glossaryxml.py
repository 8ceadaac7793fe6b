"""Read Moodle glossary exports (mod/glossary/import.php and `glossary_generate_export_file`).

Entries keep their concept, definition (with ENTRYFILES moved to assets/), aliases, categories
and linking flags. Missing flags take Moodle's site defaults (off), as Moodle's importer does.
Attachments, entry tags, category linking and the glossary's display settings have no place in
the course format: they are reported, not dropped silently.
"""

from __future__ import annotations

from typing import Any, cast

from lxml import etree

from coursebuilder.importer.common import (
    EmbeddedFile,
    ImportedEntry,
    Notes,
    TextConverter,
    Where,
    decode_file,
    file_key,
    line_of,
)
from coursebuilder.importer.htmltext import TextFormat

FORMAT_CODES: dict[str, TextFormat] = {
    "0": "moodle_auto_format",
    "1": "html",
    "2": "plain_text",
    "3": "wiki_like",
    "4": "markdown",
}

_SETTINGS_DEFAULTS = {
    "ALLOWDUPLICATEDENTRIES": "0",
    "DISPLAYFORMAT": "dictionary",
    "SHOWSPECIAL": "1",
    "SHOWALPHABET": "1",
    "SHOWALL": "1",
    "ALLOWCOMMENTS": "0",
    "USEDYNALINK": "0",
    "DEFAULTAPPROVAL": "1",
    "GLOBALGLOSSARY": "0",
    "ENTBYPAGE": "10",
}
_ENTRY_ELEMENTS = frozenset(
    [
        "CONCEPT",
        "DEFINITION",
        "FORMAT",
        "USEDYNALINK",
        "CASESENSITIVE",
        "FULLMATCH",
        "TEACHERENTRY",
        "ALIASES",
        "CATEGORIES",
        "ENTRYFILES",
        "ATTACHMENTFILES",
        "TAGS",
    ]
)


def _text(element: etree._Element | None, path: str, default: str = "") -> str:
    if element is None:
        return default
    found = element.find(path)
    if found is None:
        return default
    return "".join(cast(list[str], found.xpath("text()")))


class GlossaryReader:
    """Reads the entries of one glossary export."""

    def __init__(self, name: str, converter: TextConverter, notes: Notes) -> None:
        self.name = name
        self.texts = converter
        self.notes = notes

    def where(self, element: etree._Element) -> Where:
        return Where(self.name, line_of(element))

    def read(self, root: etree._Element) -> list[ImportedEntry]:
        info = root.find("INFO")
        if info is None:
            self.notes.error(self.where(root), "<GLOSSARY> has no <INFO>; not a glossary export", "import-glossary")
            return []
        name = _text(info, "NAME").strip()
        intro_format = FORMAT_CODES.get(_text(info, "INTROFORMAT", "0").strip(), "html")
        intro = self.texts.convert(_text(info, "INTRO"), intro_format, self.where(info), "glossary intro")
        entries: list[ImportedEntry] = []
        for entry in info.findall("ENTRIES/ENTRY"):
            item = self._entry(entry)
            if item is not None:
                item.glossary_name, item.glossary_intro = name, intro
                entries.append(item)
        self._settings(info, linked=any(item.fields["auto_link"] for item in entries))
        if not entries:
            self.notes.warn(self.where(info), "the glossary export has no entries", "import-glossary")
        return entries

    def _settings(self, info: etree._Element, linked: bool) -> None:
        """Report display settings that differ from what the course's own export writes.

        The course links the glossary when any entry is linked, so USEDYNALINK follows them.
        """
        changed = []
        for tag, default in _SETTINGS_DEFAULTS.items():
            if tag == "USEDYNALINK":
                default = "1" if linked else "0"
            value = _text(info, tag, default).strip()
            if value != default:
                changed.append(f"{tag}={value}")
        if changed:
            self.notes.warn(
                self.where(info),
                f"glossary settings are not kept by the course format: {', '.join(changed)}",
                "import-dropped",
            )
        if info.find("INTROFILES") is not None:
            self.notes.warn(self.where(info), "files of the glossary intro are not imported", "import-dropped")

    def _entry(self, entry: etree._Element) -> ImportedEntry | None:
        where = self.where(entry)
        concept = _text(entry, "CONCEPT").strip()
        definition = _text(entry, "DEFINITION")
        if not concept or not definition.strip():
            self.notes.skip(
                "glossary entry", where, "an entry needs a concept and a definition (Moodle rejects it too)"
            )
            return None
        label = f"entry {concept!r}"
        code = _text(entry, "FORMAT").strip()
        fmt = FORMAT_CODES.get(code)
        if fmt is None:
            self.notes.warn(where, f"{label}: FORMAT {code!r} is unknown; read as HTML", "import-format")
            fmt = "html"
        files = self._files(entry, "ENTRYFILES")
        fields: dict[str, Any] = {
            "term": concept,
            "definition": self.texts.convert(definition, fmt, where, f"{label} definition", files),
            "aliases": [],
            "categories": [],
            "auto_link": _flag(entry, "USEDYNALINK"),
            "case_sensitive": _flag(entry, "CASESENSITIVE"),
            "full_match": _flag(entry, "FULLMATCH"),
        }
        for alias in entry.findall("ALIASES/ALIAS"):
            value = _text(alias, "NAME").strip()
            if value and value not in fields["aliases"]:
                fields["aliases"].append(value)
        for category in entry.findall("CATEGORIES/CATEGORY"):
            value = _text(category, "NAME").strip()
            if value and value not in fields["categories"]:
                fields["categories"].append(value)
            if _text(category, "USEDYNALINK").strip() not in ("", "0"):
                self.notes.warn(
                    self.where(category), f"{label}: linking of category {value!r} is not kept", "import-dropped"
                )
        attachments = entry.findall("ATTACHMENTFILES/FILE")
        if attachments:
            names = ", ".join(repr(_text(f, "FILENAME")) for f in attachments)
            self.notes.warn(
                where, f"{label}: attachments ({names}) are not kept by the course format", "import-dropped"
            )
        tags = [t.text.strip() for t in entry.findall("TAGS/TAG") if t.text and t.text.strip()]
        if tags:
            self.notes.warn(
                where, f"{label}: tags ({', '.join(tags)}) are not kept by the course format", "import-dropped"
            )
        for child in entry:
            if isinstance(child.tag, str) and child.tag not in _ENTRY_ELEMENTS:
                self.notes.warn(
                    self.where(child), f"{label}: element <{child.tag}> is not read; ignored", "import-unknown"
                )
        return ImportedEntry(fields=fields, where=where)

    def _files(self, entry: etree._Element, tag: str) -> dict[str, EmbeddedFile]:
        files: dict[str, EmbeddedFile] = {}
        for file_el in entry.findall(f"{tag}/FILE"):
            folder = _text(file_el, "FILEPATH", "/").strip().strip("/")
            name = _text(file_el, "FILENAME").strip()
            path = file_key(f"{folder}/{name}")
            if not name or path in files:
                continue
            data = decode_file(_text(file_el, "CONTENTS"), path, self.where(file_el), self.notes)
            if data is not None:
                files[path] = EmbeddedFile(path, data, self.where(file_el))
        return files


def _flag(entry: etree._Element, tag: str) -> bool:
    """Moodle takes the site default (off) when a flag is missing."""
    return _text(entry, tag, "0").strip() not in ("", "0")
