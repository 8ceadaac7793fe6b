"""What a build shares lives in its `BuildContext`: targets of one build share work, and two
builds in one process share nothing. No module keeps course data between calls, and one
module alone switches the garbage collector."""

from __future__ import annotations

import ast
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from coursebuilder import build as build_module
from coursebuilder.build import build_course
from coursebuilder.buildcontext import BuildContext
from coursebuilder.gcpause import paused_gc
from coursebuilder.scorm import package as scorm_package
from coursebuilder.scorm.package import SharedContent
from coursebuilder.targets import Artifact, BuildOptions, Target
from coursebuilder.yamlio import parse_yaml
from tests.conftest import ROOT, WriteCourse

PACKAGE = ROOT / "coursebuilder"
SERIAL = BuildOptions(jobs=1, cache=False)
"""Every target in this process (so counters see them all), never answered from the build cache."""


def build(root: Path, out: Path, *targets: str) -> None:
    build_course(root, out, target_names=targets, options=SERIAL)


def test_targets_of_one_build_parse_each_text_once(skeleton_course: Path, tmp_path: Path, parses: list[str]) -> None:
    build(skeleton_course, tmp_path / "moodle", "moodle")
    alone = len(parses)
    parses.clear()
    build(skeleton_course, tmp_path / "both", "moodle", "scorm12", "mbz")
    assert alone > 0
    assert len(parses) == len(set(parses)), "a text parsed twice in one build"
    assert len(parses) < 2 * alone, "the SCORM package and the backup rendered the bank's texts again"


def test_a_second_build_in_the_process_starts_from_nothing(
    skeleton_course: Path, tmp_path: Path, parses: list[str]
) -> None:
    build(skeleton_course, tmp_path / "first", "moodle", "scorm12")
    first = sorted(parses)
    parses.clear()
    build(skeleton_course, tmp_path / "second", "moodle", "scorm12")
    assert first and sorted(parses) == first


def test_another_course_sees_none_of_the_renderings_of_the_last(
    write_course: WriteCourse, tmp_path: Path, parses: list[str]
) -> None:
    glossary = "entries:\n  - term: Gravity\n    definition: A force that **pulls** things down.\n"
    one = write_course({"glossary.yaml": glossary}, name="one")
    other = write_course({"glossary.yaml": glossary}, name="other")
    build(one, tmp_path / "one", "scorm12")
    assert "A force that **pulls** things down." in parses
    parses.clear()
    build(other, tmp_path / "other", "scorm12")
    assert "A force that **pulls** things down." in parses


class Recorder(Target):
    """Remembers the context each build hands it."""

    name: ClassVar[str] = "first"
    summary: ClassVar[str] = "records its context"
    seen: ClassVar[list[BuildContext]] = []

    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        self.seen.append(context)
        return []


class SecondRecorder(Recorder):
    name: ClassVar[str] = "second"


def test_each_build_hands_one_new_context_to_all_its_targets(
    skeleton_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "all_targets", lambda: {"first": Recorder(), "second": SecondRecorder()})
    monkeypatch.setattr(Recorder, "seen", [])
    build(skeleton_course, tmp_path / "a")
    build(skeleton_course, tmp_path / "b")
    first, second, third, fourth = Recorder.seen
    assert first is second and third is fourth and first is not third
    assert first.course.info.id == third.course.info.id == "my-course"
    assert first.course is not third.course, "each build loads the course again"


