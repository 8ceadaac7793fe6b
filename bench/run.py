"""Time `coursebuilder validate` and `build` on synthetic courses of size S, M and L.

Each command runs as its own process, as a user or CI runs it, so the times include start-up
and imports; peak RSS is that process's own (`os.wait4`). Every measurement is repeated and the
median wall time kept, as the targets are stated; RSS is the largest seen. Prints Markdown tables
and a PASS/MISS line per target. Usage: `make bench`, or `python bench/run.py --help`.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from coursebuilder.synthetic import SIZES, write_synthetic_course

HERE = Path(__file__).resolve().parent
COURSE_ID = "synthetic"
SCORM_RUNTIME_SUFFIXES = (".js", ".css")

# Targets (2 cores): seconds and megabytes; the bank, validate and build ones are for L.
BANK_SECONDS = 2.0
BUILD_SECONDS = 6.0
VALIDATE_SECONDS = 1.5
UNCHANGED_SECONDS = 0.8
EDIT_SECONDS = 2.0
PEAK_MB = 300.0
EXAMPLE_BUILD_SECONDS = 0.4
START_SECONDS = 0.25
"""`coursebuilder --help` and `validate` of the example course."""
EXAMPLE = HERE.parent / "course_src"
GROWTH_SLACK = 1.2
"""L time / M time may be at most this many times the ratio of their sizes."""


@dataclass
class Run:
    """One measured command: the median wall time of the repeats and the largest peak RSS."""

    size: str
    step: str
    seconds: float
    peak_mb: float
    questions: int
    cpu: float = 0.0
    """CPU seconds (user + system), the median of the repeats: steadier on a busy machine."""
    output_bytes: int = 0
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.questions / self.seconds if self.seconds else 0.0


@dataclass
class Results:
    runs: list[Run] = field(default_factory=list)
    scorm: list[dict[str, object]] = field(default_factory=list)
    rebuild: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per size: files in dist/, files an unchanged rebuild rewrote, files a one-lesson edit rewrote."""
    checks: list[tuple[str, str, str]] = field(default_factory=list)
    machine: dict[str, str] = field(default_factory=dict)

    def get(self, size: str, step: str) -> Run | None:
        return next((run for run in self.runs if run.size == size and run.step == step), None)


class CommandFailed(RuntimeError):
    pass


ENVIRONMENT = dict(os.environ)
"""The commands' environment: the build cache goes under --work (set in `main`)."""


