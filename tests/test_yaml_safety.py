"""Hostile and broken YAML gets one clear, located error; nothing is expanded, nothing recurses."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursebuilder import yamllines
from coursebuilder.diagnostics import Diagnostic, Severity
from coursebuilder.loader import load_course
from coursebuilder.yamlio import MAX_DEPTH, YamlProblem, parse_yaml
from tests.conftest import WriteCourse

BILLION_LAUGHS = "\n".join(
    ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, 10)]
    + ["lessons: *lol9", ""]
)
"""Ten levels of ten aliases: 10^10 strings if anything expanded it."""

MERGE_BOMB = "\n".join(
    ["m0: &m0 {a: 1, b: 2}"]
    + [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: {i}}}" for i in range(1, 40)]
    + ["title: x", ""]
)
"""Merge keys double at every level: PyYAML would build 2^40 key pairs before constructing one."""


def errors_in(root: Path, name: str) -> list[Diagnostic]:
    result = load_course(root)
    return [d for d in result.diagnostics if d.severity is Severity.ERROR and d.file.endswith(name)]


def only_error(root: Path, name: str) -> Diagnostic:
    found = errors_in(root, name)
    assert len(found) == 1, [d.format() for d in found]
    return found[0]


# --------------------------------------------------------------------------- aliases and bombs


@pytest.mark.parametrize("name", ["course.yaml", "glossary.yaml", "quiz/practice.yaml"])
def test_billion_laughs_is_refused_at_the_first_alias(write_course: WriteCourse, name: str) -> None:
    root = write_course({name: BILLION_LAUGHS})
    diag = only_error(root, name)
    assert diag.code == "yaml"
    assert "anchors and aliases" in diag.message
    # The first reuse met is `lessons: *lol9`: nothing was expanded before it.
    assert diag.line == 11, diag.format()
    assert "reusing the one at line 10" in diag.message


def test_billion_laughs_in_lesson_front_matter(write_course: WriteCourse) -> None:
    root = write_course({"lessons/01-welcome.md": f"---\n{BILLION_LAUGHS}title: x\n---\nbody\n"})
    diag = only_error(root, "lessons/01-welcome.md")
    assert "anchors and aliases" in diag.message
    assert diag.line == 12  # the front matter starts on line 2


def test_merge_key_bomb_is_refused_before_merging(write_course: WriteCourse) -> None:
    root = write_course({"course.yaml": MERGE_BOMB})
    diag = only_error(root, "course.yaml")
    assert "merge keys (<<) are not supported" in diag.message
    assert diag.line == 2


@pytest.mark.parametrize(
    "text",
    [
        "a: &x hello\nb: *x\n",  # a scalar
        "a: &x {k: v}\nb: *x\n",  # a mapping
        "a: &x [1]\nb:\n  - *x\n",  # inside a list
        "&x a: 1\n*x : 2\n",  # as a key
        "a: &x [*x]\n",  # a node that contains itself
    ],
)
def test_every_alias_is_refused(text: str) -> None:
    with pytest.raises(YamlProblem, match="anchors and aliases") as info:
        parse_yaml(text)
    assert info.value.line >= 1


def test_an_anchor_without_alias_is_harmless() -> None:
    assert parse_yaml("a: &x 1\nb: 2\n") == {"a": 1, "b": 2}


# --------------------------------------------------------------------------- nesting

DEEP_CASES = {
    "block lists": "- " * 5000 + "x\n",
    "block mappings": "".join(" " * level + f"k{level}:\n" for level in range(800)) + " " * 800 + "x: 1\n",
    "flow lists": "[" * 100_000 + "]" * 100_000 + "\n",
    "flow mappings": "{a: " * 20_000 + "1" + "}" * 20_000 + "\n",
    "mixed": "a:\n" + "  - " * 30 + "[" * 30 + "1" + "]" * 30 + "\n",
    "just past the limit": "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
}


@pytest.mark.parametrize("case", DEEP_CASES)
def test_deep_nesting_is_refused(write_course: WriteCourse, case: str) -> None:
    root = write_course({"quiz/practice.yaml": DEEP_CASES[case]})
    diag = only_error(root, "quiz/practice.yaml")
    assert diag.message == f"nested more than {MAX_DEPTH} levels deep", diag.format()
    assert diag.line >= 1


def test_nesting_at_the_limit_is_read() -> None:
    text = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    value = parse_yaml(text)
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == [1]


def test_depth_error_points_at_the_level_past_the_limit() -> None:
    """Below libyaml's own 1,000-level stop, our limit is what refuses, on the right line."""
    text = "".join("  " * level + f"k{level}:\n" for level in range(60)) + "  " * 60 + "x: 1\n"
    with pytest.raises(YamlProblem, match="nested more than") as info:
        parse_yaml(text)
    assert info.value.line == MAX_DEPTH + 1  # the mapping at depth 51 starts on line 51


