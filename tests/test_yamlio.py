"""The YAML reader: values with their lines, and PyYAML's rules kept where we build nodes ourselves."""

from __future__ import annotations

import pytest

from coursebuilder.yamlio import LineDict, LineList, YamlProblem, parse_yaml


def _problem(text: str) -> tuple[str, int, int]:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(text)
    return caught.value.message, caught.value.line, caught.value.column


def test_values_lines_and_columns() -> None:
    data = parse_yaml("a: 1\nb:\n  - x\n  - {c: true, d: null, e: 2024-01-02, f: '7'}\n")
    assert data == {"a": 1, "b": ["x", {"c": True, "d": None, "e": "2024-01-02", "f": "7"}]}
    assert isinstance(data, LineDict) and data.key_lines == {"a": 1, "b": 2} and data.key_columns == {"a": 1, "b": 1}
    items = data["b"]
    assert isinstance(items, LineList) and items.line == 3 and items.item_lines == [3, 4]
    assert items.item_columns == [5, 5]
    assert items[1].line == 4 and items[1].key_columns == {"c": 6, "d": 15, "e": 24, "f": 39}


def test_plain_scalars_that_look_alike_keep_their_own_types() -> None:
    # Tags of short plain scalars are remembered; quoting must still make text.
    assert parse_yaml("a: 12\nb: '12'\nc: 12\nd: yes\ne: 'yes'\nf: 1.5\n") == {
        "a": 12,
        "b": "12",
        "c": 12,
        "d": True,
        "e": "yes",
        "f": 1.5,
    }


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &x 1\nb: *x\n", 2),
        ("- &a x\n- *a\n", 2),
        ("a: &x [1]\nb: {c: *x}\n", 2),
        ("&k a: 1\nb: {*k : 3}\n", 2),
        ("a: &a [*a]\n", 1),
    ],
)
def test_aliases_are_refused_wherever_they_are(text: str, line: int) -> None:
    """Reported where the alias is, naming the line of the value it would reuse (line 1)."""
    message, found, _ = _problem(text)
    assert message.startswith("anchors and aliases (&name / *name) are not supported; ")
    assert "reusing the one at line 1" in message and found == line


def test_problems_are_found_breadth_first_like_pyyaml() -> None:
    # The duplicate at the top level is reported, not the one nested above it.
    text = "a:\n  x: 1\n  x: 2\na: 3\n"
    assert _problem(text) == ("duplicate key 'a' (first at line 1)", 4, 1)
    assert _problem("a:\n  x: 1\n  x: 2\nb: 3\n") == ("duplicate key 'x' (first at line 2)", 3, 3)


def test_keys_must_be_plain_text() -> None:
    assert _problem("? [1, 2]\n: v\n") == ("keys must be plain text", 1, 3)
    assert parse_yaml("1: a\ntrue: b\n") == {"1": "a", "true": "b"}


def test_other_tags_go_through_pyyaml() -> None:
    assert parse_yaml("x: !!str 123\ny: !!int '0x1F'\nz: !!float '1'\nn: !!null ''\n") == {
        "x": "123",
        "y": 31,
        "z": 1.0,
        "n": None,
    }
    message, line, _ = _problem("x: !foo bar\n")
    assert "could not determine a constructor for the tag '!foo'" in message and line == 1
    # What a course never needs is refused (sets, merge keys: see test_yaml_safety).
    assert _problem("s: !!set {a, b}\n")[0] == "sets (!!set) are not supported"
    assert _problem("m: {<<: {k: v}, z: 1}\n")[0] == "merge keys (<<) are not supported; write the fields out"


def test_deep_flow_nesting_is_refused_with_its_line() -> None:
    # The mapping is level 1: its 50th nested list is level 51, one too many.
    text = "a: 1\nb: " + "[" * 50 + "]" * 50 + "\n"
    assert _problem(text) == ("nested more than 50 levels deep", 2, 53)
    value = parse_yaml("b: " + "[" * 49 + "]" * 49)["b"]
    depth = 0
    while value != []:
        value, depth = value[0], depth + 1
    assert depth == 48  # 49 brackets: the outer list holds 48 more levels, the last one empty
    # Brackets inside text are text: only real nesting counts.
    assert parse_yaml("a: '" + "]" * 80 + "[" * 80 + "'\n") == {"a": "]" * 80 + "[" * 80}
