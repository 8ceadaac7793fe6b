"""The player against scorm-again's own data-model validation: extreme values, exit and Terminate.

scorm-again checks every SetValue against the 1.2 and 2004 data models (strict errors, its
defaults); the LMS page of tests/browser.py records GetLastError after each call, so an
`error` other than "0" is a value the run time refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coursebuilder.loader import load_or_raise
from coursebuilder.output import zip_bytes
from coursebuilder.scorm import build_package
from tests.browser import install_lms, serve, unpack
from tests.conftest import ROOT, SKELETON
from tests.scorm_courses import RIGHT, TRACKED, write
from tests.scorm_extreme import ANSWERS, FILES, QUIZ, data_model_problems
from tests.test_scorm_browser import QUIZ as TRACKED_QUIZ
from tests.test_scorm_browser import TIME_12, TIME_2004, Session, _interactions, answer, read_lessons, sets

TIME = {"1.2": TIME_12, "2004": TIME_2004}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def extreme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The extreme course's single-SCO packages of both versions, with the LMS page, served."""
    root = tmp_path_factory.mktemp("extreme")
    course, _ = load_or_raise(write(root / "source", FILES))
    for version in ("1.2", "2004"):
        unpack(zip_bytes(build_package(course, version, "single").items()), root / "site" / version)
    install_lms(root / "site")
    with serve(root / "site") as url:
        yield root / "site", url


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_extreme_values_pass_the_data_model(chromium: Any, extreme: tuple[Path, str], version: str) -> None:
    site, url = extreme
    lms = Session(chromium, url, version, site / version)
    frame = lms.launch("index.html", lms.start(mastery=True))
    frame.get_by_role("link", name="Start the course").click()
    frame.locator(".page:visible .end").scroll_into_view_if_needed()
    frame.locator(".page:visible a[rel=next]").click()
    frame.locator("#h-quiz:visible").wait_for()
    for qid, how in ANSWERS.items():
        answer(lms.page, frame, QUIZ.index(qid), how)
    frame.get_by_role("button", name="Submit answers").click()
    frame.locator("#cb-result").wait_for()
    calls = lms.close()  # asserts that no call failed
    assert not [c for c in calls if c["error"] != "0"]
    records = {r["id"]: r for r in _interactions(lms.cmi())}
    assert list(records) == QUIZ
    assert not data_model_problems(version, list(records.values()))
    v12 = version == "1.2"
    response = "student_response" if v12 else "learner_response"
    pattern = "correct_responses.0.pattern"
    # Padded answers are trimmed (as Moodle trims them); the learner's padding too.
    assert records["x-pad"][response] == "fume hood"
    assert records["x-pad"][pattern] == "fume hood"
    assert records["x-pad"]["result"] == "correct"
    # Numbers beyond real(10,7) go out as the learner's text, without a pattern.
    for qid, typed in (("x-avogadro", "6.0221e23"), ("x-tiny", "1.602e-19"), ("x-huge", "98765432101")):
        assert records[qid]["type"] == "fill-in", qid
        assert records[qid][response] == typed
        assert pattern not in records[qid]
        assert records[qid]["result"] == "correct"
    # A unit the question does not know: no number in the base unit, so no numeric range either.
    assert records["x-units"]["type"] == "fill-in"
    assert records["x-units"][response] == "150000 cm"
    assert pattern not in records["x-units"]
    assert records["x-units"]["result"] == ("wrong" if v12 else "incorrect")
    # Right answers are recorded as right, whatever they hold.
    for qid in ("x-seps", "x-rtl", "x-heavy", "x-long", "x-cloze", "x-match"):
        assert records[qid]["result"] == "correct", qid
    assert records["x-cloze"]["type"] == ("fill-in" if v12 else "long-fill-in")
    lms.done()


@pytest.fixture(scope="module")
def tracked_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The tracked course's four packages, with the LMS page, served."""
    root = tmp_path_factory.mktemp("tracked")
    course, _ = load_or_raise(write(root / "source", TRACKED))
    for version in ("1.2", "2004"):
        for structure in ("single", "multi"):
            folder = root / "site" / f"{version}-{structure}"
            unpack(zip_bytes(build_package(course, version, structure).items()), folder)
    install_lms(root / "site")
    with serve(root / "site") as url:
        yield root / "site", url


def _stored_session_time(lms: Session, calls: list[dict[str, str]]) -> None:
    """The session's last time reached the LMS through a Terminate that succeeded."""
    key = "cmi.core.session_time" if lms.version == "1.2" else "cmi.session_time"
    assert lms.page.evaluate("terminated")
    stored: dict[str, str] = lms.page.evaluate("stored")
    assert TIME[lms.version].match(sets(calls)[key])
    assert _seconds(stored[key]) == _seconds(sets(calls)[key]) > 0


def _seconds(span: str) -> float:
    """Seconds of a 1.2 `HHHH:MM:SS.SS` or 2004 `PT#H#M#S` time span."""
    if span.startswith("P"):
        found = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", span)
        assert found, span
        hours, minutes, seconds = (float(part or 0) for part in found.groups())
    else:
        hours, minutes, seconds = (float(part) for part in span.split(":"))
    return hours * 3600 + minutes * 60 + seconds