def spawn(argv: list[str], log: Path, environment: dict[str, str]) -> tuple[float, float, float]:
    """Run `argv` as a child, its output to LOG.out and LOG.err; return (wall seconds, peak RSS in MB, CPU seconds).

    Peak RSS and CPU time are the child's own (`os.wait4`), so they never include this process.
    """
    actions = [
        (os.POSIX_SPAWN_OPEN, 1, str(log.with_suffix(".out")), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, str(log.with_suffix(".err")), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, environment, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = log.with_suffix(".err").read_text(encoding="utf-8", errors="replace")[-3000:]
        out = log.with_suffix(".out").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise CommandFailed(f"`{' '.join(argv)}` exited {code}\n{out}{err}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # Linux reports KB


def run_once(args: list[str], log: Path) -> tuple[float, float, float]:
    """Run `python -m coursebuilder ARGS` as a child; return (wall seconds, peak RSS in MB, CPU seconds)."""
    return spawn([sys.executable, "-m", "coursebuilder", *args], log, ENVIRONMENT)


def measure(
    args: list[str], log: Path, repeat: int, before: Callable[[], object] | None = None
) -> tuple[float, float, float]:
    """Median wall time, median CPU time and largest peak RSS of `repeat` runs; `before()` runs ahead of each."""
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(run_once(args, log))
    return summary(runs)


def summary(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Of runs as `run_once` gives them: the median wall time, the largest peak RSS and the median CPU time."""
    return (
        statistics.median(seconds for seconds, _, _ in runs),
        max(mb for _, mb, _ in runs),
        statistics.median(used for _, _, used in runs),
    )


def tree_state(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under `root` with (mtime in ns, inode, size): a rewrite changes at least one."""
    state = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            stat = path.stat()
            state[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_ino, stat.st_size)
    return state


def tree_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def scorm_runtime(dist: Path) -> list[dict[str, object]]:
    """JS and CSS each SCORM package ships: raw bytes and gzipped bytes (per file, level 9)."""
    rows: list[dict[str, object]] = []
    for package in sorted(dist.rglob("*.zip")):
        with zipfile.ZipFile(package) as archive:
            names = archive.namelist()
            if "imsmanifest.xml" not in names:
                continue
            raw = gz = 0
            files = 0
            for name in names:
                if name.lower().endswith(SCORM_RUNTIME_SUFFIXES):
                    data = archive.read(name)
                    raw += len(data)
                    gz += len(gzip.compress(data, compresslevel=9, mtime=0))
                    files += 1
        rows.append({"package": package.relative_to(dist).as_posix(), "files": files, "raw": raw, "gzip": gz})
    return rows


def list_targets() -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "coursebuilder", "targets"], capture_output=True, text=True, check=True
    ).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def bank_target(names: list[str], wanted: str | None) -> str | None:
    """The target that writes the question bank: `moodle` unless told otherwise."""
    if wanted:
        return wanted if wanted in names else None
    for name in names:
        if name in ("moodle", "moodle-xml", "moodlexml", "xml"):
            return name
    return None


def bench_size(size: str, work: Path, repeat: int, bank: str | None, results: Results) -> None:
    questions, lessons, terms = SIZES[size]
    base = work / size
    course = base / "course"
    logs = base / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    write_synthetic_course(course, questions, lessons, terms)
    source_bytes = tree_bytes(course)
    print(f"{size}: {questions} questions, {lessons} lessons, {terms} terms ({source_bytes / 1e6:.1f} MB source)")

    # The target is a check from nothing (`--no-cache`), as on a clean clone in CI; a check
    # again, with or without an edit, takes what the last one kept.
    seconds, mb, cpu = measure(["validate", str(course), "--no-cache"], logs / "validate", repeat)
    results.runs.append(Run(size, "validate", seconds, mb, questions, cpu, note="--no-cache"))
    run_once(["validate", str(course)], logs / "validate-keep")
    seconds, mb, cpu = measure(["validate", str(course)], logs / "validate-again", repeat)
    results.runs.append(Run(size, "validate again, unchanged source", seconds, mb, questions, cpu))
    seconds, mb, cpu = measure_edited(["validate", str(course)], course, lessons, logs / "validate-edit", repeat)
    results.runs.append(Run(size, "validate again, one lesson edited", seconds, mb, questions, cpu))

    if bank:
        bank_dir = base / "bank"
        seconds, mb, cpu = measure(
            ["build", str(course), "-o", str(bank_dir), "-q", "--target", bank],
            logs / "bank",
            repeat,
            before=lambda: cold(bank_dir),
        )
        results.runs.append(Run(size, f"question bank ({bank})", seconds, mb, questions, cpu, tree_bytes(bank_dir)))

    dist = base / "dist"
    seconds, mb, cpu = measure(
        ["build", str(course), "-o", str(dist), "-q"],
        logs / "build",
        repeat,
        before=lambda: cold(dist),
    )
    out = dist / COURSE_ID
    artefacts = tree_state(out) if out.exists() else {}
    results.runs.append(
        Run(size, "full build", seconds, mb, questions, cpu, tree_bytes(out), f"{len(artefacts)} files")
    )

    # Unchanged source: nothing may be rewritten (mtime, inode and size all stay).
    rewritten: set[str] = set()
    walls, cpus, peak = [], [], 0.0
    for _ in range(repeat):
        before = tree_state(out) if out.exists() else {}
        seconds, mb, cpu = run_once(["build", str(course), "-o", str(dist), "-q"], logs / "rebuild")
        after = tree_state(out) if out.exists() else {}
        rewritten |= {name for name in after if before.get(name) != after[name]}
        walls.append(seconds)
        cpus.append(cpu)
        peak = max(peak, mb)
    note = "no file rewritten" if not rewritten else f"REWROTE {len(rewritten)}: {', '.join(sorted(rewritten)[:5])}"
    seconds, cpu = statistics.median(walls), statistics.median(cpus)
    results.runs.append(Run(size, "rebuild, unchanged source", seconds, peak, questions, cpu, tree_bytes(out), note))

    # One lesson edited: how many artefacts change (each depends on the lesson or not).
    before = tree_state(out) if out.exists() else {}
    edited_state: dict[str, tuple[int, int, int]] = {}

    def look() -> None:
        edited_state.update(tree_state(out) if out.exists() else {})

    seconds, mb, cpu = measure_edited(
        ["build", str(course), "-o", str(dist), "-q"], course, lessons, logs / "edit", repeat, after_first=look
    )
    edited = sorted(name for name in edited_state if before.get(name) != edited_state[name])
    results.runs.append(
        Run(
            size, "rebuild, one lesson edited", seconds, mb, questions, cpu, tree_bytes(out), f"{len(edited)} rewritten"
        )
    )
    results.rebuild[size] = {
        "files": len(edited_state),
        "unchanged_rewrote": len(rewritten),
        "edit_rewrote": len(edited),
    }
    results.scorm.extend({"size": size, **row} for row in scorm_runtime(out))


def measure_edited(
    args: list[str],
    course: Path,
    lessons: int,
    log: Path,
    repeat: int,
    after_first: Callable[[], object] | None = None,
) -> tuple[float, float, float]:
    """As `measure`, each run with one lesson edited (`edited_lesson`) and followed by an
    untimed run on the source as it was: every timed run meets the same edit after the same
    state (what the last run kept), and the course and its output end as they began.
    `after_first()` runs right after the first timed run."""
    runs = []
    for index in range(repeat):
        with edited_lesson(course, lessons):
            runs.append(run_once(args, log))
        if index == 0 and after_first is not None:
            after_first()
        run_once(args, log.with_name(log.name + "-restore"))
    return summary(runs)


@contextlib.contextmanager
def edited_lesson(course: Path, lessons: int) -> Iterator[None]:
    """The lesson in the middle of the course with one more sentence, put back afterwards."""
    lesson = sorted((course / "lessons").glob("*.md"))[lessons // 2]
    original = lesson.read_bytes()
    lesson.write_bytes(original + b"\nOne more sentence for the benchmark.\n")
    try:
        yield
    finally:
        lesson.write_bytes(original)


def cold(output: Path) -> None:
    """Before a build that must start from nothing: no output and no cache (nor kept renderings)."""
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(ENVIRONMENT["COURSEBUILDER_CACHE"], ignore_errors=True)


def bench_example(work: Path, repeat: int, results: Results) -> None:
    """Start-up and the example course: `--help`, `validate`, a full build into an empty folder."""
    logs = work / "example" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    seconds, mb, cpu = measure(["--help"], logs / "help", repeat)
    results.runs.append(Run("example", "--help", seconds, mb, 0, cpu))
    seconds, mb, cpu = measure(["validate", str(EXAMPLE), "--no-cache"], logs / "validate", repeat)
    results.runs.append(Run("example", "validate", seconds, mb, 0, cpu, note="--no-cache"))
    run_once(["validate", str(EXAMPLE)], logs / "validate-keep")
    seconds, mb, cpu = measure(["validate", str(EXAMPLE)], logs / "validate-again", repeat)
    results.runs.append(Run("example", "validate again, unchanged source", seconds, mb, 0, cpu))
    dist = work / "example" / "dist"
    seconds, mb, cpu = measure(
        ["build", str(EXAMPLE), "-o", str(dist), "-q"], logs / "build", repeat, before=lambda: cold(dist)
    )
    results.runs.append(Run("example", "full build", seconds, mb, 0, cpu, tree_bytes(dist)))


def check_targets(results: Results, bank: str | None) -> None:
    """PASS/MISS for each target of the L course (and growth from M to L)."""

    def add(name: str, ok: bool | None, detail: str) -> None:
        results.checks.append((name, "n/a" if ok is None else ("PASS" if ok else "MISS"), detail))

    for size, info in results.rebuild.items():
        add(
            f"unchanged rebuild {size} rewrites no file",
            info["unchanged_rewrote"] == 0,
            f"{info['unchanged_rewrote']} of {info['files']} rewritten",
        )
    example = {run.step: run for run in results.runs if run.size == "example"}
    for step, limit in (("--help", START_SECONDS), ("validate", START_SECONDS), ("full build", EXAMPLE_BUILD_SECONDS)):
        if step in example:
            run = example[step]
            add(f"example course: {step} ≤ {limit:g} s", run.seconds <= limit, f"{run.seconds:.2f} s")
    large = {run.step: run for run in results.runs if run.size == "L"}
    bank_step = f"question bank ({bank})" if bank else None
    if not large:
        add("L targets", None, "L was not run")
        return
    validate = large.get("validate")
    if validate:
        add(
            f"validate L ≤ {VALIDATE_SECONDS:g} s",
            validate.seconds <= VALIDATE_SECONDS,
            f"{validate.seconds:.2f} s",
        )
    bank_run = large.get(bank_step) if bank_step else None
    if bank_run:
        add(f"question bank L ≤ {BANK_SECONDS:g} s", bank_run.seconds <= BANK_SECONDS, f"{bank_run.seconds:.2f} s")
    else:
        add(f"question bank L ≤ {BANK_SECONDS:g} s", None, "no question bank target yet")
    build = large.get("full build")
    if build:
        note = build.note if build.output_bytes else "no targets registered yet"
        add(f"full build L ≤ {BUILD_SECONDS:g} s", build.seconds <= BUILD_SECONDS, f"{build.seconds:.2f} s ({note})")
    for step, limit in (("rebuild, unchanged source", UNCHANGED_SECONDS), ("rebuild, one lesson edited", EDIT_SECONDS)):
        if step in large:
            add(f"{step} L ≤ {limit:g} s", large[step].seconds <= limit, f"{large[step].seconds:.2f} s")
    peak = max(run.peak_mb for run in large.values())
    add(f"peak RSS L ≤ {PEAK_MB:g} MB", peak <= PEAK_MB, f"{peak:.0f} MB")
    ratio = SIZES["L"][0] / SIZES["M"][0]
    for step in [name for name in ("validate", bank_step, "full build") if name is not None]:
        m, big = results.get("M", step), results.get("L", step)
        if m and big:
            growth = big.seconds / m.seconds
            add(
                f"{step}: L/M time ≤ {GROWTH_SLACK:g} × {ratio:g}",
                growth <= GROWTH_SLACK * ratio,
                f"{growth:.1f}× for {ratio:g}× the size",
            )


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "load": f"{load[0]:.1f}",
        "date": date.today().isoformat(),
        "python": platform.python_version(),
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()}",
    }


def _mb(value: int) -> str:
    return f"{value / 1e6:.2f} MB" if value >= 100_000 else f"{value / 1e3:.1f} kB"


def markdown(results: Results, repeat: int) -> str:
    m = results.machine
    lines = [
        f"Machine: {m['cores']} cores ({m['cpu']}), Python {m['python']}, {m['system']}, {m['date']}; "
        f"load average {m['load']} when the run started, {m.get('load_end', '?')} when it ended.",
        f"Wall time and CPU time (user + system): median of {repeat} runs; peak RSS: largest of "
        "them. Each command is a new process; questions/s is per wall second.",
        "",
        "| size | step | wall (s) | CPU (s) | peak RSS (MB) | questions/s | output | note |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for run in results.runs:
        output = _mb(run.output_bytes) if run.output_bytes else ""
        lines.append(
            f"| {run.size} | {run.step} | {run.seconds:.2f} | {run.cpu:.2f} | {run.peak_mb:.0f} "
            f"| {run.per_second:,.0f} | {output} | {run.note} |"
        )
    if results.scorm:
        lines += ["", "SCORM runtime (JS + CSS in each package):", ""]
        lines += ["| size | package | files | raw | gzipped |", "|---|---|---:|---:|---:|"]
        for row in results.scorm:
            lines.append(
                f"| {row['size']} | {row['package']} | {row['files']} | {_mb(int(row['raw']))} "  # type: ignore[call-overload]
                f"| {_mb(int(row['gzip']))} |"  # type: ignore[call-overload]
            )
    else:
        lines += ["", "SCORM runtime: no SCORM package was built (no SCORM target registered yet)."]
    lines += ["", "| target | result | measured |", "|---|---|---|"]
    lines += [f"| {name} | {verdict} | {detail} |" for name, verdict, detail in results.checks]
    return "\n".join(lines) + "\n"


def byte_compile() -> None:
    """Compile the package's modules before timing, as pip does when it installs a wheel.

    An editable install leaves that to the first import, and where PYTHONDONTWRITEBYTECODE is
    set (as in some containers) every run would compile again: about 0.05 s of start-up
    that no installed copy pays. `compile_dir` writes the files whatever that variable says.
    """
    import coursebuilder

    compileall.compile_dir(Path(coursebuilder.__file__).parent, quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated sizes from S, M, L (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is kept (default 3)")
    parser.add_argument("--work", type=Path, default=HERE / "out", help="where courses and outputs go (bench/out)")
    parser.add_argument("--bank-target", default=None, help="target that writes the question bank (default moodle)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    parser.add_argument("--no-example", action="store_true", help="skip start-up and the example course")
    args = parser.parse_args(argv)
    sizes = [size.strip().upper() for size in args.sizes.split(",") if size.strip()]
    unknown = [size for size in sizes if size not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    names = list_targets()
    bank = bank_target(names, args.bank_target)
    print(f"targets: {', '.join(names) or '(none registered)'}; question bank target: {bank or '(none)'}")
    ENVIRONMENT["COURSEBUILDER_CACHE"] = str(args.work / "build-cache")
    byte_compile()
    results = Results(machine=machine())
    try:
        if not args.no_example:
            bench_example(args.work, max(1, args.repeat), results)
        for size in sizes:
            bench_size(size, args.work, max(1, args.repeat), bank, results)
    except CommandFailed as exc:
        print(exc, file=sys.stderr)
        return 2
    results.machine["load_end"] = machine()["load"]
    check_targets(results, bank)
    print()
    print(markdown(results, max(1, args.repeat)), end="")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = {"machine": results.machine, "runs": [asdict(run) for run in results.runs], "scorm": results.scorm}
        data["rebuild"] = results.rebuild
        data["checks"] = results.checks
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
