"""A text's link to a lesson, in the course backup, leads to the activity that shows the lesson
once Moodle has restored it (`tests.moodle_semantics.decode_links`), never to its source file.

The backup is read as restore reads it: every text that holds an encoded link must be one
restore decodes (`RESTORE_DECODED_FIELDS`), and decoding it with the ids restore gives the
course's modules must give the address of the page (or book) whose content is the lesson.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lxml import etree

from coursebuilder.build import build_course
from coursebuilder.loader import load_or_raise
from coursebuilder.mbz import build_mbz
from coursebuilder.synthetic import write_synthetic_course
from coursebuilder.targets import BuildOptions
from tests import moodle_semantics
from tests.conftest import SKELETON, files_of
from tests.mbz_util import parse, unpack
from tests.test_target_cache import edit
from tests.test_target_cache import set_text as set_quiz_text

SOURCE, TARGET = "https://source.example", "https://target.example"
NEW_ID = 7000
"""Added to each module's id in the backup: the id restore gives it (any other would do)."""

QUESTION_TEXT = "questions/question/questiontext"
"""The tail of a question's text's path in questions.xml."""

XML_TABLES = {
    "page/content": ("page", "content"),
    "book/chapters/chapter/content": ("book_chapters", "content"),
    "glossary/entries/entry/definition": ("glossary_entries", "definition"),
    QUESTION_TEXT: ("question", "questiontext"),
    "question_hints/question_hint/hint": ("question_hints", "hint"),
    **{
        f"plugin_qtype_{element}/{field}": (table, field)
        for element, table in (
            ("multichoice_question/multichoice", "qtype_multichoice_options"),
            ("match_question/matchoptions", "qtype_match_options"),
            ("ordering_question/ordering", "qtype_ordering_options"),
        )
        for field in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")
    },
    "plugin_qtype_match_question/matches/match/questiontext": ("qtype_match_subquestions", "questiontext"),
    "plugin_qtype_essay_question/essay/graderinfo": ("qtype_essay_options", "graderinfo"),
}
"""The table and field restore reads from each element (by the tail of its path) that the
test courses put a lesson link in (backup/moodle2/restore_stepslib.php, the activities'
restore steps and the `process_<element>()` of each question type's restore plugin,
question/type/<type>/backup/moodle2/restore_qtype_<type>_plugin.class.php)."""


@pytest.fixture(scope="module", params=["page", "book"])
def backup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The scaffold course with a link to its second lesson in the first lesson, a question's
    text, a question's hint and a glossary definition; its lessons as pages or as a book."""
    course = tmp_path_factory.mktemp(request.param) / "course"
    shutil.copytree(SKELETON, course)
    with (course / "lessons" / "01-welcome.md").open("a", encoding="utf-8") as lesson:
        lesson.write("\nNext: [the practice lesson](02-practice.md).\n")
    set_quiz_text(
        course / "quiz" / "welcome.yaml", "Lessons are written in Markdown.", "See [it](../lessons/02-practice.md)."
    )
    edit(
        course / "quiz" / "welcome.yaml",
        "    text: Which file holds the glossary?\n",
        "    text: Which file holds the glossary?\n    hints:\n      - text: Read [the lesson](../lessons/02-practice.md).\n",
    )
    edit(
        course / "glossary.yaml",
        "definition: One page of reading in the course.",
        "definition: One page of reading, such as [this one](lessons/02-practice.md).",
    )
    if request.param == "book":
        with (course / "course.yaml").open("a", encoding="utf-8") as course_yaml:
            course_yaml.write("  moodle:\n    lesson_activity: book\n")
    loaded, _ = load_or_raise(course)
    return unpack(build_mbz(loaded))


def module_ids(backup: dict[str, bytes]) -> dict[str, int]:
    """Each activity's folder → its module id (module.xml's `<module id>`, the old id of restore's
    `course_module` mapping: `restore_module_structure_step::process_module()`)."""
    ids = {}
    for name, data in backup.items():
        if name.startswith("activities/") and name.endswith("/module.xml"):
            ids[name.removesuffix("/module.xml")] = int(parse(data).get("id"))
    return ids


def linked_texts(backup: dict[str, bytes]) -> dict[tuple[str, str], list[str]]:
    """(table, field) → the texts of the test course's elements of that kind that link anywhere."""
    found: dict[tuple[str, str], list[str]] = {}
    for name, data in backup.items():
        if not name.endswith(".xml"):
            continue
        tree = parse(data).getroottree()
        for element in tree.iter():
            text = element.text or ""
            if "href" not in text:
                continue
            path = re.sub(r"^/[^/]+/", "", tree.getpath(element))
            path = re.sub(r"\[\d+\]", "", path)
            kind = next((table for tail, table in XML_TABLES.items() if path.endswith(tail)), None)
            assert kind is not None, f"{name}: {path} holds a link: {text}"
            found.setdefault(kind, []).append(text)
    return found


