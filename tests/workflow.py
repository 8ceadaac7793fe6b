"""Run a course repository's GitHub Actions workflow on this machine, step by step.

The workflow `coursebuilder new` writes, and the composite action it uses (this repository's
`action.yml`), are read as YAML and their steps run in order, as a runner would: `run` steps
with bash (`-eo pipefail`, GitHub's default), with `env` values whose `${{ … }}` expressions
are evaluated from the action's inputs. Steps that use other actions are stood in for:
`actions/checkout` (the course directory is the checkout), `actions/setup-python` (the
Python given must be at least the version the action asks for; its bin directory comes first
on PATH) and `actions/upload-artifact` (the path must hold files, as `if-no-files-found: error`
demands). Any other `uses` or expression fails, so a step this runner does not understand
cannot pass silently.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT

ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@dataclass
class Run:
    """What a local run did: each step's name in order, and the uploaded artefacts."""

    steps: list[str] = field(default_factory=list)
    artefacts: dict[str, list[Path]] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def evaluate(value: object, context: dict[str, str]) -> str:
    """Replace each `${{ name }}` by its value; an unknown name fails the run."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in context, f"the local runner cannot evaluate ${{{{ {name} }}}}"
        return context[name]

    return EXPRESSION.sub(one, str(value))


def run_workflow(course: Path, bin_dir: Path, action_repository: str, env: dict[str, str] | None = None) -> Run:
    """Run `.github/workflows/course.yml` of `course` with the programs of `bin_dir` first on PATH."""
    workflow = load(course / ".github" / "workflows" / "course.yml")
    run = Run()
    jobs = workflow["jobs"]
    assert list(jobs) == ["build"], f"one job expected, found {list(jobs)}"
    for step in jobs["build"]["steps"]:
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            run.steps.append("checkout")
        elif uses.split("@", 1)[0] == action_repository:
            run.steps.append(f"action {uses}")
            _run_action(step.get("with", {}), course, bin_dir, env or {}, run)
        elif "run" in step:
            _shell(step["run"], {}, course, bin_dir, env or {}, run)
            run.steps.append(step.get("name", step["run"]))
        elif uses:
            _stand_in(uses, {key: str(value) for key, value in step.get("with", {}).items()}, course, bin_dir, run)
            run.steps.append(step.get("name", uses))
        else:
            raise AssertionError(f"the local runner does not know the step {step}")
    return run


def _run_action(given: dict[str, Any], workspace: Path, bin_dir: Path, env: dict[str, str], run: Run) -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs = {name: str(spec.get("default", "")) for name, spec in action.get("inputs", {}).items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"the workflow passes inputs the action does not have: {unknown}"
    inputs.update({name: str(value) for name, value in given.items()})
    context = {f"inputs.{name}": value for name, value in inputs.items()}
    context["github.action_path"] = str(ACTION.parent)
    context["github.workspace"] = str(workspace)
    for step in action["runs"]["steps"]:
        uses = step.get("uses", "")
        if uses:
            with_ = {key: evaluate(value, context) for key, value in step.get("with", {}).items()}
            _stand_in(uses, with_, workspace, bin_dir, run)
        elif "run" in step:
            assert step.get("shell") == "bash", "composite run steps must name their shell"
            step_env = {key: evaluate(value, context) for key, value in step.get("env", {}).items()}
            _shell(evaluate(step["run"], context), step_env, workspace, bin_dir, env, run)
        else:
            raise AssertionError(f"the local runner does not know the action step {step}")
        run.steps.append(step.get("name", uses))


def _stand_in(uses: str, with_: dict[str, str], workspace: Path, bin_dir: Path, run: Run) -> None:
    """What the runner does for the standard actions the workflow and the action use."""
    if uses.startswith("actions/setup-python@"):
        wanted = tuple(int(part) for part in str(with_["python-version"]).split("."))
        have = subprocess.run(
            [str(bin_dir / "python"), "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert wanted >= (3, 11), f"Python {wanted} is set up; coursebuilder needs 3.11"
        assert tuple(int(part) for part in have) >= (3, 11), f"the local Python is {have}"
    elif uses.startswith("actions/upload-artifact@"):
        path = workspace / with_["path"]
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        if with_.get("if-no-files-found") == "error":
            assert found, f"upload-artifact: no files in {with_['path']}"
        run.artefacts[with_["name"]] = found
    else:
        raise AssertionError(f"the local runner does not know the action {uses}")


def _shell(command: str, step_env: dict[str, str], cwd: Path, bin_dir: Path, env: dict[str, str], run: Run) -> None:
    environment = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    environment.update(env)
    environment.update(step_env)
    environment["PATH"] = f"{bin_dir}{os.pathsep}{environment.get('PATH', '')}"
    environment["GITHUB_ACTIONS"] = "true"
    run.commands.append(command)
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"step failed: {command}\n{done.stdout}\n{done.stderr}"
