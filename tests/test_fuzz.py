"""Property-based fuzzing of the loader and the validator: no input ends in an exception.

Every example ends in success or in diagnostics that name a file of the course and a line
inside that file, through `load_course` and through the CLI. The inputs: random bytes,
truncated and mutated YAML (invalid UTF-8, BOM, CRLF, CR, tabs, anchors and aliases,
duplicate keys, deep block and flow nesting, huge strings), random YAML documents, and
wrong values at every field of every model (paths derived from the models themselves), for
course.yaml, lesson front matter, glossary.yaml and quiz files.

`make test` runs the `ci` profile (the same examples on every run, more than 2,000 in all);
`make fuzz` runs the `fuzz` profile: 25 times as many, new ones on each run.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from coursebuilder.cli import main
from coursebuilder.diagnostics import Severity, to_json
from coursebuilder.loader import LoadResult, load_course
from coursebuilder.model import CourseInfo, GlossaryFile, LessonMeta, QuizFile
from tests.conftest import SKELETON
from tests.strategies import courses
from tests.test_roundtrip_source import _write

SCALE = settings.default.max_examples / 100
"""1 under the `ci` profile, 25 under `fuzz`."""


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


FILES = {
    "course": "course.yaml",
    "lesson": "lessons/01-welcome.md",
    "glossary": "glossary.yaml",
    "quiz": "quiz/practice.yaml",
}
MODELS: dict[str, type[BaseModel]] = {
    "course": CourseInfo,
    "lesson": LessonMeta,
    "glossary": GlossaryFile,
    "quiz": QuizFile,
}
WHOLE_FILE_CODES = {"too-large", "io", "missing-file"}
"""Problems of a whole file, reported without a line."""
DIAGNOSTIC_LINE = re.compile(r"^.+?:\d+(?::\d+)?: (?:error|warning): .+ \[[a-z0-9-]+\]$")
SUMMARY_LINE = re.compile(
    r"^.+: not valid(?: under --strict)? — (?:\d+ errors?(?: and \d+ warnings?)?|\d+ warnings?)(?: in \d+ files?)?$"
)


class Bench:
    """A copy of the scaffold course whose files the tests overwrite and then restore."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.originals = {rel: (root / rel).read_bytes() for rel in FILES.values()}

    def load(self, rel: str, data: bytes) -> LoadResult:
        path = self.root / rel
        path.write_bytes(data)
        try:
            result = load_course(self.root)
            check_result(result, self.root)
            return result
        finally:
            path.write_bytes(self.originals[rel])


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    root = tmp_path_factory.mktemp("fuzz") / "course"
    shutil.copytree(SKELETON, root)
    return Bench(root)


def check_result(result: LoadResult, root: Path) -> None:
    """Diagnostics name an existing course file and a line inside it; a failed load says why."""
    for diag in result.diagnostics:
        assert diag.file, diag
        path = Path(diag.file)
        assert path.is_relative_to(root), diag.format()
        assert path.exists(), diag.format()
        if diag.code not in WHOLE_FILE_CODES:
            assert diag.line >= 1, diag.format()
        if path.is_file():
            data = path.read_bytes()
            assert diag.line <= data.count(b"\n") + data.count(b"\r") + 1, diag.format()
        assert diag.severity in (Severity.ERROR, Severity.WARNING)
        assert diag.message
        diag.format().encode("utf-8")
        diag.github().encode("utf-8")
    report = json.loads(to_json(result.diagnostics))
    assert report["errors"] == sum(1 for d in result.diagnostics if d.severity is Severity.ERROR)
    if result.course is None:
        assert report["errors"] > 0


# --------------------------------------------------------------------------- random bytes


@pytest.mark.parametrize("kind", FILES)
@settings(max_examples=examples(100))
@given(data=st.binary(max_size=3000) | st.text(max_size=1000).map(lambda t: t.encode("utf-8")))
def test_random_bytes(bench: Bench, kind: str, data: bytes) -> None:
    prefix = b"---\n" if kind == "lesson" and data[:1] != b"-" else b""
    bench.load(FILES[kind], prefix + data)


# --------------------------------------------------------------------------- truncated files


