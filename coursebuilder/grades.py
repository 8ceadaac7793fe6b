"""The answer grades Moodle's question importer accepts.

Moodle keeps a `fraction` only when it lies within 1e-5 of one of these values
(question/format.php, `question_bank::fraction_options_full()`); anything else is an error or
is silently rounded, depending on an import option. Grades in course sources are percents.
"""

from __future__ import annotations

import functools

FRACTIONS: tuple[float, ...] = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3,
    0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
)  # fmt: skip
"""Moodle's allowed fractions (their negatives are allowed too)."""

_ALLOWED = sorted({sign * f for f in FRACTIONS for sign in (1.0, -1.0)})
_TOLERANCE = 1e-5


@functools.lru_cache(maxsize=1024)
def is_moodle_grade(percent: float) -> bool:
    """Tell whether Moodle's importer keeps this grade as it is (remembered: a course uses a
    handful of grades on every answer)."""
    fraction = percent / 100
    return any(abs(fraction - allowed) <= _TOLERANCE for allowed in _ALLOWED)


def nearest_grade(percent: float) -> float:
    """Return the allowed grade (a percent) nearest to `percent`."""
    fraction = percent / 100
    return round(min(_ALLOWED, key=lambda allowed: abs(allowed - fraction)) * 100, 5)


def moodle_fraction(percent: float) -> str:
    """Write a grade as Moodle's exporter does: a percent with up to 7 significant decimals."""
    value = nearest_grade(percent) if is_moodle_grade(percent) else percent
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
