"""In-place edits of one YAML list: other lines stay byte for byte, odd layouts are declined."""

from __future__ import annotations

from pathlib import Path

from coursebuilder.importer import ImportOptions, run_import
from coursebuilder.importer.yamledit import ListEdit, edit_list, item_text
from coursebuilder.loader import load_course

QUIZ = """# My questions, by hand.
defaults:
  lesson: basics
questions:
# first
- id: one
  type: truefalse
  text: One?   # a comment on the text
  correct: true

# second
- id: two
  type: truefalse
  text: Two?
  correct: false
# trailing comment
"""


def test_replace_and_append_keep_every_other_line() -> None:
    new_item = "  - id: one\n    type: truefalse\n    text: Uno?\n    correct: true\n"
    added = "  - id: three\n    type: truefalse\n    text: Three?\n    correct: true\n"
    edited = edit_list(QUIZ, "questions", ListEdit(replace={0: new_item}, append=[added]))
    assert edited == QUIZ.replace("  text: One?   # a comment on the text\n", "  text: Uno?\n").replace(
        "  correct: false\n", "  correct: false\n- id: three\n  type: truefalse\n  text: Three?\n  correct: true\n"
    )


def test_layouts_that_cannot_be_edited_in_place() -> None:
    item = "  - id: x\n    type: truefalse\n    text: X?\n    correct: true\n"
    assert (
        edit_list(
            "questions: [{id: a, type: truefalse, text: A?, correct: true}]\n", "questions", ListEdit(append=[item])
        )
        is None
    )
    assert edit_list("questions:\n  -\n    id: a\n    text: A?\n", "questions", ListEdit(append=[item])) is None
    assert edit_list("questions: []\n", "questions", ListEdit(append=[item])) is None
    assert edit_list("not: [valid", "questions", ListEdit(append=[item])) is None


def test_item_text_splits_a_canonical_dump() -> None:
    dumped = "# schema\ndefaults:\n  lesson: a\nquestions:\n  - id: a\n    text: |\n      x\n\n      y\n  - id: b\n"
    assert item_text(dumped, "questions") == ["  - id: a\n    text: |\n      x\n\n      y\n", "  - id: b\n"]


def test_a_flow_style_quiz_file_is_rewritten_and_said_so(write_course, tmp_path: Path) -> None:
    root = write_course(
        {
            "course.yaml": "id: imp\ntitle: T\nshortname: IMP\nlessons:\n  - basics\n",
            "lessons/01-basics.md": "---\ntitle: Basics\n---\nText.\n",
            "quiz/basics.yaml": "defaults: {lesson: basics}\nquestions: [{id: a, type: truefalse, text: A?, correct: true}]\n",
        },
        base=False,
    )
    gift = tmp_path / "more.gift"
    gift.write_text("$CATEGORY: Basics\n\n::B::B?{F}\n", encoding="utf-8")
    result = run_import([gift], ImportOptions(into=root))
    assert ("quiz/basics.yaml", "rewritten") in result.files
    loaded = load_course(root)
    assert loaded.course is not None
    assert [q.id for q in loaded.course.questions] == ["a", "b"]
