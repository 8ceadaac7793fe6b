"""Read YAML safely and keep the line of every mapping key and list item.

Uses libyaml's C parser when present (fast on large banks). What a course never needs and an
attacker could use is refused with a located message:

- anchors, aliases and merge keys (`&a`, `*a`, `<<`): they make "billion laughs" bombs
  possible; the second use of an anchored node stops the load before anything is expanded;
- duplicate keys (git merges produce them, and YAML would silently keep the last one);
- nesting deeper than `limits.MAX_YAML_DEPTH` (block or flow). libyaml 0.2.6 and later stop at
  1,000 levels on their own; with an older libyaml or the pure-Python parser, whose composers
  recurse, the file is first scanned event by event (no recursion) so deep input can neither
  overflow the C stack nor exhaust Python's recursion limit;
- numbers longer than `MAX_NUMBER_CHARS` (Python refuses to convert huge integers and YAML 1.1's
  base-60 integers grow quadratically), binary data, sets and pairs.

Tabs are fine inside text; when a file does not parse and a line is indented with a tab, the
message says so, because that is nearly always the cause.

`load_fast` reads most files several times faster (yaml-rs, no line marks) and gives
up (`UNSURE`) on any text where its answer could differ from `parse_yaml`'s, which then reads
the file and locates what is wrong.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import yaml
import yaml_rs

from coursebuilder import limits
from coursebuilder.gcpause import paused_gc

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader

MAX_DEPTH = limits.MAX_YAML_DEPTH
"""Deepest nesting of mappings and lists a file may have."""
MAX_NUMBER_CHARS = 100
"""Longest number YAML may turn into an int; longer ones are refused (write them as text)."""

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


def _too_deep(line: int, column: int = 0) -> YamlProblem:
    return YamlProblem(f"nested more than {MAX_DEPTH} levels deep", line, column)


_STR = "tag:yaml.org,2002:str"
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
                return _STR
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
            if tag == _STR and type(child) is yaml.ScalarNode:
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
            if child.tag == _STR and type(child) is yaml.ScalarNode:
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
    Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
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


def parse_yaml(text: str, line_offset: int = 0, *, tags: dict[str, str] | None = None) -> Any:
    """Parse one YAML document; errors carry the (offset) line where the parser stopped.

    `tags` remembers how plain scalars resolve (`yes` is a boolean, `12` a number) for the
    next documents of one load, which repeat the same keys and values: pass the same dict to
    each (a new one by default).
    """
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
        message = f"{exc.problem} ({exc.context})"
    message = _one_line(message)
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


# --------------------------------------------------------------------------- the fast path

UNSURE: Any = object()
"""What `load_fast` returns when only `parse_yaml` can say what the text means."""

_REFUSED_CHARS = re.compile(
    # characters PyYAML's reader refuses, line breaks only libyaml counts, a BOM inside the text
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_CONTROL_CHARS = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
"""The same for ASCII text (faster)."""
_DOCUMENT_MARKS = re.compile(r"\n(?:---|\.\.\.)(?=[ \n]|\Z)|\A(?:\.\.\.|%)|\n%")
"""A second document, an end marker, a directive."""
_VALUE_END = r"[ ]*(?:$|#|[,\]}]|:(?:[ ]|$))"
_ODD_NUMBER = (
    # a plain value that looks like a number but is not written the one way YAML 1.1 and 1.2
    # read alike: 0777 (octal or decimal), 0o17, 1e3, -.5, _1, 1:20 … (the first lookahead
    # only fails early, before the costly second one, where no number can start)
    r"(?P<start>(?=[-+._0-9])(?![-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"
    + _VALUE_END
    + r")[-+]?(?:[._]?[0-9]|\.[iInN])[0-9A-Za-z_.:+-]*)"
    + _VALUE_END
)
_SUSPECT_STARTS = (
    *(re.compile(re.escape(before) + "[ ]*" + _ODD_NUMBER, re.M) for before in (": ", "- ", "? ", "[", "{", ",")),
    # at the start of a line, also `:` (an empty key, to YAML 1.2); the first line apart, so
    # that the search for the others skips to each line break
    *(
        re.compile(start + r"[ ]*(?:(?:-[ ]+)*(?P<colon>:)(?=[ \n])|" + _ODD_NUMBER + ")", re.M)
        for start in (r"\A", r"\n")
    ),
)
_EMPTY_LAST_BLOCK = re.compile(r"[|>][0-9+]*[ ]*(?:#[^\n]*)?\Z")
"""A block scalar with no text at the end of the file (yaml-rs reads it as a line break)."""
_BLOCK_HEADER = re.compile(r"[|>][-+]?[ ]*(?:#[^\n]*)?\n")
_BLOCK_BODY = re.compile(r"(?:[ ]*\n)*(?P<indent>[ ]+)[^ \n][^\n]*(?:\n(?:(?P=indent)[^\n]*|[ ]*)(?=\n|\Z))*")
"""A block scalar's lines: blank, or indented at least as far as its first line."""
_OWNER = re.compile(r"(?P<lead>[ ]*(?:[-?][ ]+)*)(?:[^\n#]*?:[ ]+)?")
"""What may precede a block scalar's `|` or `>` on its line; `lead` is its owner's indentation."""

