"""The SCORM player grades every response the answer-key checks generate exactly as Moodle does.

Expected marks come from the oracle of Moodle's short-answer rules (tests/moodle_semantics.py,
from question/type/shortanswer/question.php), applied to the answers as the built package
holds them; the player grades the same responses in Debian's chromium.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coursebuilder.loader import load_or_raise
from coursebuilder.output import zip_bytes
from coursebuilder.scorm import build_package
from tests.browser import serve, unpack
from tests.moodle_semantics import moodle_shortanswer_grade
from tests.test_answerkeys import ROOT, TRAPS, typed_responses

pytestmark = pytest.mark.browser

COURSES = [TRAPS, ROOT / "course_src", ROOT / "tests/courses/moodle-types"]


def _cases(course: Any, records: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Any, float, str]]:
    """(record, response as the player reads it, Moodle's fraction of the question, label)."""
    by_id = {record["id"]: record for record in records}
    cases: list[tuple[dict[str, Any], Any, float, str]] = []
    for where, answers, case, response in typed_responses(course):
        question_id, _, gap_id = where.partition(".")
        record = by_id[question_id]
        _, fraction = moodle_shortanswer_grade(response, answers, case)
        fraction = max(0.0, min(1.0, fraction))
        if not gap_id:
            typed = response.strip(" \t\n\r\0\x0b")  # PARAM_RAW_TRIMMED; an empty one is no response
            if typed:
                cases.append((record, response, fraction, f"{where}: {response!r}"))
            continue
        question = next(q for q in course.questions if q.id == question_id)
        index = [gap.id for gap in question.gaps].index(gap_id)
        weights = [gap["w"] for gap in record["g"]]
        if response.strip(" \t\n\r\0\x0b"):
            shaped: list[Any] = [None] * len(weights)
            shaped[index] = response
            cases.append((record, shaped, fraction * weights[index] / sum(weights), f"{where}: {response!r}"))
    return cases


def test_player_grades_every_generated_response_as_moodle(chromium: Any, tmp_path: Path) -> None:
    courses = []
    for root in COURSES:
        course, _ = load_or_raise(root)
        unpack(zip_bytes(build_package(course, "1.2", "single").items()), tmp_path / course.info.id)
        courses.append(course)
    checked = 0
    with serve(tmp_path) as url:
        page = chromium.new_page()
        for course in courses:
            page.goto(f"{url}{course.info.id}/index.html")
            page.locator("html.cb-ready").wait_for(state="attached")
            records = page.evaluate("JSON.parse(document.getElementById('cb-data').textContent).quiz.q")
            cases = _cases(course, records)
            got = page.evaluate(
                "cases => cases.map(c => cbPlayer.grade(c[0], c[1]).f)", [[r, x] for r, x, _, _ in cases]
            )
            wrong = [
                (label, fraction, expected)
                for (_, _, expected, label), fraction in zip(cases, got, strict=True)
                if fraction != pytest.approx(expected)
            ]
            assert not wrong, wrong
            checked += len(cases)
        page.close()
    assert checked > 150
