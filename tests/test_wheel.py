"""The distribution works away from the source tree: what instructors install is what we test.

`python -m build` writes the sdist and builds the wheel from it (so the sdist is complete too),
once per session; `twine check` passes on both. The wheel is installed with pip into a fresh
virtual environment under the session's temporary folder, and its `coursebuilder` runs from
there, in a folder outside the repository: `new`, `validate --strict`, `build` of every
target, `preview` (it serves the page), and a new course's CI workflow, step by step.
Templates, static files and schemas that are missing from the wheel fail here, not for users.
"""

from __future__ import annotations

import email.parser
import os
import re
import signal
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from coursebuilder import __version__
from coursebuilder.scaffold import ACTION_REPOSITORY
from coursebuilder.targets import all_targets
from tests.conftest import ROOT, answers_ctrl_c
from tests.workflow import run_workflow

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    wheel: Path
    sdist: Path
    bin: Path
    home: Path
    """A folder outside the repository to run commands in."""


def _clean_env() -> dict[str, str]:
    """The environment without this interpreter's venv, so only the installed wheel is found."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")
    return {key: value for key, value in os.environ.items() if key not in drop}


def _run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel built from it, as a release builds them."""
    out = tmp_path_factory.mktemp("distributions")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=out)
    [sdist] = out.glob("coursebuilder-*.tar.gz")
    [wheel] = out.glob("coursebuilder-*-py3-none-any.whl")
    _run([sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)], cwd=out)
    return sdist, wheel


@pytest.fixture(scope="session")
def installed(distributions: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh virtual environment with the wheel and its dependencies (from PyPI, via pip's cache)."""
    sdist, wheel = distributions
    home = tmp_path_factory.mktemp("outside")
    venv = home / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=home)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", str(wheel)], cwd=home)
    return Installed(wheel, sdist, venv / "bin", home)


def test_the_wheel_holds_every_file_of_the_package(distributions: tuple[Path, Path]) -> None:
    """Every file under coursebuilder/ (templates, static files, XSDs, the skeleton courses,
    py.typed) is in the wheel, and the wheel's version is the package's."""
    _, wheel = distributions
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [metadata] = [name for name in names if name.endswith(".dist-info/METADATA")]
        fields = email.parser.Parser().parsestr(archive.read(metadata).decode("utf-8"))
        [entry_points] = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode("utf-8")
    source = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "coursebuilder").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    data = {name for name in source if not name.endswith(".py")}
    assert any(name.startswith("coursebuilder/templates/") for name in data)
    assert any(name.startswith("coursebuilder/static/xsd/") for name in data)
    assert sorted(source - names) == []
    assert fields["Name"] == "coursebuilder" and fields["Version"] == __version__
    assert wheel.name == f"coursebuilder-{__version__}-py3-none-any.whl"
    assert re.search(r"^coursebuilder = coursebuilder\.cli:run$", scripts, re.M)


def test_the_sdist_holds_what_make_test_needs(distributions: tuple[Path, Path]) -> None:
    import tarfile

    sdist, _ = distributions
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in ("pyproject.toml", "README.md", "CHANGELOG.md", "Makefile", "mkdocs.yml", "action.yml"):
        assert needed in names, needed
    assert "coursebuilder/templates/scaffold/course.yml.j2" in names
    assert "schemas/course.schema.json" in names


def test_the_installed_command_runs_away_from_the_source(installed: Installed) -> None:
    coursebuilder = str(installed.bin / "coursebuilder")
    version = _run([coursebuilder, "--version"], cwd=installed.home).stdout
    assert version.strip() == f"coursebuilder, version {__version__}"
    where = _run(
        [str(installed.bin / "python"), "-c", "import coursebuilder; print(coursebuilder.__file__)"], installed.home
    )
    assert not Path(where.stdout.strip()).is_relative_to(ROOT), "the wheel's package must not come from the repository"

    course, dist = installed.home / "my-course", installed.home / "dist"
    _run([coursebuilder, "new", str(course)], cwd=installed.home)
    validated = _run([coursebuilder, "validate", "--strict", str(course)], cwd=installed.home)
    assert "valid" in validated.stdout
    names = _run([coursebuilder, "targets"], cwd=installed.home).stdout.split()
    assert set(all_targets()) <= set(names)
    built = _run([coursebuilder, "build", str(course), "-o", str(dist)], cwd=installed.home)
    files = sorted(path.relative_to(dist).as_posix() for path in dist.rglob("*") if path.is_file())
    assert files == sorted(
        [
            "my-course/moodle/glossary.xml",
            "my-course/moodle/my-course.mbz",
            "my-course/moodle/questions.gift.txt",
            "my-course/moodle/questions.xml",
            "my-course/scorm/my-course-scorm12.zip",
            "my-course/scorm/my-course-scorm2004.zip",
        ]
    ), built.stdout


@pytest.fixture
def preview_process(installed: Installed) -> Iterator[subprocess.Popen[str]]:
    course = installed.home / "preview-course"
    _run([str(installed.bin / "coursebuilder"), "new", str(course)], cwd=installed.home)
    process = subprocess.Popen(
        [str(installed.bin / "coursebuilder"), "preview", str(course), "--port", "0", "--no-open"],
        cwd=installed.home,
        env={**_clean_env(), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=answers_ctrl_c,
    )
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
    assert process.stdout is not None
    process.stdout.close()


def test_the_installed_preview_serves_the_course(preview_process: subprocess.Popen[str]) -> None:
    assert preview_process.stdout is not None
    seen: list[str] = []
    for line in preview_process.stdout:
        seen.append(line)
        if match := re.search(r" at (http://127\.0\.0\.1:\d+/) ", line):
            url = match.group(1)
            break
    else:
        raise AssertionError(f"the preview did not start: {seen}")
    with urllib.request.urlopen(url, timeout=30) as page:
        html = page.read().decode("utf-8")
    assert "<html" in html.lower()
    static = re.findall(r'(?:src|href)="/(__static/[^"]+)"', html)
    assert static, "the page uses the package's static files"
    for name in static:
        with urllib.request.urlopen(url + name, timeout=30) as resource:
            assert resource.status == 200 and resource.read(), name
    with urllib.request.urlopen(url + "questions", timeout=30) as bank:
        assert bank.status == 200 and b"welcome" in bank.read()
    preview_process.send_signal(signal.SIGINT)
    rest, _ = preview_process.communicate(timeout=30)
    assert preview_process.returncode == 0, "".join(seen) + rest
    assert "Preview stopped." in rest


def test_a_course_made_by_the_wheel_passes_its_workflow_locally(installed: Installed) -> None:
    """`new --install WHEEL`: the workflow's steps, and the action's, run with the wheel's
    coursebuilder, installing the wheel the course carries in vendor/."""
    course = installed.home / "ci-course"
    _run([str(installed.bin / "coursebuilder"), "new", str(course), "--install", str(installed.wheel)], installed.home)
    assert (course / "vendor" / installed.wheel.name).is_file()
    run = run_workflow(course, installed.bin, ACTION_REPOSITORY)
    assert run.steps[-4:] == ["Install coursebuilder", "Validate", "Build", "Keep the packages"]
    assert any(f"install: ./vendor/{installed.wheel.name}" in line for line in _workflow_lines(course))
    assert len(run.artefacts["course-packages"]) == 6


def _workflow_lines(course: Path) -> list[str]:
    return [
        line.strip().replace('"', "") for line in (course / ".github/workflows/course.yml").read_text().splitlines()
    ]
