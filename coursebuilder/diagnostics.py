"""Located problems, reported the way compilers do: `file:line:col: error: field: message [code]`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Diagnostic(NamedTuple):
    """One problem in the course source: where it is, what is wrong, and a stable code."""

    file: str
    line: int
    column: int
    severity: Severity
    field: str
    message: str
    code: str

    def format(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        if not where:  # a problem of the command, not of a file (an unknown target, say)
            return f"{self.severity.value}: {what} [{self.code}]"
        return f"{where}: {self.severity.value}: {what} [{self.code}]"

    def as_dict(self) -> dict[str, object]:
        data = self._asdict()
        data["severity"] = self.severity.value
        return data

    @classmethod
    def from_dict(cls, item: dict[str, object]) -> Diagnostic:
        """The diagnostic `as_dict` gave, read back from a kept record; a KeyError, TypeError
        or ValueError when the record is not one."""
        texts = {name: item[name] for name in ("file", "field", "message", "code")}
        numbers = {name: item[name] for name in ("line", "column")}
        if not all(isinstance(value, str) for value in texts.values()):
            raise TypeError("a diagnostic's text is not a string")
        if not all(type(value) is int for value in numbers.values()):
            raise TypeError("a diagnostic's line or column is not an integer")
        return cls(severity=Severity(item["severity"]), **texts, **numbers)  # type: ignore[arg-type]

    def as_row(self) -> tuple[str, int, int, str, str, str, str]:
        """The diagnostic as a row of plain values, in field order: what `marshal` writes
        compactly (`loadcache`); `from_row` reads it back."""
        return (self.file, self.line, self.column, self.severity.value, self.field, self.message, self.code)

    @classmethod
    def from_row(cls, row: object) -> Diagnostic:
        """The diagnostic `as_row` gave, read back from a kept record; a TypeError or ValueError
        when the record is not one (checked as `from_dict` checks)."""
        if not isinstance(row, (tuple, list)) or len(row) != len(_FIELDS):
            raise TypeError("a diagnostic's row of the wrong shape")
        return cls.from_dict(dict(zip(_FIELDS, row, strict=True)))

    def github(self) -> str:
        """Format as a GitHub Actions workflow command (an annotation on the file and line)."""
        kind = "error" if self.severity is Severity.ERROR else "warning"
        props = [f"file={_gh_escape(self.file, prop=True)}"] if self.file else []
        if self.line:
            props.append(f"line={self.line}")
        if self.column:
            props.append(f"col={self.column}")
        props.append(f"title={_gh_escape(self.code, prop=True)}")
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"::{kind} {','.join(props)}::{_gh_escape(what)}"


_FIELDS = ("file", "line", "column", "severity", "field", "message", "code")
"""`Diagnostic`'s fields in order: the columns of `as_row`."""


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def error(file: str, line: int, *, field: str, message: str, code: str, column: int = 0) -> Diagnostic:
    return Diagnostic(file, line, column, Severity.ERROR, field, message, code)


def warning(file: str, line: int, *, field: str, message: str, code: str, column: int = 0) -> Diagnostic:
    return Diagnostic(file, line, column, Severity.WARNING, field, message, code)


def sort_diagnostics(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by file, then line and column; drop exact repeats, a required field reported missing
    beside the unknown field that is told it means it (`_one_per_slip`), and each warning of
    the code and place of an error (one problem two checks see, such as a glossary term twice:
    told once)."""
    unique = _one_per_slip(set(items))
    errors = {(d.file, d.line, d.field, d.code) for d in unique if d.severity is Severity.ERROR}
    if errors:
        unique = {d for d in unique if d.severity is Severity.ERROR or (d.file, d.line, d.field, d.code) not in errors}
    return sorted(unique, key=lambda d: (d.file, d.line, d.column, d.severity.value, d.field, d.message))


def _one_per_slip(items: set[Diagnostic]) -> set[Diagnostic]:
    """Without the required field reported missing where an unknown field beside it is told
    that name (`defintion: unknown field; did you mean 'definition'?`): one slip, told once."""
    offered: set[tuple[str, str]] = set()
    for d in items:
        if d.code == "unknown-field" and (found := _MEANT.search(d.message)):
            parent = d.field.rpartition(".")[0]
            offered.add((d.file, f"{parent}.{found.group(1)}" if parent else found.group(1)))
    if not offered:
        return items
    return {d for d in items if not (d.code == "missing" and (d.file, d.field) in offered)}


def tally(items: Iterable[Diagnostic]) -> str:
    """How many errors and warnings, in how many files: `3 errors and 1 warning in 2 files`."""
    found = list(items)
    errors = sum(d.severity is Severity.ERROR for d in found)
    counts = [(errors, "error"), (len(found) - errors, "warning")]
    said = " and ".join(counted_as(n, word) for n, word in counts if n) or "no problem"
    files = len({d.file for d in found if d.file})
    return f"{said} in {counted_as(files, 'file')}" if files else said


def counted_as(number: int, word: str) -> str:
    """`1 file`, `2 files`: a count and its noun, plural but for one."""
    return f"{number} {word}{'' if number == 1 else 's'}"


def has_errors(items: Iterable[Diagnostic], strict: bool = False) -> bool:
    return any(d.severity is Severity.ERROR or strict for d in items)


def to_json(items: Iterable[Diagnostic], summary: dict[str, object] | None = None, strict: bool = False) -> str:
    """The stable JSON report of `validate --format json` (documented in the README).

    `ok` agrees with the exit status: with `strict`, a warning makes it false.
    """
    items = list(items)
    report: dict[str, object] = {
        "version": 1,
        "ok": not has_errors(items, strict),
        "errors": sum(1 for d in items if d.severity is Severity.ERROR),
        "warnings": sum(1 for d in items if d.severity is Severity.WARNING),
        "diagnostics": [d.as_dict() for d in items],
    }
    if summary is not None:
        report["summary"] = summary
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True)


class CourseError(Exception):
    """Raised when the course cannot be loaded or built; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sort_diagnostics(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the one of `choices` nearest to `name` (a misspelt id or field),
    or "" when none is near enough; for the end of a message. A name without a letter is
    taken for no misspelling (`1.3` is not `1.2` mistyped)."""
    found = nearest(name, choices)
    return meaning(found) if found is not None else ""


def nearest(name: str, choices: Iterable[str]) -> str | None:
    """The one of `choices` nearest to `name` (`did_you_mean`'s), or None."""
    import difflib

    if not any(char.isalpha() for char in name):
        return None
    match = difflib.get_close_matches(name, list(choices), n=1)
    return match[0] if match else None


def meaning(name: str) -> str:
    """The end of a message that offers `name` for what was written: `; did you mean 'x'?`."""
    return f"; did you mean {name!r}?"


_MEANT = re.compile(r"; did you mean '([a-z_]+)'\?$")
"""The field `meaning` offers, where it is one (`_one_per_slip`)."""
