"""`build` output: per-target progress on a terminal, plain when piped, and the closing summary."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from coursebuilder import build as build_module
from coursebuilder.buildcontext import BuildContext
from coursebuilder.cli import main
from coursebuilder.output import write_bytes
from coursebuilder.progress import BuildReporter, human_size
from coursebuilder.targets import Artifact, BuildOptions, Target


class BankTarget(Target):
    name: ClassVar[str] = "bank"
    summary: ClassVar[str] = "a 2,000-byte file"

    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        options.progress("writing the bank")
        path = out_dir / "bank" / "questions.txt"
        return [Artifact(path, write_bytes(path, b"q" * 2000))]


class PagesTarget(Target):
    name: ClassVar[str] = "pages"
    summary: ClassVar[str] = "two small files"

    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        return [
            Artifact(out_dir / name, write_bytes(out_dir / name, data))
            for name, data in (("a.html", b"<p>a</p>"), ("b.zip", b"z" * 3 * 1024 * 1024))
        ]


@pytest.fixture
def two_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "all_targets", lambda: {"bank": BankTarget(), "pages": PagesTarget()})


@pytest.mark.parametrize(
    ("size", "text"), [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KB"), (1536, "1.5 KB"), (3 * 1024**2, "3.0 MB")]
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def _build(course: Path, out: Path, *flags: str, tty: bool) -> str:
    stream = io.StringIO()
    reporter = BuildReporter(stream, quiet="-q" in flags, verbose="-v" in flags, interactive=tty)
    artifacts, _ = build_module.build_course(course, out, options=BuildOptions(progress=reporter.step), events=reporter)
    reporter.summary(artifacts)
    return stream.getvalue()


def test_plain_output_is_only_the_summary(two_targets: None, skeleton_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    text = _build(skeleton_course, out, tty=False)
    base = out / "my-course"
    assert text.splitlines() == [
        "built 3 files, 3.0 MB:",
        f"  2.0 KB  {base.as_posix()}/bank/questions.txt",
        f"     8 B  {base.as_posix()}/a.html",
        f"  3.0 MB  {base.as_posix()}/b.zip",
    ]


def test_terminal_output_has_a_line_per_target(two_targets: None, skeleton_course: Path, tmp_path: Path) -> None:
    text = _build(skeleton_course, tmp_path / "dist", tty=True)
    lines = text.splitlines()
    assert lines[0] == "  bank   building …"
    assert re.fullmatch(r"  bank   done: 1 file, \d\.\d\d s", lines[1])
    assert lines[2] == "  pages  building …"
    assert re.fullmatch(r"  pages  done: 2 files, \d\.\d\d s", lines[3])
    assert lines[4] == "built 3 files, 3.0 MB:"


def test_verbose_shows_steps_without_times_when_piped(two_targets: None, skeleton_course: Path, tmp_path: Path) -> None:
    lines = _build(skeleton_course, tmp_path / "dist", "-v", tty=False).splitlines()
    assert lines[:3] == ["  bank   building …", "    writing the bank", "  bank   done: 1 file"]


def test_quiet_prints_nothing(two_targets: None, skeleton_course: Path, tmp_path: Path) -> None:
    assert _build(skeleton_course, tmp_path / "dist", "-q", "-v", tty=True) == ""


def test_second_build_marks_unchanged_files(two_targets: None, skeleton_course: Path, tmp_path: Path) -> None:
    _build(skeleton_course, tmp_path / "dist", tty=False)
    again = _build(skeleton_course, tmp_path / "dist", tty=False)
    assert again.count("(unchanged)") == 3


def test_cli_build_prints_the_summary_and_quiet_silences_it(
    two_targets: None, skeleton_course: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "dist"
    result = runner.invoke(main, ["build", str(skeleton_course), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("built 3 files, 3.0 MB:\n")
    assert f"{out.as_posix()}/my-course/b.zip" in result.stdout
    quiet = runner.invoke(main, ["build", "-q", str(skeleton_course), "-o", str(out)])
    assert (quiet.exit_code, quiet.stdout) == (0, "")


def test_cli_build_with_errors_writes_nothing_and_says_where(
    two_targets: None, skeleton_course: Path, tmp_path: Path
) -> None:
    (skeleton_course / "course.yaml").write_text("id: Not A Slug\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(skeleton_course), "-o", str(tmp_path / "dist")])
    assert result.exit_code == 1
    assert "course.yaml:1" in result.stderr
    assert "built" not in result.stdout
    assert not (tmp_path / "dist").exists()


def test_each_target_s_time_runs_from_its_own_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Targets built in parallel start and finish interleaved (the backup's process begins
    first and ends last): each one's time is from its own start, to the hundredth below 10 s."""
    clock = iter([0.0, 0.25, 0.5, 3.0, 12.0])
    monkeypatch.setattr("coursebuilder.progress.time.perf_counter", lambda: next(clock))
    stream = io.StringIO()
    reporter = BuildReporter(stream, interactive=True)
    reporter.targets_selected(["mbz", "moodle", "scorm12"])
    reporter.target_started("mbz")  # 0.0
    reporter.target_started("moodle")  # 0.25
    reporter.target_finished("moodle", [])  # 0.5
    reporter.target_started("scorm12")  # 3.0
    reporter.target_finished("mbz", [])  # 12.0
    assert stream.getvalue().splitlines()[2:] == [
        "  moodle   done: 0 files, 0.25 s",
        "  scorm12  building …",
        "  mbz      done: 0 files, 12.0 s",
    ]
