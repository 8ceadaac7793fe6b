"""`coursebuilder new`: a course that validates strictly and builds, ready for an editor, git and CI."""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from coursebuilder.cli import main
from coursebuilder.scaffold import point_schema_comment, scaffold_files
from coursebuilder.schema import render_schemas
from tests.conftest import ROOT

LANGUAGES = ["en", "id"]

# The keys a hook may have in a `.pre-commit-hooks.yaml` manifest (pre-commit's
# clientlib MANIFEST_HOOK_DICT); `id`, `name`, `entry` and `language` are required.
HOOK_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or", "exclude_types",
    "additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames", "description",
    "language_version", "log_file", "minimum_pre_commit_version", "require_serial", "stages", "verbose",
}  # fmt: skip
HOOK_REQUIRED = {"id", "name", "entry", "language"}


@pytest.fixture(params=LANGUAGES)
def new_course(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    target = tmp_path / f"course-{request.param}"
    result = CliRunner().invoke(main, ["new", str(target), "--language", request.param])
    assert result.exit_code == 0, result.output
    return target


def test_new_course_validates_strictly_and_builds(new_course: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", "--strict", str(new_course)])
    assert validated.exit_code == 0, validated.output
    assert "valid" in validated.output
    built = runner.invoke(main, ["build", "--strict", str(new_course), "-o", str(tmp_path / "dist")])
    assert built.exit_code == 0, built.output


def test_new_course_language(new_course: Path) -> None:
    language = new_course.name.removeprefix("course-")
    course = yaml.safe_load((new_course / "course.yaml").read_text(encoding="utf-8"))
    assert course["language"] == language


def test_every_schema_comment_points_at_a_file_that_exists(new_course: Path) -> None:
    comments = 0
    for path in sorted(new_course.rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        if path.parent.name in ("workflows",) or path.name.startswith("."):
            continue
        assert match, f"{path} has no schema comment"
        target = (path.parent / match.group(1)).resolve()
        assert target.is_file(), f"{path}: {match.group(1)} does not exist"
        assert target.is_relative_to(new_course.resolve()), f"{path}: the schema is outside the course"
        comments += 1
    assert comments >= 3  # course.yaml, glossary.yaml and at least one quiz file


def test_vscode_settings_map_every_source_file_to_an_existing_schema(new_course: Path) -> None:
    settings = json.loads((new_course / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping: dict[str, list[str]] = settings["yaml.schemas"]
    for schema in mapping:
        assert (new_course / schema).is_file(), f"{schema} does not exist in the new course"
    sources = ["course.yaml", "glossary.yaml"] + [
        p.relative_to(new_course).as_posix() for p in new_course.glob("quiz/*")
    ]
    for source in sources:
        matched = [schema for schema, globs in mapping.items() if any(fnmatch.fnmatch(source, g) for g in globs)]
        assert len(matched) == 1, f"{source} matches {matched}"
    assert any(fnmatch.fnmatch("quiz/intro.yaml", g) for g in mapping["./schemas/quiz.schema.json"])
    assert "course.yaml" in mapping["./schemas/course.schema.json"]


def test_new_course_has_its_own_current_schemas(new_course: Path) -> None:
    for name, text in render_schemas().items():
        assert (new_course / "schemas" / name).read_text(encoding="utf-8") == text


def test_gitignore_ignores_dist(new_course: Path) -> None:
    lines = (new_course / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "dist/" in lines


def test_pre_commit_hook_runs_validate(new_course: Path) -> None:
    config = yaml.safe_load((new_course / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    [hook] = repo["hooks"]
    assert HOOK_REQUIRED <= set(hook) <= HOOK_KEYS
    assert hook["entry"].split()[:2] == ["coursebuilder", "validate"]
    assert hook["pass_filenames"] is False
    for changed in ("course.yaml", "lessons/01-a.md", "quiz/a.yaml", "glossary.yaml", "assets/x.png"):
        assert re.search(hook["files"], changed), changed
    assert not re.search(hook["files"], "README.md")


def test_repository_offers_the_hook_to_other_repositories() -> None:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = manifest
    assert HOOK_REQUIRED <= set(hook) <= HOOK_KEYS
    assert hook["entry"] == "coursebuilder validate"


def test_ci_workflow_validates_builds_and_keeps_dist(new_course: Path) -> None:
    workflow = yaml.safe_load((new_course / ".github" / "workflows" / "course.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    validate = next(run for run in runs if "coursebuilder validate" in run)
    assert "--format github" in validate
    build = runs.index(next(run for run in runs if "coursebuilder build" in run))
    assert runs.index(validate) < build
    assert "-o dist" in runs[build]
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "dist"
    assert steps.index(upload) > build


def test_new_refuses_a_directory_with_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("course.yaml", "schemas/course.schema.json"),
        ("glossary.yaml", "schemas/glossary.schema.json"),
        ("quiz/a.yaml", "../schemas/quiz.schema.json"),
        ("quiz/unit-1/a.yaml", "../../schemas/quiz.schema.json"),
    ],
)
def test_schema_comment_follows_the_file_depth(name: str, expected: str) -> None:
    schema = posixpath.basename(expected)
    data = f"# yaml-language-server: $schema=../schemas/{schema}\nid: x\n".encode()
    assert point_schema_comment(name, data) == f"# yaml-language-server: $schema={expected}\nid: x\n".encode()


def test_scaffold_is_deterministic_and_unknown_language_is_refused() -> None:
    assert scaffold_files("en") == scaffold_files("en")
    with pytest.raises(ValueError, match="choose from"):
        scaffold_files("fr")