_DUPLICATES = yaml_rs.DuplicateKeyPolicy.Error
_NO_ALIASES = yaml_rs.AliasLimits(
    max_total_replayed_events=0, max_replay_stack_depth=1, max_alias_expansions_per_anchor=0
)
_BIG_INT = 10 ** (MAX_NUMBER_CHARS - 10)
_RESOLVERS = yaml.SafeLoader.yaml_implicit_resolvers
_TIMESTAMP = "tag:yaml.org,2002:timestamp"  # read as its text by both (see _construct_timestamp)
"""PyYAML's implicit types of plain scalars, by first character (YAML 1.1: `yes`, `1:20`, dates …)."""


def load_fast(text: str) -> Any:
    """The value of `text`, exactly as `parse_yaml` reads it but without lines; or `UNSURE`.

    It gives up on every text where YAML 1.1 (PyYAML) and 1.2 (yaml-rs) could read a plain
    value differently (`yes`, `0777`, `1e3`, dates …), on tags, anchors, aliases, merge keys,
    tabs, several documents, characters PyYAML refuses, and on anything yaml-rs itself refuses
    (syntax errors, duplicate keys, deep nesting); then `parse_yaml` reads the file and locates
    the problem.
    """
    if "\t" in text or not text.endswith("\n") or _suspect(text):
        return UNSURE
    try:
        data = yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES, duplicate_key_policy=_DUPLICATES)
    except (yaml_rs.YAMLDecodeError, ValueError, TypeError, RecursionError):
        return UNSURE
    return data if _like_parse_yaml(data) else UNSURE


def _suspect(text: str) -> bool:
    """Whether the text outside block scalars holds anything only `parse_yaml` may judge."""
    if (_CONTROL_CHARS if text.isascii() else _REFUSED_CHARS).search(text) is not None:
        return True
    if ("\n---" in text or "\n..." in text or "%" in text) and _DOCUMENT_MARKS.search(text) is not None:
        return True
    if _empty_last_block(text):
        return True
    starts: list[int] = []
    for mark in "!&*":  # maybe a tag, an anchor or an alias
        at = text.find(mark)
        while at >= 0:
            starts.append(at)
            at = text.find(mark, at + 1)
    for pattern in _SUSPECT_STARTS:
        starts.extend(hit.start(hit.lastgroup or 0) for hit in pattern.finditer(text))
    blocks: list[tuple[int, int]] | None = None
    for start in starts:
        if not _starts_a_value(text, start):
            continue
        if blocks is None:
            blocks = _block_scalars(text)
        if not any(first <= start < end for first, end in blocks):
            return True
    return False


def _empty_last_block(text: str) -> bool:
    """`_EMPTY_LAST_BLOCK.search(text.rstrip(" \\n"))`, searching only the last line it can match."""
    end = len(text.rstrip(" \n"))
    return _EMPTY_LAST_BLOCK.search(text, text.rfind("\n", 0, end) + 1, end) is not None


