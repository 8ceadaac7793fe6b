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
the file and locates what is wrong. `parse_yaml` is PyYAML's (`yamllines`), imported only then:
a course whose files all take the fast path, and need no line for a message, never imports it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml_rs

from coursebuilder.yamltypes import MAX_DEPTH as MAX_DEPTH
from coursebuilder.yamltypes import MAX_NUMBER_CHARS as MAX_NUMBER_CHARS
from coursebuilder.yamltypes import STR_TAG, TIMESTAMP_TAG
from coursebuilder.yamltypes import LineDict as LineDict
from coursebuilder.yamltypes import LineList as LineList
from coursebuilder.yamltypes import YamlProblem as YamlProblem


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
    from coursebuilder import yamllines  # PyYAML: only for a file read with its lines

    return yamllines.parse_yaml(text, line_offset, tags=tags)


# --------------------------------------------------------------------------- the fast path

UNSURE: Any = object()
"""What `load_fast` returns when only `parse_yaml` can say what the text means."""

_REFUSED_CHARS = re.compile(
    # characters PyYAML's reader refuses, line breaks only libyaml counts, a BOM inside the
    # text; listed, not as the complement of what is allowed, which takes `re` several
    # milliseconds to compile (a class reaching U+10FFFF)
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_CONTROL_CHARS = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
"""The same for ASCII text (faster)."""
_DOCUMENT_MARKS = re.compile(r"\n(?:---|\.\.\.)(?=[ \n]|\Z)|\A(?:\.\.\.|%)|\n%")
"""A second document, an end marker, a directive."""
# The runs of spaces below are possessive (`*+`, `++`): what may follow them never starts
# with a space, so giving a space back could never make a match, and trying to, at every
# line of indentation, took the line-start search more than twice as long.
_VALUE_END = r"[ ]*+(?:$|#|[,\]}]|:(?:[ ]|$))"
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
    *(re.compile(re.escape(before) + "[ ]*+" + _ODD_NUMBER, re.M) for before in (": ", "- ", "? ", "[", "{", ",")),
    # at the start of a line, also `:` (an empty key, to YAML 1.2); the first line apart, so
    # that the search for the others skips to each line break
    *(
        re.compile(start + r"[ ]*+(?:(?:-[ ]++)*(?P<colon>:)(?=[ \n])|" + _ODD_NUMBER + ")", re.M)
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
_IMPLICIT_TYPES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # PyYAML's `Resolver.add_implicit_resolver` calls (yaml/resolver.py), in its order, with
    # its patterns: a test compares this table with the installed PyYAML's.
    (
        "tag:yaml.org,2002:bool",
        re.compile(
            r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""",
            re.X,
        ),
        "yYnNtTfFoO",
    ),
    (
        "tag:yaml.org,2002:float",
        re.compile(
            r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""",
            re.X,
        ),
        "-+0123456789.",
    ),
    (
        "tag:yaml.org,2002:int",
        re.compile(
            r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
            re.X,
        ),
        "-+0123456789",
    ),
    ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), "<"),
    (
        "tag:yaml.org,2002:null",
        re.compile(
            r"""^(?: ~
                    |null|Null|NULL
                    | )$""",
            re.X,
        ),
        "~nN",  # and the empty text, which never reaches a lookup by first character
    ),
    (
        TIMESTAMP_TAG,
        re.compile(
            r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
            re.X,
        ),
        "0123456789",
    ),
    ("tag:yaml.org,2002:value", re.compile(r"^(?:=)$"), "="),
    ("tag:yaml.org,2002:yaml", re.compile(r"^(?:!|&|\*)$"), "!&*"),
)


def _by_first_character(
    types: tuple[tuple[str, re.Pattern[str], str], ...],
) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    found: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, firsts in types:
        for first in firsts:
            found.setdefault(first, []).append((tag, pattern))
    return found


_RESOLVERS = _by_first_character(_IMPLICIT_TYPES)
"""PyYAML's implicit types of plain scalars, by first character (YAML 1.1: `yes`, `1:20`, dates …),
without importing PyYAML: the fast path never needs it."""


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
            return tag not in (STR_TAG, TIMESTAMP_TAG) and not _typed_in_yaml_12(text)
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
