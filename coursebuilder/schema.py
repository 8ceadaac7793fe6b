"""JSON Schemas of the source files, generated from the models (editors use them for help)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from coursebuilder.model import CourseInfo, GlossaryFile, LessonMeta, QuizFile

SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "course.schema.json": (CourseInfo, "coursebuilder course.yaml"),
    "lesson.schema.json": (LessonMeta, "coursebuilder lesson front matter"),
    "glossary.schema.json": (GlossaryFile, "coursebuilder glossary.yaml"),
    "quiz.schema.json": (QuizFile, "coursebuilder quiz file"),
}


def render_schemas() -> dict[str, str]:
    """File name → JSON text of every schema, deterministic."""
    out: dict[str, str] = {}
    for name, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema(mode="validation")
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": name, **schema, "title": title}
        out[name] = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    return out


def write_schemas(directory: Path) -> list[Path]:
    from coursebuilder.output import write_bytes

    written = []
    for name, text in render_schemas().items():
        path = directory / name
        write_bytes(path, text.encode())
        written.append(path)
    return written