@pytest.mark.parametrize("kind", FILES)
def test_truncated_at_every_line(bench: Bench, kind: str) -> None:
    """What an interrupted save or a bad paste leaves: the file cut at the end of each line."""
    original = bench.originals[FILES[kind]]
    ends = [index for index, byte in enumerate(original) if byte == ord("\n")]
    for end in ends:
        bench.load(FILES[kind], original[:end])


# --------------------------------------------------------------------------- mutated files

YAML_CHARS = [*":-[]{}&*!|>'\"#%@`?,\t\n\r \\=~<", "\ufeff", "\x85", "\u2028", "é", "漢", "😀", "\x00", "\x1b"]
BAD_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe9", b"\x80\x80"]
SNIPPETS = [
    "&a ",
    "*a",
    "<<: *a\n",
    "&x [1, 2]",
    "? [a]\n: b\n",
    "!!binary aGk=",
    "!!set {a}",
    "!!python/object:os.system x",
    "!!int 0x1F",
    "9" * 200,
    "1:2:3:4:5",
    "2024-02-30",
    ".nan",
    "-.inf",
    "~",
    "\t- x\n",
    "'unterminated",
    '"\\x00"',
    "[" * 80,
    "{a: " * 60,
    "- " * 80 + "x\n",
    "".join(" " * i + "k:\n" for i in range(70)),
    "x" * 300_000,
    "<script>alert(1)</script>",
    "![i](../../../etc/passwd)",
    "[l](javascript:alert(1))",
    "{{nope}}",
]


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The original file with one to four random edits of the kinds people and git make."""
    data = original
    for _ in range(draw(st.integers(1, 4))):
        op = draw(
            st.sampled_from(
                [
                    "truncate",
                    "insert",
                    "snippet",
                    "delete",
                    "dup_line",
                    "swap_lines",
                    "indent",
                    "dedent",
                    "bad_byte",
                    "bom",
                    "crlf",
                    "cr",
                    "tab",
                    "anchor_alias",
                ]
            )
        )
        at = draw(st.integers(0, len(data)))
        lines = data.split(b"\n")
        line = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "truncate":
            data = data[:at]
        elif op == "insert":
            text = draw(st.text(st.sampled_from(YAML_CHARS) | st.characters(), max_size=12))
            data = data[:at] + text.encode("utf-8", "surrogatepass") + data[at:]
        elif op == "snippet":
            data = data[:at] + draw(st.sampled_from(SNIPPETS)).encode("utf-8") + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif op == "dup_line":
            lines.insert(line, lines[line])
            data = b"\n".join(lines)
        elif op == "swap_lines":
            other = draw(st.integers(0, max(0, len(lines) - 1)))
            lines[line], lines[other] = lines[other], lines[line]
            data = b"\n".join(lines)
        elif op == "indent":
            lines[line] = b" " * draw(st.integers(1, 8)) + lines[line]
            data = b"\n".join(lines)
        elif op == "dedent":
            lines[line] = lines[line].lstrip(b" ")
            data = b"\n".join(lines)
        elif op == "bad_byte":
            data = data[:at] + draw(st.sampled_from(BAD_BYTES)) + data[at:]
        elif op == "bom":
            data = b"\xef\xbb\xbf" + data
        elif op == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif op == "cr":
            data = data.replace(b"\n", b"\r")
        elif op == "tab":
            lines[line] = b"\t" + lines[line].lstrip(b" ")
            data = b"\n".join(lines)
        elif op == "anchor_alias":
            match = re.search(rb": ([^\n]+)", data[at:])
            if match:
                start = at + match.start(1)
                data = data[:start] + b"&anchor " + data[start:] + b"\nagain: *anchor\n"
    return data


@pytest.mark.parametrize("kind", FILES)
@settings(max_examples=examples(160))
@given(data=st.data())
def test_mutated_files(bench: Bench, kind: str, data: st.DataObject) -> None:
    rel = FILES[kind]
    bench.load(rel, data.draw(mutated(bench.originals[rel])))


# --------------------------------------------------------------------------- random documents

KEYS = st.sampled_from(
    ["id", "title", "type", "text", "answers", "questions", "lessons", "entries", "term", "grade", "gaps", "defaults"]
) | st.text(max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from(["", "all", "multichoice", "cloze", "x" * 250_000, "<iframe src=x>", "../x.png", "2024-01-01"])
)


def nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5))


VALUES = st.recursive(SCALARS, nested, max_leaves=12)


def dump(value: Any, style: bool | None) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=style)


def as_file(kind: str, document: str, bench: Bench) -> bytes:
    if kind != "lesson":
        return document.encode("utf-8")
    body = bench.originals[FILES["lesson"]].split(b"\n---\n", 1)[1]
    return b"---\n" + document.encode("utf-8") + b"---\n" + body


@pytest.mark.parametrize("kind", FILES)
@settings(max_examples=examples(75))
@given(value=VALUES, style=st.sampled_from([False, None, True]))
def test_random_documents(bench: Bench, kind: str, value: Any, style: bool | None) -> None:
    bench.load(FILES[kind], as_file(kind, dump(value, style), bench))


# --------------------------------------------------------------------------- wrong values at every field


def original_data(kind: str, bench: Bench) -> dict[str, Any]:
    text = bench.originals[FILES[kind]].decode("utf-8")
    if kind == "lesson":
        text = text.split("---\n")[1]
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation can hold (through Optional, list, unions and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(models_in(arg))
    return found


def is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(is_list(arg) for arg in typing.get_args(annotation))
    return False


def pick_model(candidates: list[type[BaseModel]], value: Any) -> type[BaseModel] | None:
    """For a question union, the member whose `type` literal matches the data."""
    if len(candidates) == 1:
        return candidates[0]
    for model in candidates:
        field = model.model_fields.get("type")
        if field is not None and isinstance(value, dict) and value.get("type") in typing.get_args(field.annotation):
            return model
    return None


Path_ = tuple[str | int, ...]


def field_paths(model: type[BaseModel], value: dict[str, Any], prefix: Path_ = ()) -> Iterator[tuple[Path_, bool]]:
    """Every field of `model` and of the models inside `value`: (path, holds one model)."""
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        inner = models_in(info.annotation)
        listy = is_list(info.annotation)
        yield path, bool(inner) and not listy
        child = value.get(name)
        if inner and listy and isinstance(child, list):
            for index, item in enumerate(child):
                sub = pick_model(inner, item)
                if sub is not None and isinstance(item, dict):
                    yield from field_paths(sub, item, (*path, index))
        elif inner and not listy:
            sub = pick_model(inner, child)
            if sub is not None:
                yield from field_paths(sub, child if isinstance(child, dict) else {}, path)


def set_path(data: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    node: Any = data
    for part in path[:-1]:
        if isinstance(part, str) and not isinstance(node.get(part), dict | list):
            node[part] = {}
        node = node[part]
    node[path[-1]] = value
    return data


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def every_field() -> list[tuple[str, Path_, bool]]:
    bench = Bench(SKELETON)
    cases = []
    for kind, model in MODELS.items():
        for path, holds_model in field_paths(model, original_data(kind, bench)):
            cases.append((kind, path, holds_model))
    return cases


EVERY_FIELD = every_field()


def test_every_model_field_is_covered() -> None:
    """The walk reaches every field of every question type the scaffold holds (and there are many)."""
    quiz_fields = {dotted(path) for kind, path, _ in EVERY_FIELD if kind == "quiz"}
    assert "questions[6].gaps[2].answers[1].feedback" in quiz_fields  # a cloze gap's answer
    assert "questions[4].pairs[0].answer" in quiz_fields  # a matching pair
    assert "settings.scorm.versions" in {dotted(path) for kind, path, _ in EVERY_FIELD if kind == "course"}
    assert len(EVERY_FIELD) > 200


@pytest.mark.parametrize(
    ("kind", "path", "holds_model"), EVERY_FIELD, ids=[f"{k}:{dotted(p)}" for k, p, _ in EVERY_FIELD]
)
def test_wrong_type_at_every_field(bench: Bench, kind: str, path: Path_, holds_model: bool) -> None:
    """A value of the wrong type at any field is an error naming the field, on the field's line."""
    wrong: Any = ["not", "a", "mapping"] if holds_model else {"wrong": "type"}
    document = dump(set_path(original_data(kind, bench), path, wrong), False)
    rel = FILES[kind]
    data = as_file(kind, document, bench)
    result = bench.load(rel, data)
    lines = data.decode("utf-8").split("\n")
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR and d.file.endswith(rel)]
    matching = [d for d in errors if d.field == dotted(path)]
    assert matching, f"no error for {dotted(path)}: {[d.format() for d in result.diagnostics]}"
    assert any(f"{path[-1]}:" in lines[d.line - 1] for d in matching), [d.format() for d in matching]


