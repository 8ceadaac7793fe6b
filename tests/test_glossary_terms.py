"""Glossary terms are compared the way Moodle compares them (mod/glossary/import.php, with the
database's collation), never rejecting a term Moodle stores; the oracle is
tests/moodle_semantics.py (`glossary_import`, `DATABASES`)."""

from __future__ import annotations

import pytest

from coursebuilder.build import validate_course
from coursebuilder.diagnostics import Diagnostic, Severity
from tests.moodle_semantics import DATABASES, glossary_import

PAIRS = [
    ("µL", "μL"),  # MICRO SIGN, GREEK SMALL LETTER MU: casefold() maps one onto the other
    ("µL", "ΜL"),  # GREEK CAPITAL LETTER MU
    ("Maß", "Mass"),
    ("Maß", "MASS"),
    ("straße", "STRASSE"),
    ("İstanbul", "istanbul"),  # dotted capital I
    ("İstanbul", "Istanbul"),
    ("ılık", "ilik"),  # dotless small i
    ("Irak", "ırak"),
    ("Irak", "irak"),
    ("ＡＢＣ", "ABC"),  # fullwidth letters
    ("ＡＢＣ", "ａｂｃ"),
    ("café", "cafe"),
    ("Kedaulatan", "kedaulatan"),
    ("Kedaulatan", "Kedaulatan"),
    ("Émile", "émile"),
    (" pad ", "pad"),
]


def _glossary(first: str, second: str, case_sensitive: bool) -> str:
    flag = "true" if case_sensitive else "false"
    return (
        "entries:\n"
        f"  - {{term: {first!r}, definition: One., case_sensitive: {flag}}}\n"
        f"  - {{term: {second!r}, definition: Two., case_sensitive: {flag}}}\n"
    ).replace("'", '"')


def _term_diagnostics(write_course, first: str, second: str, case_sensitive: bool) -> list[Diagnostic]:
    root = write_course({"glossary.yaml": _glossary(first, second, case_sensitive)})
    return [
        d
        for d in validate_course(root)[1]
        if d.file.endswith("glossary.yaml") and d.field == "entries[1].term" and "import" in d.message
    ]


@pytest.mark.parametrize("case_sensitive", [False, True])
@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_concepts_compare_as_moodle_compares_them(write_course, first: str, second: str, case_sensitive: bool) -> None:
    stored = {db: glossary_import([(first, case_sensitive), (second, case_sensitive)], db)[1] for db in DATABASES}
    found = _term_diagnostics(write_course, first, second, case_sensitive)
    errors = [d for d in found if d.severity is Severity.ERROR]
    warnings = [d for d in found if d.severity is Severity.WARNING]
    if not any(stored.values()):  # every database rejects the second entry
        assert len(errors) == 1, (stored, found)
    else:  # never an error for a term some Moodle stores
        assert errors == [], (stored, found)
        assert bool(warnings) == (not all(stored.values())), (stored, found)


def test_the_oracle_knows_the_collation_cases() -> None:
    """Sanity of the oracle itself: what depends on the database, and what does not."""

    def outcome(first: str, second: str, case_sensitive: bool) -> dict[str, bool]:
        return {db: glossary_import([(first, case_sensitive), (second, case_sensitive)], db)[1] for db in DATABASES}

    assert outcome("µL", "μL", False) == {
        "postgres-C": True,
        "postgres-utf8": True,
        "mysql-bin": True,
        "mysql-unicode_ci": False,
    }
    assert not any(outcome("Kedaulatan", "kedaulatan", False).values())
    assert outcome("Kedaulatan", "kedaulatan", True)["postgres-utf8"]
    assert outcome("Émile", "émile", False)["postgres-C"]  # C locale: LOWER() folds ASCII only
    assert not outcome("Émile", "émile", False)["postgres-utf8"]
    assert all(outcome("ılık", "ilik", False).values())  # dotless i is its own letter everywhere
    assert glossary_import([("0", False), (" ", False)], "postgres-C") == [False, False]


def test_aliases_moodle_stores_are_not_errors(write_course) -> None:
    """µL and μL as aliases of two entries: Moodle's import stores both (it never compares aliases)."""
    root = write_course(
        {
            "glossary.yaml": """
entries:
  - {term: microlitre, definition: A millionth of a litre., aliases: ["µL"], case_sensitive: true}
  - {term: mikroliter, definition: Sepersejuta liter., aliases: ["μL"], case_sensitive: true}
  - {term: Maß, definition: Measure., aliases: ["ß"]}
  - {term: mass, definition: Matter., aliases: ["ss"]}
"""
        }
    )
    found = [d for d in validate_course(root)[1] if d.code == "glossary-collision"]
    assert [d for d in found if d.severity is Severity.ERROR] == []
    # Case-sensitive µL and μL link different texts; ß/ss and Maß/mass are one text for the
    # course's own linker (full case folding), and Maß = mass under utf8mb4_unicode_ci: warnings.
    assert sorted(d.field for d in found) == ["entries[3].aliases[0]", "entries[3].term", "entries[3].term"]


def test_case_insensitive_micro_and_mu_link_the_same_text(write_course) -> None:
    """PCRE's /iu (Moodle's glossary filter) folds µ, μ and Μ together: a warning, not an error."""
    root = write_course(
        {
            "glossary.yaml": """
entries:
  - {term: microlitre, definition: One., aliases: ["µL"]}
  - {term: mikroliter, definition: Two., aliases: ["μL"]}
"""
        }
    )
    found = [d for d in validate_course(root)[1] if d.code == "glossary-collision"]
    assert [(d.severity, d.field) for d in found] == [(Severity.WARNING, "entries[1].aliases[0]")]
