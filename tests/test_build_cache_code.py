"""The build cache names the code that made a build, not only its version: a copy of the tool
whose code or package data changed without a new version (an editable install, a
development checkout, an install from another commit) builds again instead of answering
from what the other code wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coursebuilder import buildcache, renderstore
from tests.conftest import ROOT, modules_hashed_by

TARGETS = sorted(["moodle", "scorm12", "scorm2004", "mbz"])
"""The targets a plain build of the scaffold course builds (in name order: on two cores the
backup's process starts first)."""

PROBE = (
    "import sys, coursebuilder\nprint(coursebuilder.__file__)\nfrom coursebuilder.cli import main\nmain(sys.argv[1:])\n"
)
"""Run `coursebuilder ARGS` with the package found first on the path: the one in the working
directory (it prints where it was imported from first)."""


@pytest.fixture
def tool(tmp_path: Path) -> Path:
    """A copy of the package, as a development checkout is: its code can change under the same
    version."""
    copy = tmp_path / "tool"
    shutil.copytree(ROOT / "coursebuilder", copy / "coursebuilder", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture
def course(skeleton_course: Path) -> Path:
    return skeleton_course


def build(tool: Path, course: Path, out: Path) -> tuple[list[str], list[str]]:
    """Build `course` into `out` with the copy of the tool in `tool`, in a new process: the
    targets it built and those it reported unchanged (kept from the cache), each in name order."""
    args = ["build", str(course), "-o", str(out), "--verbose"]
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True, cwd=tool)
    where, *lines = done.stdout.splitlines()
    assert Path(where).is_relative_to(tool), f"the copy ran, not {where}"
    built = [line.split()[0] for line in lines if line.endswith("building …")]
    unchanged = [line.split()[0] for line in lines if line.split()[1:2] == ["unchanged:"]]
    return sorted(built), sorted(unchanged)


def test_changed_code_under_the_same_version_builds_again(tool: Path, course: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build(tool, course, out) == (TARGETS, [])
    assert build(tool, course, out) == ([], TARGETS), "the same code answers from its cache"
    module = tool / "coursebuilder" / "scorm" / "html.py"
    module.write_text(module.read_text() + "\n# edited, the version not\n")
    assert build(tool, course, out) == (TARGETS, []), "other code: nothing is taken from the cache"
    assert build(tool, course, out) == ([], TARGETS), "and its own cache answers its next build"


def test_a_changed_player_is_in_the_next_packages(tool: Path, course: Path, tmp_path: Path) -> None:
    """The player's JavaScript is package data, not a module: a build after it changed packs
    the new one."""
    out = tmp_path / "dist"
    build(tool, course, out)
    player = tool / "coursebuilder" / "static" / "player.js"
    edited = player.read_bytes() + b"\n/* edited, the version not */\n"
    player.write_bytes(edited)
    built, _ = build(tool, course, out)
    for flavour in ("scorm12", "scorm2004"):
        with zipfile.ZipFile(out / "my-course" / "scorm" / f"my-course-{flavour}.zip") as package:
            assert package.read("player.js") == edited, f"the {flavour} package carries the player as it is now"
    assert {"scorm12", "scorm2004"} <= set(built)


def test_code_that_cannot_be_read_keeps_no_cache(tool: Path, course: Path, tmp_path: Path) -> None:
    """A file of the package that cannot be read leaves the code unknown: no build is answered
    from the cache, and none is kept."""
    (tool / "coursebuilder" / "unreadable.py").symlink_to(tool / "nowhere.py")
    out = tmp_path / "dist"
    assert build(tool, course, out) == (TARGETS, [])
    assert build(tool, course, out) == (TARGETS, []), "built again"
    assert not os.path.lexists(buildcache.cache_file(course, out)), "no cache written"


def test_the_build_caches_code_id_covers_modules_templates_and_package_data(monkeypatch: pytest.MonkeyPatch) -> None:
    shaping = {
        "buildcache.py",
        "targets/scorm.py",
        "templates/scorm/lesson.html.j2",
        "static/player.js",
        "static/player.css",
        "static/i18n/en.json",
        "static/xsd/scorm12/imscp_rootv1p1p2.xsd",
        "static/xsd/scorm2004/common/dataTypes.xsd",
    }
    hashed = set(modules_hashed_by(buildcache.maker_id, monkeypatch))
    assert shaping <= hashed, sorted(shaping - hashed)


def test_the_package_files_are_every_module_template_and_file_of_static() -> None:
    """The listing (`os.walk`, for speed) against the rule written as globs."""
    package = Path(renderstore.__file__).resolve().parent
    expected = [
        *package.rglob("*.py"),
        *(package / "templates").rglob("*.j2"),
        *(path for path in (package / "static").rglob("*") if path.is_file()),
    ]
    listed = renderstore._package_files(package)
    assert sorted(listed) == list(listed)
    assert set(listed) == {path.relative_to(package).as_posix() for path in expected}
    assert {"cli.py", "static/player.js", "templates/scorm/lesson.html.j2"} <= set(listed)


def test_library_versions_are_those_importlib_metadata_finds() -> None:
    """Every installed distribution, the libraries whose versions name kept results among
    them: the folder name's version is the one its metadata gives."""
    from importlib import metadata

    names = {distribution.metadata["Name"] for distribution in metadata.distributions()}
    assert {"pydantic", "PyYAML", "markdown-it-py", "Jinja2", "MarkupSafe", "latex2mathml"} <= names
    for name in sorted(names):
        assert renderstore.installed_version(name) == metadata.version(name), name


def test_a_library_version_is_read_from_the_first_folder_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Python imports a library from the first folder on `sys.path` that has it, its
    version comes from there; names compare as the packaging specifications say (case, and
    `-`, `_`, `.` alike)."""
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "Foo_Bar-1.2.dist-info").mkdir(parents=True)
    (first / "foo_bar").mkdir()
    (first / "other-3.0.egg-info").mkdir()
    (second / "foo.bar-9.0.dist-info").mkdir(parents=True)
    (second / "baz-0.1.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(first), str(second)])
    renderstore.installed_version.cache_clear()
    renderstore._dist_info_versions.cache_clear()
    try:
        assert renderstore.installed_version("FOO-bar") == "1.2"
        assert renderstore.installed_version("baz") == "0.1"
        assert renderstore.installed_version("pydantic") is None  # not on this path
    finally:
        renderstore.installed_version.cache_clear()
        renderstore._dist_info_versions.cache_clear()
