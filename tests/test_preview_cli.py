"""`coursebuilder preview` as a person runs it: a process that serves, rebuilds and stops on Ctrl-C.

With the real SCORM player: the learner answers a question, the panel shows the score, an edit
of the lesson reloads the page with the change, and Ctrl-C stops the server cleanly.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser import offline
from tests.conftest import ROOT, answers_ctrl_c
from tests.player import answer_welcome_questions, go_to, open_quiz


@dataclass
class Preview:
    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)

    def status(self) -> dict[str, object]:
        with urllib.request.urlopen(self.url + "__status", timeout=10) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]

    def interrupt(self) -> int:
        """Press Ctrl-C and wait for the process to end; return its exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


def _read_lines(stream: object, out: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        out.put(line.rstrip("\n"))


@pytest.fixture
def start_preview() -> Iterator[object]:
    started: list[Preview] = []

    def start(course: Path) -> Preview:
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "coursebuilder", "preview", str(course), "--port", "0", "--no-open"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=answers_ctrl_c,
        )
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True)
        reader.start()
        seen: list[str] = []
        while True:
            try:
                line = lines.get(timeout=60)
            except queue.Empty:
                process.kill()
                raise AssertionError(f"preview did not start: {seen}") from None
            seen.append(line)
            match = re.search(r" at (http://127\.0\.0\.1:\d+/) ", line)
            if match:
                break
        preview = Preview(process, match.group(1), seen)
        preview.pending = lines  # type: ignore[attr-defined]
        preview.reader = reader  # type: ignore[attr-defined]
        started.append(preview)
        return preview

    yield start
    for preview in started:
        if preview.process.poll() is None:
            preview.process.kill()
            preview.process.wait()
        preview.reader.join(timeout=10)  # type: ignore[attr-defined]
        assert preview.process.stdout is not None
        preview.process.stdout.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    outside = offline(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert outside == [], "requests left the machine"
    assert errors == [], "script errors"


def drain(preview: Preview) -> list[str]:
    """Every line the process printed (call after it ended)."""
    preview.reader.join(timeout=30)  # type: ignore[attr-defined]
    pending: queue.Queue[str] = preview.pending  # type: ignore[attr-defined]
    while not pending.empty():
        preview.lines.append(pending.get_nowait())
    return preview.lines


def test_ctrl_c_stops_the_server_cleanly(start_preview: object, skeleton_course: Path) -> None:
    preview = start_preview(skeleton_course)  # type: ignore[operator]
    assert preview.status()["build"] == 1
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    assert preview.interrupt() == 0
    lines = drain(preview)
    assert lines[-1] == "Preview stopped."
    assert not any("Traceback" in line for line in lines), lines
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


def test_learner_answers_sees_the_score_and_an_edit_reloads(
    start_preview: object, skeleton_course: Path, browser_page: Any
) -> None:
    """The acceptance run: preview, answer, score in the panel, edit, reload, Ctrl-C."""
    preview = start_preview(skeleton_course)  # type: ignore[operator]
    page = browser_page
    page.goto(preview.url)
    page.wait_for_function("document.body.dataset.ok === 'true'")
    content = page.frame_locator("#sco")
    go_to(content, "l-welcome")
    assert page.locator("#score").inner_text() == "–"
    open_quiz(content)
    answer_welcome_questions(content)
    page.wait_for_function("document.getElementById('score').textContent !== '–'")
    assert page.locator("#score").inner_text().endswith("/ 100")
    assert int(page.locator("#interaction-count").inner_text().strip("()")) >= 2
    assert "errors: 0" in page.locator("#calls").inner_text()

    go_to(content, "l-welcome")
    lesson = skeleton_course / "lessons" / "01-welcome.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nA freshly edited paragraph.\n", encoding="utf-8")
    page.wait_for_function("document.body.dataset.build === '2'")
    go_to(content, "l-welcome")
    content.get_by_text("A freshly edited paragraph.").wait_for()
    assert page.locator("#score").inner_text().endswith("/ 100")  # the record survived the reload
    assert "errors: 0" in page.locator("#calls").inner_text()

    assert preview.interrupt() == 0
    assert drain(preview)[-1] == "Preview stopped."
