"""The LMS stand-in in a browser: its SCORM 1.2 API, its panel, resume, reset, reload, errors.

The API checks follow the SCORM 1.2 Run-Time Environment (RTE 3.4): error codes 101, 201,
301, 401, 402, 403, 404, 405, the read-only / write-only elements, the `lesson_status` and
`exit` vocabularies, CMITimespan, the 4,096-character `suspend_data`, interactions written in
order, and `total_time` as the sum of session times. The content here is the small package
of `tests/fake_sco.py`; the acceptance test plays the real player.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coursebuilder.preview.server import PreviewServer
from tests.browser import offline
from tests.fake_sco import fake_scorm12

pytestmark = pytest.mark.browser


@pytest.fixture
def server(skeleton_course: Path) -> Iterator[PreviewServer]:
    preview = PreviewServer(
        skeleton_course, port=0, report=lambda line: None, build_package=fake_scorm12, watch_interval=0.05
    )
    preview.start()
    yield preview
    preview.stop()


@pytest.fixture
def page(chromium: Any, server: PreviewServer) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    outside = offline(context)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(server.url)
    yield tab
    context.close()
    assert outside == [], "requests left the machine"
    assert errors == [], "script errors in the page"


API_SCRIPT = """() => {
  const lms = new PreviewLMS("api-test", {masteryScore: 80});
  lms.reset();
  lms.prepareLaunch();
  const api = lms.api();
  const out = [];
  const call = (name, ...args) => {
    const value = api[name](...args);
    out.push([name, args, value, api.LMSGetLastError()]);
    return value;
  };
  call("LMSGetValue", "cmi.core.lesson_status");
  call("LMSInitialize", "x");
  call("LMSInitialize", "");
  call("LMSInitialize", "");
  call("LMSGetValue", "cmi.core.entry");
  call("LMSGetValue", "cmi.core.lesson_status");
  call("LMSGetValue", "cmi.core._children");
  call("LMSSetValue", "cmi.core._children", "x");
  call("LMSSetValue", "cmi.core.student_id", "x");
  call("LMSSetValue", "cmi.core.lesson_status", "not attempted");
  call("LMSSetValue", "cmi.core.lesson_status", "done");
  call("LMSSetValue", "cmi.core.lesson_status", "incomplete");
  call("LMSSetValue", "cmi.core.exit", "suspend");
  call("LMSGetValue", "cmi.core.exit");
  call("LMSSetValue", "cmi.core.exit", "away");
  call("LMSSetValue", "cmi.core.session_time", "1:30");
  call("LMSSetValue", "cmi.core.session_time", "0000:01:30.5");
  call("LMSGetValue", "cmi.core.session_time");
  call("LMSSetValue", "cmi.core.score.raw", "101");
  call("LMSSetValue", "cmi.core.score.raw", "60");
  call("LMSSetValue", "cmi.suspend_data", "y".repeat(4097));
  call("LMSSetValue", "cmi.suspend_data", "y".repeat(4096));
  call("LMSSetValue", "cmi.interactions.1.id", "q2");
  call("LMSSetValue", "cmi.interactions.0.type", "choice");
  call("LMSSetValue", "cmi.interactions.0.id", "q1");
  call("LMSSetValue", "cmi.interactions.0.type", "multiple");
  call("LMSSetValue", "cmi.interactions.0.type", "choice");
  call("LMSSetValue", "cmi.interactions.0.correct_responses.0.pattern", "a");
  call("LMSSetValue", "cmi.interactions.0.result", "wrong");
  call("LMSGetValue", "cmi.interactions._count");
  call("LMSGetValue", "cmi.interactions.0.id");
  call("LMSGetValue", "cmi.interactions.0.correct_responses._count");
  call("LMSSetValue", "cmi.interactions._count", "3");
  call("LMSGetValue", "cmi.core.nonsense");
  call("LMSSetValue", "cmi.core.lesson_status", "completed");
  call("LMSCommit", "");
  call("LMSGetValue", "cmi.core.lesson_status");
  call("LMSGetValue", "cmi.student_data.mastery_score");
  call("LMSFinish", "");
  call("LMSFinish", "");
  call("LMSInitialize", "");
  const first = JSON.parse(localStorage.getItem("api-test"));
  lms.prepareLaunch();
  const entry = [api.LMSInitialize(""), api.LMSGetValue("cmi.core.entry"), api.LMSGetValue("cmi.core.total_time"),
                 api.LMSGetValue("cmi.suspend_data").length, api.LMSGetValue("cmi.core.lesson_location")];
  return {out, first, entry, errorString: api.LMSGetErrorString("405"), unknown: api.LMSGetErrorString("999")};
}"""

EXPECTED_CALLS = [
    ("LMSGetValue", ["cmi.core.lesson_status"], "", "301"),
    ("LMSInitialize", ["x"], "false", "201"),
    ("LMSInitialize", [""], "true", "0"),
    ("LMSInitialize", [""], "false", "101"),
    ("LMSGetValue", ["cmi.core.entry"], "ab-initio", "0"),
    ("LMSGetValue", ["cmi.core.lesson_status"], "not attempted", "0"),
    (
        "LMSGetValue",
        ["cmi.core._children"],
        "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time",
        "0",
    ),
    ("LMSSetValue", ["cmi.core._children", "x"], "false", "402"),
    ("LMSSetValue", ["cmi.core.student_id", "x"], "false", "403"),
    ("LMSSetValue", ["cmi.core.lesson_status", "not attempted"], "false", "405"),
    ("LMSSetValue", ["cmi.core.lesson_status", "done"], "false", "405"),
    ("LMSSetValue", ["cmi.core.lesson_status", "incomplete"], "true", "0"),
    ("LMSSetValue", ["cmi.core.exit", "suspend"], "true", "0"),
    ("LMSGetValue", ["cmi.core.exit"], "", "404"),
    ("LMSSetValue", ["cmi.core.exit", "away"], "false", "405"),
    ("LMSSetValue", ["cmi.core.session_time", "1:30"], "false", "405"),
    ("LMSSetValue", ["cmi.core.session_time", "0000:01:30.5"], "true", "0"),
    ("LMSGetValue", ["cmi.core.session_time"], "", "404"),
    ("LMSSetValue", ["cmi.core.score.raw", "101"], "false", "405"),
    ("LMSSetValue", ["cmi.core.score.raw", "60"], "true", "0"),
    ("LMSSetValue", ["cmi.suspend_data", "y" * 4097], "false", "405"),
    ("LMSSetValue", ["cmi.suspend_data", "y" * 4096], "true", "0"),
    ("LMSSetValue", ["cmi.interactions.1.id", "q2"], "false", "201"),
    ("LMSSetValue", ["cmi.interactions.0.type", "choice"], "false", "201"),
    ("LMSSetValue", ["cmi.interactions.0.id", "q1"], "true", "0"),
    ("LMSSetValue", ["cmi.interactions.0.type", "multiple"], "false", "405"),
    ("LMSSetValue", ["cmi.interactions.0.type", "choice"], "true", "0"),
    ("LMSSetValue", ["cmi.interactions.0.correct_responses.0.pattern", "a"], "true", "0"),
    ("LMSSetValue", ["cmi.interactions.0.result", "wrong"], "true", "0"),
    ("LMSGetValue", ["cmi.interactions._count"], "1", "0"),
    ("LMSGetValue", ["cmi.interactions.0.id"], "", "404"),
    ("LMSGetValue", ["cmi.interactions.0.correct_responses._count"], "1", "0"),
    ("LMSSetValue", ["cmi.interactions._count", "3"], "false", "402"),
    ("LMSGetValue", ["cmi.core.nonsense"], "", "401"),
    ("LMSSetValue", ["cmi.core.lesson_status", "completed"], "true", "0"),
    ("LMSCommit", [""], "true", "0"),
    # a mastery score turns "completed" into passed or failed by the raw score (60 < 80)
    ("LMSGetValue", ["cmi.core.lesson_status"], "failed", "0"),
    ("LMSGetValue", ["cmi.student_data.mastery_score"], "80", "0"),
    ("LMSFinish", [""], "true", "0"),
    ("LMSFinish", [""], "false", "301"),
    ("LMSInitialize", [""], "false", "101"),
]


def test_api_follows_the_scorm_12_rules(page: Any) -> None:
    result = page.evaluate(API_SCRIPT)
    calls = [tuple(call) for call in result["out"]]
    for got, expected in zip(calls, EXPECTED_CALLS, strict=True):
        assert got == expected
    stored = result["first"]
    assert stored["core"]["total_time"] == "0000:01:30.50"
    assert stored["interactions"][0]["correct_responses"] == ["a"]
    # the next launch resumes: exit was "suspend"; the record and location are kept
    assert result["entry"] == ["true", "resume", "0000:01:30.50", 4096, ""]
    assert result["errorString"] == "Incorrect Data Type"
    assert result["unknown"] == ""


def panel(page: Any, name: str) -> str:
    return str(page.locator(f"#{name}").inner_text())


def test_panel_shows_what_the_content_records_and_resume_and_reset_work(page: Any) -> None:
    content = page.frame_locator("#sco")
    page.wait_for_function("document.body.dataset.build === '1'")
    content.locator("#entry").filter(has_text="ab-initio").wait_for()
    page.wait_for_function("document.getElementById('location').textContent === 'lesson-1'")
    assert panel(page, "status") == "incomplete"
    assert panel(page, "suspend-size") == "120"
    content.locator("#answer").click()
    page.wait_for_function("document.getElementById('score').textContent === '100 / 100'")
    assert panel(page, "status") == "passed"  # completed, and the mastery score of 70 is met
    assert panel(page, "interaction-count") == "(1)"
    row = page.locator("#interactions tbody tr").first
    assert row.locator("td").all_inner_texts() == ["q1", "choice", "a", "a", "correct", ""]
    assert "errors: 0" in panel(page, "calls")

    page.click("#resume")
    content.locator("#entry").filter(has_text="resume").wait_for()
    page.wait_for_function("document.getElementById('total-time').textContent === '0000:00:05.00'")
    assert panel(page, "score") == "100 / 100"
    assert "LMSInitialize ×1, LMSFinish ×0" in panel(page, "calls")

    page.click("#reset")
    content.locator("#entry").filter(has_text="ab-initio").wait_for()
    page.wait_for_function("document.getElementById('interaction-count').textContent === '(0)'")
    assert panel(page, "score") == "–"
    assert panel(page, "total-time") == "0000:00:00.00"


def test_errors_show_in_the_page_and_a_fix_brings_the_content_back(page: Any, skeleton_course: Path) -> None:
    page.wait_for_function("document.body.dataset.build === '1'")
    lesson = skeleton_course / "lessons" / "01-welcome.md"
    good = lesson.read_text(encoding="utf-8")
    lesson.write_text(good.replace("minutes: 5", "minutes: five"), encoding="utf-8")
    page.wait_for_function("document.body.dataset.ok === 'false'")
    errors = page.locator("#errors")
    assert errors.is_visible()
    assert page.locator("#sco").is_hidden()
    text = errors.inner_text()
    assert "lessons/01-welcome.md:5" in text and "minutes" in text  # the line of `minutes:`
    assert "error" in panel(page, "build-state")
    lesson.write_text(good.replace("This lesson is", "This edited lesson is"), encoding="utf-8")
    page.wait_for_function("document.body.dataset.ok === 'true'")
    page.frame_locator("#sco").get_by_text("This edited lesson is").wait_for()
    assert errors.is_hidden()
