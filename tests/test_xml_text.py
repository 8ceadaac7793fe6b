"""Every text of the model is text XML 1.0 can carry, checked where pydantic checks the value
(`model.Text`): a field, an item of a list, a field with a pattern of its own."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from coursebuilder.model import XML_TEXT, Course, Model, Text, problem_message, question_adapter, xml_char_message


def xml_char(code: int) -> bool:
    """The production `Char` of XML 1.0 (fifth edition, section 2.2), as the specification writes it."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


REFUSED = [chr(code) for code in range(sys.maxunicode + 1) if not xml_char(code) and not 0xD800 <= code <= 0xDFFF]
"""What XML 1.0 cannot carry, but the surrogates (pydantic-core refuses a string holding one
before it matches any pattern)."""


def string_schemas(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every `str` schema inside a pydantic-core schema, with where it is."""
    if isinstance(schema, dict):
        if schema.get("type") == "str":
            yield path, schema
        for key, value in schema.items():
            yield from string_schemas(value, f"{path}/{key}")
    elif isinstance(schema, (list, tuple)):
        for index, value in enumerate(schema):
            yield from string_schemas(value, f"{path}/{index}")


def test_the_pattern_refuses_what_xml_cannot_carry_and_nothing_else() -> None:
    pattern = re.compile(XML_TEXT)
    assert all(pattern.search(f"a{char}b") is None for char in REFUSED)
    allowed = [chr(code) for code in range(sys.maxunicode + 1) if xml_char(code)]
    assert pattern.search("".join(allowed)) is not None


@pytest.mark.parametrize("model", [Course], ids=lambda model: model.__name__)
def test_every_text_of_the_model_refuses_what_xml_cannot_carry(model: type[BaseModel]) -> None:
    """Course holds every model the loader validates; a new plain `str` field fails here."""
    found = list(string_schemas(model.__pydantic_core_schema__))
    assert len(found) > 40
    unchecked = [
        path
        for path, schema in found
        if "pattern" not in schema or any(re.search(schema["pattern"], f"a{char}") for char in REFUSED)
    ]
    assert unchecked == []


@pytest.mark.parametrize("field", ["text", "general_feedback"])
def test_a_lone_surrogate_is_the_same_rule(field: str) -> None:
    """PyYAML refuses an escaped lone surrogate, but the model is also built from Python (the
    importer): pydantic-core reports it as `string_unicode`, which becomes our message."""
    data = {"id": "q", "type": "essay", "text": "T", field: "half \ud800 of a pair"}
    with pytest.raises(ValidationError) as raised:
        question_adapter().validate_python(data)
    errors = raised.value.errors(include_url=False)
    assert [(error["loc"][-1], xml_char_message(error)) for error in errors] == [
        (field, "contains U+D800, which XML 1.0 cannot carry")
    ]


def test_other_pattern_errors_keep_their_message() -> None:
    with pytest.raises(ValidationError) as raised:
        question_adapter().validate_python({"id": "Not A Slug\x07", "type": "essay", "text": "T"})
    (error,) = raised.value.errors(include_url=False)
    assert error["type"] == "string_pattern_mismatch"
    assert xml_char_message(error) is None


class _Checked(Model):
    name: Text

    @field_validator("name")
    @classmethod
    def _not_x(cls, value: str) -> str:
        if value == "x":
            raise ValueError("x is taken")
        return value


@pytest.mark.parametrize(
    ("name", "message"),
    [("x", "x is taken"), ("bell \x07", "contains U+0007, which XML 1.0 cannot carry")],
)
def test_a_problem_reads_as_the_loader_and_the_importer_report_it(name: str, message: str) -> None:
    """Pydantic puts `Value error, ` before a validator's own message; the XML character
    check has a message of ours."""
    with pytest.raises(ValidationError) as raised:
        _Checked(name=name)
    (error,) = raised.value.errors(include_url=False)
    assert problem_message(error) == message
