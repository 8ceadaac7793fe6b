"""Read YAML safely and keep the line of every mapping key and list item.

Uses libyaml's C parser when present (fast on large banks). Anchors and aliases are refused
(they make "billion laughs" bombs possible and are never needed in a course), so are duplicate
keys (git merges produce them and YAML would silently keep the last one).
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


class YamlProblem(Exception):
    """A YAML file that cannot be read; `line` and `column` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class LineDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]
    key_columns: dict[str, int]


class LineList(list[Any]):
    """A list that remembers its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]
    item_columns: list[int]


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise YamlProblem(
                "anchors and aliases (&name / *name) are not supported",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        return super().construct_object(node, deep=deep)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Any:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    data.key_columns = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=False)
        if not isinstance(key, str):
            if isinstance(key, (int, float, bool)) or key is None:
                key = str(key).lower() if isinstance(key, bool) or key is None else str(key)
            else:
                raise YamlProblem(
                    "keys must be plain text", key_node.start_mark.line + 1, key_node.start_mark.column + 1
                )
        if key in data:
            raise YamlProblem(
                f"duplicate key {key!r} (first at line {data.key_lines[key]})",
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
        data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines[key] = key_node.start_mark.line + 1
        data.key_columns[key] = key_node.start_mark.column + 1


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Any:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    data.item_columns = [child.start_mark.column + 1 for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=False) for child in node.value)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates stay text: course metadata writes them as ISO strings.
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:omap", _construct_map)

MAX_DEPTH = 50
"""Deepest nesting of `[`/`{` a file may have; deeper input is refused before parsing."""


def _flow_depth_ok(text: str) -> tuple[bool, int]:
    depth = 0
    line = 1
    for char in text:
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False, line
        elif char in "]}":
            depth = max(0, depth - 1)
    return True, 0


def decode(data: bytes) -> str:
    """Decode UTF-8 (a BOM is dropped); bad bytes raise YamlProblem with their line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", line, column
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(text: str, line_offset: int = 0) -> Any:
    """Parse one YAML document; errors carry the (offset) line where the parser stopped."""
    ok, line = _flow_depth_ok(text)
    if not ok:
        raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep", line + line_offset)
    if "\t" in text:
        for number, raw in enumerate(text.split("\n"), 1):
            stripped = raw.lstrip(" ")
            if stripped.startswith("\t"):
                raise YamlProblem(
                    "tab used for indentation; indent with spaces", number + line_offset, len(raw) - len(stripped) + 1
                )
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except YamlProblem as exc:
        exc.line += line_offset if exc.line else 0
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "cannot parse YAML"
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        line = mark.line + 1 + line_offset if mark else 0
        column = mark.column + 1 if mark else 0
        raise YamlProblem(message, line, column) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"cannot parse YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem(f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
