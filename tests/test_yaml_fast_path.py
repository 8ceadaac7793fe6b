"""The fast YAML path reads a file exactly as the line-keeping reader does, or leaves it to it.

`load_fast` (yaml-rs, YAML 1.2, no line marks) must never give a value that `parse_yaml`
(PyYAML, YAML 1.1, with lines) would not give, and never accept a file that `parse_yaml`
refuses: when unsure it answers `UNSURE` and the loader reads the file again with lines. And
a course read on the fast path gets the same diagnostics and the same lines as one read
with lines only.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coursebuilder import loader, yamlio
from coursebuilder.loader import load_course
from coursebuilder.model import Model, iter_markdown
from coursebuilder.synthetic import write_synthetic_course
from coursebuilder.yamlio import UNSURE, YamlProblem, load_fast, parse_yaml
from tests.conftest import SKELETON, WriteCourse
from tests.test_fuzz import SNIPPETS, YAML_CHARS, examples, mutated

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "course_src"


def slow(text: str) -> Any:
    try:
        return parse_yaml(text)
    except YamlProblem:
        return YamlProblem


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (1 == 1.0 == True would hide a difference)."""
    if isinstance(a, dict) and isinstance(b, dict):  # the line-keeping reader's are LineDicts
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def assert_agrees(text: str) -> Any:
    fast = load_fast(text)
    if fast is not UNSURE:
        expected = slow(text)
        assert expected is not YamlProblem, f"fast path accepted what parse_yaml refuses: {text!r}"
        assert same(fast, expected), (text, fast, expected)
    return fast


PLAIN_VALUES = [
    # YAML 1.1 and 1.2 disagree on these when they are written plain
    *["yes", "No", "ON", "off", "y", "n", "=", "<<", "~", "null", "Null", "NULL", "true", "False", "TRUE"],
    *["0777", "0o17", "0x1F", "-0x1f", "0b101", "+0b1", "1_000", "1__0", "_1", "1_", "0_7", "00", "-0", "+12"],
    *["1e3", "1E3", "1e+3", "1.5e3", "1.5e-3", "1.0e+3", ".5", "-.5", "12.", "1.", ".inf", "-.Inf", ".nan", ".NaN"],
    *["1:20", "-1:30:00", "190:20:30.15", "2024-01-02", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5"],
    *["9" * 95, "9" * 101, "1" + ":30" * 50, "0x" + "f" * 100, "1.5" + "0" * 200],
]


@pytest.mark.parametrize("value", PLAIN_VALUES)
@pytest.mark.parametrize("form", ["a: {}\n", "- {}\n", "a: [x, {}]\n", "{}: x\n", "a: {{k: {}}}\n", "a: '{}'\n"])
def test_plain_scalars_read_alike_or_not_at_all(value: str, form: str) -> None:
    assert_agrees(form.format(value))


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_snippets_read_alike_or_not_at_all(snippet: str) -> None:
    for text in (f"a: {snippet}\n", f"- {snippet}\n", f"{snippet}\n", f"a: |\n  {snippet}\nb: 1\n", f"a: {snippet}"):
        assert_agrees(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: !custom x\n",
        "a: 1\na: 2\n",
        "'a': 1\n\"a\": 2\n",
        "1: x\n'1': y\n",
        "a: 1\n---\nb: 2\n",
        "? [a, b]\n: c\n",
        "a: '\x07'\n",
        "a: x\u2028y\n",
        "\t- x\n",
        "[" * (yamlio.MAX_DEPTH + 1) + "]" * (yamlio.MAX_DEPTH + 1) + "\n",
        "a: |\n  text\nb: yes\n",
        "a: |\n    text\n  b: 0777\n",
    ],
)
def test_what_only_the_line_keeping_reader_may_judge(text: str) -> None:
    assert load_fast(text) is UNSURE


