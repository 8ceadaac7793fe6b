"""`coursebuilder new`: a course that validates strictly and builds, ready for an editor, git and CI."""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
import shlex
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from coursebuilder import __version__
from coursebuilder.cli import main
from coursebuilder.scaffold import ACTION_REPOSITORY, point_schema_comment, scaffold_files
from coursebuilder.schema import render_schemas
from tests.conftest import ROOT
from tests.workflow import run_workflow

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


def test_the_offered_hook_checks_the_course_at_the_repository_root(
    new_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit runs `entry` + `args` at the root of the course repository: the course passes,
    and a broken quiz file fails the commit."""
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    argv = [*shlex.split(hook["entry"]), *hook.get("args", [])]
    assert argv[0] == "coursebuilder"
    monkeypatch.chdir(new_course)
    passed = CliRunner().invoke(main, argv[1:])
    assert passed.exit_code == 0, passed.output
    quiz = next((new_course / "quiz").glob("*.yaml"))
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("questions:", "questionz:", 1), encoding="utf-8")
    failed = CliRunner().invoke(main, argv[1:])
    assert failed.exit_code == 1 and quiz.name in failed.output


def test_ci_workflow_runs_coursebuilders_action_at_this_version(new_course: Path) -> None:
    workflow = yaml.safe_load((new_course / ".github" / "workflows" / "course.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    steps = workflow["jobs"]["build"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1] == {"uses": f"{ACTION_REPOSITORY}@v{__version__}"}, "the default installs this very version"


def test_the_action_validates_for_github_builds_and_keeps_dist() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    runs = [step.get("run", "") for step in steps]
    assert uses[0] == "actions/setup-python"
    install = next(i for i, run in enumerate(runs) if "pip install" in run)
    validate = next(i for i, run in enumerate(runs) if "coursebuilder validate" in run)
    build = next(i for i, run in enumerate(runs) if "coursebuilder build" in run)
    assert "--format github" in runs[validate]
    assert 0 < install < validate < build < uses.index("actions/upload-artifact")
    upload = steps[uses.index("actions/upload-artifact")]["with"]
    assert upload["if-no-files-found"] == "error"
    assert action["inputs"]["output"]["default"] == "dist" and upload["path"] == "${{ inputs.output }}"


def _dev_bin(tmp_path: Path) -> tuple[Path, Path]:
    """A bin directory with the development coursebuilder, which records its arguments, and a
    `python` that records `python -m pip install …` instead of installing (the installation
    itself is the wheel test's), passing every other call to this Python."""
    bin_dir, record = tmp_path / "bin", tmp_path / "pip-installs.txt"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(
        "#!/usr/bin/env bash\n"
        f'if [ "$1 $2 $3" = "-m pip install" ]; then printf "%s\\n" "$*" >> "{record}"; exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    (bin_dir / "coursebuilder").write_text(
        f'#!/usr/bin/env bash\necho "coursebuilder $*" >> "{record}"\nexec "{sys.executable}" -m coursebuilder "$@"\n'
    )
    for program in bin_dir.iterdir():
        program.chmod(0o755)
    return bin_dir, record


def test_the_scaffolds_workflow_steps_pass_locally(new_course: Path, tmp_path: Path) -> None:
    """The new course's workflow, run step by step on this machine with the development
    coursebuilder: the action installs its own checkout (this version), validates, builds and
    keeps every package."""
    bin_dir, record = _dev_bin(tmp_path)
    run = run_workflow(new_course, bin_dir, ACTION_REPOSITORY)
    assert run.steps == [
        "checkout",
        f"action {ACTION_REPOSITORY}@v{__version__}",
        "Set up Python",
        "Install coursebuilder",
        "Validate",
        "Build",
        "Keep the packages",
    ]
    assert record.read_text().splitlines() == [
        f"-m pip install --disable-pip-version-check {ROOT}",
        "coursebuilder --version",
        "coursebuilder validate --format github --strict .",
        "coursebuilder build . -o dist",
    ]
    built = {path.relative_to(new_course / "dist").as_posix() for path in run.artefacts["course-packages"]}
    course_id = yaml.safe_load((new_course / "course.yaml").read_text(encoding="utf-8"))["id"]
    assert built == {
        f"{course_id}/moodle/questions.xml",
        f"{course_id}/moodle/glossary.xml",
        f"{course_id}/moodle/questions.gift.txt",
        f"{course_id}/moodle/{course_id}.mbz",
        f"{course_id}/scorm/{course_id}-scorm12.zip",
        f"{course_id}/scorm/{course_id}-scorm2004.zip",
    }


def test_the_local_workflow_run_fails_where_ci_would(tmp_path: Path) -> None:
    """A warning fails the strict validation step, and nothing is built or uploaded."""
    course = tmp_path / "course"
    assert CliRunner().invoke(main, ["new", str(course)]).exit_code == 0
    (course / "quiz" / "welcome.yaml").unlink()  # the welcome lesson now has no questions: a warning
    bin_dir, _ = _dev_bin(tmp_path)
    with pytest.raises(AssertionError, match="step failed: coursebuilder validate"):
        run_workflow(course, bin_dir, ACTION_REPOSITORY)
    assert not (course / "dist").exists()


def test_new_install_spec_goes_to_the_workflow(tmp_path: Path) -> None:
    spec = "git+https://git.example.org/coursebuilder.git@v0.1.0"
    course = tmp_path / "course"
    assert CliRunner().invoke(main, ["new", str(course), "--install", spec]).exit_code == 0
    steps = yaml.safe_load((course / ".github" / "workflows" / "course.yml").read_text(encoding="utf-8"))["jobs"]
    assert steps["build"]["steps"][1]["with"] == {"install": spec}


def test_new_install_wheel_is_copied_into_the_course(tmp_path: Path) -> None:
    wheel = tmp_path / "elsewhere" / "coursebuilder-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"PK wheel bytes")
    course = tmp_path / "course"
    assert CliRunner().invoke(main, ["new", str(course), "--install", str(wheel)]).exit_code == 0
    steps = yaml.safe_load((course / ".github" / "workflows" / "course.yml").read_text(encoding="utf-8"))["jobs"]
    assert steps["build"]["steps"][1]["with"] == {"install": f"./vendor/{wheel.name}"}
    assert (course / "vendor" / wheel.name).read_bytes() == wheel.read_bytes()
    assert CliRunner().invoke(main, ["validate", "--strict", str(course)]).exit_code == 0

    missing = CliRunner().invoke(main, ["new", str(tmp_path / "other"), "--install", str(tmp_path / "no.whl")])
    assert missing.exit_code == 1 and "no such wheel" in missing.output
    assert not (tmp_path / "other").exists()


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
