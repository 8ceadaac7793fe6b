"""SCORM packages in a real browser, with scorm-again as the LMS (both versions, both structures).

A learner reads every lesson, answers the final quiz (all right, or all wrong), closes the
package before submitting, reopens it, finds the quiz as they left it and submits. The tests
then check the exact CMI values the LMS recorded, that Initialize and Terminate were called
once per launch, that no API call failed and that no request left 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from coursebuilder.loader import load_or_raise
from coursebuilder.output import zip_bytes
from coursebuilder.scorm import build_package
from tests.browser import AXE, install_lms, offline, serve, unpack
from tests.scorm_courses import EXPECTED_12, EXPECTED_2004, RIGHT, SCORED, STATE, TRACKED, WRONG, big_course, write

pytestmark = pytest.mark.browser

TIME_12 = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
TIME_2004 = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,2})?S)?)?$")
QUIZ = ["q-single", "q-multi", "q-tf", "q-short", "q-units", "q-match", "q-cloze", "q-order", "q-essay", "q-note"]


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("course"), TRACKED)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, tracked: Path) -> Iterator[tuple[Path, str]]:
    """Every package of the tracked course unpacked side by side, with the LMS page, served."""
    root = tmp_path_factory.mktemp("site")
    course, _ = load_or_raise(tracked)
    for version in ("1.2", "2004"):
        for structure in ("single", "multi"):
            unpack(zip_bytes(build_package(course, version, structure).items()), root / f"{version}-{structure}")
    install_lms(root)
    with serve(root) as url:
        yield root, url


class Session:
    """One browser tab on the LMS page; launches SCOs the way an LMS does."""

    def __init__(self, chromium: Any, url: str, version: str, folder: str) -> None:
        self.context = chromium.new_context()
        self.escaped = offline(self.context)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.goto(url + "lms.html")
        self.version = version
        self.folder = folder
        self.mastery = _mastery(Path(folder))

    def launch(self, href: str, state: dict[str, str] | None, dismissal: bool = False) -> Any:
        """Open `href`; with `dismissal`, the LMS refuses to store while the page unloads, as Moodle's does."""
        self.page.evaluate("() => { window.calls = []; }")
        where = f"{self.folder.name}/{href}"
        self.page.evaluate("([v, h, s, d]) => launch(v, h, s, d)", [self.version, where, state, dismissal])
        frame = self.page.frame_locator("#sco")
        frame.locator("html.cb-ready").wait_for(state="attached")
        # The player is ready before its page has loaded; the stand-in tells an unload from a
        # running page only once the page has loaded.
        self.page.wait_for_function("window.scoLoaded === true")
        return frame

    def close(self) -> list[dict[str, str]]:
        self.page.evaluate("closeSco()")
        finish = "LMSFinish" if self.version == "1.2" else "Terminate"
        self.page.wait_for_function(f"calls.some(c => c.fn === '{finish}')")
        calls: list[dict[str, str]] = self.page.evaluate("calls")
        names = [c["fn"] for c in calls]
        start = "LMSInitialize" if self.version == "1.2" else "Initialize"
        assert names.count(start) == 1 and names.count(finish) == 1, names
        assert names[0] == start and names[-1] == finish
        # Terminate stores everything: the session time is set right before it (and a Commit
        # between the two only while the page is alive, see test_scorm_runtime.py).
        time_key = "cmi.core.session_time" if self.version == "1.2" else "cmi.session_time"
        assert time_key in [c["args"][0] for c in calls[-3:-1] if c["fn"].endswith("SetValue")], names[-3:]
        failed = [c for c in calls if c["error"] != "0"]
        assert not failed, failed
        return calls

    def cmi(self) -> dict[str, str]:
        values: dict[str, str] = self.page.evaluate("cmi()")
        return values

    def state(self, mastery: bool) -> dict[str, str]:
        """What an LMS keeps between launches, plus `entry` as the next launch sees it."""
        v12 = self.version == "1.2"
        cmi = self.cmi()
        kept = ("cmi.suspend_data", "cmi.core.lesson_location", "cmi.location", "cmi.core.lesson_status")
        kept += ("cmi.completion_status", "cmi.success_status", "cmi.core.score", "cmi.score", "cmi.interactions.")
        state = {k: v for k, v in cmi.items() if k.startswith(kept) and isinstance(v, str) and v != ""}
        exit_ = cmi["cmi.core.exit" if v12 else "cmi.exit"]
        state["cmi.core.entry" if v12 else "cmi.entry"] = "resume" if exit_ == "suspend" else ""
        state.update({k: v for k, v in self.start(mastery).items() if "entry" not in k})
        return state

    def start(self, mastery: bool) -> dict[str, str]:
        """First launch: `ab-initio`, and the mastery score the manifest declares."""
        v12 = self.version == "1.2"
        state = {"cmi.core.entry" if v12 else "cmi.entry": "ab-initio"}
        if mastery and self.mastery is not None:
            if v12:
                state["cmi.student_data.mastery_score"] = self.mastery
            else:
                state["cmi.scaled_passing_score"] = self.mastery
        return state

    def done(self) -> None:
        assert not self.escaped, f"requests left 127.0.0.1: {self.escaped}"
        csp = [p for p in self.problems if "Content Security Policy" in p or "page error" in p]
        assert not csp, csp
        self.context.close()


