"""The `coursebuilder` command: a thin layer over the library."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from coursebuilder.gcpause import pause_until_exit
from coursebuilder.pydanticplugins import skip_plugin_discovery
from coursebuilder.version import __version__

if TYPE_CHECKING:
    from coursebuilder.diagnostics import Diagnostic

# Each command imports what it needs when it runs: `--help` loads neither pydantic nor the
# targets, and `validate` none of the builders.

_PROCESS_PER_COMMAND = False
"""True when this process runs one command and ends (the `coursebuilder` program), not a test."""


def run() -> None:
    """The `coursebuilder` program: one command, then the process ends."""
    global _PROCESS_PER_COMMAND
    _PROCESS_PER_COMMAND = True
    skip_plugin_discovery()
    main()


def _hold_course_until_exit() -> None:
    """`validate` and `build` keep a whole course alive until the process ends: in the
    program, the collector stays off for the rest of the command (see `gcpause`)."""
    if _PROCESS_PER_COMMAND:
        pause_until_exit()


DIR = click.argument("directory", default="course_src", type=click.Path(file_okay=False, path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coursebuilder")
def main() -> None:
    """Build a course kept as plain text into Moodle XML and SCORM packages.

    A course directory holds course.yaml, lessons/*.md, glossary.yaml, quiz/*.yaml and
    assets/. Start with `coursebuilder new my-course`, check it with `coursebuilder validate
    my-course`, and build it with `coursebuilder build my-course`.
    """


def _could_not_write(exc: OSError, where: Path, outcome: str) -> NoReturn:
    """Say which file or folder a command could not write, and why (read-only, full, a file in
    the way), then what became of the command; exit 1, with no traceback."""
    click.echo(f"{exc.filename2 or exc.filename or where}: error: {exc.strerror or exc}", err=True)
    click.echo(outcome, err=True)
    sys.exit(1)


def _print_diagnostics(diags: list[Diagnostic], fmt: str) -> None:
    for diag in diags:
        click.echo(diag.github() if fmt == "github" else diag.format(), err=fmt != "github")


@main.command()
@DIR
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: file:line: messages; json: a stable report for tools; github: Actions annotations.",
)
@click.option(
    "-t",
    "--target",
    "targets",
    multiple=True,
    metavar="NAME",
    help="Also report what this target would warn about (repeatable); default: the targets `build` builds.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check everything afresh: neither show the last report nor reuse what the last check read.",
)
def validate(directory: Path, strict: bool, fmt: str, targets: tuple[str, ...], no_cache: bool) -> None:
    """Check the course in DIRECTORY (default: course_src) and report every problem.

    When no file of the course changed since the last check, the report of that check is
    shown again at once; after an edit, only what changed is read and checked again.

    Exit status: 0 when valid, 1 when there are errors (or warnings with --strict).
    """
    _hold_course_until_exit()  # before the imports too: they make objects but no garbage
    from coursebuilder.diagnostics import counted_as, has_errors, tally, to_json
    from coursebuilder.validation import validate_cached

    report = validate_cached(directory, targets, cache=not no_cache)
    diagnostics = report.diagnostics
    failed = report.summary is None or has_errors(diagnostics, strict)
    info = report.summary if not failed else None
    if fmt == "json":
        click.echo(to_json(diagnostics, info, strict))
    else:
        _print_diagnostics(diagnostics, fmt)
        if failed and fmt == "text":
            under = " under --strict" if not has_errors(diagnostics) else ""
            click.echo(f"{directory}: not valid{under} — {tally(diagnostics)}", err=True)
        if info is not None and fmt == "text":
            by_type = ", ".join(f"{n} {t}" for t, n in info["questions_by_type"].items())
            warned = f"; {tally(diagnostics)}" if diagnostics else ""
            counted = ", ".join(
                counted_as(info[key], word)
                for key, word in (("lessons", "lesson"), ("glossary_terms", "glossary term"), ("questions", "question"))
            )
            click.echo(f"{info['course']}: valid — {counted} ({by_type}){warned}")
    sys.exit(1 if failed else 0)


@main.command()
@DIR
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Output directory; files go to OUTPUT/<course-id>/.",
)
@click.option(
    "-t",
    "--target",
    "targets",
    multiple=True,
    metavar="NAME",
    help="Build only this target (repeatable); see `coursebuilder targets`.",
)
@click.option(
    "--structure",
    type=click.Choice(["single", "multi"]),
    default=None,
    help="SCORM: one SCO for the whole course, or one per lesson (overrides course.yaml).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 2),
    default=None,
    help="Processes to use: with 2, a large course's lessons are scanned beside the loading and the "
    "targets built in two processes (default: 2 on two cores or more).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Build everything afresh: neither answer from the cache of the last build nor reuse its "
    "rendered Markdown, and keep nothing for the next build.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print each step.")
def build(
    directory: Path,
    output: Path,
    targets: tuple[str, ...],
    structure: str | None,
    strict: bool,
    jobs: int | None,
    no_cache: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Validate the course in DIRECTORY and write its packages under OUTPUT.

    Nothing is written when the course has errors. On a terminal each target reports as it
    goes; the closing summary lists every file with its size.
    """
    _hold_course_until_exit()  # before the imports too: they make objects but no garbage
    from coursebuilder.buildcache import open_cache
    from coursebuilder.buildoptions import BuildOptions
    from coursebuilder.diagnostics import CourseError, Severity, tally
    from coursebuilder.progress import BuildReporter

    reporter = BuildReporter(sys.stdout, quiet=quiet, verbose=verbose)
    options = BuildOptions(scorm_structure=structure, progress=reporter.step, jobs=jobs, cache=not no_cache)
    opened = open_cache(directory, output, targets, options, strict) if options.cache else None
    if opened is not None and opened.answered is not None:  # nothing changed: the model is not even imported
        artifacts, warnings = opened.answer(options, reporter)
    else:
        from coursebuilder.build import build_course

        try:
            artifacts, warnings = build_course(directory, output, targets, options, strict, reporter, opened)
        except CourseError as exc:
            _print_diagnostics(exc.diagnostics, "text")
            click.echo(f"{directory}: not built — {tally(exc.diagnostics)}", err=True)
            sys.exit(1)
        except OSError as exc:
            _could_not_write(exc, output, f"{directory}: not built — {output} could not be written")
    if not quiet:
        _print_diagnostics([w for w in warnings if w.severity is Severity.WARNING], "text")
    reporter.summary(artifacts)


@main.command()
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"), show_default=True
)
def schema(output: Path) -> None:
    """Write the JSON Schemas of the source files (for editors and CI) to OUTPUT."""
    from coursebuilder.schema import write_schemas

    try:
        for path in write_schemas(output):
            click.echo(str(path))
    except OSError as exc:
        _could_not_write(exc, output, f"schema: {output} could not be written")


@main.command()
def targets() -> None:
    """List the output formats `build --target` accepts."""
    from coursebuilder.targets import all_targets

    for name, target in all_targets().items():
        click.echo(f"{name:12} {target.summary}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--language", type=click.Choice(["id", "en"]), default="en", show_default=True, help="Language of the example text."
)
@click.option(
    "--install",
    metavar="SPEC",
    help="What the CI workflow installs: a git URL (git+https://…@TAG) or a wheel (copied into vendor/). "
    "Default: this version of coursebuilder, from its GitHub Action's tag.",
)
def new(directory: Path, language: str, install: str | None) -> None:
    """Create a small, valid example course in DIRECTORY to start from."""
    from coursebuilder.scaffold import create_course

    try:
        written = create_course(directory, language, install)
    except (FileExistsError, FileNotFoundError) as exc:
        if exc.filename is not None:  # a folder on the way is missing, not our own message
            _could_not_write(exc, directory, f"new: {directory} could not be created")
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        _could_not_write(exc, directory, f"new: {directory} could not be created")
    click.echo(f"created {len(written)} files in {directory}")
    click.echo(f"next: coursebuilder preview {directory}   (then: coursebuilder build {directory})")


@main.command()
@DIR
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
def preview(directory: Path, port: int, host: str, no_open: bool) -> None:
    """Serve the course in DIRECTORY in a small LMS stand-in and rebuild it on every change.

    The page plays the SCORM 1.2 package and shows what it records (status, score, location,
    suspend data, interactions); /questions lists the question bank for proof-reading.
    Problems in the source show in the page and here; Ctrl-C stops.
    """
    from coursebuilder.preview import PreviewError, run_preview

    try:
        run_preview(directory, host, port, open_browser=not no_open, report=lambda line: click.echo(line))
    except PreviewError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("course_src"),
    show_default=True,
    help="Course directory to import into (created when it does not exist).",
)
@click.option("--lesson", metavar="ID", help="Put every question into this lesson (created when missing).")
@click.option(
    "--match-grades",
    type=click.Choice(["error", "nearest"]),
    default="error",
    show_default=True,
    help="A grade Moodle does not accept: skip the question, or take the nearest accepted grade.",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("-v", "--verbose", is_flag=True, help="List every question and entry with what happened to it.")
def import_(
    files: tuple[Path, ...], into: Path, lesson: str | None, match_grades: str, dry_run: bool, verbose: bool
) -> None:
    """Import Moodle XML question exports, GIFT files and Moodle glossary exports.

    The format is told from each file's content. Questions become quiz/*.yaml files (their
    categories become lessons), glossary entries go to glossary.yaml and embedded files to
    assets/. Importing the same file again updates the questions in place.

    Exit status: 0 when imported; 1 when nothing could be written, or when the course has
    errors after the import.
    """
    from coursebuilder.importer import ImportOptions, report_lines, run_import
    from coursebuilder.model import SLUG

    if lesson is not None and not re.fullmatch(SLUG, lesson):
        raise click.BadParameter(f"{lesson!r} is not an id (lowercase letters, digits, - and _)", param_hint="--lesson")
    options = ImportOptions(
        into=into, lesson=lesson, match_grades="nearest" if match_grades == "nearest" else "error", dry_run=dry_run
    )
    try:
        result = run_import(list(files), options)
    except OSError as exc:
        _could_not_write(exc, into, f"import: stopped — {into} could not be written")
    for line, problem in report_lines(result, verbose):
        click.echo(line, err=problem)
    sys.exit(1 if result.failed or result.course_errors else 0)