@pytest.mark.parametrize(
    "text",
    [
        "text: |\n  *emphasis* and ![a figure](../assets/f.png)\n  & more: yes, 0777, 1e3\ngrade: 100\n",
        "- text: >-\n    ![x](y.png)\n    !important\n  grade: -50\n",
        'a: "54"\nb: "yes"x\n'.replace("x", ""),
        "a: unit-0001\nb: q00001\nc: x *y*\nd: 0.5\n",
        "[" * yamlio.MAX_DEPTH + "1" + "]" * yamlio.MAX_DEPTH + "\n",
    ],
)
def test_block_text_and_quoted_values_stay_on_the_fast_path(text: str) -> None:
    """What looks odd inside block scalars and quotes is text to both readers: no need to give up."""
    if '"yes"' in text:
        assert load_fast(text) is UNSURE  # "yes" in quotes is text, but plain it would not be
        return
    assert assert_agrees(text) is not UNSURE


def course_yaml_files() -> list[Path]:
    return sorted(p for p in [*EXAMPLE.rglob("*.yaml"), *SKELETON.parent.rglob("*.yaml")] if p.is_file())


@pytest.mark.parametrize("path", course_yaml_files(), ids=lambda p: p.name)
def test_the_example_and_scaffold_files_take_the_fast_path(path: Path) -> None:
    text = yamlio.decode(path.read_bytes())
    assert assert_agrees(text) is not UNSURE, path


@settings(max_examples=examples(300))
@given(data=st.data())
@example(data=None)
def test_mutated_quiz_files_read_alike_or_not_at_all(data: st.DataObject | None) -> None:
    original = (SKELETON / "quiz" / "welcome.yaml").read_bytes()
    raw = original if data is None else data.draw(mutated(original))
    try:
        text = yamlio.decode(raw)
    except YamlProblem:
        return
    assert_agrees(text)


@settings(max_examples=examples(300))
@given(st.text(st.sampled_from([*YAML_CHARS, "a", "1", "0", "e", "y", "s", "o", ".", "_", "\n", " "]), max_size=40))
def test_random_text_reads_alike_or_not_at_all(text: str) -> None:
    assert_agrees(text)


@settings(max_examples=examples(500))
@given(st.text(st.sampled_from(["|", ">", "+", "-", "1", "#", "a", ":", "\n", " "]), max_size=30))
@example("a: |\n")
@example("a: |+ # note\n \n\n")
@example("a: >1\n  \n")
@example("a: |\nb: x\n")
def test_the_empty_last_block_is_found_on_the_last_line(text: str) -> None:
    """`_suspect` looks for a block scalar with no text at the end on the last line only."""
    expected = yamlio._EMPTY_LAST_BLOCK.search(text.rstrip(" \n")) is not None
    assert yamlio._empty_last_block(text) is expected


# --------------------------------------------------------------------------- whole courses


def models_in(model: Model) -> list[Model]:
    """`model` and every model in its fields, at any depth."""
    found = [model]
    for name in type(model).model_fields:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Model):
                found.extend(models_in(item))
    return found


def lines_of(result: loader.LoadResult) -> list[tuple[str, str, str, int]]:
    """File, path and line of every Markdown text of every question, and of each question's,
    lesson's, glossary entry's and course.yaml's fields."""
    course = result.course
    assert course is not None
    found = []
    for question in course.questions:
        for field in ("id", "lesson", "text", "tags[0]", "answers", None):
            found.append((question.source_file, question.field_path(), str(field), question.source_line(field)))
        for owner, field, path, _ in iter_markdown(question):
            assert isinstance(owner, Model)
            found.append((owner.source_file, path, field, owner.source_line(field)))
    for lesson in course.lessons:
        for field in ("id", "title", "objectives", "objectives[0]", "minutes", "summary", None):
            found.append((lesson.source_file, lesson.field_path(), str(field), lesson.source_line(field)))
    for model in models_in(course.info):  # course.yaml
        for field in [*type(model).model_fields, "lessons[0]", None]:
            found.append((model.source_file, model.field_path(), str(field), model.source_line(field)))
    found.append((course.glossary.source_file, course.glossary.field_path(), "entries", course.glossary.source_line()))
    for entry in course.glossary.entries:
        for field in ("term", "definition", "aliases", "aliases[0]", "case_sensitive", None):
            found.append((entry.source_file, entry.field_path(), str(field), entry.source_line(field)))
    return found


