"""`make bench-peers`: the Python it picks for coursekit, and our side of the compared bank.

coursekit itself is not run here (it needs Python 3.12 or 3.13 and the package index).
"""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from coursebuilder.loader import load_course
from coursebuilder.model import MultiChoice
from tests.conftest import ROOT


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, ModuleType]:
    """bench/peers.py and bench/peer_course.py, imported as the script imports them."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    return importlib.import_module("peers"), importlib.import_module("peer_course")


def _program(folder: Path, name: str, exit_code: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\nexit {exit_code}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_a_python_that_fails_to_run_is_passed_over(bench: tuple[ModuleType, ModuleType], tmp_path: Path) -> None:
    """A pyenv shim for a version not selected is on PATH first and exits 127: the next one is taken."""
    peers, _ = bench
    _program(tmp_path / "shims", "python3.12", 127)
    _program(tmp_path / "shims", "python3.13", 127)
    working = _program(tmp_path / "real", "python3.12", 0)
    search = f"{tmp_path / 'shims'}:{tmp_path / 'empty'}:{tmp_path / 'real'}"
    assert peers.find_python(search) == working


def test_python_3_13_is_taken_before_3_12(bench: tuple[ModuleType, ModuleType], tmp_path: Path) -> None:
    peers, _ = bench
    _program(tmp_path / "a", "python3.12", 0)
    newer = _program(tmp_path / "b", "python3.13", 0)
    assert peers.find_python(f"{tmp_path / 'a'}:{tmp_path / 'b'}") == newer


def test_without_a_working_python_it_stops_and_says_why(bench: tuple[ModuleType, ModuleType], tmp_path: Path) -> None:
    peers, _ = bench
    _program(tmp_path / "shims", "python3.12", 127)
    _program(tmp_path / "other", "python3.11", 0)
    with pytest.raises(peers.NoPython, match=r"needs Python 3\.12 or 3\.13.*no working python3\.13 or python3\.12"):
        peers.find_python(f"{tmp_path / 'shims'}:{tmp_path / 'other'}")


def test_our_side_of_the_compared_bank_is_a_clean_course(bench: tuple[ModuleType, ModuleType], tmp_path: Path) -> None:
    """Our course of the comparison loads without a warning, with the five types in the bank's proportions."""
    _, peer_course = bench
    bank = peer_course.peer_bank(300, 6)
    peer_course.write_course(tmp_path / "course", bank)
    loaded = load_course(tmp_path / "course")
    assert loaded.diagnostics == []
    course = loaded.course
    assert course is not None and len(course.lessons) == 6
    counts = Counter(question.type for question in course.questions)
    assert counts == peer_course.peer_counts(300)
    assert set(counts) == set(peer_course.PEER_TYPES)
    multichoice = [question for question in course.questions if isinstance(question, MultiChoice)]
    assert any(not question.single for question in multichoice) and any(question.single for question in multichoice)


def test_a_smaller_bank_leaves_no_stale_unit_behind(bench: tuple[ModuleType, ModuleType], tmp_path: Path) -> None:
    _, peer_course = bench
    peer_course.write_course(tmp_path / "course", peer_course.peer_bank(60, 6))
    peer_course.write_project(tmp_path / "project", peer_course.peer_bank(60, 6))
    peer_course.write_course(tmp_path / "course", peer_course.peer_bank(30, 3))
    peer_course.write_project(tmp_path / "project", peer_course.peer_bank(30, 3))
    loaded = load_course(tmp_path / "course")
    assert loaded.diagnostics == []
    assert loaded.course is not None and len(loaded.course.questions) == 30
    assert len(list((tmp_path / "project").rglob("assessment.md"))) == 3
