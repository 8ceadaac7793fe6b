"""The line-keeping YAML reader behind `yamlio.parse_yaml`, on PyYAML (libyaml's C parser
when present).

It is imported only when a file must be read with its lines (`yamlio.load_fast` could not
be sure of it, or a message asks for a line): a course whose files all take the fast path
never imports PyYAML. What it refuses, and why, is in `yamlio`'s docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import yaml

from coursebuilder.gcpause import paused_gc
from coursebuilder.yamltypes import MAX_DEPTH, MAX_NUMBER_CHARS, STR_TAG, TIMESTAMP_TAG, LineDict, LineList, YamlProblem

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader

_MERGE_TAG = "tag:yaml.org,2002:merge"
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
"""Characters libyaml counts as line breaks that editors (and our messages) do not."""


def _libyaml_version() -> tuple[int, ...]:
    try:
        from yaml import _yaml

        return tuple(int(part) for part in str(_yaml.get_version_string()).split(".")[:3])
    except (ImportError, AttributeError, ValueError):  # pragma: no cover - libyaml missing
        return (0,)


PRESCAN_DEPTH = _BaseLoader is not getattr(yaml, "CSafeLoader", None) or _libyaml_version() < (0, 2, 6)
"""True when the composer itself has no depth limit, so files are scanned for depth first."""


def _too_deep(line: int, column: int = 0) -> YamlProblem:
    return YamlProblem(f"nested more than {MAX_DEPTH} levels deep", line, column)


_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _LoaderMixin:
    """What our loaders add to PyYAML's safe loader (C or pure Python)."""

    _text: str
    _odd: bool
    _tags: dict[str, str]
    """Tag of each short plain scalar seen (keys, numbers, booleans recur thousands of times)."""
    constructed_objects: dict[Any, Any]
    recursive_objects: dict[Any, Any]

    def line_of(self, mark: Any) -> int:
        """1-based editor line of a mark (libyaml also breaks lines at U+0085/U+2028/U+2029)."""
        if self._odd:
            return self._text.count("\n", 0, mark.index) + 1
        return int(mark.line) + 1

    def alias(self, node: yaml.Node, after: Any) -> YamlProblem:
        """The same node twice means an alias (`*name`): refused before anything is expanded.

        The node only knows where its anchor is; the alias is the first `*` after `after`
        (the mark of what comes before it).
        """
        at = self._text.find("*", after.index)
        line = self._text.count("\n", 0, at) + 1 if at >= 0 else self.line_of(after)
        return YamlProblem(
            "anchors and aliases (&name / *name) are not supported; "
            f"write the value again instead of reusing the one at line {self.line_of(node.start_mark)}",
            line,
        )

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise self.alias(node, node.start_mark)
        return super().construct_object(node, deep=deep)  # type: ignore[misc]

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                raise YamlProblem(
                    "merge keys (<<) are not supported; write the fields out",
                    self.line_of(key_node.start_mark),
                    key_node.start_mark.column + 1,
                )
        super().flatten_mapping(node)  # type: ignore[misc]

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # No path resolvers are registered, so a scalar's tag depends on its text alone (and
        # quoted ones are always text): remember the tags of short plain scalars.
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return STR_TAG
            tags = self._tags
            tag = tags.get(value)
            if tag is None:
                tag = str(super().resolve(kind, value, implicit))  # type: ignore[misc]
                if len(value) <= 64 and len(tags) < 100_000:
                    tags[value] = tag
            return tag
        return str(super().resolve(kind, value, implicit))  # type: ignore[misc]

    def build(self, node: yaml.Node) -> Any:
        """Build the document breadth first, as PyYAML's own constructor does, without its per-node cost.

        Plain maps, lists and strings are built here, each container knowing its depth; any
        other tag goes through the constructors registered below (PyYAML's public
        `construct_object`), so results and errors are PyYAML's. Meeting a node a second time
        means an alias.
        """
        done = self.constructed_objects
        pending: list[tuple[Any, Any, int]] = []  # (node, container, depth) to fill

        def delegate(child: yaml.Node) -> Any:
            return self.construct_object(child, deep=True)

        def make(child: yaml.Node, depth: int, after: Any) -> Any:
            if child in done:
                raise self.alias(child, after)
            tag = child.tag
            if tag == STR_TAG and type(child) is yaml.ScalarNode:
                done[child] = child.value
                return child.value
            if tag == _MAP and type(child) is yaml.MappingNode:
                data: Any = _new_map(self, child)
            elif tag == _SEQ and type(child) is yaml.SequenceNode:
                data = _new_seq(self, child)
            else:
                return delegate(child)
            if depth > MAX_DEPTH:
                raise _too_deep(data.line, child.start_mark.column + 1)
            done[child] = data
            pending.append((child, data, depth))
            return data

        def key_of(child: yaml.Node, after: Any) -> Any:
            if child in done:
                raise self.alias(child, after)
            if child.tag == STR_TAG and type(child) is yaml.ScalarNode:
                done[child] = child.value
                return child.value
            return delegate(child)

        try:
            result = make(node, 1, node.start_mark)
            while pending:
                level, pending = pending, []
                for child, data, depth in level:
                    if isinstance(data, LineDict):
                        _fill_map(self, child, data, key_of, partial(_deeper, make, depth))
                    else:
                        previous = child.start_mark
                        for item in child.value:
                            data.append(make(item, depth + 1, previous))
                            previous = item.end_mark
            return result
        finally:
            self.constructed_objects.clear()
            self.recursive_objects.clear()


