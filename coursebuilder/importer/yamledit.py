"""Edit one list of a YAML source file in place, leaving every other line as it was.

Re-importing a bank should change only the questions that changed: a hand-edited quiz file
keeps its comments, its order and its formatting elsewhere. Items are replaced line range by
line range and new items go after the last one; the caller checks the result and falls back to
rewriting the whole file canonically when the file's shape does not allow a clean edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coursebuilder.yamlio import LineDict, LineList, YamlProblem, parse_yaml

_DASH = re.compile(r"^( *)- ")


@dataclass
class ListEdit:
    """Replacements (item index → item text) and new items for one list."""

    replace: dict[int, str] = field(default_factory=dict)
    append: list[str] = field(default_factory=list)


def item_text(dumped: str, key: str) -> list[str]:
    """Split a canonical dump (`key:` then `  - …` items) into the text of each item."""
    lines = dumped.split("\n")
    start = lines.index(f"{key}:") + 1
    items: list[list[str]] = []
    for line in lines[start:]:
        if line.startswith("  - "):
            items.append([line])
        elif items and (line.startswith("    ") or not line):
            items[-1].append(line)
        elif line and not line.startswith(" "):
            break
    return ["\n".join(item).rstrip("\n") + "\n" for item in items]


def _reindent(item: str, column: int) -> str:
    delta = column - 2
    out: list[str] = []
    for line in item.rstrip("\n").split("\n"):
        if not line:
            out.append(line)
        elif delta >= 0:
            out.append(" " * delta + line)
        else:
            out.append(line[-delta:] if line[:-delta].strip() == "" else line)
    return "\n".join(out) + "\n"


def edit_list(text: str, key: str, edit: ListEdit) -> str | None:
    """Apply `edit` to the block list under the top-level `key`; None if the file does not allow it."""
    try:
        data = parse_yaml(text)
    except YamlProblem:
        return None
    if not isinstance(data, LineDict) or key not in data:
        return None
    items = data[key]
    if not isinstance(items, LineList) or not items:
        return None
    lines = text.split("\n")
    key_line = data.key_lines[key] - 1
    if not re.match(rf"^{re.escape(key)}:\s*(#.*)?$", lines[key_line]):
        return None
    later = [line - 1 for name, line in data.key_lines.items() if line - 1 > key_line]
    list_end = min(later) if later else len(lines)
    starts = []
    for number in items.item_lines:
        index = number - 1
        match = _DASH.match(lines[index]) if index < len(lines) else None
        if match is None:
            return None
        starts.append(index)
    column = len(_DASH.match(lines[starts[0]]).group(1))  # type: ignore[union-attr]
    spans: list[tuple[int, int]] = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else list_end
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        spans.append((start, end))
    pieces: list[tuple[int, int, list[str]]] = []
    for index, new in edit.replace.items():
        if not 0 <= index < len(spans):
            return None
        start, end = spans[index]
        pieces.append((start, end, _reindent(new, column).rstrip("\n").split("\n")))
    if edit.append:
        after = spans[-1][1]
        added: list[str] = []
        for new in edit.append:
            added.extend(_reindent(new, column).rstrip("\n").split("\n"))
        pieces.append((after, after, added))
    for start, end, replacement in sorted(pieces, key=lambda piece: piece[0], reverse=True):
        lines[start:end] = replacement
    return "\n".join(lines)