@pytest.mark.parametrize("case", ["block lists", "block mappings", "flow lists", "flow mappings"])
def test_prescan_refuses_deep_input_before_any_composer_recurses(case: str) -> None:
    """With an old libyaml (no nesting limit) or no libyaml at all, the event scan stops it.

    The pure-Python composer recurses once per level: without the scan it would hit
    Python's recursion limit (or, in C, overflow the stack) on these inputs.
    """
    text = DEEP_CASES[case]
    for loader in (yamllines._Loader, yamllines._PyLoader):
        with pytest.raises(YamlProblem, match=f"nested more than {MAX_DEPTH} levels deep") as info:
            yamllines._parse(text, 0, loader, True)
        # The scan stops at the 51st level and says where it is (a recursion error could not;
        # libyaml 0.2.6's scanner may stop a flow first, at its own limit of 1,000).
        if loader is yamllines._PyLoader or "flow" not in case:
            assert (info.value.line, info.value.column) == EXPECTED_STOP[case]


EXPECTED_STOP = {
    "block lists": (1, 2 * MAX_DEPTH + 1),
    "block mappings": (MAX_DEPTH + 1, MAX_DEPTH + 1),
    "flow lists": (1, MAX_DEPTH + 1),
    "flow mappings": (1, 4 * MAX_DEPTH + 1),
}


def test_prescan_is_used_where_the_composer_has_no_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = yamllines._check_depth
    monkeypatch.setattr(yamllines, "_check_depth", lambda text, loader: calls.append(text) or real(text, loader))
    monkeypatch.setattr(yamllines, "PRESCAN_DEPTH", True)
    with pytest.raises(YamlProblem, match="nested more than"):
        parse_yaml(DEEP_CASES["block lists"])
    assert calls


# --------------------------------------------------------------------------- keys, tabs, encodings


def test_duplicate_keys_name_both_lines(write_course: WriteCourse) -> None:
    root = write_course({"glossary.yaml": "name: Glossary\nentries: []\nname: Other\n"})
    diag = only_error(root, "glossary.yaml")
    assert diag.line == 3
    assert diag.message == "duplicate key 'name' (first at line 1)"


def test_duplicate_keys_from_a_git_merge_in_a_question(write_course: WriteCourse, skeleton_course: Path) -> None:
    text = (skeleton_course / "quiz/welcome.yaml").read_text()
    text = text.replace("    correct: true\n", "    correct: true\n    correct: false\n")
    root = write_course({"quiz/welcome.yaml": text}, name="merged")
    diag = only_error(root, "quiz/welcome.yaml")
    assert "duplicate key 'correct'" in diag.message
    assert text.split("\n")[diag.line - 1].strip() == "correct: false"


def test_tab_indentation_is_named(write_course: WriteCourse) -> None:
    root = write_course({"glossary.yaml": "entries:\n\t- term: x\n\t  definition: y\n"})
    diag = only_error(root, "glossary.yaml")
    assert diag.message == "tab used for indentation; indent with spaces"
    assert (diag.line, diag.column) == (2, 1)


def test_tabs_inside_text_are_text() -> None:
    assert parse_yaml("text: |\n  code:\n  \tindented with a tab\n") == {"text": "code:\n\tindented with a tab\n"}
    assert parse_yaml('text: "a\tb"\n') == {"text": "a\tb"}


def test_bom_crlf_and_cr_files_load_with_the_right_lines(write_course: WriteCourse, skeleton_course: Path) -> None:
    original = (skeleton_course / "glossary.yaml").read_bytes() + b"bogus: 1\n"
    bogus_line = original.split(b"\n").index(b"bogus: 1") + 1
    for variant in (
        b"\xef\xbb\xbf" + original,
        original.replace(b"\n", b"\r\n"),
        original.replace(b"\n", b"\r"),
        b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"),
    ):
        root = write_course({"glossary.yaml": variant}, name=f"c{len(variant)}{variant[:1]!r}".replace("'", ""))
        diag = only_error(root, "glossary.yaml")
        assert (diag.field, diag.line) == ("bogus", bogus_line), diag.format()


def test_invalid_utf8_names_line_and_column(write_course: WriteCourse) -> None:
    root = write_course({"glossary.yaml": b"name: ok\nentries:\n  - term: caf\xe9\n"})
    diag = only_error(root, "glossary.yaml")
    assert diag.code == "encoding"
    assert (diag.line, diag.column) == (3, 14)
    assert "0xe9" in diag.message