def _mastery(folder: Path) -> str | None:
    """The mastery the manifest declares, read as an LMS reads it."""
    tree = etree.parse(str(folder / "imsmanifest.xml"), etree.XMLParser(resolve_entities=False, no_network=True))
    found = tree.xpath("//*[local-name()='masteryscore' or local-name()='minNormalizedMeasure']")
    return found[0].text if found else None


def answer(page: Any, frame: Any, index: int, how: tuple[str, Any]) -> None:
    """Answer question `index` of the quiz through its controls (the keyboard for ordering)."""
    kind, value = how
    box = frame.locator(f'fieldset[data-q="{index}"]')
    if kind == "check":
        for v in value:
            box.locator(f'input[value="{v}"]').check()
    elif kind == "fill":
        box.locator("input.ans").fill(value)
    elif kind == "select":
        for n, label in enumerate(value):
            box.locator(f'select[data-stem="{n}"]').select_option(label=label)
    elif kind == "gaps":
        for n, v in enumerate(value):
            gap = box.locator(f'[data-g="{n}"]')
            tag = gap.evaluate("e => e.tagName")
            if tag == "SELECT":
                gap.select_option(label=v)
            elif tag == "INPUT":
                gap.fill(v)
            else:  # radio buttons or check boxes
                for label in [v] if isinstance(v, str) else v:
                    gap.get_by_label(label, exact=True).check()
    elif kind == "order":
        moved = False
        for target, text in enumerate(value):
            items = box.locator("li .item").all_inner_texts()
            at = items.index(text)
            if at == target:
                continue
            box.locator("li").nth(at).locator('button[data-d="-1"]').focus()
            for _ in range(at - target):
                page.keyboard.press("Enter")
            moved = True
        if not moved:
            # The shuffle already showed the wanted order: a learner still touches the
            # list to give an answer, so move the first item down and back up.
            box.locator("li").nth(0).locator('button[data-d="1"]').focus()
            page.keyboard.press("Enter")
            box.locator("li").nth(1).locator('button[data-d="-1"]').focus()
            page.keyboard.press("Enter")
        assert box.locator("li .item").all_inner_texts() == value


def read_lessons(frame: Any, structure: str) -> None:
    if structure == "single":
        frame.get_by_role("link", name="Start the course").click()
        for _ in range(2):
            frame.locator(".page:visible .end").scroll_into_view_if_needed()
            frame.locator(".page:visible a[rel=next]").click()
        frame.locator("#h-quiz:visible").wait_for()
    else:
        frame.locator(".page:visible .end").scroll_into_view_if_needed()


