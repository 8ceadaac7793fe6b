"""bench/parts.py: each part of a bank build timed on one core (`python bench/parts.py COURSE`)."""

from __future__ import annotations

import gc
import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


@pytest.fixture
def parts(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    return importlib.import_module("parts")


def test_each_part_of_the_example_course_is_timed(parts: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert parts.main([str(ROOT / "course_src"), "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    seconds = dict(re.findall(r"^  (\S.*?) +(\d+\.\d{3}) s", out, re.M))
    assert list(seconds) == [
        "imports",
        "load and checks",
        "questions.xml",
        "questions.gift.txt",
        "glossary.xml",
        "one core, in all",
        "two cores, at best",
    ]
    assert float(seconds["load and checks"]) > 0
    assert gc.isenabled(), "the collector is paused for the timings only"


def test_a_folder_with_no_course_is_refused(parts: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        parts.main([str(tmp_path)])
    assert stopped.value.code == 2
