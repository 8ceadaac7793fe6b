"""Steps a learner takes in the SCORM player (for the preview's browser tests)."""

from __future__ import annotations

from typing import Any

import pytest

from coursebuilder.preview.session import SCORM12_TARGETS
from coursebuilder.targets import all_targets


def require_player() -> None:
    """Skip when this coursebuilder has no SCORM 1.2 target to play."""
    if not any(name in all_targets() for name in SCORM12_TARGETS):
        pytest.skip("this coursebuilder has no SCORM 1.2 player")


def open_quiz(content: Any) -> None:
    """Go to the final quiz through the player's table of contents."""
    content.locator("details.toc summary").click()
    content.locator('a[data-nav="quiz"]').click()
    content.locator("#cb-quiz").wait_for()


def answer_welcome_questions(content: Any) -> None:
    """Answer the scaffold's two welcome questions right, then submit the quiz."""
    content.locator("#q-welcome-mc").get_by_text("glossary.yaml", exact=True).click()
    content.locator("#q-welcome-tf").get_by_role("radio").first.check()
    content.locator("#cb-submit").click()
    content.locator("#cb-result").wait_for()