def sets(calls: list[dict[str, str]]) -> dict[str, str]:
    """The last value the SCO set for each element."""
    return {c["args"][0]: c["args"][1] for c in calls if c["fn"] in ("LMSSetValue", "SetValue")}


@pytest.mark.parametrize("structure", ["single", "multi"])
@pytest.mark.parametrize("version", ["1.2", "2004"])
@pytest.mark.parametrize("right", [True, False], ids=["all-right", "all-wrong"])
def test_learner_reads_answers_leaves_and_resumes(
    chromium: Any, site: tuple[Path, str], version: str, structure: str, right: bool
) -> None:
    root, url = site
    v12 = version == "1.2"
    lms = Session(chromium, url, version, root / f"{version}-{structure}")
    status = "cmi.core.lesson_status" if v12 else "cmi.completion_status"

    if structure == "multi":
        for lesson in ("intro", "details"):
            frame = lms.launch(f"lesson-{lesson}.html", lms.start(mastery=False))
            read_lessons(frame, structure)
            lms.page.wait_for_function(f"calls.some(c => c.args[0] === '{status}' && c.args[1] === 'completed')")
            calls = lms.close()
            cmi = lms.cmi()
            assert cmi[status] == "completed"
            assert cmi["cmi.core.exit" if v12 else "cmi.exit"] == ("" if v12 else "normal")
            if not v12:
                assert "cmi.success_status" not in sets(calls), "a lesson neither passes nor fails"
            assert not any(k.startswith("cmi.interactions") for k in sets(calls))
        quiz_href = "quiz.html"
    else:
        quiz_href = "index.html"

    # First launch: read, answer everything, leave before submitting.
    frame = lms.launch(quiz_href, lms.start(mastery=True))
    if structure == "single":
        assert frame.locator("#cb-notice").inner_text() == ""
        read_lessons(frame, structure)
    for qid, how in (RIGHT if right else WRONG).items():
        answer(lms.page, frame, QUIZ.index(qid), how)
    frame.locator(f'fieldset[data-q="{QUIZ.index("q-essay")}"] textarea').fill("Not sent anywhere.")
    calls = lms.close()
    first = lms.cmi()
    assert first[status] == "incomplete"
    assert first["cmi.core.exit" if v12 else "cmi.exit"] == "suspend"
    assert first["cmi.core.lesson_location" if v12 else "cmi.location"] == "quiz"
    read = "3" if structure == "single" else ""  # both lessons read (bits), or none in the quiz SCO
    state = rf"1\|{read}\|[0-9a-z]+\|%d\|[0-9a-f]{{6}}\|" + re.escape(STATE[right])
    assert re.fullmatch(state % 0, first["cmi.suspend_data"]), first["cmi.suspend_data"]
    assert not any(k.startswith("cmi.interactions") for k in sets(calls))
    session_time = sets(calls)["cmi.core.session_time" if v12 else "cmi.session_time"]
    assert (TIME_12 if v12 else TIME_2004).match(session_time), session_time

    # Second launch: the quiz as it was left, then submit.
    frame = lms.launch(quiz_href, lms.state(mastery=True))
    assert frame.locator("main h1:visible").inner_text() == "Final quiz"
    single = frame.locator('fieldset[data-q="0"] input:checked')
    assert single.get_attribute("value") == (RIGHT if right else WRONG)["q-single"][1][0]
    assert frame.locator('fieldset[data-q="4"] input.ans').input_value() == ("1.5 km" if right else "3 km")
    order = frame.locator('fieldset[data-q="7"] li .item').all_inner_texts()
    assert order == (RIGHT if right else WRONG)["q-order"][1]
    frame.get_by_role("button", name="Submit answers").click()
    result = frame.locator("#cb-result")
    assert result.locator("#cb-score").inner_text() == f"Your score: {100 if right else 0}%"
    # Finished: the session ends at once, so a retry needs a new launch (the page says so).
    assert frame.locator("#cb-retry").is_hidden()
    assert frame.locator("#cb-again").is_visible() is not right
    assert frame.locator(f'fieldset[data-q="{QUIZ.index("q-essay")}"] .qfb').count() == 0
    calls = lms.close()
    cmi = lms.cmi()

    expected = (EXPECTED_12 if v12 else EXPECTED_2004)[right]
    recorded = _interactions(cmi)
    assert [r["id"] for r in recorded] == SCORED, "one record per answered question, in quiz order"
    for record in recorded:
        kind, response, pattern, weighting = expected[record["id"]]
        assert record["type"] == kind
        assert record["student_response" if v12 else "learner_response"] == response
        assert record["correct_responses.0.pattern"] == pattern
        assert record["weighting"] == weighting
        assert record["result"] == ("correct" if right else "wrong" if v12 else "incorrect")
        latency = sets(calls)[f"cmi.interactions.{recorded.index(record)}.latency"]
        assert (TIME_12 if v12 else TIME_2004).match(latency), latency
    score = "100" if right else "0"
    if v12:
        assert cmi["cmi.core.lesson_status"] == ("passed" if right else "failed")
        assert (cmi["cmi.core.score.raw"], cmi["cmi.core.score.min"], cmi["cmi.core.score.max"]) == (score, "0", "100")
        assert cmi["cmi.core.exit"] == "", "passed or failed, the attempt is finished"
    else:
        assert cmi["cmi.completion_status"] == "completed"
        assert cmi["cmi.success_status"] == ("passed" if right else "failed")
        assert (cmi["cmi.score.raw"], cmi["cmi.score.min"], cmi["cmi.score.max"]) == (score, "0", "100")
        assert cmi["cmi.score.scaled"] == ("1" if right else "0")
        assert cmi["cmi.exit"] == "normal", "completed, passed or failed, the attempt is finished"
    assert re.fullmatch(state % 1, cmi["cmi.suspend_data"]), cmi["cmi.suspend_data"]

    if not right:
        # Third launch after failing, with no `resume` entry: 1.2 shows the result again and
        # offers a retry; 2004 opens the quiz afresh. Nothing is recorded twice.
        frame = lms.launch(quiz_href, lms.state(mastery=True))
        if v12:
            assert frame.locator("#cb-score").inner_text() == "Your score: 0%"
            assert frame.locator("#cb-retry").is_visible()
        else:
            assert frame.locator("#cb-result").is_hidden()
            assert frame.locator("#cb-submit").get_attribute("hidden") is None
        calls = lms.close()
        assert not any(k.startswith("cmi.interactions") for k in sets(calls))
        assert lms.cmi()["cmi.core.exit" if v12 else "cmi.exit"] == ("" if v12 else "normal")
    lms.done()