def questions_of(result: loader.LoadResult) -> list[tuple[type, dict[str, Any], set[str]]]:
    """Each question's type, values and the fields its source (or its file's defaults) set."""
    assert result.course is not None
    return [(type(q), q.model_dump(), q.model_fields_set) for q in result.course.questions]


def load_without_fast_path(root: Path, monkeypatch: pytest.MonkeyPatch) -> loader.LoadResult:
    with monkeypatch.context() as patch:
        patch.setattr(loader, "load_fast", lambda text: UNSURE)
        return load_course(root)


@pytest.mark.parametrize("course", ["example", "synthetic", "answer-keys", "defects"])
def test_lines_are_the_same_on_either_path(course: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = EXAMPLE
    if course in ("answer-keys", "defects"):
        root = ROOT / "tests" / "courses" / course
    if course == "synthetic":
        root = tmp_path / "synthetic"
        write_synthetic_course(root, 300, 10, 20)
    fast, slow_result = load_course(root), load_without_fast_path(root, monkeypatch)
    assert [d.format() for d in fast.diagnostics] == [d.format() for d in slow_result.diagnostics]
    if fast.course is not None:
        assert lines_of(fast) == lines_of(slow_result)
        assert any(line > 1 for *_, line in lines_of(fast))
        assert questions_of(fast) == questions_of(slow_result)


DEFAULTED = """\
    defaults:
      lesson: welcome
      category: basics
      tags: [welcome, shared, welcome]
    questions:
      - {id: plain, type: truefalse, text: Plain., correct: true}
      - {id: own-tags, type: truefalse, text: Own tags., correct: true, tags: [shared, own, own]}
      - {id: own-lesson, type: truefalse, text: Own lesson., correct: true, lesson: practice}
      - {id: null-lesson, type: truefalse, text: Null lesson., correct: true, lesson: null, category: null}
      - {id: own-category, type: truefalse, text: Own category., correct: true, category: special, tags: []}
"""


def test_file_defaults_are_the_same_on_either_path(write_course: WriteCourse, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path gives a question its file's defaults before validating it, the slow path
    after: the same values, the same fields set and the same lines."""
    root = write_course({"quiz/defaulted.yaml": DEFAULTED})
    text = (root / "quiz" / "defaulted.yaml").read_text()
    assert load_fast(text) is not UNSURE
    fast, slow_result = load_course(root), load_without_fast_path(root, monkeypatch)
    assert [d.format() for d in fast.diagnostics] == [d.format() for d in slow_result.diagnostics]
    assert questions_of(fast) == questions_of(slow_result)
    assert lines_of(fast) == lines_of(slow_result)
    assert fast.course is not None
    by_id = {q.id: q for q in fast.course.questions}
    assert by_id["own-tags"].tags == ["welcome", "shared", "own"]
    assert by_id["null-lesson"].lesson == "welcome"
    assert by_id["null-lesson"].category == "basics"
    assert by_id["own-lesson"].lesson == "practice"
    assert by_id["own-category"].category == "special"
    assert by_id["plain"].source_line("lesson") == 2  # the line of `defaults.lesson`


def test_a_lesson_read_on_the_fast_path_finds_its_lines_when_asked(
    write_course: WriteCourse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A duplicate lesson id is reported at the line of `id`, found by reading the front matter again."""
    lesson = "---\ntitle: Again\nsummary: A second lesson with the same id.\nid: welcome\n---\n\nText.\n"
    root = write_course({"lessons/03-again.md": lesson})
    fast = [d.format() for d in load_course(root).diagnostics]
    assert fast == [d.format() for d in load_without_fast_path(root, monkeypatch).diagnostics]
    assert any("03-again.md:4:" in line and "duplicate-id" in line for line in fast), fast


def test_cross_file_problems_in_fast_read_files_are_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that parses and validates on its own takes the fast path; a later check still names the line."""
    root = tmp_path / "course"
    shutil.copytree(SKELETON, root)
    quiz = root / "quiz" / "welcome.yaml"
    text = quiz.read_text()
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("text:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, f"{indent}lesson: no-such-lesson")
    quiz.write_text("\n".join(lines))
    assert load_fast(quiz.read_text()) is not UNSURE
    fast = [d.format() for d in load_course(root).diagnostics]
    assert fast == [d.format() for d in load_without_fast_path(root, monkeypatch).diagnostics]
    assert any(f"welcome.yaml:{at + 2}:" in line and "no-such-lesson" in line for line in fast), fast


def test_the_fast_path_knows_pyyamls_implicit_types() -> None:
    """The fast path keeps its own copy of the table PyYAML resolves plain scalars by (so that
    it never imports PyYAML): the same patterns for the same first characters, in PyYAML's
    order (the empty text's null aside: a lookup by first character never meets it)."""
    import yaml

    def table(resolvers: dict[str, list[tuple[str, Any]]]) -> dict[str, list[tuple[str, str, int]]]:
        return {first: [(tag, p.pattern, p.flags) for tag, p in found] for first, found in resolvers.items() if first}

    assert table(yamlio._RESOLVERS) == table(yaml.SafeLoader.yaml_implicit_resolvers)


def test_the_fast_path_gives_up_on_exactly_the_characters_pyyaml_reads_otherwise() -> None:
    """Over every code point: the fast path leaves to PyYAML the characters PyYAML's reader
    refuses (its `NON_PRINTABLE`), the line breaks besides `\\n` (PyYAML counts them as lines,
    yaml-rs does not), tabs and a byte order mark inside the text, and nothing else."""
    import yaml

    everything = "".join(map(chr, range(0x110000)))
    refused = {found.start() for found in yamlio._REFUSED_CHARS.finditer(everything)}
    pyyamls = {found.start() for found in yaml.reader.Reader.NON_PRINTABLE.finditer(everything)}
    assert refused == pyyamls | {ord(char) for char in "\t\r\x85\u2028\u2029\ufeff"}
    assert load_fast("a: x\x85y\n") is UNSURE
    assert load_fast("a: x\u00a0y\U0010fffd\n") == {"a": "x\u00a0y\U0010fffd"}


def _backtracking(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` with its possessive runs of spaces made ordinary (greedy, giving back)."""
    plain = pattern.pattern.replace("[ ]++", "[ ]+").replace("[ ]*+", "[ ]*")
    assert "*+" not in plain and "++" not in plain
    return re.compile(plain, pattern.flags)


SUSPECT_ALPHABET = "  \n-:,[{?#]}017e._+ain"
"""Spaces twice as often: runs of them are what the patterns hold."""


@settings(max_examples=examples(400))
@given(st.text(st.sampled_from(SUSPECT_ALPHABET), max_size=60))
@example("a:   0777\n  -  - : x\n")
@example("k: [ 1e3 , -.5 ]\n")
def test_the_possessive_suspect_patterns_find_what_backtracking_ones_find(text: str) -> None:
    """The fast path's scans for values it must leave to PyYAML hold their runs of spaces
    possessively (faster: nothing that follows them starts with a space); the matches are
    those of the same patterns that give spaces back."""
    for pattern in yamlio._SUSPECT_STARTS:
        assert "[ ]*+" in pattern.pattern
        plain = _backtracking(pattern)
        found = [hit.span(hit.lastgroup or 0) for hit in pattern.finditer(text)]
        assert found == [hit.span(hit.lastgroup or 0) for hit in plain.finditer(text)]
