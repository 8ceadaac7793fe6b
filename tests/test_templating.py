"""The page templates a build renders are loaded compiled in advance, and only when current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import jinja2
import pytest

from coursebuilder import templating
from coursebuilder.scorm.package import _environment
from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("compile_templates", ROOT / "tools" / "compile_templates.py")
assert _spec is not None and _spec.loader is not None
compile_templates = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compile_templates)

HOME = "scorm/home.html.j2"
HOME_VIEW = {
    "section": {"id": "home", "summary": "", "lessons": [{"id": "a", "title": "A", "minutes": 0}], "extras": []},
    "info": {"title": "T"},
    "msg": lambda key, **values: key,
}


def test_compiled_templates_are_current() -> None:
    rendered = compile_templates.render_compiled()
    stale = [
        name
        for name, text in rendered.items()
        if not (templating.COMPILED / name).exists() or (templating.COMPILED / name).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"compiled templates are stale ({', '.join(stale)}): run `make templates`"
    assert {path.name for path in templating.COMPILED.glob("*.py")} == set(rendered), "run `make templates`"


def test_every_template_of_a_build_loads_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build compiles no template: each comes from its compiled module, and names its source."""

    def compile_source(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled from its source")

    monkeypatch.setattr(jinja2.Environment, "compile", compile_source)
    for folder, environment in compile_templates.environments().items():
        environment.cache.clear()
        names = [name for name in environment.list_templates() if name.startswith(f"{folder}/")]
        assert names
        for name in names:
            template = environment.get_template(name)
            assert Path(template.filename or "") == templating.COMPILED.parent / "templates" / name


def test_a_compiled_template_is_used_only_with_its_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The header must name this source, these settings and this Jinja; else the template is
    compiled from its source, so a stale module never changes a page."""
    environment = _environment()
    source = environment.loader.get_source(environment, HOME)[0]
    body = templating.compiled_path(HOME).read_text(encoding="utf-8").split("\n", 1)[1]
    assert "start_course" in body
    altered = body.replace("start_course", "finish_course")
    monkeypatch.setattr(templating, "COMPILED", tmp_path)
    pages = []
    for header in (templating.header(environment, HOME, source + " "), templating.header(environment, HOME, source)):
        templating.compiled_path(HOME).write_text(header + altered, encoding="utf-8")
        environment.cache.clear()
        pages.append(environment.get_template(HOME).render(**HOME_VIEW))
    environment.cache.clear()
    assert "start_course" in pages[0]  # another source: compiled from the source
    assert "finish_course" in pages[1]  # the module of this very source is what renders


def test_the_header_changes_with_what_the_compiled_code_depends_on() -> None:
    environment = _environment()
    source = environment.loader.get_source(environment, HOME)[0]
    header = templating.header(environment, HOME, source)
    assert header.startswith(f"# {HOME}, compiled by Jinja {jinja2.__version__}: ")
    assert templating.header(environment.overlay(trim_blocks=True), HOME, source) != header
    assert templating.header(environment.overlay(autoescape=False), HOME, source) != header
    assert templating.header(environment, HOME, source + "\n") != header