@pytest.mark.parametrize("structure", ["single", "multi"])
@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_finishing_terminates_while_the_page_is_alive(
    chromium: Any, tracked_site: tuple[Path, str], version: str, structure: str
) -> None:
    """Moodle stores on Terminate with a synchronous request, which Chromium refuses while a page
    unloads: a learner who finishes and then leaves through the LMS must not lose the session."""
    site, url = tracked_site
    lms = Session(chromium, url, version, site / f"{version}-{structure}")
    if structure == "multi":
        frame = lms.launch("lesson-intro.html", lms.start(mastery=False), dismissal=True)
        frame.locator(".page:visible .end").scroll_into_view_if_needed()
        lms.page.wait_for_function("terminated")
        _stored_session_time(lms, lms.close())
        href = "quiz.html"
    else:
        href = "index.html"
    frame = lms.launch(href, lms.start(mastery=True), dismissal=True)
    if structure == "single":
        read_lessons(frame, structure)
    for qid, how in RIGHT.items():
        answer(lms.page, frame, TRACKED_QUIZ.index(qid), how)
    frame.get_by_role("button", name="Submit answers").click()
    lms.page.wait_for_function("terminated")
    calls = lms.close()  # one Initialize, one Terminate, no call refused
    _stored_session_time(lms, calls)
    stored = lms.page.evaluate("stored")
    assert stored["cmi.core.lesson_status" if version == "1.2" else "cmi.success_status"] == "passed"
    lms.done()


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_the_moodle_like_lms_refuses_a_terminate_during_unload(
    chromium: Any, tracked_site: tuple[Path, str], version: str
) -> None:
    """The stand-in really refuses: a learner who leaves unfinished ends in an unload handler,
    where only the LMS's own fallback (Moodle's `navigator.sendBeacon`) can still help."""
    site, url = tracked_site
    lms = Session(chromium, url, version, site / f"{version}-single")
    lms.launch("index.html", lms.start(mastery=True), dismissal=True)
    lms.page.evaluate("closeSco()")
    finish = "LMSFinish" if version == "1.2" else "Terminate"
    lms.page.wait_for_function(f"calls.some(c => c.fn === '{finish}')")
    last = lms.page.evaluate("calls")[-1]
    assert (last["fn"], last["result"], last["error"]) == (finish, "false", "101")
    assert not lms.page.evaluate("terminated")
    lms.done()


CHECK_RECORDS = """([version, records, scale]) => {
  const v12 = version === "1.2", api = v12 ? new Scorm12API({ logLevel: 5 }) : new Scorm2004API({ logLevel: 5 });
  const name = n => (v12 ? "LMS" + n : n), refused = [];
  api[name("Initialize")]("");
  const set = (key, value) => {
    api[name("SetValue")](key, value);
    const code = String(api[name("GetLastError")]());
    if (code !== "0") refused.push([key, value, code]);
  };
  records.forEach((q, n) => {
    const p = `cmi.interactions.${n}.`;
    set(p + "id", q.id);
    set(p + "type", q.it);
    set(p + "weighting", String(Math.round(q.w * scale * 1e7) / 1e7));
    if (!v12 && q.d) set(p + "description", q.d);
    if (q.cr) set(p + "correct_responses.0.pattern", q.cr);
  });
  return refused;
}"""


def _quiz_data(page: Path) -> dict[str, Any]:
    """The player's data of a package page, as the page carries it."""
    found = re.search(r'<script type="application/json" id="cb-data">(.*?)</script>', page.read_text("utf-8"), re.S)
    assert found, page
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.mark.parametrize("course", ["example", "skeleton", "tracked", "extreme"])
def test_every_interaction_record_passes_scorm_again(chromium: Any, tmp_path: Path, course: str) -> None:
    """What each package sends for every scored question of its quiz (id, type, weighting,
    description, correct pattern) goes through scorm-again's own validators, and keeps to the
    specifications' limits, in both versions."""
    sources = {"example": ROOT / "course_src", "skeleton": SKELETON}
    source = sources.get(course) or write(tmp_path / "source", TRACKED if course == "tracked" else FILES)
    loaded, _ = load_or_raise(source)
    install_lms(tmp_path)
    context = chromium.new_context()
    page = context.new_page()
    with serve(tmp_path) as url:
        page.goto(url + "lms.html")
        for version in ("1.2", "2004"):
            folder = unpack(zip_bytes(build_package(loaded, version, "single").items()), tmp_path / version)
            quiz = _quiz_data(folder / "index.html")["quiz"]
            records = [q for q in quiz["q"] if q.get("it")]
            assert records, "the quiz has scored questions"
            assert page.evaluate(CHECK_RECORDS, [version, records, quiz.get("ws", 1)]) == []
            rows = [
                {
                    "id": q["id"],
                    "type": q["it"],
                    "weighting": str(q["w"] * quiz.get("ws", 1)),
                    "description": q.get("d", ""),
                }
                | ({"correct_responses.0.pattern": q["cr"]} if "cr" in q else {})
                for q in records
            ]
            assert data_model_problems(version, rows) == []
    context.close()