def _deeper(make: Callable[[yaml.Node, int, Any], Any], depth: int, child: yaml.Node, after: Any) -> Any:
    return make(child, depth + 1, after)


def _new_loader_class(base: type[yaml.SafeLoader]) -> type[Any]:
    class Loader(_LoaderMixin, base):  # type: ignore[valid-type,misc]
        def __init__(self, text: str, tags: dict[str, str] | None = None) -> None:
            super().__init__(text)
            self._text = text
            self._odd = _ODD_BREAKS.search(text) is not None
            self._tags = {} if tags is None else tags

    Loader.add_constructor(_MAP, _construct_map)
    Loader.add_constructor(_SEQ, _construct_seq)
    Loader.add_constructor(TIMESTAMP_TAG, _construct_timestamp)
    Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
    Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
    refused = (
        ("set", "sets (!!set)"),
        ("pairs", "pairs (!!pairs)"),
        ("omap", "ordered maps (!!omap; mappings keep their order)"),
        ("binary", "binary data (!!binary)"),
    )
    for tag, what in refused:
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", _refuse(what))
    return Loader


def _new_map(loader: Any, node: yaml.MappingNode) -> LineDict:
    data = LineDict()
    data.line = loader.line_of(node.start_mark)
    data.key_lines = {}
    data.key_columns = {}
    return data


def _fill_map(
    loader: Any,
    node: yaml.MappingNode,
    data: LineDict,
    key_of: Callable[[yaml.Node, Any], Any],
    value_of: Callable[[yaml.Node, Any], Any],
) -> None:
    """Fill `data` from `node`; `key_of`/`value_of` build a node given the mark of what precedes it."""
    loader.flatten_mapping(node)
    previous = node.start_mark
    for key_node, value_node in node.value:
        key = key_of(key_node, previous)
        line, column = loader.line_of(key_node.start_mark), key_node.start_mark.column + 1
        if not isinstance(key, str):
            if isinstance(key, (int, float, bool)) or key is None:
                key = str(key).lower() if isinstance(key, bool) or key is None else str(key)
            else:
                raise YamlProblem("keys must be plain text", line, column)
        if key in data:
            raise YamlProblem(f"duplicate key {key!r} (first at line {data.key_lines[key]})", line, column)
        data[key] = value_of(value_node, key_node.end_mark)
        data.key_lines[key] = line
        data.key_columns[key] = column
        previous = value_node.end_mark


def _new_seq(loader: Any, node: yaml.SequenceNode) -> LineList:
    data = LineList()
    data.line = loader.line_of(node.start_mark)
    data.item_lines = [loader.line_of(child.start_mark) for child in node.value]
    data.item_columns = [child.start_mark.column + 1 for child in node.value]
    return data


def _construct_map(loader: Any, node: yaml.MappingNode) -> Iterator[LineDict]:
    """An explicitly tagged `!!map` met by another constructor (the builder above does the rest)."""
    data = _new_map(loader, node)
    yield data

    def construct(child: yaml.Node, after: Any) -> Any:
        return loader.construct_object(child, deep=False)

    _fill_map(loader, node, data, construct, construct)


