"""Merge what was read into the course: lessons, ids, quiz files, glossary, assets.

Nothing is written until every input has been read: an unreadable file stops the import with
the course untouched. The steps run in order over one `MergeState`: categories become lessons
(`categories`), questions get ids (`ids`) and go into quiz files (`placement`), glossary
entries into the glossary (`glossarymerge`); then the files are planned (`plan`) and written
(`write`). Files are edited in place where their layout allows it, so a re-import shows up in
`git diff` as exactly the questions that changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coursebuilder.diagnostics import Severity, counted_as, error
from coursebuilder.importer.categories import CategoryMap, common_head, keep_description, lesson_for
from coursebuilder.importer.common import (
    AssetStore,
    CategoryPath,
    ImportedEntry,
    ImportedQuestion,
    Notes,
    TextConverter,
    Where,
)
from coursebuilder.importer.gift import GiftReader
from coursebuilder.importer.glossarymerge import merge_glossary
from coursebuilder.importer.glossaryxml import GlossaryReader
from coursebuilder.importer.ids import assign_ids
from coursebuilder.importer.inputs import InputProblem, read_input
from coursebuilder.importer.moodlexml import MoodleXmlReader
from coursebuilder.importer.placement import place, question_model
from coursebuilder.importer.plan import plan_files
from coursebuilder.importer.result import ImportOptions, ImportResult
from coursebuilder.importer.state import MergeState, load_state
from coursebuilder.importer.write import list_planned, write_files
from coursebuilder.layout import COURSE_FILE
from coursebuilder.loader import load_course
from coursebuilder.model import Course


@dataclass
class _Read:
    """Everything read from the inputs, in input order."""

    questions: list[ImportedQuestion] = field(default_factory=list)
    entries: list[ImportedEntry] = field(default_factory=list)
    categories: list[CategoryPath] = field(default_factory=list)


def run_import(paths: list[Path], options: ImportOptions) -> ImportResult:
    """Read `paths` and merge them into the course in `options.into`."""
    result = ImportResult(dry_run=options.dry_run)
    root = options.into
    course = _load_target(root, result)
    if result.failed:
        return result
    notes = Notes()
    assets = AssetStore(root)
    read = _Read()
    for path in paths:
        _read(path, options, assets, notes, read, result)
    result.diagnostics.extend(notes.diagnostics)
    result.skipped.extend(notes.skipped)
    if any(d.severity is Severity.ERROR for d in notes.diagnostics):
        result.failed = True
        return result
    state = load_state(root, course)
    _merge(state, read, CategoryMap(forced_lesson=options.lesson), notes, result)
    result.diagnostics = notes.diagnostics
    result.skipped = notes.skipped
    files = plan_files(state, result.actions)
    if options.dry_run:
        list_planned(assets, files, result)
        return result
    if not write_files(root, assets, files, notes, result):
        result.diagnostics = notes.diagnostics
        result.failed = True
        return result
    after = load_course(root)
    result.course_errors = [d for d in after.diagnostics if d.severity is Severity.ERROR]
    return result


def _merge(state: MergeState, read: _Read, categories: CategoryMap, notes: Notes, result: ImportResult) -> None:
    """Place every question and glossary entry in `state`; record what happened in `result`."""
    if state.course is None:
        state.new_shortname = common_head([item.category for item in read.questions])
    for item, qid in assign_ids(state, read.questions, notes):
        lesson, category = lesson_for(state, categories, item, notes, result.actions)
        model = question_model(item, qid, lesson, category, notes)
        if model is not None:
            result.changes.append(place(state, model, item, notes))
    for described in read.categories:
        keep_description(state, described, notes)
    result.changes.extend(merge_glossary(state.glossary, read.entries, notes))


def _load_target(root: Path, result: ImportResult) -> Course | None:
    if root.exists() and not root.is_dir():
        result.diagnostics.append(error(str(root), 0, field="", message="is not a directory", code="import-target"))
        result.failed = True
        return None
    if not (root / COURSE_FILE).is_file():
        return None
    loaded = load_course(root)
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if loaded.course is None or errors:
        result.diagnostics.extend(errors)
        result.diagnostics.append(
            error(
                str(root),
                0,
                field="",
                message=(
                    f"the course has {counted_as(len(errors), 'error')}; fix them (coursebuilder validate {root})"
                    " and import again"
                ),
                code="import-target",
            )
        )
        result.failed = True
        return None
    return loaded.course


def _read(
    path: Path, options: ImportOptions, assets: AssetStore, notes: Notes, read: _Read, result: ImportResult
) -> None:
    name = str(path)
    try:
        source = read_input(path, name)
    except InputProblem as exc:
        notes.error(Where(name, exc.line), exc.message, "import-read")
        return
    if source.kind == "glossary-xml":
        assert source.root is not None
        read_entries = GlossaryReader(name, TextConverter(assets, "assets/", notes), notes).read(source.root)
        read.entries.extend(read_entries)
        result.inputs.append((name, "Moodle glossary XML", len(read_entries)))
        return
    converter = TextConverter(assets, "../assets/", notes)
    if source.kind == "moodle-xml":
        assert source.root is not None
        reader = MoodleXmlReader(name, converter, notes, options.match_grades)
        questions = reader.read(source.root)
        read.categories.extend(reader.categories)
        label = "Moodle XML"
    else:
        questions = GiftReader(name, converter, notes, options.match_grades).read(source.text)
        label = "GIFT"
    read.questions.extend(questions)
    result.inputs.append((name, label, len(questions)))
