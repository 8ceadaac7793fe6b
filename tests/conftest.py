"""Shared fixtures: the example course, the scaffold course and a small-course factory."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from coursebuilder import markdown
from coursebuilder.prescan import Claims
from coursebuilder.sourcedigests import SourceFiles
from tests.browser import chromium  # noqa: F401 - the shared browser fixture

# Property-based tests: `ci` (the default) replays the same examples on every run, so CI is
# stable; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) explores many more, new ones each time.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", deadline=None, derandomize=True, database=None, suppress_health_check=_QUIET)
settings.register_profile("fuzz", deadline=None, max_examples=2500, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "course_src"
SKELETON = ROOT / "coursebuilder" / "skeleton" / "en"


def _find_shared() -> Path:
    """The read-only reference folder `shared/` beside the clone (or beside the main clone, for
    a git worktree one level deeper); `COURSEBUILDER_SHARED` names another place."""
    if named := os.environ.get("COURSEBUILDER_SHARED"):
        return Path(named)
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared").is_dir():
            return base / "shared"
    return ROOT.parent / "shared"


SHARED = _find_shared()


def require_reference(path: Path) -> Path:
    """`path` inside the reference folder, which a comparison needs.

    CI (`CI` set, as `.ci/run` and hosted runners do) always has the folder beside the clone,
    so a missing file there fails the test instead of letting the comparison pass unchecked;
    elsewhere the test is skipped, with the reason.
    """
    if path.exists():
        return path
    message = f"reference file {path} is missing (the read-only shared/ folder beside the clone)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


WriteCourse = Callable[..., Path]


@pytest.fixture
def skeleton_course(tmp_path: Path) -> Path:
    """A copy of the scaffold course (valid, every question type), safe to modify."""
    target = tmp_path / "course"
    shutil.copytree(SKELETON, target)
    return target


@pytest.fixture
def write_course(tmp_path: Path) -> WriteCourse:
    """Write a course from {relative path: text}; text is dedented. Starts from the scaffold
    unless `base=False`; a value of None deletes that file."""

    def write(files: dict[str, str | bytes | None], base: bool = True, name: str = "course") -> Path:
        target = tmp_path / name
        if base:
            shutil.copytree(SKELETON, target)
        else:
            target.mkdir(parents=True)
        for rel, text in files.items():
            path = target / rel
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return target

    return write


@pytest.fixture(autouse=True, scope="session")
def _build_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Builds in tests (and the programs they start) keep their cache out of the user's home."""
    os.environ["COURSEBUILDER_CACHE"] = str(tmp_path_factory.mktemp("build-cache"))


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the processes forked from now on."""
    started: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return started


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the targets built from now on, in the order they were built; those built
    in the backup's process (`build._build_in_parallel`) come after the ones built here."""
    from coursebuilder import build
    from coursebuilder.targets import TARGET_CLASSES, Artifact, Target

    names: list[str] = []
    for cls in TARGET_CLASSES:
        real = cls.build

        def counted(self: Target, *args: object, real: object = real, **kwargs: object) -> list[Artifact]:
            names.append(self.name)
            return real(self, *args, **kwargs)  # type: ignore[operator, no-any-return]

        monkeypatch.setattr(cls, "build", counted)
    in_parallel = build._build_in_parallel

    def with_the_children(*args: Any, **kwargs: Any) -> dict[str, list[Artifact]]:
        start = len(names)
        by_target = in_parallel(*args, **kwargs)
        here = set(names[start:])  # a group whose child failed is built here, and counted
        names.extend(name for name in by_target if name not in here)
        return by_target

    monkeypatch.setattr(build, "_build_in_parallel", with_the_children)
    return names


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path → bytes): two builds compare equal or not."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def first_arguments(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Any]:
    """The first argument of every call of `owner.name` in this process from now on (the
    function still runs)."""
    seen: list[Any] = []
    real = getattr(owner, name)

    def recording(first: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(first)
        return real(first, *args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return seen


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Markdown text markdown-it parses in this process from now on."""
    return first_arguments(monkeypatch, markdown, "_render")


def answers_ctrl_c() -> None:
    """For `subprocess.Popen(preexec_fn=...)`: the child takes Ctrl-C (SIGINT) as a user's
    program does, even when pytest runs with SIGINT ignored (a shell starts a background job
    so, and Python then installs no KeyboardInterrupt handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def command_in_new_process(
    args: list[str], modules: list[str], *, program: bool = False
) -> tuple[list[str], list[str]]:
    """Run `coursebuilder ARGS` in a new Python process (from the checkout): the lines it
    printed, and those of `modules` it had imported by the end (start-up is mostly imports).
    The command runs as the library's `main` does, or with `program` as the `coursebuilder`
    program does (`cli.run`)."""
    call = f"sys.argv = ['coursebuilder', *{args!r}]\n    run()" if program else f"main({args!r})"
    probe = (
        "import json, sys\n"
        "from coursebuilder.cli import main, run\n"
        f"try:\n    {call}\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([name for name in {modules!r} if name in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    *printed, imported = done.stdout.splitlines()
    return printed, json.loads(imported)


def modules_hashed_by(maker: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The package's files whose code `maker` (a cached function naming what made a kept
    result, through `renderstore.code_id`) hashes."""
    from coursebuilder import renderstore

    hashed: list[str] = []

    def recorded(versions: str, modules: list[str]) -> str:
        hashed.extend(modules)
        return "code"

    monkeypatch.setattr(renderstore, "code_id", recorded)
    maker.cache_clear()
    try:
        assert maker() == "code"
    finally:
        maker.cache_clear()
    return hashed


def hashed_in(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Callable[[], list[int]]:
    """From now on each hashing of a course's files leaves the id of its process in `folder`
    (a child's list would stay in the child); returns what lists them."""
    real = SourceFiles.read
    folder.mkdir()

    def read(root: Path | str, outside: Collection[Path | str] = ()) -> SourceFiles:
        (folder / f"{time.monotonic_ns()}-{os.getpid()}").touch()
        return real(root, outside)

    monkeypatch.setattr(SourceFiles, "read", read)
    return lambda: [int(path.name.split("-")[1]) for path in sorted(folder.iterdir())]


def child_takes(monkeypatch: pytest.MonkeyPatch, count: int) -> list[int]:
    """From now on a forked child that shares out units of work from the back (`prescan.Claims`:
    the bank's helper) claims `count` units (or all there are), then stops; this
    process claims its first unit only once the child has stopped. Returns the units this
    process claimed."""
    stopped_read, stopped_write = os.pipe()
    parent = os.getpid()
    real_front, real_back = Claims.front, Claims.back
    ours: list[int] = []

    def back(claims: Claims) -> int | None:  # pragma: no cover - runs in the child
        unit = real_back(claims) if claims.taken < count else None
        if unit is None:
            os.write(stopped_write, b"1")
        return unit

    def front(claims: Claims) -> int | None:
        if not ours and os.getpid() == parent and stopped_write >= 0:
            os.close(stopped_write)  # the children's copies alone are left: the signal, or their end, wakes us
            os.read(stopped_read, 1)
            os.close(stopped_read)
        unit = real_front(claims)
        if unit is not None:
            ours.append(unit)
        return unit

    monkeypatch.setattr(Claims, "front", front)
    monkeypatch.setattr(Claims, "back", back)
    return ours
