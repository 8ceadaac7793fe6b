"""When Moodle takes two glossary terms for one: duplicate concepts and ambiguous auto-links.

mod/glossary/import.php trims each CONCEPT (PHP `trim()`: spaces, tabs, line breaks, NUL and
vertical tab only) and, in a glossary without duplicate entries (we write
ALLOWDUPLICATEDENTRIES 0), rejects an entry whose concept the table already holds, compared in
SQL: `concept = :concept` for a case-sensitive entry, `LOWER(concept) = :concept` with
`core_text::strtolower()` (mb_strtolower, Unicode's full lower-case mapping) otherwise.
Aliases are stored as they come: the import never compares them.

What `=` and `LOWER()` mean is the database's:

- PostgreSQL (deterministic collations) and MySQL's `*_bin`: `=` compares code points;
  `LOWER()` folds only ASCII in PostgreSQL's C locale, one character at a time in a UTF-8 one.
- MySQL's default utf8mb4_unicode_ci / utf8mb4_0900_ai_ci: `=` ignores case, accents and
  compatibility differences (µ = μ, ß = ss, fullwidth Ａ = A, İ = I; but ı ≠ i).

So a pair is an error only when every database rejects the later entry
(`duplicate_everywhere`), and a warning when some database would (`duplicate_somewhere`):
the rule never rejects a term Moodle stores.

Separately, lib/filterlib.php (`filter_prepare_phrases_for_filtering`) links a case-insensitive
phrase with a PCRE `/iu` pattern, whose case-insensitivity pairs single characters (µ, μ and Μ
are one; ß and ss are not): two terms or aliases of different entries that one text matches
are linked to only one of the entries.
"""

from __future__ import annotations

import re
import unicodedata

PHP_TRIM = " \t\n\r\0\x0b"
"""The characters PHP's `trim()` removes."""

_ASCII_UPPER = re.compile("[A-Z]+")


def php_trim(text: str) -> str:
    return text.strip(PHP_TRIM)


def _ascii_lower(text: str) -> str:
    """PostgreSQL's LOWER() in the C locale."""
    return _ASCII_UPPER.sub(lambda match: match.group(0).lower(), text)


def _simple_lower(text: str) -> str:
    """LOWER() one character at a time (a UTF-8 locale's towlower)."""
    return "".join(_one_lower(char) for char in text)


def _one_lower(char: str) -> str:
    lower = char.lower()
    if len(lower) == 1:
        return lower
    return "i" if char == "\u0130" else char  # İ: its simple mapping is i


def duplicate_everywhere(earlier: str, later: str, later_case_sensitive: bool) -> bool:
    """Whether every database rejects the concept `later` once `earlier` is stored."""
    earlier, later = php_trim(earlier), php_trim(later)
    if later_case_sensitive:
        return earlier == later
    return lowered_everywhere(earlier) == later.lower()  # core_text::strtolower()


def lowered_everywhere(concept: str) -> str | None:
    """`LOWER(concept)` when every database lowers it alike, else None (it then equals no
    `core_text::strtolower()` on some database)."""
    concept = php_trim(concept)
    lowered = _ascii_lower(concept)
    return lowered if lowered == _simple_lower(concept) else None


def duplicate_somewhere(earlier: str, later: str, later_case_sensitive: bool) -> bool:
    """Whether some database (a case- and accent-insensitive collation) rejects `later`."""
    return duplicate_everywhere(earlier, later, later_case_sensitive) or collation_key(earlier) == collation_key(later)


def collation_key(text: str) -> str:
    """Equality under utf8mb4_unicode_ci, closely enough: compatibility-decomposed, accents and
    case dropped, ß = ss, trailing spaces ignored (PAD SPACE)."""
    decomposed = unicodedata.normalize("NFKD", php_trim(text))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().rstrip(" ")


def link_keys(text: str) -> tuple[str, str]:
    """What a case-insensitive phrase is matched by: PCRE's `/iu` in Moodle's filter (single
    characters fold: µ, μ and Μ are one; ß and ss are not), and full case folding in the
    course's own linker (coursebuilder.scorm.html), where ß = ss."""
    text = php_trim(text)
    return "".join(folded if len(folded := char.casefold()) == 1 else char for char in text), text.casefold()
