"""Write the planned files into the course, or list them for a dry run.

Every target is checked before the first byte is written: a path that would land outside the
course directory (through a symlinked `assets/`, say) stops the whole import, so the course is
never left half-imported. Assets go first and `course.yaml` last, so a course that names a
lesson always has its file.
"""

from __future__ import annotations

import os
from pathlib import Path

from coursebuilder.importer.common import AssetStore, Notes, Where
from coursebuilder.importer.plan import FilePlan
from coursebuilder.importer.result import ImportResult
from coursebuilder.layout import COURSE_FILE, GLOSSARY_FILE
from coursebuilder.output import write_bytes
from coursebuilder.sourcefiles import write_text


def write_files(root: Path, assets: AssetStore, files: FilePlan, notes: Notes, result: ImportResult) -> bool:
    """Write assets first, then lessons, quiz files, glossary and course.yaml.

    Every target is checked first: if one would land outside the course directory, nothing is
    written, an error is noted for each, and False is returned.
    """
    root_real = Path(os.path.realpath(root))
    new_assets = {f"assets/{name}": data for name, data in assets.new_files().items()}
    outside = [rel for rel in [*new_assets, *files] if not _inside(root_real, root / rel)]
    if outside:
        for rel in outside:
            notes.error(
                Where(str(root / rel)), "would be written outside the course directory; refused", "import-target"
            )
        return False
    for rel, data in new_assets.items():
        write_bytes(root / rel, data)
        result.files.append((rel, "added"))
    order = sorted(files, key=lambda rel: (rel == COURSE_FILE, rel == GLOSSARY_FILE, rel))
    for rel in order:
        text, what = files[rel]
        write_text(root / rel, text)
        result.files.append((rel, what))
    return True


def list_planned(assets: AssetStore, files: FilePlan, result: ImportResult) -> None:
    """Fill `result.files` for a dry run, writing nothing."""
    for name in assets.new_files():
        result.files.append((f"assets/{name}", "would be added"))
    for rel, (_text, what) in sorted(files.items()):
        result.files.append((rel, f"would be {what}"))


def _inside(root_real: Path, target: Path) -> bool:
    """Whether `target` (through any symlink on its way) stays inside the course directory."""
    return Path(os.path.realpath(target)).is_relative_to(root_real)
