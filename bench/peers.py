"""Time our question bank against coursekit's on the same 20,000 questions.

`make bench-peers` installs slxd-coursekit 0.7.0 into its own virtual environment (under
bench/out/peers/, with a working `python3.13` or `python3.12` from PATH: coursekit needs one of
them), writes one synthetic bank of the five question types coursekit can express both as our
course and as a coursekit project (`peer_course.py`), and runs, interleaved, each as a new
process: `coursebuilder build --target moodle` (loading and validating included) and
`coursekit delivery questions`. Wall time and CPU time are the median of the runs, peak RSS the
largest (`os.wait4`). It prints a Markdown table and the ratio of the two throughputs.
Usage: `make bench-peers`, or `python bench/peers.py --help`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from peer_course import COURSE_CODE, peer_bank, write_course, write_project
from run import CommandFailed, machine, spawn

from coursebuilder.synthetic import write_synthetic_course

HERE = Path(__file__).resolve().parent
PEER = "slxd-coursekit"
PEER_VERSION = "0.7.0"
PYTHONS = ("python3.13", "python3.12")
"""The interpreters coursekit 0.7.0 supports (`Requires-Python: >=3.12,<3.14`), first found first used."""
QUESTIONS = 20_000
UNITS = 400
"""The bank's size: 20,000 questions in 400 lessons (coursekit: units) of 50."""
SYNTHETIC_COURSE = (20_000, 400, 50)
"""`write_synthetic_course` arguments of the all-types course our bank is also timed on (questions, lessons, terms)."""
BANK_SECONDS = 2.0
RATIO_TARGET = 2.5
"""Targets: the bank of 20,000 questions in at most 2 s, and at least 2.5 times coursekit's questions per second."""


class NoPython(RuntimeError):
    pass


def find_python(search_path: str | None = None) -> Path:
    """The first `python3.13`, else `python3.12`, on PATH that actually runs.

    A name on PATH may be a shim that fails (pyenv's, when that version is not selected), so each
    candidate is run, and one that fails is skipped for the next directory on PATH.
    """
    folders = (os.environ.get("PATH", "") if search_path is None else search_path).split(os.pathsep)
    for name in PYTHONS:
        for folder in folders:
            candidate = Path(folder or ".") / name
            if candidate.is_file() and os.access(candidate, os.X_OK) and _runs(candidate):
                return candidate
    raise NoPython(
        f"coursekit {PEER_VERSION} needs Python 3.12 or 3.13, and no working {' or '.join(PYTHONS)} "
        "was found on PATH (a name that is there but fails to run, such as a pyenv shim for a version "
        "not selected, does not count); put one on PATH and run `make bench-peers` again"
    )