def chapter_ids(backup: dict[str, bytes]) -> list[int]:
    """The ids of the book's chapters (the old ids of restore's `book_chapter` mapping:
    `restore_book_activity_structure_step::process_book_chapter()`)."""
    return [
        int(chapter.get("id"))
        for name, data in backup.items()
        if name.endswith("/book.xml")
        for chapter in parse(data).iter("chapter")
    ]


def shown_at(backup: dict[str, bytes], address: str) -> str:
    """The content of the page, or of the book's chapter, that `address` (a link's `href` as
    restore writes it, `&amp;` read as `&`) opens once restored."""
    match = re.fullmatch(re.escape(TARGET) + r"/mod/(page|book)/view\.php\?id=(\d+)(?:&chapterid=(\d+))?", address)
    assert match is not None, address
    by_new_id = {module_id + NEW_ID: folder for folder, module_id in module_ids(backup).items()}
    modname, folder = match.group(1), by_new_id[int(match.group(2))]
    assert folder.startswith(f"activities/{modname}_")
    document = parse(backup[f"{folder}/{modname}.xml"])
    if modname == "page":
        return document.findtext("page/content", "")
    assert match.group(3) is not None, "a link to a chapter, not to the book's first page"
    chapters = {
        int(chapter.get("id")) + NEW_ID: chapter.findtext("content", "") for chapter in document.iter("chapter")
    }
    return chapters[int(match.group(3))]


def test_every_lesson_link_opens_the_restored_activity_of_the_lesson(backup: dict[str, bytes]) -> None:
    mappings = {
        "course_module": {module_id: module_id + NEW_ID for module_id in module_ids(backup).values()},
        "book_chapter": {chapter_id: chapter_id + NEW_ID for chapter_id in chapter_ids(backup)},
    }
    texts = linked_texts(backup)
    decoded_kinds = {kind for kind in texts if kind in moodle_semantics.RESTORE_DECODED_FIELDS}
    assert decoded_kinds == {
        ("page", "content") if ("page", "content") in texts else ("book_chapters", "content"),
        ("glossary_entries", "definition"),
        ("question", "questiontext"),
    }
    for kind in decoded_kinds:
        for text in texts[kind]:
            restored = moodle_semantics.decode_links(text, mappings, SOURCE, TARGET)
            links = lxml_links(restored)
            assert links, restored
            for address in links:
                assert "every question type" in shown_at(backup, address), "the second lesson"
    assert "02-practice" not in "".join(text for kind in texts for text in texts[kind])
    assert not any(name.endswith("02-practice.md") for name in backup), "no lesson's source in the backup"
    assert b"02-practice.md" not in backup["files.xml"]


def test_a_link_restore_would_not_decode_keeps_its_text(backup: dict[str, bytes]) -> None:
    """Restore (Moodle 4.5) does not decode hints: an encoded link there would stay `$@…@$`."""
    questions = parse(backup["questions.xml"])
    hints = [(hint.text or "").strip() for hint in questions.iter("hint") if "the lesson" in (hint.text or "")]
    assert hints == ["<p>Read <a>the lesson</a>.</p>"]


COMBINED = {
    "correct": "correctfeedback",
    "partially_correct": "partiallycorrectfeedback",
    "incorrect": "incorrectfeedback",
}
"""Each combined feedback of a quiz file and its field in questions.xml (and in its table)."""


def combined_feedback(outcome: str) -> str:
    """A feedback of the outcome, linking to the second lesson."""
    return f"{outcome} - [the lesson](../lessons/02-practice.md)"


@pytest.fixture(scope="module")
def feedback_backup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The scaffold course whose multiple choice, matching and ordering questions link to its
    second lesson in each combined feedback, its matching question in a pair's question and
    its essay in its grader information."""
    course = tmp_path_factory.mktemp("feedback") / "course"
    shutil.copytree(SKELETON, course)
    quiz = course / "quiz" / "practice.yaml"
    feedback = "    feedback:\n" + "".join(f'      {key}: "{combined_feedback(key)}"\n' for key in COMBINED)
    for text in (
        "Which of these are question types?",
        "Match each file with what it holds.",
        "Put the steps in order.",
    ):
        edit(quiz, f"    text: {text}\n", f"    text: {text}\n{feedback}")
    edit(quiz, "{question: course.yaml,", '{question: "[course.yaml](../lessons/02-practice.md)",')
    edit(
        quiz,
        "grader_info: Any honest answer is fine.",
        'grader_info: "Any answer; see [the lesson](../lessons/02-practice.md)."',
    )
    loaded, _ = load_or_raise(course)
    return unpack(build_mbz(loaded))


def test_a_lesson_link_in_a_question_type_s_own_decoded_texts_opens_the_lesson(
    feedback_backup: dict[str, bytes],
) -> None:
    """Restore decodes the combined feedback of multiple choice and matching questions, the
    pairs of matching questions and an essay's grader information (each type's restore
    plugin's `define_decode_contents()`): a link to a lesson there leads to its page."""
    mappings = {"course_module": {module_id: module_id + NEW_ID for module_id in module_ids(feedback_backup).values()}}
    texts = linked_texts(feedback_backup)
    per_type = {
        (table, field) for table in ("qtype_multichoice_options", "qtype_match_options") for field in COMBINED.values()
    }
    per_type |= {("qtype_match_subquestions", "questiontext"), ("qtype_essay_options", "graderinfo")}
    assert per_type <= moodle_semantics.RESTORE_DECODED_FIELDS
    assert {kind for kind in texts if kind[0].startswith("qtype_")} == per_type
    for kind in per_type:
        for text in texts[kind]:
            links = lxml_links(moodle_semantics.decode_links(text, mappings, SOURCE, TARGET))
            assert links, (kind, text)
            for address in links:
                assert "every question type" in shown_at(feedback_backup, address), "the second lesson"


