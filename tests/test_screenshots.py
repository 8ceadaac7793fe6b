"""The documentation's screenshots, taken from the real preview of the scaffold course.

`make test` takes them into a temporary folder (so a broken page fails the suite);
`make screenshots` (COURSEBUILDER_UPDATE_SCREENSHOTS=1) writes them to docs/screenshots/.
The browser's clock is fixed and its random numbers seeded (the player shuffles answers with
`Math.random` and times the session with `Date`), so taking them again from an unchanged
preview writes the same bytes and leaves `git status` clean.
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from coursebuilder.loader import load_or_raise
from coursebuilder.preview.server import PreviewServer
from tests.browser import offline
from tests.conftest import ROOT, SKELETON
from tests.player import answer_all_right, go_to, open_quiz

pytestmark = pytest.mark.browser

UPDATE = os.environ.get("COURSEBUILDER_UPDATE_SCREENSHOTS") == "1"
VIEWPORT = {"width": 1280, "height": 760}
FIXED_TIME = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
SEEDED_RANDOM = """
(() => {
  let state = 20250106;
  Math.random = () => (state = (state * 48271) % 2147483647) / 2147483647;
})();
"""
"""Park-Miller's generator in place of `Math.random`, in every page and frame of the context."""


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if UPDATE:
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    course = tmp_path_factory.mktemp("tutorial") / "my-course"
    shutil.copytree(SKELETON, course)
    server = PreviewServer(course, port=0, report=lambda line: None)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(chromium: Any, preview: PreviewServer) -> Iterator[Any]:
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.clock.set_fixed_time(FIXED_TIME)
    context.add_init_script(SEEDED_RANDOM)
    outside = offline(context)
    yield context.new_page()
    context.close()
    assert outside == []


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def repaint_everything(page: Any) -> None:
    """Lay out and paint the whole page afresh, as a second `make screenshots` run would."""
    page.set_viewport_size({"width": VIEWPORT["width"] + 1, "height": VIEWPORT["height"]})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.set_viewport_size(VIEWPORT)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def test_question_bank(page: Any, preview: PreviewServer, shots: Path) -> None:
    """The bank page lists every question of the course, each under its lesson's category."""
    course, _ = load_or_raise(SKELETON)
    page.goto(preview.url + "questions")
    page.locator("#q-welcome-mc").wait_for()
    shown = page.locator("article.question").evaluate_all("nodes => nodes.map(node => node.id)")
    assert sorted(shown) == sorted(f"q-{question.id}" for question in course.questions)
    lessons = {lesson.id: lesson.title for lesson in course.lessons}
    for question in course.questions:
        category = page.locator(f"section.category:has(#q-{question.id}) h2 .path").inner_text()
        assert category.endswith(lessons[question.lesson]), (question.id, category)
    page.screenshot(path=str(shots / "question-bank.png"), clip={"x": 0, "y": 0, **VIEWPORT})


def test_lesson_quiz_and_panel(page: Any, preview: PreviewServer, shots: Path) -> None:
    page.goto(preview.url)
    page.wait_for_function("document.body.dataset.ok === 'true'")
    content = page.frame_locator("#sco")
    go_to(content, "l-welcome")
    lesson = shots / "lesson.png"
    page.locator("#sco").screenshot(path=str(lesson), animations="disabled")
    open_quiz(content)
    answer_all_right(content)
    quiz = shots / "quiz.png"
    page.locator("#sco").screenshot(path=str(quiz), animations="disabled")
    page.wait_for_function("document.getElementById('score').textContent === '100 / 100'")
    assert page.locator("#status").inner_text() == "passed"
    page.wait_for_function("document.getElementById('calls').textContent.includes('finished')")
    panel = shots / "preview.png"
    page.screenshot(path=str(panel), animations="disabled")
    repaint_everything(page)
    assert page.screenshot(animations="disabled") == panel.read_bytes(), "the same page painted twice differs"
    for path in (lesson, quiz, panel):
        width, height = png_size(path)
        assert width >= 600 and height >= 400, path


@pytest.fixture(scope="module")
def physics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    course = tmp_path_factory.mktemp("physics") / "physics"
    shutil.copytree(ROOT / "examples" / "physics", course)
    server = PreviewServer(course, port=0, report=lambda line: None)
    server.start()
    yield server
    server.stop()


def test_formula_in_the_player(page: Any, physics: PreviewServer, shots: Path) -> None:
    """A lesson of the physics example: formulas are MathML the browser renders itself."""
    page.goto(physics.url)
    page.wait_for_function("document.body.dataset.ok === 'true'")
    content = page.frame_locator("#sco")
    go_to(content, "l-speed")
    content.locator('section#l-speed math[display="block"]').first.wait_for()
    path = shots / "formula.png"
    page.locator("#sco").screenshot(path=str(path))
    width, height = png_size(path)
    assert width >= 600 and height >= 400
