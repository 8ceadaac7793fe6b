"""The run-time data model's value rules, for the interaction records the player sends.

One home for what SCORM 1.2 (RTE 3.4.2.7) and SCORM 2004 4th Edition (RTE 4.2.9) allow in
`cmi.interactions`, as strict as the stricter of the specification and scorm-again (whose
validators many LMSs embed). The player applies the same rules to the learner's responses.

- Numbers are `real(10,7)`: at most 10 integer digits and 7 decimals, no exponent. A value
  that does not fit exactly is not sent as a number (see `decimal`).
- Texts are one line, trimmed, cut to the smallest permitted maximum (1.2: 255 characters;
  2004: 250 per fill-in response, 4,000 for long-fill-in), counted in UTF-16 code units as
  ECMAScript run times count them, and never cut inside a surrogate pair.
- 2004 reserves `[,]`, `[.]` and `[:]` as delimiters and has no escape for them: inside a
  text they become a space. A text starting with `{` would read as a `{lang=…}` prefix: the
  brace becomes `(`.
- scorm-again also splits a 2004 fill-in value with no `[,]` at bare commas, and refuses a
  long-fill-in pattern with a comma: such a pattern is left out (`fill_in_pattern`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

REAL_DIGITS = 10
"""Integer digits of `real(10,7)` (scorm-again's CMIDecimal allows no more either)."""
REAL_SCALE = Decimal("1e-7")
FILL_IN_12 = 255
"""SCORM 1.2 CMIFeedback (student_response, correct_responses pattern)."""
FILL_IN_2004 = 250
"""SCORM 2004 fill-in: smallest permitted maximum of one localized string."""
LONG_FILL_IN = 4000
DESCRIPTION = 250
"""SCORM 2004 `cmi.interactions.n.description`: localized_string_type (SPM 250)."""
WEIGHT_12 = 100
"""scorm-again holds 1.2 `weighting` to -100..100."""

_RESERVED = re.compile(r"\[[,.:]\]")
_SPACE = re.compile(r"\s+")


def decimal(value: float | Decimal) -> str | None:
    """`value` as a `real(10,7)` without exponent, or None when it does not fit exactly.

    Floats are read through their shortest repr, so 6.022e23 is 6022 followed by zeros, not
    the binary artefact 602200000000000027262976.
    """
    try:
        exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    except InvalidOperation:
        return None
    if not exact.is_finite() or abs(exact) >= Decimal(10) ** REAL_DIGITS:
        return None
    if exact != exact.quantize(REAL_SCALE):
        return None
    text = format(exact.quantize(REAL_SCALE).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def numeric_range(value: float, tolerance: float) -> str | None:
    """The 2004 `min[:]max` pattern of an answer and its tolerance, computed exactly, or None."""
    centre, spread = Decimal(repr(float(value))), Decimal(repr(float(tolerance)))
    low, high = decimal(centre - spread), decimal(centre + spread)
    if low is None or high is None:
        return None
    return f"{low}[:]{high}"


def units16(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def cut(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 code units, never inside a surrogate pair, then trimmed."""
    if units16(text) <= limit:
        return text
    data = text.encode("utf-16-le")[: 2 * limit]
    if len(data) >= 2 and 0xD8 <= data[-1] <= 0xDB:  # a high surrogate left alone
        data = data[:-2]
    return data.decode("utf-16-le").strip()


def text(value: str, version: str, limit: int | None = None) -> str:
    """One text value (a response, a pattern node, a description) made valid for `version`."""
    value = _SPACE.sub(" ", value).strip()
    if version != "1.2":
        value = _RESERVED.sub(" ", value)
        value = _SPACE.sub(" ", value).strip()
        if value.startswith("{"):
            value = "(" + value[1:]
    return cut(value, limit or (FILL_IN_12 if version == "1.2" else FILL_IN_2004))


def fill_in_pattern(nodes: list[str], long: bool = False) -> str | None:
    """The 2004 pattern of fill-in responses (already made valid by `text`), or None.

    scorm-again reads a pattern without `[,]` as split at bare commas (and then each piece
    must be trimmed and not open with `{`), and refuses any comma in a long-fill-in pattern.
    """
    if long:
        joined = " | ".join(nodes)
        return None if "," in joined else cut(joined, LONG_FILL_IN)
    if len(nodes) == 1 and "," in nodes[0]:
        pieces = nodes[0].split(",")
        if len(pieces) > 10 or any(p != p.strip() or p.startswith("{") for p in pieces):
            return None
    return "[,]".join(nodes)
