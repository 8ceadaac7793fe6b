"""JSON Schemas of the source files, generated from the models (editors use them for help)."""

from __future__ import annotations

import ast
import inspect
import json
import sys
from functools import cache
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from coursebuilder.model import XML_TEXT, CourseInfo, GlossaryFile, LessonMeta, QuizFile

SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "course.schema.json": (CourseInfo, "coursebuilder course.yaml"),
    "lesson.schema.json": (LessonMeta, "coursebuilder lesson front matter"),
    "glossary.schema.json": (GlossaryFile, "coursebuilder glossary.yaml"),
    "quiz.schema.json": (QuizFile, "coursebuilder quiz file"),
}


class _DescribedFields(GenerateJsonSchema):
    """Describes each field with the docstring under it in the model's class.

    The models leave pydantic's `use_attribute_docstrings` off: reading the source of every
    class as it is defined would cost each command a good part of its start-up, and only the
    schemas need the docstrings. A description given with `Field` comes first, as in pydantic.
    """

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        docs = field_docstrings(schema["cls"])
        for name, field in json_schema.get("properties", {}).items():
            if name in docs:
                field.setdefault("description", docs[name])
        return json_schema

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        """A string's schema, without `model.Text`'s check: a YAML file cannot hold those
        characters but as escapes, and the pattern would write two noncharacters into the
        schema files, on each of their strings."""
        json_schema = super().str_schema(schema)
        if json_schema.get("pattern") == XML_TEXT:
            del json_schema["pattern"]
        return json_schema


def field_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """The docstring of each field of `model`, from the class that declares the field last."""
    docs: dict[str, str] = {}
    for name in model.model_fields:
        owner = next((cls for cls in model.__mro__ if name in vars(cls).get("__annotations__", {})), None)
        if owner is not None and name in (found := _class_docstrings(owner.__module__).get(owner.__qualname__, {})):
            docs[name] = found[name]
    return docs


@cache
def _class_docstrings(module: str) -> dict[str, dict[str, str]]:
    """Class name → attribute → docstring (a string right under an annotated attribute) for
    the classes at the top of `module`, read from its source once."""
    tree = ast.parse(inspect.getsource(sys.modules[module]))
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            docs = found[node.name] = {}
            for attribute, under in pairwise(node.body):
                if (
                    isinstance(attribute, ast.AnnAssign)
                    and isinstance(attribute.target, ast.Name)
                    and isinstance(under, ast.Expr)
                    and isinstance(under.value, ast.Constant)
                    and isinstance(under.value.value, str)
                ):
                    docs[attribute.target.id] = inspect.cleandoc(under.value.value)
    return found


def render_schemas() -> dict[str, str]:
    """File name → JSON text of every schema, deterministic."""
    out: dict[str, str] = {}
    for name, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema(mode="validation", schema_generator=_DescribedFields)
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
