"""Read YAML safely and keep the line of every mapping key and list item.

Uses libyaml's C parser when present (fast on large banks). Anchors and aliases are refused
(they make "billion laughs" bombs possible and are never needed in a course), so are duplicate
keys (git merges produce them and YAML would silently keep the last one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
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


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TAGS: dict[str, str] = {}
"""Tag of each short plain scalar seen (keys, numbers, booleans recur thousands of times)."""


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise _alias(node)
        return super().construct_object(node, deep=deep)

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # No path resolvers are registered, so a scalar's tag depends on its text alone (and
        # quoted ones are always text): remember the tags of short plain scalars.
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR
            tag = _TAGS.get(value)
            if tag is None:
                tag = str(super().resolve(kind, value, implicit))
                if len(value) <= 64 and len(_TAGS) < 100_000:
                    _TAGS[value] = tag
            return tag
        return str(super().resolve(kind, value, implicit))

    def construct_document(self, node: yaml.Node) -> Any:
        """Build the document breadth first, as PyYAML's generators do, without their per-node cost.

        Plain maps, lists and strings are built here; any other tag goes through the
        constructors registered below, in the same order, so results and errors are PyYAML's.
        """
        done = self.constructed_objects  # every node built so far: meeting one again means an alias
        pending: list[Any] = []  # (node, container) to fill, or a PyYAML generator to finish
        generators: list[Any] = vars(self)["state_generators"]  # where PyYAML queues its own

        def adopt() -> None:
            if generators:
                pending.extend(generators)
                generators.clear()

        def delegate(child: yaml.Node) -> Any:
            data = self.construct_object(child, deep=False)
            adopt()
            return data

        def make(child: yaml.Node) -> Any:
            if child in done:
                raise _alias(child)
            tag = child.tag
            if tag == _STR and type(child) is yaml.ScalarNode:
                done[child] = child.value
                return child.value
            if tag == _MAP and type(child) is yaml.MappingNode:
                data: Any = _new_map(child)
            elif tag == _SEQ and type(child) is yaml.SequenceNode:
                data = _new_seq(child)
            else:
                return delegate(child)
            done[child] = data
            pending.append((child, data))
            return data

        def key_of(child: yaml.Node) -> Any:
            if child.tag == _STR and type(child) is yaml.ScalarNode:
                if child in done:
                    raise _alias(child)
                done[child] = child.value
                return child.value
            return delegate(child)

        try:
            result = make(node)
            while pending:
                level, pending = pending, []
                for task in level:
                    if isinstance(task, tuple):
                        child, data = task
                        if isinstance(data, LineDict):
                            _fill_map(self, child, data, key_of, make)
                        else:
                            data.extend(make(item) for item in child.value)
                    else:
                        for _ in task:
                            pass
                        adopt()
            return result
        finally:
            self.constructed_objects.clear()
            self.recursive_objects.clear()
            self.deep_construct = False


def _alias(node: yaml.Node) -> YamlProblem:
    return YamlProblem(
        "anchors and aliases (&name / *name) are not supported", node.start_mark.line + 1, node.start_mark.column + 1
    )


def _new_map(node: yaml.MappingNode) -> LineDict:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    data.key_columns = {}
    return data


def _fill_map(
    loader: _Loader,
    node: yaml.MappingNode,
    data: LineDict,
    key_of: Callable[[yaml.Node], Any],
    value_of: Callable[[yaml.Node], Any],
) -> None:
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = key_of(key_node)
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
        data[key] = value_of(value_node)
        data.key_lines[key] = key_node.start_mark.line + 1
        data.key_columns[key] = key_node.start_mark.column + 1


def _new_seq(node: yaml.SequenceNode) -> LineList:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    data.item_columns = [child.start_mark.column + 1 for child in node.value]
    return data


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Any:
    data = _new_map(node)
    yield data
    construct = partial(loader.construct_object, deep=False)
    _fill_map(loader, node, data, construct, construct)


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Any:
    data = _new_seq(node)
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
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return True, 0
    depth = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False, text.count("\n", 0, match.start()) + 1
        else:
            depth = max(0, depth - 1)
    return True, 0


_BRACKET = re.compile(r"[\[\]{}]")


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
