"""Page templates compiled to Python in advance, so that a build does not compile them again.

Jinja turns each template into Python source before it can render it, which takes a small
build longer than writing its pages. The SCORM and Common Cartridge page templates are
compiled once into `compiled_templates/` (`make templates`: tools/compile_templates.py) and
loaded from there as Python modules (which Python itself caches as bytecode). Each compiled file starts with a
header naming the template's source (by hash), the Jinja version and the environment's
settings that change the compiled code: a file whose header does not match is not used, and
the template is compiled from its source as before, so a stale file never changes a page.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import BaseLoader, Environment, PackageLoader, Template

COMPILED = Path(__file__).parent / "compiled_templates"
"""The compiled templates: one module per template, named after it (`scorm/page_start.html.j2` is
`scorm_page_start.py`)."""


class PrecompiledLoader(BaseLoader):
    """The package's templates, taken from `COMPILED` when compiled from this very source."""

    def __init__(self) -> None:
        self.source = PackageLoader("coursebuilder", "templates")

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.source.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.source.list_templates()

    def load(self, environment: Environment, name: str, globals: MutableMapping[str, Any] | None = None) -> Template:
        source, filename, _ = self.get_source(environment, name)
        path = compiled_path(name)
        try:
            with path.open(encoding="utf-8") as compiled:
                current = compiled.readline() == header(environment, name, source)
        except OSError:
            current = False
        if not current:
            return super().load(environment, name, globals)
        spec = importlib.util.spec_from_file_location(f"coursebuilder.compiled_templates.{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.__file__ = filename  # errors in a template point at its source, as when compiled here
        return environment.template_class.from_module_dict(
            environment, vars(module), {} if globals is None else globals
        )


def compiled_path(name: str) -> Path:
    """Where the compiled module of template `name` is kept."""
    return COMPILED / (name.removesuffix(".j2").removesuffix(".html").replace("/", "_").replace("-", "_") + ".py")


def header(environment: Environment, name: str, source: str) -> str:
    """The first line of the compiled module: what the compiled code depends on."""
    settings = (
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        environment.finalize is not None,
        environment.autoescape(name) if callable(environment.autoescape) else environment.autoescape,
        sorted(environment.extensions),
    )
    digest = hashlib.sha256(f"{source}\0{settings!r}".encode()).hexdigest()
    return f"# {name}, compiled by Jinja {jinja2.__version__}: {digest}\n"


def compiled_source(environment: Environment, name: str) -> str:
    """The module `PrecompiledLoader` loads for template `name` (header, then Jinja's code)."""
    source, filename, _ = environment.loader.get_source(environment, name)  # type: ignore[union-attr]
    code = environment.compile(source, name, filename, raw=True, defer_init=True)
    return header(environment, name, source) + code + "\n"
