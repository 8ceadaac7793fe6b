"""Turn the merged state into the text of every source file the import writes.

A file the course has is edited in place where its layout allows it (`yamledit`), and the edit
is read back: only when it holds exactly the intended questions or entries is it kept, else the
file is rewritten canonically. New lessons get numbered files after the course's last one; a
course the import creates gets a `course.yaml`, and at least one lesson.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from coursebuilder.importer.common import slugify
from coursebuilder.importer.state import GlossaryState, MergeState, NewLesson, QuizState, with_defaults
from coursebuilder.importer.yamledit import ListEdit, edit_list, item_text
from coursebuilder.layout import COURSE_FILE, GLOSSARY_FILE, LESSONS_DIR, lesson_files
from coursebuilder.model import (
    CourseInfo,
    GlossaryEntry,
    GlossaryFile,
    Lesson,
    Question,
    QuizDefaults,
    QuizFile,
    question_adapter,
)
from coursebuilder.sourcefiles import dump_course_info, dump_glossary, dump_lesson, dump_questions
from coursebuilder.yamlio import YamlProblem, parse_yaml

FilePlan = dict[str, tuple[str, str]]
"""Path relative to the course → (new text, what happens to the file: created, edited, rewritten)."""


def plan_files(state: MergeState, actions: list[str]) -> FilePlan:
    """Every source file to write; lessons and a course created are added to `actions`."""
    files: FilePlan = {}
    for rel, quiz in sorted(state.quiz.items()):
        if quiz.questions.changed:
            files[rel] = _quiz_text(quiz)
    if state.glossary.entries.changed:
        files[GLOSSARY_FILE] = _glossary_text(state.glossary)
    new_lessons = state.new_lessons
    if state.course is None and not new_lessons:
        new_lessons = [NewLesson("introduction", "Introduction", "because a course needs a lesson")]
    files.update(_lesson_texts(state, new_lessons, actions))
    course_text = _course_text(state, [lesson.id for lesson in new_lessons], actions)
    if course_text is not None:
        files[COURSE_FILE] = course_text
    return files


def _quiz_text(quiz: QuizState) -> tuple[str, str]:
    questions = quiz.questions
    if quiz.text is None:
        return dump_questions(questions.final, quiz.defaults), "created"
    edit = ListEdit(
        replace={index: _one_question(model, quiz.defaults) for index, model in questions.replace.items()},
        append=[_one_question(model, quiz.defaults) for model in questions.append],
    )
    edited = edit_list(quiz.text, "questions", edit)
    if edited is not None and _quiz_matches(edited, questions.final):
        return edited, "edited"
    return dump_questions(questions.final, quiz.defaults), "rewritten"


def _glossary_text(glossary: GlossaryState) -> tuple[str, str]:
    entries = glossary.entries
    full = glossary.head.model_copy(update={"entries": entries.final})
    if glossary.text is None:
        return dump_glossary(full), "created"
    edit = ListEdit(
        replace={index: _one_entry(entry) for index, entry in entries.replace.items()},
        append=[_one_entry(entry) for entry in entries.append],
    )
    edited = edit_list(glossary.text, "entries", edit)
    if edited is not None and _glossary_matches(edited, entries.final):
        return edited, "edited"
    return dump_glossary(full), "rewritten"


def _lesson_texts(state: MergeState, new_lessons: list[NewLesson], actions: list[str]) -> FilePlan:
    texts: FilePlan = {}
    numbers = [int(m.group(1)) for p in lesson_files(state.root) if (m := re.match(r"^(\d+)[-_]", p.name))]
    next_number = max(numbers, default=0) + 1
    for lesson in new_lessons:
        rel = f"{LESSONS_DIR}/{next_number:02d}-{lesson.id}.md"
        next_number += 1
        body = f"\n<!-- Created by `coursebuilder import` {lesson.reason}. Write the lesson here. -->\n"
        if lesson.body:
            body += f"\n{lesson.body}\n"
        model = Lesson.model_construct(
            id=lesson.id, title=lesson.title, summary=lesson.summary, objectives=lesson.objectives, body=body
        )
        texts[rel] = (dump_lesson(model, file_slug=lesson.id), "created")
        actions.append(f"created lesson {lesson.id!r} ({lesson.title}) {lesson.reason}")
    return texts


def _course_text(state: MergeState, new_ids: list[str], actions: list[str]) -> tuple[str, str] | None:
    if state.course is None:
        return _new_course_text(state, new_ids, actions)
    if not new_ids:
        return None
    course = state.course
    text = (state.root / COURSE_FILE).read_text(encoding="utf-8")
    lessons = [*course.info.lessons, *new_ids]
    edited = edit_list(text, "lessons", ListEdit(append=[f"  - {lid}\n" for lid in new_ids]))
    if edited is not None and _course_lessons(edited) == lessons:
        return edited, "edited"
    return dump_course_info(course.info.model_copy(update={"lessons": lessons})), "rewritten"


def _new_course_text(state: MergeState, lesson_ids: list[str], actions: list[str]) -> tuple[str, str]:
    name = state.root.resolve().name
    course_id = slugify(name) or "course"
    info = CourseInfo(
        id=course_id,
        title=name or course_id,
        shortname=state.new_shortname or course_id.upper()[:30],
        summary=state.new_summary,
        lessons=lesson_ids,
    )
    actions.append(f"created course {course_id!r} in {state.root}")
    return dump_course_info(info), "created"


def _one_question(model: Question, defaults: QuizDefaults) -> str:
    return item_text(dump_questions([model], defaults), "questions")[0]


def _one_entry(entry: GlossaryEntry) -> str:
    return item_text(dump_glossary(GlossaryFile(entries=[entry])), "entries")[0]


def _quiz_matches(text: str, expected: list[Question]) -> bool:
    """Read an edited quiz file back: does it hold exactly the questions intended?"""
    try:
        data = parse_yaml(text)
        if not isinstance(data, dict):
            return False
        shell = QuizFile.model_validate({k: v for k, v in data.items() if k != "questions"})
        items = data.get("questions") or []
        questions = [with_defaults(question_adapter().validate_python(item), shell.defaults) for item in items]
    except (YamlProblem, ValidationError):
        return False
    return [q.model_dump(mode="json") for q in questions] == [q.model_dump(mode="json") for q in expected]


def _glossary_matches(text: str, expected: list[GlossaryEntry]) -> bool:
    try:
        glossary = GlossaryFile.model_validate(parse_yaml(text))
    except (YamlProblem, ValidationError):
        return False
    return [e.model_dump(mode="json") for e in glossary.entries] == [e.model_dump(mode="json") for e in expected]


def _course_lessons(text: str) -> list[str] | None:
    try:
        return CourseInfo.model_validate(parse_yaml(text)).lessons
    except (YamlProblem, ValidationError):
        return None