def _starts_a_value(text: str, at: int) -> bool:
    """Whether a plain value could start at `at`: after indentation, `- `, `: `, `? `, `[`, `{` or `,`."""
    line_start = text.rfind("\n", 0, at) + 1
    before = text[line_start:at]
    stripped = before.rstrip(" ")
    if not stripped:
        return True
    return stripped[-1] in "[{," or (stripped[-1] in "-:?" and len(stripped) < len(before))


def _block_scalars(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text of every block scalar (`key: |` and its more indented lines)."""
    found: list[tuple[int, int]] = []
    end = 0
    for header in _BLOCK_HEADER.finditer(text):
        if header.start() < end:
            continue
        line_start = text.rfind("\n", 0, header.start()) + 1
        owner = _OWNER.fullmatch(text, line_start, header.start())
        body = _BLOCK_BODY.match(text, header.end())
        if owner is None or body is None or len(body.group("indent")) <= len(owner.group("lead")):
            continue
        found.append((header.end(), body.end()))
        end = body.end()
    return found


def _like_parse_yaml(data: Any) -> bool:
    """Check what `parse_yaml` checks as it builds (depth, keys, number sizes, YAML 1.1 types)."""
    if type(data) not in (dict, list):
        return _same_in_yaml_11(data)
    keys: set[Any] = set()  # keys already found plain (a few names recur everywhere)
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if type(value) is dict:
            if not value.keys() <= keys:
                if not _plain_keys(value):
                    return False
                keys.update(value)
            children: Any = value.values()
        else:
            children = value
        for child in children:
            kind = type(child)
            if kind is str:
                if child and child[0] in _RESOLVERS and _resolves_in_yaml_11(child):
                    return False
            elif kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif not _same_in_yaml_11(child):
                return False
    return True


def _same_in_yaml_11(value: Any) -> bool:
    """A scalar yaml-rs made that `parse_yaml` makes alike (an int too long is refused there)."""
    if type(value) is int:
        return bool(-_BIG_INT < value < _BIG_INT)
    if type(value) is str:
        return not (value and value[0] in _RESOLVERS and _resolves_in_yaml_11(value))
    return value is None or type(value) in (bool, float)


def _resolves_in_yaml_11(text: str) -> bool:
    """Whether `text` may have been written plain and PyYAML would read it as something else.

    Text yaml-rs itself reads as a number, boolean or null when plain (`"54"`, `"true"`) was
    quoted, so PyYAML reads it as text too.
    """
    if len(text) > 5 and text[0].isalpha():
        return False  # the words PyYAML reads as booleans and null are short
    for tag, pattern in _RESOLVERS[text[0]]:
        if pattern.match(text):
            return tag not in (_STR, _TIMESTAMP) and not _typed_in_yaml_12(text)
    return False


@functools.lru_cache(maxsize=4096)
def _typed_in_yaml_12(text: str) -> bool:
    """Whether yaml-rs, reading `text` written plain, gives anything but that text (or refuses it)."""
    try:
        value: Any = yaml_rs.loads(f"- {text}\n", parse_datetime=False)
    except (yaml_rs.YAMLDecodeError, ValueError, TypeError):
        return True
    return not (isinstance(value, list) and len(value) == 1 and value[0] == text and type(value[0]) is str)


def _plain_keys(mapping: dict[Any, Any]) -> bool:
    """Spell number, boolean and null keys as `parse_yaml` does (`1`, `true`, `none`), in place."""
    if all(type(key) is str and not (key and key[0] in _RESOLVERS and _resolves_in_yaml_11(key)) for key in mapping):
        return True
    items = list(mapping.items())
    mapping.clear()
    for key, value in items:
        if isinstance(key, bool) or key is None:
            key = str(key).lower()
        elif isinstance(key, (int, float)) and _same_in_yaml_11(key):
            key = str(key)
        elif not isinstance(key, str) or (key and key[0] in _RESOLVERS and _resolves_in_yaml_11(key)):
            return False
        if key in mapping:
            return False
        mapping[key] = value
    return True