def _interactions(cmi: dict[str, Any]) -> list[dict[str, str]]:
    records: dict[int, dict[str, str]] = {}
    for key, value in cmi.items():
        match = re.match(r"^cmi\.interactions\.(\d+)\.(.+)$", key)
        if match and isinstance(value, str):
            records.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [records[n] for n in sorted(records)]


def _open(chromium: Any, url: str, **options: Any) -> tuple[Any, Any, list[str], list[str]]:
    """A page of a package opened directly, with no LMS around it."""
    context = chromium.new_context(**options)
    escaped = offline(context)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(url)
    page.locator("html.cb-ready").wait_for(state="attached")
    return context, page, escaped, problems


def test_package_works_without_an_lms(chromium: Any, site: tuple[Path, str]) -> None:
    _, url = site
    context, page, escaped, problems = _open(chromium, url + "2004-single/index.html")
    notice = page.locator("#cb-notice")
    assert notice.inner_text() == "Not connected to a learning platform: your progress is not recorded."
    page.get_by_role("link", name="Start the course").click()
    assert page.evaluate("document.activeElement.id") == "h-l-intro"
    # A glossary term in the lesson leads to its definition, and back.
    page.locator(".page:visible .body a.gloss", has_text="API").click()
    assert page.locator("main h1:visible").inner_text() == "Glossary"
    assert page.evaluate("document.activeElement.id") == "g-api"
    page.get_by_label("Search the glossary").fill("learning")
    assert page.locator(".entry:visible dt").all_inner_texts() == ["learning record", "LMS"]
    assert page.locator("#cb-count").inner_text() == "2 of 3 terms shown"
    page.get_by_label("Search the glossary").fill("zzz")
    assert page.locator("#cb-count").inner_text() == "No term matches your search."
    page.get_by_role("button", name="Back").click()
    assert page.locator("main h1:visible").inner_text() == "Introduction"
    # The table of contents reaches the quiz; it plays and scores with no LMS.
    page.locator("details.toc summary").click()
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Final quiz").click()
    for qid, how in RIGHT.items():
        answer(page, page, QUIZ.index(qid), how)
    page.get_by_role("button", name="Submit answers").click()
    assert page.locator("#cb-score").inner_text() == "Your score: 100%"
    assert page.locator("#cb-verdict").inner_text() == "You passed. The passing score is 70%."
    first = page.locator('fieldset[data-q="0"]')
    assert first.locator(".verdict").inner_text() == "Correct · 1 of 1 points"
    assert first.locator('.fb[data-fb="1"]').is_visible() and first.locator('.fb[data-fb="1"]').inner_text() == "Right."
    assert not first.locator('.fb[data-fb="0"]').is_visible()
    assert page.locator("#cb-live").inner_text().startswith("Your score: 100%")
    assert page.evaluate("document.activeElement.id") == "cb-result-h"
    assert not escaped and not problems, (escaped, problems)
    context.close()
    # Straight from the unzipped folder, too (file: URLs).
    root = site[0]
    context, page, escaped, problems = _open(chromium, (root / "1.2-single" / "index.html").as_uri())
    assert page.locator("#cb-notice").inner_text().startswith("Not connected")
    assert not escaped and not problems, (escaped, problems)
    context.close()


