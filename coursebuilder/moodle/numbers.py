"""Numbers as Moodle stores them in its question files: the Moodle XML, GIFT and cloze writers share them."""

from __future__ import annotations

import functools
from decimal import Decimal

from coursebuilder.grades import moodle_fraction


@functools.lru_cache(maxsize=4096)
def number(value: float) -> str:
    """A number as Moodle stores it, without exponent or needless decimals (2, 0.5, 0.0001)."""
    if value == int(value):
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@functools.lru_cache(maxsize=512)
def fraction(percent: float) -> str:
    """`grades.moodle_fraction`, remembered: a course uses a handful of grades many times."""
    return moodle_fraction(percent)
