"""What both YAML readers give (`yamlio.load_fast` and `yamllines`): the limits they keep,
the problem they raise and the containers that remember their lines."""

from __future__ import annotations

from typing import Any

from coursebuilder import limits

MAX_DEPTH = limits.MAX_YAML_DEPTH
"""Deepest nesting of mappings and lists a file may have."""
MAX_NUMBER_CHARS = 100
"""Longest number YAML may turn into an int; longer ones are refused (write them as text)."""
STR_TAG = "tag:yaml.org,2002:str"
"""The tag of text."""
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
"""The tag of dates, which both readers give as their text (see `yamllines._construct_timestamp`)."""


class YamlProblem(Exception):
    """A YAML file that cannot be read; `line` and `column` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class LineDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key."""

    line: int = 0
    depth: int = 1
    key_lines: dict[str, int]
    key_columns: dict[str, int]


class LineList(list[Any]):
    """A list that remembers its own line and the line of each item."""

    line: int = 0
    depth: int = 1
    item_lines: list[int]
    item_columns: list[int]