def _construct_seq(loader: Any, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = _new_seq(loader, node)
    yield data
    data.extend(loader.construct_object(child, deep=False) for child in node.value)


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> str:
    # Dates stay text: course metadata writes them as ISO strings.
    return str(loader.construct_scalar(node))


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    if len(str(node.value)) > MAX_NUMBER_CHARS:
        raise YamlProblem(
            f"number longer than {MAX_NUMBER_CHARS} characters; put it in quotes if it is text",
            loader.line_of(node.start_mark),
            node.start_mark.column + 1,
        )
    try:
        return int(yaml.SafeLoader.construct_yaml_int(loader, node))
    except ValueError:  # only with an explicit `!!int` on something else
        raise _not_a(loader, node, "is not a whole number") from None


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    try:
        return float(yaml.SafeLoader.construct_yaml_float(loader, node))
    except ValueError:
        raise _not_a(loader, node, "is not a number") from None


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    try:
        return bool(yaml.SafeLoader.construct_yaml_bool(loader, node))
    except KeyError:
        raise _not_a(loader, node, "is neither true nor false") from None


def _not_a(loader: Any, node: yaml.ScalarNode, what: str) -> YamlProblem:
    value = str(node.value)
    shown = value if len(value) <= 40 else value[:39] + "…"
    return YamlProblem(f"{shown!r} {what}", loader.line_of(node.start_mark), node.start_mark.column + 1)


def _refuse(what: str) -> Any:
    def construct(loader: Any, node: yaml.Node) -> Any:
        raise YamlProblem(f"{what} are not supported", loader.line_of(node.start_mark), node.start_mark.column + 1)

    return construct


_Loader = _new_loader_class(_BaseLoader)
_PyLoader = _new_loader_class(yaml.SafeLoader)


def parse_yaml(text: str, line_offset: int = 0, *, tags: dict[str, str] | None = None) -> Any:
    """`yamlio.parse_yaml` (see there)."""
    return _parse(text, line_offset, _Loader, PRESCAN_DEPTH, tags)


@paused_gc()  # nodes and marks are many small objects in no cycle: collecting only costs time
def _parse(
    text: str, line_offset: int, loader_class: type[Any], prescan: bool, tags: dict[str, str] | None = None
) -> Any:
    loader = None
    try:
        if prescan:
            _check_depth(text, loader_class)
        loader = loader_class(text, tags)
        node = loader.get_single_node()
        return None if node is None else loader.build(node)
    except YamlProblem as exc:
        exc.line = (exc.line or 1) + line_offset
        raise
    except yaml.MarkedYAMLError as exc:
        raise _located(exc, text, line_offset) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, found before any parsing
        at = min(max(int(exc.position), 0), len(text))
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        character = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise YamlProblem(
            f"character U+{character:04X} is not allowed in YAML (a control character?)", line + line_offset, column
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"cannot parse YAML: {_one_line(str(exc))}", 1 + line_offset) from None
    except RecursionError:
        raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep", 1 + line_offset) from None
    except (ValueError, TypeError, KeyError, OverflowError) as exc:  # a constructor met a value it cannot read
        raise YamlProblem(f"cannot read a value: {_one_line(str(exc))}"[:200], 1 + line_offset) from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_depth(text: str, loader_class: type[Any]) -> None:
    """Count nesting event by event (the parsers are iterative) before any recursive composer runs."""
    depth = 0
    parser = loader_class(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark: Any = event.start_mark
                    raise _too_deep(parser.line_of(mark), mark.column + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        parser.dispose()


def _one_line(text: str) -> str:
    """Messages are one line each (`file:line: error: …`), whatever the parser said."""
    return " ".join(text.split())


def _located(exc: yaml.MarkedYAMLError, text: str, line_offset: int) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "cannot parse YAML"
    if exc.context and exc.problem:
        # Where the unclosed `[`, `{` or quote began: the problem is found lines later, at the
        # end of the file for a quote.
        began = exc.context_mark
        start = ""
        if began is not None and mark is not None and began.line != mark.line:
            began_line = text.count("\n", 0, began.index) + 1 + line_offset
            start = f" that starts at line {began_line}, column {began.column + 1}"
        message = f"{exc.problem} ({exc.context}{start})"
    message = _one_line(message)
    if message.startswith("mapping values are not allowed"):  # YAML's most common surprise
        message += " (a value holding `: ` must be put in quotes, or this line is indented deeper than the keys above)"
    if "maximum nesting depth" in message:
        message = f"nested more than {MAX_DEPTH} levels deep"
    line = text.count("\n", 0, mark.index) + 1 if mark else 1
    column = mark.column + 1 if mark else 0
    tab_line = _tab_indented_line(text, line)
    if tab_line:
        raw = text.split("\n", tab_line)[tab_line - 1]
        return YamlProblem("tab used for indentation; indent with spaces", tab_line + line_offset, raw.index("\t") + 1)
    return YamlProblem(message, line + line_offset, column)


def _tab_indented_line(text: str, last: int) -> int:
    """First line up to `last` whose indentation contains a tab (0 if none)."""
    if "\t" not in text:
        return 0
    for number, raw in enumerate(text.split("\n", last)[:last], 1):
        indent = raw[: len(raw) - len(raw.lstrip(" \t"))]
        if "\t" in indent and raw.strip():
            return number
    return 0
