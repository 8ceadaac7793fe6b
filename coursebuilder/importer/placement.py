"""Turn an imported question into a course question and put it in a quiz file.

A question whose id the course already has is updated where it is (same quiz file, same place
in it), so a re-import shows up in `git diff` as exactly the questions that changed. A new
question goes to the first quiz file whose defaults it satisfies (lesson, category, tags), or to
a new quiz file of its lesson.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from coursebuilder.importer.common import ImportedQuestion, Notes
from coursebuilder.importer.preserve import preserve_texts
from coursebuilder.importer.result import Action, Change
from coursebuilder.importer.state import EditedList, MergeState, QuizState, with_defaults
from coursebuilder.layout import QUIZ_DIR
from coursebuilder.model import Question, QuizDefaults, problem_message, question_adapter


def question_model(
    item: ImportedQuestion, qid: str, lesson: str, category: str | None, notes: Notes
) -> Question | None:
    """The course question, or None (reported as skipped) when the course format cannot hold it."""
    data = dict(item.fields)
    data["id"] = qid
    data["lesson"] = lesson
    if category:
        data["category"] = category
    if item.name and item.name != qid:
        data["name"] = item.name
    try:
        return question_adapter().validate_python(data)
    except ValidationError as exc:
        problems = []
        for problem in exc.errors(include_url=False):
            loc = [str(part) for part in problem["loc"]]
            if loc and loc[0] == data.get("type"):
                loc = loc[1:]
            message = problem_message(problem)
            problems.append(f"{'.'.join(loc)}: {message}" if loc else message)
        notes.skip(item.kind, item.where, "; ".join(problems), f"question {item.name or qid!r}")
        return None


def place(state: MergeState, model: Question, item: ImportedQuestion, notes: Notes) -> Change:
    """Update the question in its quiz file, or add it to one; say which."""
    found = state.existing.get(model.id)
    if found is not None:
        rel, index = found
        quiz = state.quiz[rel]
        current = quiz.questions.final[index]
        model = preserve_texts(current, model)
        effective = with_defaults(model, quiz.defaults)
        action: Action = "unchanged" if _same(current, effective) else "updated"
        if effective.model_dump(mode="json") != model.model_dump(mode="json"):
            notes.warn(
                item.where,
                f"question {model.id!r}: the defaults of {rel} change it (lesson, category or tags)",
                "import-defaults",
            )
        if action == "updated":
            quiz.questions.update(index, effective, model)
        return Change("question", model.id, action, rel, item.kind)
    rel = _target_file(state, model)
    state.existing[model.id] = (rel, state.quiz[rel].questions.add(model))
    return Change("question", model.id, "added", rel, item.kind)


def _target_file(state: MergeState, model: Question) -> str:
    for rel, quiz in state.quiz.items():
        d = quiz.defaults
        if d.lesson != model.lesson:
            continue
        if d.category is not None and model.category is None:
            continue
        if not set(d.tags) <= set(model.tags):
            continue
        return rel
    assert model.lesson is not None
    base = model.lesson
    rel = f"{QUIZ_DIR}/{base}.yaml"
    number = 2
    while rel in state.quiz or (state.root / rel).exists():
        rel = f"{QUIZ_DIR}/{base}-{number}.yaml"
        number += 1
    state.quiz[rel] = QuizState(rel, None, QuizDefaults(lesson=model.lesson), EditedList([]))
    return rel


def _same(a: Any, b: Any) -> bool:
    return bool(a.model_dump(mode="json") == b.model_dump(mode="json"))