def test_unicode_line_separators_do_not_shift_lines(write_course: WriteCourse) -> None:
    """libyaml counts U+2028 and U+0085 as line breaks; editors and our messages do not."""
    root = write_course({"glossary.yaml": "name: 'a\u2028b\x85c'\nentries: []\nbogus: 1\n"})
    diag = only_error(root, "glossary.yaml")
    assert (diag.field, diag.line) == ("bogus", 3)


def test_error_lines_after_unicode_line_separators() -> None:
    with pytest.raises(YamlProblem) as info:
        parse_yaml("a: 'x\u2028y'\nb: [\n")
    assert info.value.line == 3


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("number", ["9" * 5000, "1" + ":30" * 20_000, "-" + "1" * 101])
def test_huge_numbers_are_refused(number: str) -> None:
    """Python refuses to convert > 4,300 digits; base-60 numbers grow quadratically."""
    with pytest.raises(YamlProblem, match="number longer than"):
        parse_yaml(f"points: {number}\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!int 0x1Fzz\n", "'0x1Fzz' is not a whole number"),
        ("a: !!int abc\n", "'abc' is not a whole number"),
        ("a: !!float abc\n", "'abc' is not a number"),
        ("a: !!bool maybe\n", "'maybe' is neither true nor false"),
    ],
)
def test_explicit_tags_on_the_wrong_value_are_located(text: str, message: str) -> None:
    """Found by `make fuzz`: `!!int` before text made Python's int() raise out of the loader."""
    with pytest.raises(YamlProblem, match=message) as info:
        parse_yaml(text)
    assert (info.value.line, info.value.column) == (1, 4)


@pytest.mark.parametrize(("text", "line", "column"), [("a: 1\nb: x\x08y\n", 2, 5), ("\x08a: 1\n", 1, 1)])
def test_control_characters_are_located_on_one_line(text: str, line: int, column: int) -> None:
    """Found by `make fuzz`: libyaml's reader error came out as two lines, without a position."""
    with pytest.raises(YamlProblem) as info:
        parse_yaml(text)
    assert info.value.message == "character U+0008 is not allowed in YAML (a control character?)"
    assert (info.value.line, info.value.column) == (line, column)
    with pytest.raises(YamlProblem) as pure:
        yamllines._parse(text, 0, yamllines._PyLoader, False)
    assert (pure.value.message, pure.value.line, pure.value.column) == (info.value.message, line, column)


def test_long_numbers_in_quotes_are_text() -> None:
    assert parse_yaml(f"text: '{'9' * 5000}'\n") == {"text": "9" * 5000}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!binary aGVsbG8=\n", "binary data"),
        ("a: !!set {x, y}\n", "sets"),
        ("a: !!pairs [x: 1]\n", "pairs"),
        ("a: !!python/object/apply:os.system [ls]\n", "could not determine a constructor"),
        ("a: !custom x\n", "could not determine a constructor"),
        ("? [a, b]\n: c\n", "keys must be plain text"),
    ],
)
def test_tags_and_complex_keys_are_refused(text: str, message: str) -> None:
    with pytest.raises(YamlProblem, match=message) as info:
        parse_yaml(text)
    assert info.value.line >= 1


def test_a_huge_string_is_reported_not_loaded_into_every_message(write_course: WriteCourse) -> None:
    text = "x" * 250_000
    root = write_course({"glossary.yaml": f"entries:\n  - term: big\n    definition: {text}\n"})
    diag = only_error(root, "glossary.yaml")
    assert diag.code == "too-large"
    assert diag.line == 3
    assert len(diag.format()) < 300


# --------------------------------------------------------------------------- lessons


def test_empty_front_matter_reports_the_missing_title(write_course: WriteCourse) -> None:
    root = write_course({"lessons/01-welcome.md": "---\n---\n# Body\n"})
    diags = errors_in(root, "lessons/01-welcome.md")
    assert [(d.field, d.line, d.code) for d in diags] == [("title", 1, "missing")]


def test_control_characters_in_a_lesson_body_are_located(write_course: WriteCourse) -> None:
    """XML cannot carry them: the build would fail later, far from the cause."""
    root = write_course({"lessons/01-welcome.md": "---\ntitle: Welcome\n---\n\nline\nbad \x0b here\n"})
    diag = only_error(root, "lessons/01-welcome.md")
    assert (diag.line, diag.column, diag.code) == (6, 5, "xml-char")
    assert "U+000B" in diag.message


def test_unknown_question_type_points_at_the_type_line(write_course: WriteCourse) -> None:
    root = write_course(
        {"quiz/extra.yaml": "defaults: {lesson: welcome}\nquestions:\n  - id: q\n    text: t\n    type: spreadsheet\n"}
    )
    diag = only_error(root, "quiz/extra.yaml")
    assert (diag.field, diag.line) == ("questions[0].type", 5)