def test_lesson_sco_without_an_lms(chromium: Any, site: tuple[Path, str]) -> None:
    _, url = site
    context, page, escaped, problems = _open(chromium, url + "1.2-multi/lesson-details.html")
    assert page.locator("main h1:visible").inner_text() == "Details"
    assert page.locator(".hint").inner_text() == "Continue with the next item in the course menu."
    page.locator(".page:visible a.gloss").first.click()
    assert page.locator("main h1:visible").inner_text() == "Glossary"
    assert not escaped and not problems, (escaped, problems)
    context.close()


GRADES = [
    # Short answer: `*` wildcard, `\*` a literal star, case only when asked.
    ({"t": "sa", "a": [["imsmanifest.xml", 1], ["*manifest*", 0.5]], "cs": False}, "IMSManifest.XML", 1),
    ({"t": "sa", "a": [["imsmanifest.xml", 1], ["*manifest*", 0.5]], "cs": False}, "  my manifest  ", 0.5),
    ({"t": "sa", "a": [["A\\*B", 1]], "cs": True}, "A*B", 1),
    ({"t": "sa", "a": [["A\\*B", 1]], "cs": True}, "AxB", 0),
    ({"t": "sa", "a": [["A\\*B", 1]], "cs": True}, "a*b", 0),
    # Numerical: tolerance, units written or chosen, a comma as decimal mark, unit penalties.
    (
        {"t": "nu", "a": [[1500, 5, 1]], "u": [["m", 1], ["km", 0.001]], "ug": 0, "up": 0.1, "us": "input"},
        ["1.504 km", -1],
        1,
    ),
    (
        {"t": "nu", "a": [[1500, 5, 1]], "u": [["m", 1], ["km", 0.001]], "ug": 0, "up": 0.1, "us": "input"},
        ["1,5 km", -1],
        1,
    ),
    (
        {"t": "nu", "a": [[1500, 5, 1]], "u": [["m", 1], ["km", 0.001]], "ug": 0, "up": 0.1, "us": "input"},
        ["1500", -1],
        1,
    ),
    (
        {"t": "nu", "a": [[1500, 5, 1]], "u": [["m", 1], ["km", 0.001]], "ug": 0, "up": 0.1, "us": "input"},
        ["1506 m", -1],
        0,
    ),
    (
        {"t": "nu", "a": [[1500, 5, 1]], "u": [["m", 1], ["km", 0.001]], "ug": 0, "up": 0.1, "us": "input"},
        ["1500 cm", -1],
        0,
    ),
    (
        {"t": "nu", "a": [[1500, 5, 1]], "u": [["m", 1], ["km", 0.001]], "ug": 1, "up": 0.1, "us": "input"},
        ["1500", -1],
        0.9,
    ),
    (
        {"t": "nu", "a": [[1500, 5, 1]], "u": [["m", 1], ["km", 0.001]], "ug": 2, "up": 0.25, "us": "input"},
        ["1500", -1],
        0.75,
    ),
    (
        {"t": "nu", "a": [[1500, 5, 1]], "u": [["m", 1], ["km", 0.001]], "ug": 1, "up": 0.1, "us": "select"},
        ["1.5", 1],
        1,
    ),
    ({"t": "nu", "a": [[None, 0, 1]], "u": [], "ug": 0, "up": 0, "us": "none"}, ["42", -1], 1),
    # Multiple answers: grades add up, never below zero.
    ({"t": "mc", "g": [0.5, 0.5, -1]}, [0, 1], 1),
    ({"t": "mc", "g": [0.5, 0.5, -1]}, [0], 0.5),
    ({"t": "mc", "g": [0.5, 0.5, -1]}, [0, 2], 0),
    # Matching: the share of items matched.
    ({"t": "ma", "c": [0, 1, 2]}, [0, None, 1], 1 / 3),
    # Cloze: gaps weighted; multiresponse grades add up; shortanswer_case minds case.
    (
        {
            "t": "cl",
            "g": [
                {"t": "multiresponse", "w": 2, "a": [["a", 0.5, 0], ["b", 0.5, 0], ["c", -1, 0]]},
                {"t": "shortanswer_case", "w": 1, "a": [["Cat", 1, 0]]},
                {"t": "numerical", "w": 1, "a": [["2.5", 1, 0.1]]},
            ],
        },
        [[0, 1], "cat", "2,45"],
        3 / 4,
    ),
    # Ordering, response [2nd, 1st, 3rd, 4th], under each of Moodle's grading types.
    ({"t": "or", "gt": "all_or_nothing"}, [1, 0, 2, 3], 0),
    ({"t": "or", "gt": "absolute_position"}, [1, 0, 2, 3], 2 / 4),
    ({"t": "or", "gt": "relative_next_exclude_last"}, [1, 0, 2, 3], 1 / 3),
    ({"t": "or", "gt": "relative_next_include_last"}, [1, 0, 2, 3], 2 / 4),
    ({"t": "or", "gt": "relative_one_previous_and_next"}, [1, 0, 2, 3], 2 / 6),
    ({"t": "or", "gt": "relative_all_previous_and_next"}, [1, 0, 2, 3], 10 / 12),
    ({"t": "or", "gt": "longest_ordered_subset"}, [1, 0, 2, 3], 3 / 4),
    ({"t": "or", "gt": "longest_contiguous_subset"}, [1, 0, 2, 3], 2 / 4),
    ({"t": "or", "gt": "longest_contiguous_subset"}, [3, 2, 1, 0], 0),
]


