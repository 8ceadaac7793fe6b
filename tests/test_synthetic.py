"""The synthetic course generator writes valid, deterministic courses of the size asked for."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursebuilder.cli import main
from coursebuilder.loader import load_course
from coursebuilder.model import QUESTION_TYPES, questions_by_lesson
from coursebuilder.synthetic import QUESTION_MIX, SIZES, type_counts, write_synthetic_course


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_size_s_is_valid_under_strict(tmp_path: Path) -> None:
    write_synthetic_course(tmp_path / "s", *SIZES["S"])
    result = CliRunner().invoke(main, ["validate", "--strict", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "20 lessons, 50 glossary terms, 200 questions" in result.output
    loaded = load_course(tmp_path / "s")
    assert loaded.diagnostics == []


def test_size_s_has_the_counts_asked_for(tmp_path: Path) -> None:
    written = write_synthetic_course(tmp_path / "s", *SIZES["S"])
    course = load_course(tmp_path / "s").course
    assert course is not None
    assert (len(course.questions), len(course.lessons), len(course.glossary.entries)) == (200, 20, 50)
    assert Counter(q.type for q in course.questions) == type_counts(200)
    # Every lesson has questions, and the source holds what was reported.
    by_lesson = questions_by_lesson(course.questions)
    assert all(by_lesson.get(lesson.id) for lesson in course.lessons)
    assert written.files == len(_tree(tmp_path / "s"))


def test_counts_by_type_follow_the_mix() -> None:
    counts = type_counts(20_000)
    assert set(counts) == set(QUESTION_TYPES)
    assert counts == {name: 20_000 * share // 100 for name, share in QUESTION_MIX}
    assert sum(share for _, share in QUESTION_MIX) == 100
    # Mostly the three common types; every type present.
    assert counts["multichoice"] + counts["truefalse"] + counts["shortanswer"] == 14_000
    assert min(counts.values()) > 0
    # Rounding remainders go to multichoice so the total is exact.
    assert sum(type_counts(7).values()) == 7
    assert {k: v for k, v in type_counts(7).items() if v} == {"multichoice": 5, "truefalse": 1, "shortanswer": 1}


def test_same_arguments_same_bytes(tmp_path: Path) -> None:
    write_synthetic_course(tmp_path / "a", 60, 6, 15)
    write_synthetic_course(tmp_path / "b", 60, 6, 15)
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert first == second
    assert any(name.endswith(".png") for name in first) and any(name.endswith(".svg") for name in first)


def test_seed_changes_the_text_not_the_shape(tmp_path: Path) -> None:
    write_synthetic_course(tmp_path / "a", 60, 6, 15, seed=0)
    write_synthetic_course(tmp_path / "b", 60, 6, 15, seed=1)
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert first.keys() == second.keys()
    assert first != second
    course = load_course(tmp_path / "b")
    assert course.diagnostics == []


def test_texts_use_markdown_features_and_images(tmp_path: Path) -> None:
    write_synthetic_course(tmp_path / "c", *SIZES["S"])
    course = load_course(tmp_path / "c").course
    assert course is not None
    body = course.lessons[0].body
    for feature in ("\n# ", "\n## ", "\n- ", "\n1. ", "|------|", "![", "**"):
        assert feature in body, feature
    with_images = [q for q in course.questions if "![" in q.text]
    assert 0 < len(with_images) < len(course.questions)
    assert {q.type for q in course.questions if not q.id.endswith(q.type)} == set()
    assert any(entry.aliases for entry in course.glossary.entries)


def test_rewriting_a_smaller_course_removes_stale_files(tmp_path: Path) -> None:
    target = tmp_path / "c"
    write_synthetic_course(target, 40, 8, 10)
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*.md")}
    write_synthetic_course(target, 40, 8, 10)
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*.md")} == before, "unchanged files were rewritten"
    write_synthetic_course(target, 20, 4, 5)
    assert len(list((target / "lessons").glob("*.md"))) == 4
    assert len(list((target / "quiz").glob("*.yaml"))) == 4
    assert load_course(target).diagnostics == []


def test_odd_sizes_stay_valid(tmp_path: Path) -> None:
    write_synthetic_course(tmp_path / "c", 7, 3, 2)
    loaded = load_course(tmp_path / "c")
    assert loaded.diagnostics == []
    assert loaded.course is not None and len(loaded.course.questions) == 7


def test_refuses_a_course_without_lessons(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one lesson"):
        write_synthetic_course(tmp_path / "c", 10, 0, 0)


def test_bench_harness_runs_on_the_small_course(tmp_path: Path) -> None:
    """`make bench` must not rot: one quick pass over S prints the tables (no timing is asserted)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    report = tmp_path / "results.json"
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "S", "--repeat", "1"]
    result = subprocess.run(
        [*command, "--work", str(tmp_path / "work"), "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| S | validate |" in result.stdout
    assert "| S | full build |" in result.stdout
    assert "| unchanged rebuild S rewrites no file | PASS |" in result.stdout
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["rebuild"]["S"]["unchanged_rewrote"] == 0
    assert {run["step"] for run in data["runs"]} >= {"validate", "full build", "rebuild, unchanged source"}