def test_scorm_content_is_made_once_per_build(
    write_course: WriteCourse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SCORM 1.2 and 2004 packages, and the backup's SCORM activity, share one rendering."""
    made: list[SharedContent] = []

    class Counted(SharedContent):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(scorm_package, "SharedContent", Counted)
    course_yaml = (ROOT / "coursebuilder/skeleton/en/course.yaml").read_text(encoding="utf-8")
    root = write_course({"course.yaml": course_yaml + "  moodle:\n    include_scorm: true\n"})
    build(root, tmp_path / "a", "scorm12", "scorm2004", "mbz")
    assert len(made) == 1
    build(root, tmp_path / "b", "scorm12", "scorm2004", "mbz")
    assert len(made) == 2 and made[0].course is not made[1].course


# --------------------------------------------------------------------------- no hidden state

MUTATING_METHODS = {"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear", "add", "remove"}
KEYED_BY_CODE = {
    ("model.py", "_MARKDOWN_FIELDS"): "field names by model class: what the code declares, the same for every course",
    ("model.py", "_NESTED_FIELDS"): "field names by model class: what the code declares, the same for every course",
    ("cli.py", "_PROCESS_PER_COMMAND"): "how the process was started, not what it builds",
}


def module_level_state(path: Path) -> Iterator[tuple[str, int]]:
    """Module-level names that a function of the module changes (items set or deleted,
    mutating methods, `global` rebinding), and any module-level `threading.local()`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: dict[str, int] = {}
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        for target in targets:
            if isinstance(target, ast.Name):
                names[target.id] = node.lineno
                if isinstance(node.value, ast.Call) and ast.unparse(node.value.func).endswith("local"):
                    yield target.id, node.lineno
    changed: set[str] = set()
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for node in ast.walk(function):
                changed.update(changed_names(node))
    yield from sorted((name, names[name]) for name in changed if name in names)


def changed_names(node: ast.AST) -> list[str]:
    """The names `node` (inside a function) rebinds or changes in place."""
    if isinstance(node, ast.Global):
        return list(node.names)
    if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
        owner = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATING_METHODS:
        owner = node.func.value
    else:
        return []
    return [owner.id] if isinstance(owner, ast.Name) else []


def test_no_module_keeps_state_between_builds() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, line in module_level_state(path)
        if (path.name, name) not in KEYED_BY_CODE
    ]
    assert found == [], "pass it in a BuildContext (or a parameter) instead"


def test_the_scan_finds_a_module_level_cache(tmp_path: Path) -> None:
    source = tmp_path / "cached.py"
    source.write_text(
        "import threading\n_LOCAL = threading.local()\n_SEEN: dict[str, str] = {}\n_KEPT = []\n\n"
        "def remember(key, value):\n    _SEEN[key] = value\n    _KEPT.insert(0, value)\n"
    )
    assert sorted(module_level_state(source)) == [("_KEPT", 4), ("_LOCAL", 2), ("_SEEN", 3)]


def collector_switches(path: Path) -> list[int]:
    """Lines of `path` that call the `gc` module's disable, enable or freeze."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ("disable", "enable", "freeze", "unfreeze")
        and isinstance(node.value, ast.Name)
        and node.value.id == "gc"
    ]


def test_only_gcpause_switches_the_collector() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "gcpause.py" and (lines := collector_switches(path))
    }
    assert found == {}
    assert collector_switches(PACKAGE / "gcpause.py")


def test_paused_gc_nests_and_resumes_after_the_outermost_block() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner block left the outer one paused"
    assert gc.isenabled()
    with pytest.raises(ValueError), paused_gc():
        raise ValueError
    assert gc.isenabled()


def test_paused_gc_as_a_decorator_pauses_each_call() -> None:
    states: list[bool] = []
    record: Callable[[], None] = paused_gc()(lambda: states.append(gc.isenabled()))
    record()
    record()
    assert states == [False, False] and gc.isenabled()


def test_documents_of_one_load_share_their_tags_with_the_same_values() -> None:
    documents = ["a: yes\nb: 12\nc: '12'\n", "b: yes\nc: 12\nd: 1.5\ne: ~\n", "a: 12\nf: [yes, '1.5', 1.5]\n"]
    tags: dict[str, str] = {}
    shared = [parse_yaml(text, tags=tags) for text in documents]
    assert shared == [parse_yaml(text) for text in documents]
    assert {"yes", "12", "1.5"} <= set(tags)
