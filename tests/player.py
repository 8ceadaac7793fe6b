"""Steps a learner takes in the SCORM player (for the preview's browser tests)."""

from __future__ import annotations

from typing import Any


def go_to(content: Any, page_id: str) -> None:
    """Go to a page of the player (`l-<lesson id>`, `quiz`, `glossary`) through its contents."""
    toc = content.locator("details.toc")
    if toc.get_attribute("open") is None:
        content.locator("details.toc summary").click()
    content.locator(f'a[data-nav="{page_id}"]').click()
    content.locator(f"section#{page_id}").wait_for()


def open_quiz(content: Any) -> None:
    """Go to the final quiz through the player's table of contents."""
    go_to(content, "quiz")
    content.locator("#cb-quiz").wait_for()


def answer_welcome_questions(content: Any) -> None:
    """Answer the scaffold's two welcome questions right, then submit the quiz."""
    content.locator("#q-welcome-mc").get_by_text("glossary.yaml", exact=True).click()
    content.locator("#q-welcome-tf").get_by_role("radio").first.check()
    content.locator("#cb-submit").click()
    content.locator("#cb-result").wait_for()


def answer_all_right(content: Any) -> None:
    """Answer every scored question of the English scaffold's final quiz right, then submit."""
    content.locator("#q-welcome-mc").get_by_text("glossary.yaml", exact=True).click()
    content.locator("#q-welcome-tf").get_by_role("radio").first.check()
    multi = content.locator("#q-practice-multi")
    multi.get_by_text("multichoice", exact=True).click()
    multi.get_by_text("cloze", exact=True).click()
    content.locator("#q-practice-short input.ans").fill("Markdown")
    content.locator("#q-practice-number input.ans").fill("2")
    content.locator("#q-practice-units input.ans").fill("1500 m")
    match = content.locator("#q-practice-match")
    match.get_by_label("course.yaml").select_option(label="metadata")
    match.get_by_label("glossary.yaml").select_option(label="terms")
    cloze = content.locator("#q-practice-cloze .gap")
    cloze.nth(0).fill("lessons")
    cloze.nth(1).fill("2")
    cloze.nth(2).select_option(label="YAML")
    _order(content.locator("#q-practice-order"), ["Write", "Validate", "Build", "Upload"])
    content.locator("#cb-submit").click()
    content.locator("#cb-result").wait_for()


def _order(question: Any, wanted: list[str]) -> None:
    """Move the items of an ordering question up until they stand in `wanted` order."""
    for position, item in enumerate(wanted):
        while True:
            items = question.locator("ol.order li .item").all_inner_texts()
            index = items.index(item)
            if index == position:
                break
            question.locator("ol.order li").nth(index).locator('.mv[data-d="-1"]').click()