@pytest.mark.parametrize("kind", FILES)
@settings(max_examples=examples(150))
@given(data=st.data(), style=st.sampled_from([False, None, True]))
def test_random_value_at_any_field(bench: Bench, kind: str, data: st.DataObject, style: bool | None) -> None:
    paths = [path for k, path, _ in EVERY_FIELD if k == kind]
    path = data.draw(st.sampled_from(paths))
    value = data.draw(VALUES)
    document = dump(set_path(original_data(kind, bench), path, value), style)
    bench.load(FILES[kind], as_file(kind, document, bench))


# --------------------------------------------------------------------------- through the CLI


@settings(max_examples=examples(80))
@given(kind=st.sampled_from(sorted(FILES)), data=st.data(), fmt=st.sampled_from(["text", "json", "github"]))
def test_cli_validate_reports_and_exits(bench: Bench, kind: str, data: st.DataObject, fmt: str) -> None:
    rel = FILES[kind]
    path = bench.root / rel
    path.write_bytes(data.draw(mutated(bench.originals[rel])))
    try:
        result = CliRunner().invoke(main, ["validate", str(bench.root), "--format", fmt])
    finally:
        path.write_bytes(bench.originals[rel])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    if fmt == "json":
        report = json.loads(result.stdout)
        assert report["ok"] == (result.exit_code == 0)
    elif fmt == "text":
        lines = result.stderr.splitlines()
        if result.exit_code == 1:  # the last line counts what the others report
            assert SUMMARY_LINE.match(lines.pop()), result.stderr
        for line in lines:
            assert DIAGNOSTIC_LINE.match(line), line
    else:
        for line in result.stdout.splitlines():
            assert line.startswith(("::error ", "::warning ")), line


