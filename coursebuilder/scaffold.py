"""`coursebuilder new`: a small example course that passes `validate --strict`, ready for git.

Besides the course itself the scaffold writes what a course repository needs around it: the
JSON Schemas (so editors complete and check the YAML files), `.vscode/settings.json` mapping
the files to them, `.gitignore`, a pre-commit hook and a CI workflow that validates and builds.
"""

from __future__ import annotations

import json
import posixpath
import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

import jinja2

from coursebuilder import __version__
from coursebuilder.output import write_bytes
from coursebuilder.schema import render_schemas

LANGUAGES = ("en", "id")
"""Languages of the example text (one skeleton folder each in `coursebuilder/skeleton/`)."""

SCHEMA_DIR = "schemas"
"""Where the new course keeps its copy of the JSON Schemas."""

SCHEMA_MAP: dict[str, tuple[str, ...]] = {
    "course.schema.json": ("course.yaml",),
    "glossary.schema.json": ("glossary.yaml",),
    "quiz.schema.json": ("quiz/*.yaml", "quiz/**/*.yaml", "quiz/*.yml", "quiz/**/*.yml"),
}
"""Schema file → the course files it describes (globs relative to the course directory)."""

_SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=(?P<ref>\S+)\n", re.M)

_EXTRAS = {
    ".gitignore": "gitignore",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
}
"""Files of the course repository → their source in `coursebuilder/templates/scaffold/`."""

WORKFLOW = ".github/workflows/course.yml"
"""The course repository's CI workflow, rendered from `templates/scaffold/course.yml.j2`."""

ACTION_REPOSITORY = "coursebuilder/coursebuilder"
"""The GitHub repository whose `action.yml` the workflow uses, at the tag `v<version>`."""

VENDOR_DIR = "vendor"
"""Where `new --install WHEEL` puts a copy of the wheel, so CI can install it from the course."""


def action_ref(version: str = __version__) -> str:
    """`owner/repo@tag` of coursebuilder's GitHub Action for `version`."""
    return f"{ACTION_REPOSITORY}@v{version}"


def install_spec(spec: str | None) -> tuple[str | None, dict[str, bytes]]:
    """The workflow's `install` input for `new --install SPEC`, and the files it needs in the course.

    No SPEC: None, the action installs the coursebuilder of its own tag. A wheel path: the wheel
    is copied into `vendor/` (a path on the author's machine would not exist in CI) and installed
    from there. Anything else (a git URL, a requirement) goes to pip as it is.
    """
    if not spec:
        return None, {}
    if spec.endswith(".whl") and "://" not in spec:
        wheel = Path(spec)
        if not wheel.is_file():
            raise FileNotFoundError(f"--install {spec}: no such wheel")
        name = f"{VENDOR_DIR}/{wheel.name}"
        return f"./{PurePosixPath(name)}", {name: wheel.read_bytes()}
    return spec, {}


def workflow(install: str | None = None, version: str = __version__) -> bytes:
    """The CI workflow: checkout, then coursebuilder's action, installing `install` or `version`."""
    source = (files("coursebuilder") / "templates" / "scaffold" / "course.yml.j2").read_text(encoding="utf-8")
    template = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True
    ).from_string(source)
    text = template.render(
        action=action_ref(version),
        version=version,
        install=install,
        install_quoted=json.dumps(install, ensure_ascii=False),
    )
    return text.encode("utf-8")


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for child in sorted(node.iterdir(), key=lambda n: n.name):
        name = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                found.extend(_walk(child, f"{name}/"))
        elif not child.name.endswith(".pyc"):
            found.append((name, child.read_bytes()))
    return found


def point_schema_comment(name: str, data: bytes) -> bytes:
    """Make a YAML file's `# yaml-language-server: $schema=` comment reach `schemas/` of the course.

    The skeleton's comments are written for the repository layout; in a new course the
    schemas sit in the course's own `schemas/` folder, so the path depends on the file's depth.
    """
    if not name.endswith((".yaml", ".yml")):
        return data
    text = data.decode("utf-8")

    def repoint(match: re.Match[str]) -> str:
        schema = posixpath.basename(match.group("ref"))
        ref = posixpath.relpath(f"{SCHEMA_DIR}/{schema}", posixpath.dirname(name) or ".")
        return f"# yaml-language-server: $schema={ref}\n"

    return _SCHEMA_COMMENT.sub(repoint, text, count=1).encode("utf-8")


def vscode_settings() -> dict[str, object]:
    """`.vscode/settings.json`: the YAML extension's schema mapping, plus Markdown comfort."""
    return {
        "yaml.schemas": {f"./{SCHEMA_DIR}/{schema}": list(globs) for schema, globs in SCHEMA_MAP.items()},
        "yaml.validate": True,
        "yaml.completion": True,
        "files.exclude": {"dist": True},
        "[markdown]": {"editor.wordWrap": "on"},
    }


def scaffold_files(language: str = "en", install: str | None = None) -> dict[str, bytes]:
    """Every file of a new course in `language`: relative path → content (sorted, deterministic).

    `install` is `new --install SPEC`: what the CI workflow installs (see `install_spec`).
    """
    if language not in LANGUAGES:
        raise ValueError(f"no example course in {language!r}; choose from {', '.join(LANGUAGES)}")
    out: dict[str, bytes] = {}
    for name, data in _walk(files("coursebuilder") / "skeleton" / language):
        out[name] = point_schema_comment(name, data)
    for name, text in render_schemas().items():
        out[f"{SCHEMA_DIR}/{name}"] = text.encode("utf-8")
    extras = files("coursebuilder") / "templates" / "scaffold"
    for name, source in _EXTRAS.items():
        out[name] = (extras / source).read_bytes()
    spec, vendored = install_spec(install)
    out[WORKFLOW] = workflow(spec)
    out.update(vendored)
    out[".vscode/settings.json"] = (json.dumps(vscode_settings(), indent=2) + "\n").encode("utf-8")
    out[".vscode/extensions.json"] = (json.dumps({"recommendations": ["redhat.vscode-yaml"]}, indent=2) + "\n").encode(
        "utf-8"
    )
    return dict(sorted(out.items()))


def create_course(directory: Path, language: str = "en", install: str | None = None) -> list[Path]:
    """Write the example course for `language` into `directory`, which must be empty or new."""
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty; choose a new directory")
    written = []
    for name, data in scaffold_files(language, install).items():
        path = directory / name
        write_bytes(path, data)
        written.append(path)
    return written
