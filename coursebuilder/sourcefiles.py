"""Write models back out as course source files (YAML and Markdown), in the canonical style.

Used by `import` (Moodle XML and GIFT into course source) and by tests that check that what
the loader reads is exactly what was written. Only values that differ from the defaults are
written, so generated files stay as short as hand-written ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from coursebuilder.model import CourseInfo, GlossaryFile, Lesson, LessonMeta, Question, QuizDefaults
from coursebuilder.output import write_bytes

_FIRST_KEYS = ("id", "type", "term", "title", "name")


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, so Markdown reads naturally in diffs."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") or (value.endswith("\n") and "\n" in value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_float(dumper: yaml.SafeDumper, value: float) -> yaml.ScalarNode:
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(float, _represent_float)


def _ordered(data: Any) -> Any:
    if isinstance(data, dict):
        keys = [k for k in _FIRST_KEYS if k in data] + [k for k in data if k not in _FIRST_KEYS]
        return {k: _ordered(data[k]) for k in keys}
    if isinstance(data, list):
        return [_ordered(item) for item in data]
    return data


def _dump(data: Any, schema: str | None) -> str:
    text = yaml.dump(_ordered(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    head = f"# yaml-language-server: $schema=../schemas/{schema}\n" if schema else ""
    return head + text


def _plain(model: BaseModel, keep: Iterable[str] = ()) -> dict[str, Any]:
    data = model.model_dump(mode="json", exclude_defaults=True)
    for key in keep:
        data[key] = getattr(model, key)
    return data


def dump_questions(questions: Sequence[Question], defaults: QuizDefaults | None = None) -> str:
    """A quiz file holding `questions`; values equal to `defaults` are left to the defaults."""
    items = []
    for question in questions:
        data = _plain(question, keep=("type",))
        if defaults is not None:
            if defaults.lesson is not None and data.get("lesson") == defaults.lesson:
                del data["lesson"]
            if defaults.category is not None and data.get("category") == defaults.category:
                del data["category"]
            if defaults.tags and data.get("tags"):
                own = [tag for tag in data["tags"] if tag not in defaults.tags]
                if own:
                    data["tags"] = own
                else:
                    del data["tags"]
        items.append(data)
    document: dict[str, Any] = {}
    if defaults is not None and (plain := _plain(defaults)):
        document["defaults"] = plain
    document["questions"] = items
    return _dump(document, "quiz.schema.json")


def dump_glossary(glossary: GlossaryFile) -> str:
    data = _plain(glossary)
    data["entries"] = [_plain(entry) for entry in glossary.entries]
    return _dump(data, "glossary.schema.json")


def dump_course_info(info: CourseInfo) -> str:
    return _dump(_plain(info, keep=("lessons",)), "course.schema.json")


def dump_lesson(lesson: Lesson, file_slug: str | None = None) -> str:
    """A lesson file: front matter, then the body exactly as it is."""
    meta = LessonMeta(
        id=None if file_slug == lesson.id else lesson.id,
        title=lesson.title,
        objectives=lesson.objectives,
        minutes=lesson.minutes,
        summary=lesson.summary,
        allow_scripts=lesson.allow_scripts,
    )
    front = yaml.dump(_ordered(_plain(meta)), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{front}---\n{lesson.body}"


def write_text(path: Path, text: str) -> bool:
    """Write a source file atomically (unchanged files are left alone)."""
    return write_bytes(path, text.encode("utf-8"))
