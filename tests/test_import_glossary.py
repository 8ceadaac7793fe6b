"""Importing a hand-written Moodle glossary export (tests/fixtures/import/glossary.xml).

Expectations follow mod/glossary/import.php: a missing flag takes the site default (off),
FORMAT is 0 Moodle auto-format, 1 HTML, 2 plain text, 4 Markdown, empty entries are rejected.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from coursebuilder.importer import ImportOptions, run_import
from coursebuilder.loader import load_course
from tests.moodle_semantics import markdown_text, moodle_text

GLOSSARY = Path(__file__).parent / "fixtures" / "import" / "glossary.xml"
PNG_SHA = hashlib.sha256(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).hexdigest()


def _course(write_course) -> Path:
    return write_course(
        {
            "course.yaml": "id: bio\ntitle: Biology\nshortname: BIO\nlessons:\n  - cells\n",
            "lessons/01-cells.md": "---\ntitle: Cells\n---\nA Cell has DNA; Osmosis; an Enzyme.\n",
        },
        base=False,
    )


def _entries(root: Path) -> dict[str, Any]:
    loaded = load_course(root)
    assert loaded.course is not None
    return {entry.term: entry for entry in loaded.course.glossary.entries}


def test_entries_flags_aliases_and_categories(write_course) -> None:
    root = _course(write_course)
    result = run_import([GLOSSARY], ImportOptions(into=root))
    assert not result.failed and not result.course_errors, [d.format() for d in result.course_errors]
    entries = _entries(root)
    assert list(entries) == ["Cell", "DNA", "Osmosis", "Enzyme"]
    cell, dna, osmosis, enzyme = entries.values()
    assert (cell.aliases, cell.categories) == (["Cells", "cellule"], ["Basics"])
    assert (cell.auto_link, cell.case_sensitive, cell.full_match) == (True, False, True)
    assert (dna.categories, dna.auto_link, dna.case_sensitive, dna.full_match) == (
        ["Genetics", "Basics"],
        True,
        True,
        False,
    )
    # No flags at all: Moodle's site defaults, which are all off.
    assert (osmosis.auto_link, osmosis.case_sensitive, osmosis.full_match) == (False, False, False)
    assert (enzyme.auto_link, enzyme.full_match) == (False, True)
    loaded = load_course(root)
    assert loaded.course is not None
    assert loaded.course.glossary.name == "Biology terms"


def test_definitions_display_as_in_moodle(write_course) -> None:
    root = _course(write_course)
    run_import([GLOSSARY], ImportOptions(into=root))
    entries = _entries(root)
    files = {"cell.png": f"file:{PNG_SHA}"}
    assert (root / "assets" / "cell.png").read_bytes().startswith(b"\x89PNG")
    assert markdown_text(entries["Cell"].definition, files) == moodle_text(
        '<p>The unit of life.</p>\n<p><img src="@@PLUGINFILE@@/cell.png" alt="A cell"></p>', "html", files
    )
    assert markdown_text(entries["DNA"].definition, {}) == moodle_text(
        "Deoxyribonucleic acid & the carrier of genes.\nFound in the nucleus.", "moodle_auto_format"
    )
    assert markdown_text(entries["Osmosis"].definition, {}) == moodle_text(
        "Water moving through a *membrane*.", "markdown"
    )
    assert markdown_text(entries["Enzyme"].definition, {}) == moodle_text(
        "A protein that speeds up reactions (< 1 s).", "plain_text"
    )


def test_what_is_left_out_is_reported_with_its_line(write_course) -> None:
    root = _course(write_course)
    result = run_import([GLOSSARY], ImportOptions(into=root))
    lines = GLOSSARY.read_text(encoding="utf-8").split("\n")

    def line_of(text: str, start: int = 0) -> int:
        return next(i for i, line in enumerate(lines, 1) if i > start and text in line)

    messages = [d.format() for d in result.diagnostics]
    expected = [
        (
            line_of("<INFO>"),
            "glossary settings are not kept by the course format: DISPLAYFORMAT=encyclopedia",
        ),
        (line_of("<ENTRY>"), "entry 'Cell': tags (cells) are not kept"),
        (line_of("<ENTRY>", line_of("<CONCEPT>Cell")), "entry 'DNA': attachments ('dna.pdf') are not kept"),
        (line_of("<CATEGORY>", line_of("<CONCEPT>DNA")), "entry 'DNA': linking of category 'Genetics' is not kept"),
    ]
    for line, text in expected:
        assert any(m.startswith(f"{GLOSSARY}:{line}: warning: {text}") for m in messages), (line, text, messages)
    empty = line_of("<ENTRY>", line_of("<CONCEPT>Enzyme"))
    assert [(s.kind, s.where.line) for s in result.skipped] == [("glossary entry", empty)]


def test_reimport_updates_by_term_and_keeps_other_entries(write_course, tmp_path: Path) -> None:
    root = write_course({})  # the example course, with its own glossary
    before = _entries(root)
    run_import([GLOSSARY], ImportOptions(into=root))
    again = run_import([GLOSSARY], ImportOptions(into=root))
    assert {c.action for c in again.changes} == {"unchanged"}
    changed = tmp_path / "glossary-v2.xml"
    changed.write_text(
        GLOSSARY.read_text(encoding="utf-8").replace("<CONCEPT>DNA</CONCEPT>", "<CONCEPT>dna</CONCEPT>"),
        encoding="utf-8",
    )
    # DNA is case-sensitive in the export: "dna" is another entry for Moodle, and for the import.
    third = run_import([changed], ImportOptions(into=root))
    assert {c.key: c.action for c in third.changes}["dna"] == "added"
    entries = _entries(root)
    for term in before:
        assert term in entries
    text = (root / "glossary.yaml").read_text(encoding="utf-8")
    assert text.count("- term: Cell") == 1