def test_a_lesson_link_in_ordering_feedback_keeps_its_text(feedback_backup: dict[str, bytes]) -> None:
    """Restore does not decode the ordering type's combined feedback (restore_qtype_ordering_plugin
    has no `define_decode_contents()`): the link keeps its text, with no `$@…@$` restore would
    leave as written and no address of the lesson's source."""
    assert ("qtype_ordering_options", "correctfeedback") not in moodle_semantics.RESTORE_DECODED_FIELDS
    (ordering,) = parse(feedback_backup["questions.xml"]).iter("ordering")
    for outcome, field in COMBINED.items():
        text = (ordering.findtext(field) or "").strip()
        assert text == f"<p>{outcome} - <a>the lesson</a></p>", field


def lxml_links(html_text: str) -> list[str]:
    """The `href` of every link of an HTML text."""
    return [str(href) for href in etree.HTML(f"<div>{html_text}</div>").xpath("//a/@href")]


def test_a_lesson_moved_to_another_activity_is_linked_there_after_a_kept_build(tmp_path: Path) -> None:
    """The pages and quizzes a build keeps (`coursestore`, `sharestore`) link to a lesson's
    activity as it is now: lessons put in another order swap their pages' module ids (and,
    with one final quiz of chosen questions, nothing else of the quizzes changes)."""
    course = tmp_path / "course"
    shutil.copytree(SKELETON, course)
    set_quiz_text(
        course / "quiz" / "welcome.yaml", "Lessons are written in Markdown.", "See [it](../lessons/02-practice.md)."
    )
    with (course / "lessons" / "01-welcome.md").open("a", encoding="utf-8") as lesson:
        lesson.write("\nNext: [the practice lesson](02-practice.md).\n")
    edit(course / "course.yaml", "  questions: all\n", "  questions: [welcome-tf, welcome-mc]\n")
    with (course / "course.yaml").open("a", encoding="utf-8") as course_yaml:
        course_yaml.write("  moodle:\n    quizzes: final\n")
    build_course(course, tmp_path / "dist", ["mbz"])
    edit(course / "course.yaml", "  - welcome\n  - practice\n", "  - practice\n  - welcome\n")
    build_course(course, tmp_path / "dist", ["mbz"])
    build_course(course, tmp_path / "clean", ["mbz"], options=BuildOptions(cache=False))
    assert files_of(tmp_path / "dist") == files_of(tmp_path / "clean")
    backup = unpack(files_of(tmp_path / "clean")["my-course/moodle/my-course.mbz"])
    ids = module_ids(backup)
    pages = {
        folder: parse(backup[f"{folder}/page.xml"]).findtext("page/content", "") for folder in ids if "/page_" in folder
    }
    practice = next(folder for folder, content in pages.items() if "every question type" in content)
    link = f"$@PAGEVIEWBYID*{ids[practice]}@$"
    assert sum(link in content for content in pages.values()) == 1, "the first lesson's page links to it"
    assert link in backup["questions.xml"].decode()


def test_a_kept_share_of_quizzes_links_to_where_the_lesson_is_now(tmp_path: Path) -> None:
    """A question of the first share of quizzes links to the fifth lesson. The questions of the
    fourth lesson then move to the sixth, which had none: as many quizzes as before, the first
    share's own quizzes as they were, but the fifth lesson's page has another module id, so
    the share is not taken from the store as it was."""
    course = tmp_path / "course"
    write_synthetic_course(course, 60, 6, 5)
    quizzes = course / "quiz"
    edit(quizzes / "0006-unit-0006-region.yaml", "  lesson: unit-0006-region\n", "  lesson: unit-0005-trade\n")
    edit(quizzes / "0004-unit-0004-policy.yaml", "  tags: [unit-4]\n", "")  # its tag would change the others' ids
    edit(
        quizzes / "0001-unit-0001-cooperation.yaml",
        "      Question 1: ",
        "      See [the fifth lesson](../lessons/0005-unit-0005-trade.md). Question 1: ",
    )
    build_course(course, tmp_path / "dist", ["mbz"])
    edit(quizzes / "0004-unit-0004-policy.yaml", "  lesson: unit-0004-policy\n", "  lesson: unit-0006-region\n")
    build_course(course, tmp_path / "dist", ["mbz"])
    build_course(course, tmp_path / "clean", ["mbz"], options=BuildOptions(cache=False))
    assert files_of(tmp_path / "dist") == files_of(tmp_path / "clean")
