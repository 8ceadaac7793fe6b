"""Compile the SCORM and Common Cartridge page templates into coursebuilder/compiled_templates/.

Run after changing a template, its environment's settings or the Jinja version (`make
templates`); the tests fail while a compiled module is stale. Each folder's templates are
compiled by the environment that renders them, so the code is what that environment would
compile itself (see `coursebuilder.templating`).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment

from coursebuilder.cc.package import _environment as cc_environment
from coursebuilder.output import write_bytes
from coursebuilder.scorm.package import _environment as scorm_environment
from coursebuilder.templating import COMPILED, compiled_path, compiled_source


def environments() -> dict[str, Environment]:
    """Template folder → the environment that renders its templates."""
    return {"scorm": scorm_environment(), "cc": cc_environment()}


def render_compiled() -> dict[str, str]:
    """File name in `COMPILED` → its text, for every template of the folders in `environments`."""
    out: dict[str, str] = {}
    for folder, environment in environments().items():
        for name in environment.list_templates():
            if name.startswith(f"{folder}/"):
                out[compiled_path(name).name] = compiled_source(environment, name)
    return out


def write_compiled() -> list[Path]:
    """Compile the templates into `COMPILED` again, leaving no module of a template gone."""
    rendered = render_compiled()
    for stale in COMPILED.glob("*.py"):
        if stale.name not in rendered:
            stale.unlink()
    written = []
    for file_name, text in sorted(rendered.items()):
        write_bytes(COMPILED / file_name, text.encode("utf-8"))
        written.append(COMPILED / file_name)
    return written


if __name__ == "__main__":
    for path in write_compiled():
        print(path)
