"""The `coursebuilder` program skips the cyclic collector's walks over a loaded course;
the same commands run inside another process (tests, tools) leave the collector alone."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursebuilder import cli
from tests.conftest import EXAMPLE, SKELETON, command_in_new_process


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
                "yaml",
                "jinja2",
                "lxml",
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


def test_a_build_whose_texts_the_native_renderer_takes_never_imports_markdown_it_py(tmp_path: Path) -> None:
    """The example course's texts are all rendered and scanned natively (no formulas, nothing
    `nativemarkdown.renders_alike` refuses): its build, which names what it keeps by
    markdown-it-py's version, reads that version from the package's metadata instead of
    importing it (about 0.04 s of start-up)."""
    args = ["build", str(EXAMPLE), "-q", "-o", str(tmp_path / "dist")]
    printed, imported = command_in_new_process(
        args, ["markdown_it", "mdit_py_plugins", "yaml", "coursebuilder.scorm.package"]
    )
    assert imported == ["coursebuilder.scorm.package"], printed


@pytest.mark.parametrize(
    ("command", "absent"),
    [
        # a zip is written by a build only, a traceback comes from a build's crashed child, and
        # the example holds no raw HTML for the HTML tokenizer to read
        (["validate", "--no-cache"], ["importlib.metadata", "email", "zipfile", "traceback", "html.parser"]),
        (["build", "-q", "-o"], ["importlib.metadata", "email", "traceback"]),
    ],
)
def test_the_program_imports_nothing_it_does_not_use(
    command: list[str], absent: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing `importlib.metadata` (and `email` with it) takes about 0.025 s, a tenth of
    the example's `validate`: the program reads the libraries' versions from their folders'
    names, and stands in for pydantic's plugin loader, which imports it."""
    monkeypatch.setenv("COURSEBUILDER_CACHE", str(tmp_path / "cache"))  # a build asks every version
    args = [command[0], str(EXAMPLE), *command[1:]]
    if args[-1] == "-o":
        args.append(str(tmp_path / "dist"))
    printed, imported = command_in_new_process(args, absent, program=True)
    assert imported == [], printed


def test_the_library_leaves_pydantic_looking_for_its_plugins() -> None:
    """Another program that runs a command keeps pydantic's own plugin loader, which finds
    its plugins through `importlib.metadata`."""
    printed, imported = command_in_new_process(
        ["validate", str(EXAMPLE), "--no-cache"], ["importlib.metadata", "pydantic.plugin._loader"]
    )
    assert imported == ["importlib.metadata", "pydantic.plugin._loader"], printed
