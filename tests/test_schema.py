"""The committed JSON Schemas must match the models."""

from __future__ import annotations

import json

from coursebuilder.schema import render_schemas
from tests.conftest import ROOT


def test_committed_schemas_are_current() -> None:
    rendered = render_schemas()
    stale = [name for name, text in rendered.items() if (ROOT / "schemas" / name).read_text(encoding="utf-8") != text]
    assert not stale, f"schemas/ is stale ({', '.join(stale)}): run `make schema`"


def test_schemas_folder_holds_nothing_stale() -> None:
    """A schema renamed or dropped from the models leaves no orphan file for editors to use."""
    committed = {path.name for path in (ROOT / "schemas").iterdir()}
    assert committed == set(render_schemas()), "schemas/ has files the models no longer make: run `make schema`"


def test_quiz_schema_knows_every_question_type() -> None:
    schema = json.loads(render_schemas()["quiz.schema.json"])
    mapping = (
        schema["$defs"]["QuizFile"]["properties"]["questions"]["items"]["discriminator"]["mapping"]
        if "QuizFile" in schema.get("$defs", {})
        else schema["properties"]["questions"]["items"]["discriminator"]["mapping"]
    )
    assert set(mapping) == {
        "multichoice",
        "truefalse",
        "shortanswer",
        "numerical",
        "matching",
        "essay",
        "description",
        "cloze",
        "ordering",
    }


def test_field_descriptions_come_from_the_class_that_declares_the_field() -> None:
    """As pydantic's `use_attribute_docstrings` would have it: an inherited field keeps its
    docstring, a field declared again takes the new declaration's (or none)."""
    from coursebuilder import model
    from coursebuilder.schema import field_docstrings

    multichoice = field_docstrings(model.MultiChoice)
    assert multichoice["id"] == "Stable id: Moodle's idnumber, SCORM interaction id."
    assert "shuffle" not in multichoice
    assert field_docstrings(model.Cloze)["points"].startswith("Not used: a cloze question is worth")
    assert "points" not in field_docstrings(model.Description)
    assert "points" in field_docstrings(model.QuestionBase)
    # Read only for the schemas, not as the models are defined (which would slow every command).
    assert model.QuestionBase.model_fields["points"].description is None
