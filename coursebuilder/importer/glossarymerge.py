"""Merge imported glossary entries into the course glossary.

An entry whose term the course has (or a term Moodle treats as the same on every database,
when neither is case-sensitive) is updated in place, keeping the author's text where it means
the same; other entries are added at the end. The course's glossary name wins over the export's.
"""

from __future__ import annotations

from pydantic import ValidationError

from coursebuilder.importer.common import ImportedEntry, Notes
from coursebuilder.importer.preserve import preserve_texts
from coursebuilder.importer.result import Action, Change
from coursebuilder.importer.state import GlossaryState
from coursebuilder.layout import GLOSSARY_FILE
from coursebuilder.model import GlossaryEntry, GlossaryFile, problem_message
from coursebuilder.moodle.terms import duplicate_everywhere


def merge_glossary(glossary: GlossaryState, entries: list[ImportedEntry], notes: Notes) -> list[Change]:
    """Add or update each entry in `glossary`; what happened to each, in input order."""
    changes: list[Change] = []
    if not entries:
        return changes
    if glossary.text is None:
        first = entries[0]
        glossary.head = GlossaryFile(name=first.glossary_name or "Glossary", intro=first.glossary_intro)
    elif entries[0].glossary_name and entries[0].glossary_name != glossary.head.name:
        notes.warn(
            entries[0].where,
            f"glossary name {entries[0].glossary_name!r} differs from the course's "
            f"{glossary.head.name!r}; kept the course's",
            "import-glossary",
        )
    for item in entries:
        try:
            entry = GlossaryEntry.model_validate(item.fields)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in problem['loc'])}: {problem_message(problem)}"
                for problem in exc.errors(include_url=False)
            )
            notes.skip("glossary entry", item.where, problems, repr(item.fields.get("term")))
            continue
        index = _find_entry(glossary.entries.final, entry)
        if index is None:
            glossary.entries.add(entry)
            changes.append(Change("entry", entry.term, "added", GLOSSARY_FILE, "glossary entry"))
            continue
        current = glossary.entries.final[index]
        entry = preserve_texts(current, entry)
        if current.model_dump(mode="json") == entry.model_dump(mode="json"):
            action: Action = "unchanged"
        else:
            action = "updated"
            glossary.entries.update(index, entry, entry)
        changes.append(Change("entry", entry.term, action, GLOSSARY_FILE, "glossary entry"))
    return changes


def _find_entry(entries: list[GlossaryEntry], entry: GlossaryEntry) -> int | None:
    for index, current in enumerate(entries):
        if current.term == entry.term:
            return index
    for index, current in enumerate(entries):
        # The same concept for Moodle on every database (µL and μL are two).
        if not (current.case_sensitive or entry.case_sensitive) and duplicate_everywhere(
            current.term, entry.term, False
        ):
            return index
    return None