def test_player_grades_like_moodle(chromium: Any, site: tuple[Path, str]) -> None:
    """Each expected fraction was worked out by hand from Moodle's rules for the type."""
    _, url = site
    context, page, _, _ = _open(chromium, url + "1.2-single/index.html")
    got = page.evaluate("cases => cases.map(c => cbPlayer.grade(c[0], c[1]).f)", [[q, r] for q, r, _ in GRADES])
    for (question, response, expected), fraction in zip(GRADES, got, strict=True):
        assert fraction == pytest.approx(expected), (question, response)
    # Session time and latency formats (1 h 2 min 3.456 s).
    assert page.evaluate("[cbPlayer.span(3723456), cbPlayer.span(0)]") == ["01:02:03.46", "00:00:00.00"]
    context.close()
    context, page, _, _ = _open(chromium, url + "2004-single/index.html")
    assert page.evaluate("[cbPlayer.span(3723456), cbPlayer.span(0), cbPlayer.span(60000)]") == [
        "PT1H2M3.46S",
        "PT0S",
        "PT1M0S",
    ]
    context.close()


def test_accessibility_no_serious_violations(chromium: Any, site: tuple[Path, str]) -> None:
    """axe-core finds nothing serious or critical on the home, lesson, glossary and quiz pages."""
    _, url = site
    run = """async () => {
      const result = await axe.run(document, {resultTypes: ['violations']});
      return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
    }"""
    found: dict[str, list[str]] = {}
    # axe is injected as an inline script, which the packages' CSP would rightly refuse.
    context, page, _, _ = _open(chromium, url + "1.2-single/index.html", bypass_csp=True)
    page.add_script_tag(path=str(AXE))
    found["home"] = page.evaluate(run)
    page.get_by_role("link", name="Start the course").click()
    found["lesson"] = page.evaluate(run)
    page.locator(".page:visible a", has_text="Glossary").first.click()
    found["glossary"] = page.evaluate(run)
    page.locator("details.toc summary").click()
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Final quiz").click()
    found["quiz"] = page.evaluate(run)
    for qid, how in WRONG.items():
        answer(page, page, QUIZ.index(qid), how)
    page.get_by_role("button", name="Submit answers").click()
    found["result"] = page.evaluate(run)
    context.close()
    context, page, _, _ = _open(chromium, url + "2004-multi/lesson-intro.html", bypass_csp=True)
    page.add_script_tag(path=str(AXE))
    found["lesson SCO"] = page.evaluate(run)
    context.close()
    assert not any(found.values()), found