@settings(max_examples=examples(20))
@given(kind=st.sampled_from(sorted(FILES)), data=st.data())
def test_cli_build_reports_and_exits(bench: Bench, kind: str, data: st.DataObject, tmp_path_factory: Any) -> None:
    rel = FILES[kind]
    path = bench.root / rel
    path.write_bytes(data.draw(mutated(bench.originals[rel])))
    out = tmp_path_factory.mktemp("dist")
    try:
        result = CliRunner().invoke(main, ["build", str(bench.root), "-o", str(out), "-q"])
    finally:
        path.write_bytes(bench.originals[rel])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert result.stderr.strip(), "a failed build says why"
        assert not any(out.iterdir()), "a failed build writes nothing"


# --------------------------------------------------------------------------- valid courses through every target


@settings(max_examples=examples(8))
@given(course=courses())
def test_valid_random_courses_build_with_every_target(course: Any, tmp_path_factory: Any) -> None:
    """Random valid sources (any letters, symbols, `<`, `&`, `]]>` in texts) build, or say why."""
    from coursebuilder.build import build_course
    from coursebuilder.diagnostics import CourseError

    info, lessons, glossary, questions = course
    root = tmp_path_factory.mktemp("valid") / "course"
    _write(root, info, lessons, glossary, questions)
    out = root.parent / "dist"
    try:
        artifacts, _ = build_course(root, out)
    except CourseError as exc:  # valid by construction: only a target's own rule may refuse it
        assert exc.diagnostics and all(d.file and d.message for d in exc.diagnostics)
        assert not list(out.glob("*/*")), "a refused build writes nothing"
        return
    assert artifacts
    for artifact in artifacts:
        assert artifact.path.is_file() and artifact.path.is_relative_to(out)
