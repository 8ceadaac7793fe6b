"""The `coursebuilder` program skips the cyclic collector's walks over a loaded course;
the same commands run inside another process (tests, tools) leave the collector alone."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursebuilder import cli
from tests.conftest import SKELETON, command_in_new_process


@pytest.mark.parametrize("command", [["validate"], ["build", "-q", "-t", "moodle", "-o"]])
def test_commands_in_a_longer_process_leave_the_collector_on(command: list[str], tmp_path: Path) -> None:
    args = [*command, str(tmp_path / "dist")] if command[-1] == "-o" else command
    result = CliRunner().invoke(cli.main, [*args[:1], str(SKELETON), *args[1:]])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (["--help"], ["pydantic", "yaml", "lxml", "markdown_it", "jinja2", "coursebuilder.targets"]),
        (["schema", "--help"], ["pydantic", "yaml", "lxml", "coursebuilder.targets"]),
        (
            ["validate", str(SKELETON), "--no-cache"],  # a real check, not a kept report
            [
                "jinja2",
                "latex2mathml",
                "coursebuilder.cc.package",
                "coursebuilder.mbz.backup",
                "coursebuilder.scorm.package",
                "coursebuilder.exchange.moodlexml",
                "coursebuilder.exchange.gift",
            ],
        ),
    ],
)
def test_commands_import_only_what_they_use(args: list[str], absent: list[str]) -> None:
    """Start-up time is mostly imports: help needs none of the libraries, and `validate` asks
    every target for its checks but needs none of their writers."""
    printed, imported = command_in_new_process(args, absent)
    assert imported == [], printed