def test_suspend_data_of_200_questions_fits_scorm_12(chromium: Any, tmp_path: Path) -> None:
    """200 answered questions, even with long typed answers, stay under 1.2's 4,096 characters and resume."""
    course, _ = load_or_raise(write(tmp_path / "course", big_course(200)))
    folder = unpack(zip_bytes(build_package(course, "1.2", "single").items()), tmp_path / "site" / "pkg")
    install_lms(folder.parent)
    fill = """(long) => {
      for (const fs of document.querySelectorAll('fieldset.q')) {
        const kind = fs.className.split(' ')[1];
        const set = (el, v) => { el.value = v; el.dispatchEvent(new Event('change', {bubbles: true})); };
        if (kind === 'q-mc' || kind === 'q-tf') fs.querySelector('input[value="1"]').click();
        if (kind === 'q-sa') set(fs.querySelector('.ans'), long ? 'ä ~!|'.repeat(60) : 'answer');
        if (kind === 'q-nu') set(fs.querySelector('.ans'), '12.5');
        if (kind === 'q-ma') fs.querySelectorAll('select').forEach((s, i) => set(s, String(i)));
        if (kind === 'q-cl') {
          set(fs.querySelector('[data-g="0"]'), 'cat');
          set(fs.querySelector('[data-g="1"]'), '3');
        }
        if (kind === 'q-or') fs.querySelector('li:last-child .mv[data-d="-1"]').click();
      }
      return cbPlayer.pack();
    }"""
    with serve(folder.parent) as url:
        lms = Session(chromium, url, "1.2", folder)
        for long in (False, True):
            frame = lms.launch("index.html", lms.start(mastery=True))
            packed = frame.locator("html").evaluate(f"(_, long) => ({fill})(long)", long)
            lms.close()
            saved = lms.cmi()["cmi.suspend_data"]
            assert saved == packed
            assert len(saved) < 4096, len(saved)
            if not long:
                assert len(saved) < 2500, "short answers need no shortening"
            # Reopened, the player restores every answer: packing its state gives the same text.
            frame = lms.launch("index.html", lms.state(mastery=True))
            assert frame.locator("html").evaluate("() => cbPlayer.pack()") == saved
            lms.close()
        lms.done()