def _runs(python: Path) -> bool:
    check = "import sys; sys.exit(sys.version_info[:2] not in ((3, 12), (3, 13)))"
    try:
        return subprocess.run([str(python), "-c", check], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def installed_version(venv: Path) -> str | None:
    """The version of coursekit in `venv`, or None when it is missing or the venv no longer runs."""
    python = venv / "bin" / "python"
    if not python.exists():
        return None
    script = f"import importlib.metadata as m; print(m.version({PEER!r}))"
    try:
        result = subprocess.run([str(python), "-c", script], capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_peer(venv: Path) -> Path:
    """coursekit's command in `venv`, installed first (with a Python it supports) unless it is the pinned version."""
    python = find_python()
    command = venv / "bin" / "coursekit"
    if installed_version(venv) == PEER_VERSION and command.exists():
        return command
    log = venv.parent / "install.log"
    print(f"installing {PEER} {PEER_VERSION} with {python} into {venv} (log: {log})", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        for step in (
            [str(python), "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", f"{PEER}=={PEER_VERSION}"],
        ):
            if subprocess.run(step, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise CommandFailed(f"`{' '.join(step)}` failed:\n{tail}")
    return command


@dataclass
class Step:
    """One command measured in each round, with what it needs, its runs and the questions it wrote."""

    name: str
    course: str
    questions: int
    argv: list[str]
    out: Path
    """The folder the command writes its bank into: emptied before each run."""
    environment: dict[str, str]
    log: Path
    runs: list[tuple[float, float, float]] = field(default_factory=list)
    """(wall seconds, peak RSS in MB, CPU seconds) of each timed run."""
    types: dict[str, int] = field(default_factory=dict)
    """Questions of each Moodle type in the written bank (from the untimed first run)."""

    @property
    def seconds(self) -> float:
        return statistics.median(run[0] for run in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(run[2] for run in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(run[1] for run in self.runs)

    @property
    def per_second(self) -> float:
        return self.questions / self.seconds

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "course": self.course,
            "questions": self.questions,
            "runs": self.runs,
            "types": self.types,
            "seconds": self.seconds,
            "cpu": self.cpu,
            "peak_mb": self.peak_mb,
        }


def bank_types(folder: Path) -> dict[str, int]:
    """Questions of each Moodle type in the Moodle XML files under `folder` (categories aside)."""
    counts: Counter[str] = Counter()
    for path in sorted(folder.rglob("*.xml")):
        for _, element in etree.iterparse(str(path), tag="question"):
            kind = element.get("type", "")
            if kind != "category":
                counts[kind] += 1
            element.clear()
    return dict(sorted(counts.items()))


def our_build(source: Path, out: Path) -> list[str]:
    """The question bank alone, as `make bench` times it: loading and validation included."""
    return [sys.executable, "-m", "coursebuilder", "build", str(source), "-o", str(out), "-q", "--target", "moodle"]


def bench(work: Path, repeat: int, with_synthetic: bool) -> tuple[list[Step], str]:
    """Write both courses, run each command once untimed (and compare what they wrote), then `repeat` timed rounds."""
    command = ensure_peer(work / "venv-coursekit")
    bank = peer_bank(QUESTIONS, UNITS)
    ours_src, theirs_root = work / "course", work / "coursekit"
    write_course(ours_src, bank)
    course_yaml = write_project(theirs_root, bank)
    pristine = course_yaml.read_bytes()  # `delivery questions` records each delivery in course.yaml
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    ours_env = dict(os.environ, COURSEBUILDER_CACHE=str(work / "build-cache"))
    theirs_env = dict(
        os.environ,
        COURSEKIT_PROJECT=str(theirs_root),
        COURSEKIT_NO_UPDATE_CHECK="1",  # no network while timing
        COURSEKIT_NO_REFRESH="1",  # agent files are written once per installed version, not per bank
        COURSEKIT_LANG="en",
        COURSEKIT_USER_NAME="bench",
        COURSEKIT_USER_EMAIL="bench@example.invalid",
    )
    steps = [
        Step(
            "coursebuilder build --target moodle",
            "5 types",
            QUESTIONS,
            our_build(ours_src, work / "out-ours"),
            work / "out-ours",
            ours_env,
            logs / "ours",
        ),
        Step(
            "coursekit delivery questions",
            "5 types",
            QUESTIONS,
            [str(command), "delivery", "questions", COURSE_CODE, "--version", "1"],
            course_yaml.parent / "delivery",
            theirs_env,
            logs / "coursekit",
        ),
    ]
    if with_synthetic:
        source = work / "synthetic"
        write_synthetic_course(source, *SYNTHETIC_COURSE)
        steps.append(
            Step(
                "coursebuilder build --target moodle",
                "all 9 types",
                SYNTHETIC_COURSE[0],
                our_build(source, work / "out-synthetic"),
                work / "out-synthetic",
                ours_env,
                logs / "synthetic",
            )
        )

    def run(step: Step) -> tuple[float, float, float]:
        shutil.rmtree(step.out, ignore_errors=True)
        # Ours from nothing, as `make bench` times its bank: a build keeps what its load read
        # and checked for the next one, which would then skip much of the validation.
        shutil.rmtree(ours_env["COURSEBUILDER_CACHE"], ignore_errors=True)
        course_yaml.write_bytes(pristine)
        return spawn(step.argv, step.log, step.environment)

    for step in steps:  # untimed: warms the disk cache and shows what each command writes
        run(step)
        step.types = bank_types(step.out)
    if steps[0].types != steps[1].types:
        raise CommandFailed(f"the two banks differ: ours {steps[0].types}, coursekit's {steps[1].types}")
    for round_number in range(repeat):
        for step in steps:
            step.runs.append(run(step))
        times = ", ".join(f"{step.name.split()[0]} ({step.course}) {step.runs[-1][0]:.2f} s" for step in steps)
        print(f"round {round_number + 1}: {times}", flush=True)
    version = subprocess.run([str(command), "--version"], capture_output=True, text=True, env=theirs_env)
    python = subprocess.run([str(command.parent / "python"), "--version"], capture_output=True, text=True)
    return steps, f"{version.stdout.strip()} on {python.stdout.strip()}"


def markdown(steps: list[Step], repeat: int, facts: dict[str, str], peer: str) -> str:
    ours, theirs = steps[0], steps[1]
    ratio = ours.per_second / theirs.per_second
    lines = [
        f"Machine: {facts['cores']} cores ({facts['cpu']}), Python {facts['python']} (ours), {peer}, "
        f"{facts['system']}, {facts['date']}; load average {facts['load']} when the run started, "
        f"{facts.get('load_end', '?')} when it ended.",
        f"Each command is a new process; the commands ran interleaved, {repeat} rounds after one untimed round. "
        f"Wall and CPU time (user + system): median of the {repeat} runs; peak RSS: largest.",
        "",
        "| command | course | questions | wall (s) | CPU (s) | peak RSS (MB) | questions/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for step in steps:
        lines.append(
            f"| `{step.name}` | {step.course} | {step.questions:,} | {step.seconds:.2f} | {step.cpu:.2f} "
            f"| {step.peak_mb:.0f} | {step.per_second:,.0f} |"
        )
    lines += ["", "Questions written, by Moodle type (from each tool's own output):", ""]
    kinds = sorted(set(ours.types) | set(theirs.types))
    lines += ["| type | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    for step in (ours, theirs):
        lines.append(f"| {step.name.split()[0]} | " + " | ".join(f"{step.types.get(k, 0):,}" for k in kinds) + " |")
    verdict_ratio = "PASS" if ratio >= RATIO_TARGET else "MISS"
    verdict_time = "PASS" if ours.seconds <= BANK_SECONDS else "MISS"
    lines += [
        "",
        "| target | result | measured |",
        "|---|---|---|",
        f"| throughput ≥ {RATIO_TARGET:g}× coursekit's (same run) | {verdict_ratio} | "
        f"{ratio:.2f}× ({ours.per_second:,.0f} against {theirs.per_second:,.0f} questions/s) |",
        f"| bank of {ours.questions:,} questions ({ours.course}) ≤ {BANK_SECONDS:g} s | {verdict_time} "
        f"| {ours.seconds:.2f} s |",
        *(
            f"| bank of {step.questions:,} questions ({step.course}) ≤ {BANK_SECONDS:g} s "
            f"| {'PASS' if step.seconds <= BANK_SECONDS else 'MISS'} | {step.seconds:.2f} s |"
            for step in steps[2:]
        ),
        "",
        f"By CPU time, steadier on a shared machine: {ours.cpu:.2f} s against {theirs.cpu:.2f} s, "
        f"{theirs.cpu / ours.cpu:.2f}× coursekit's throughput.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds; the median is kept (default 3)")
    parser.add_argument(
        "--work", type=Path, default=HERE / "out" / "peers", help="courses, outputs and coursekit's venv"
    )
    parser.add_argument(
        "--no-synthetic",
        action="store_true",
        help="skip our bank of write_synthetic_course(dir, 20000, 400, 50) (all question types, full lessons)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    facts = machine()
    try:
        steps, peer = bench(args.work.resolve(), max(1, args.repeat), not args.no_synthetic)
    except NoPython as exc:
        print(f"bench-peers: {exc}", file=sys.stderr)
        return 2
    except CommandFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    facts["load_end"] = machine()["load"]
    print()
    print(markdown(steps, max(1, args.repeat), facts, peer), end="")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = {"machine": facts, "peer": peer, "steps": [step.summary() for step in steps]}
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
