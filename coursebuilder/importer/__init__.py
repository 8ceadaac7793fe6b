"""`coursebuilder import`: bring Moodle XML, GIFT and glossary exports into course source.

`run_import(files, ImportOptions(into=...))` reads every file (format told from its content),
maps categories to lessons, gives questions stable ids, and writes quiz YAML, glossary entries
and assets into the course, updating what it already has instead of duplicating it.
"""

from coursebuilder.importer.merge import run_import
from coursebuilder.importer.report import report_lines
from coursebuilder.importer.result import Change, ImportOptions, ImportResult

__all__ = ["Change", "ImportOptions", "ImportResult", "report_lines", "run_import"]
