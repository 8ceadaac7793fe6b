"""Merge what was read into the course: lessons, ids, quiz files, glossary, assets.

Nothing is written until every input has been read: an unreadable file stops the import with
the course untouched. Questions whose id the course already has are updated where they are
(same quiz file, same place in it); others are added to the quiz file of their lesson. Files
are edited in place where their layout allows it, so a re-import shows up in `git diff` as
exactly the questions that changed.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from coursebuilder.diagnostics import Diagnostic, Severity, error
from coursebuilder.importer.common import (
    AssetStore,
    CategoryPath,
    ImportedEntry,
    ImportedQuestion,
    MatchGrades,
    Notes,
    Skipped,
    TextConverter,
    Where,
    is_slug,
    slugify,
    stable_hash,
)
from coursebuilder.importer.gift import GiftReader
from coursebuilder.importer.glossaryxml import GlossaryReader
from coursebuilder.importer.htmltext import canonical_html
from coursebuilder.importer.inputs import InputProblem, read_input
from coursebuilder.importer.moodlexml import MoodleXmlReader
from coursebuilder.importer.yamledit import ListEdit, edit_list, item_text
from coursebuilder.layout import COURSE_FILE, GLOSSARY_FILE, LESSONS_DIR, QUIZ_DIR, lesson_files
from coursebuilder.loader import load_course
from coursebuilder.markdown import render
from coursebuilder.model import (
    GAP_REF,
    Cloze,
    Course,
    CourseInfo,
    GlossaryEntry,
    GlossaryFile,
    Lesson,
    Question,
    QuizDefaults,
    QuizFile,
    markdown_fields,
)
from coursebuilder.moodlexml.terms import duplicate_everywhere
from coursebuilder.moodlexml.writer import lesson_info, read_lesson_info
from coursebuilder.output import write_bytes
from coursebuilder.sourcefiles import dump_course_info, dump_glossary, dump_lesson, dump_questions, write_text
from coursebuilder.yamlio import YamlProblem, parse_yaml

_QUESTION: TypeAdapter[Question] = TypeAdapter(Question)
Action = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True)
class ImportOptions:
    """What `coursebuilder import` was asked to do."""

    into: Path
    lesson: str | None = None
    """Put every question into this lesson (created when the course lacks it)."""
    match_grades: MatchGrades = "error"
    """Moodle's "match grades" option: refuse grades Moodle does not accept, or take the nearest."""
    dry_run: bool = False


@dataclass(frozen=True)
class Change:
    """What happened to one question or glossary entry."""

    what: Literal["question", "entry"]
    key: str
    action: Action
    file: str
    kind: str


@dataclass
class ImportResult:
    """Everything the import did or found, for the report and for tests."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)
    """(path relative to the course, what happened to it)."""
    actions: list[str] = field(default_factory=list)
    """Lessons or a course created, categories mapped: one line each."""
    inputs: list[tuple[str, str, int]] = field(default_factory=list)
    """(input file, detected format, items read)."""
    failed: bool = False
    """True when nothing was written because an input or the course could not be read."""
    course_errors: list[Diagnostic] = field(default_factory=list)
    """Errors `validate` finds in the course after the import."""
    dry_run: bool = False

    @property
    def imported_by_type(self) -> Counter[str]:
        return Counter(c.kind for c in self.changes)

    @property
    def skipped_by_type(self) -> Counter[str]:
        return Counter(s.kind for s in self.skipped)


# --------------------------------------------------------------------------- entry point


def run_import(paths: list[Path], options: ImportOptions) -> ImportResult:
    """Read `paths` and merge them into the course in `options.into`."""
    result = ImportResult(dry_run=options.dry_run)
    root = options.into
    course = _load_target(root, result)
    if result.failed:
        return result
    notes = Notes()
    assets = AssetStore(root)
    questions: list[ImportedQuestion] = []
    entries: list[ImportedEntry] = []
    categories: list[CategoryPath] = []
    for path in paths:
        _read(path, options, assets, notes, questions, entries, categories, result)
    result.diagnostics.extend(notes.diagnostics)
    result.skipped.extend(notes.skipped)
    if any(d.severity is Severity.ERROR for d in notes.diagnostics):
        result.failed = True
        return result
    merger = _Merger(root, course, options, assets, notes, result)
    merger.merge(questions, entries, categories)
    result.diagnostics = notes.diagnostics
    result.skipped = notes.skipped
    if options.dry_run:
        merger.plan_report()
        return result
    if not merger.write():
        result.diagnostics = notes.diagnostics
        result.failed = True
        return result
    after = load_course(root)
    result.course_errors = [d for d in after.diagnostics if d.severity is Severity.ERROR]
    return result


def _load_target(root: Path, result: ImportResult) -> Course | None:
    if root.exists() and not root.is_dir():
        result.diagnostics.append(error(str(root), 0, "", "is not a directory", "import-target"))
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
                "",
                f"the course has {len(errors)} error(s); fix them (coursebuilder validate {root}) and import again",
                "import-target",
            )
        )
        result.failed = True
        return None
    return loaded.course


def _read(
    path: Path,
    options: ImportOptions,
    assets: AssetStore,
    notes: Notes,
    questions: list[ImportedQuestion],
    entries: list[ImportedEntry],
    categories: list[CategoryPath],
    result: ImportResult,
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
        entries.extend(read_entries)
        result.inputs.append((name, "Moodle glossary XML", len(read_entries)))
        return
    converter = TextConverter(assets, "../assets/", notes)
    if source.kind == "moodle-xml":
        assert source.root is not None
        reader = MoodleXmlReader(name, converter, notes, options.match_grades)
        read = reader.read(source.root)
        categories.extend(reader.categories)
        label = "Moodle XML"
    else:
        read = GiftReader(name, converter, notes, options.match_grades).read(source.text)
        label = "GIFT"
    questions.extend(read)
    result.inputs.append((name, label, len(read)))


# --------------------------------------------------------------------------- merging


@dataclass
class _QuizState:
    rel: str
    text: str | None
    defaults: QuizDefaults
    final: list[Question]
    replace: dict[int, Question] = field(default_factory=dict)
    append: list[Question] = field(default_factory=list)


@dataclass
class _NewLesson:
    id: str
    title: str
    reason: str
    body: str = ""
    """The description of the category the lesson was made for, if it had one."""
    summary: str = ""
    objectives: list[str] = field(default_factory=list)
    """From a category description of the shape the course's own Moodle target writes."""


class _Merger:
    def __init__(
        self,
        root: Path,
        course: Course | None,
        options: ImportOptions,
        assets: AssetStore,
        notes: Notes,
        result: ImportResult,
    ) -> None:
        self.root = root
        self.course = course
        self.options = options
        self.assets = assets
        self.notes = notes
        self.result = result
        self.lessons: dict[str, str] = {}
        """Lesson id → title, existing and new."""
        if course is not None:
            self.lessons = {lesson.id: lesson.title for lesson in course.lessons}
            self.lessons.update({lid: lid for lid in course.info.lessons if lid not in self.lessons})
        self.new_lessons: list[_NewLesson] = []
        self.quiz: dict[str, _QuizState] = {}
        self.existing: dict[str, tuple[str, int]] = {}
        """Question id → (quiz file, index in it)."""
        self.glossary_text: str | None = None
        self.glossary_final: list[GlossaryEntry] = []
        self.glossary_replace: dict[int, GlossaryEntry] = {}
        self.glossary_append: list[GlossaryEntry] = []
        self.glossary_head = GlossaryFile()
        self.mapped: dict[tuple[str, ...], tuple[str, str | None]] = {}
        self.mapped_segments: dict[str, tuple[str, ...]] = {}
        self._flattened: set[str] = set()
        self.new_summary = ""
        self.new_shortname = ""
        """Short name of a course this import creates: the export's top category, if it has one."""
        """Summary of a course this import creates (the top category's description)."""
        self._load_quiz_files()

    # ----------------------------------------------------------------- course state

    def _load_quiz_files(self) -> None:
        if self.course is None:
            return
        by_file: dict[str, list[Question]] = {}
        for question in self.course.questions:
            by_file.setdefault(question.source_file, []).append(question)
        for rel, questions in sorted(by_file.items()):
            text = (self.root / rel).read_text(encoding="utf-8")
            defaults = _defaults_of(text)
            self.quiz[rel] = _QuizState(rel, text, defaults, list(questions))
            for index, question in enumerate(questions):
                self.existing[question.id] = (rel, index)
        folder = self.root / QUIZ_DIR
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                rel = path.relative_to(self.root).as_posix()
                if path.suffix in (".yaml", ".yml") and rel not in self.quiz:
                    text = path.read_text(encoding="utf-8")
                    self.quiz[rel] = _QuizState(rel, text, _defaults_of(text), [])

    @property
    def shortname(self) -> str:
        return self.course.info.shortname if self.course is not None else self.new_shortname

    # ----------------------------------------------------------------- merge

    def merge(
        self, questions: list[ImportedQuestion], entries: list[ImportedEntry], categories: list[CategoryPath]
    ) -> None:
        if self.course is None:
            self.new_shortname = _common_head([item.category for item in questions])
        placed = self._assign_ids(questions)
        for item, qid in placed:
            lesson, category = self._lesson_for(item)
            model = self._model(item, qid, lesson, category)
            if model is not None:
                self._place(model, item)
        for described in categories:
            self._category_description(described)
        self._merge_glossary(entries)

    def _category_description(self, category: CategoryPath) -> None:
        """Keep a category's description where the course has a place for it, or say it is lost.

        The course's own build describes the course and each lesson in its categories, so a
        description equal to that one is already kept; a new lesson takes its category's as text.
        """
        if not category.info_markdown:
            return
        segments = self._strip_course(list(category.segments))
        if not segments:
            if self.course is None:
                self.new_summary = self.new_summary or category.info_markdown
                return
            expected = render(self.course.info.summary)
        elif len(segments) == 1 and (lesson_id := self._find(segments[0])) is not None:
            created = next((lesson for lesson in self.new_lessons if lesson.id == lesson_id), None)
            if created is not None:
                described = read_lesson_info(category.info_html)
                if described is not None and not (created.body or created.summary or created.objectives):
                    created.summary, created.objectives = described[0], list(described[1])
                else:
                    created.body = created.body or category.info_markdown
                return
            assert self.course is not None
            lesson = next((item for item in self.course.lessons if item.id == lesson_id), None)
            if lesson is None:
                return
            expected = lesson_info(lesson.summary, lesson.objectives).text
        else:
            expected = ""
        if canonical_html(expected) != canonical_html(category.info_html):
            self.notes.warn(
                category.where,
                f"category {category.raw!r}: its description is not kept by the course format",
                "import-dropped",
            )

    def _strip_course(self, segments: list[str]) -> list[str]:
        """Drop the category that stands for the course itself.

        The course's own export puts everything under its short name; Moodle's exports under
        "Default for <course>"; a hand-made bank may use the course title.
        """
        title = self.course.info.title if self.course is not None else ""
        if segments and (
            segments[0] == self.shortname
            or segments[0].startswith("Default for ")
            or (segments[0] == title and len(segments) > 1)
        ):
            return segments[1:]
        return segments

    def _lesson_for(self, item: ImportedQuestion) -> tuple[str, str | None]:
        segments = item.category.segments if item.category is not None else ()
        key = segments if segments else (item.where.file,)
        if key in self.mapped:
            return self.mapped[key]
        mapped = self._map_category(item.category, item.where)
        self.mapped[key] = mapped
        return mapped

    def _map_category(self, category: CategoryPath | None, where: Where) -> tuple[str, str | None]:
        segments = self._strip_course(list(category.segments) if category is not None else [])
        label = repr(category.raw) if category is not None else "(no category)"
        if self.options.lesson is not None:
            lesson = self._ensure_lesson(self.options.lesson, None, f"for --lesson {self.options.lesson}")
            if segments and self._matches(segments[0], lesson):
                segments.pop(0)
            sub = _join(segments)
            self.mapped_segments[label] = tuple(segments)
            self._mapped_note(label, lesson, sub, where)
            return lesson, sub
        if not segments:
            stem = Path(where.file).stem
            lesson = self._find(stem) or self._ensure_lesson(
                slugify(stem) or "imported", stem, f"for the questions of {where.file} that have no category"
            )
            self._mapped_note(label, lesson, None, where)
            return lesson, None
        head, rest = segments[0], segments[1:]
        lesson = self._find(head) or self._ensure_lesson(
            slugify(head) or f"lesson-{stable_hash(head)}", head, f"for category {label}"
        )
        sub = _join(rest)
        self.mapped_segments[label] = tuple(rest)
        self._mapped_note(label, lesson, sub, where)
        return lesson, sub

    def _mapped_note(self, label: str, lesson: str, sub: str | None, where: Where) -> None:
        target = f"lesson {lesson!r}" + (f", category {sub!r}" if sub else "")
        self.result.actions.append(f"{where.file}: category {label} → {target}")
        if sub is not None and label not in self._flattened:
            depth = len(self.mapped_segments.get(label, ()))
            if depth > 1:
                self._flattened.add(label)
                self.notes.warn(
                    where,
                    f"category {label}: the course has one level of categories below a lesson; "
                    f"its sub-categories become the one category {sub!r}",
                    "import-category",
                )

    def _matches(self, segment: str, lesson_id: str) -> bool:
        title = self.lessons.get(lesson_id, "")
        return segment in (lesson_id, title) or segment.casefold() == title.casefold()

    def _find(self, segment: str) -> str | None:
        for lesson_id, title in self.lessons.items():
            if segment == title:
                return lesson_id
        for lesson_id, title in self.lessons.items():
            if segment.casefold() == title.casefold() or segment == lesson_id or slugify(segment) == lesson_id:
                return lesson_id
        return None

    def _ensure_lesson(self, lesson_id: str, title: str | None, reason: str) -> str:
        if lesson_id in self.lessons:
            return lesson_id
        if not is_slug(lesson_id):
            lesson_id = slugify(lesson_id) or f"lesson-{stable_hash(lesson_id)}"
        title = title or lesson_id.replace("-", " ").capitalize()
        self.lessons[lesson_id] = title
        self.new_lessons.append(_NewLesson(lesson_id, title, reason))
        return lesson_id

    # ----------------------------------------------------------------- ids

    def _assign_ids(self, questions: list[ImportedQuestion]) -> list[tuple[ImportedQuestion, str]]:
        taken: dict[str, ImportedQuestion] = {}
        ids: dict[int, str] = {}
        for index, item in enumerate(questions):
            if not item.idnumber:
                continue
            qid = item.idnumber if is_slug(item.idnumber) else slugify(item.idnumber, 100)
            if not qid:
                continue
            if qid != item.idnumber:
                self.notes.warn(item.where, f"idnumber {item.idnumber!r} is not a valid id; used {qid!r}", "import-id")
            if qid in taken:
                first = taken[qid].where
                self.notes.warn(
                    item.where,
                    f"idnumber {item.idnumber!r} is also used at line {first.line}; this question gets a new id",
                    "import-id",
                )
                continue
            taken[qid] = item
            ids[index] = qid
        for index, item in enumerate(questions):
            if index in ids:
                continue
            base = slugify(item.name) or slugify(str(item.fields.get("text", ""))) or "question"
            base = base[:90]
            number = 1
            while True:
                qid = base if number == 1 else f"{base}-{number}"
                number += 1
                if qid in taken:
                    continue
                known = self._existing_question(qid)
                if known is not None and known.display_name != (item.name or qid):
                    continue
                break
            taken[qid] = item
            ids[index] = qid
        return [(item, ids[index]) for index, item in enumerate(questions)]

    def _existing_question(self, qid: str) -> Question | None:
        found = self.existing.get(qid)
        if found is None:
            return None
        rel, index = found
        return self.quiz[rel].final[index]

    # ----------------------------------------------------------------- models

    def _model(self, item: ImportedQuestion, qid: str, lesson: str, category: str | None) -> Question | None:
        data = dict(item.fields)
        data["id"] = qid
        data["lesson"] = lesson
        if category:
            data["category"] = category
        if item.name and item.name != qid:
            data["name"] = item.name
        try:
            return _QUESTION.validate_python(data)
        except ValidationError as exc:
            problems = []
            for problem in exc.errors(include_url=False):
                loc = [str(part) for part in problem["loc"]]
                if loc and loc[0] == data.get("type"):
                    loc = loc[1:]
                message = str(problem["msg"]).removeprefix("Value error, ")
                problems.append(f"{'.'.join(loc)}: {message}" if loc else message)
            self.notes.skip(item.kind, item.where, "; ".join(problems), f"question {item.name or qid!r}")
            return None

    # ----------------------------------------------------------------- placement

    def _place(self, model: Question, item: ImportedQuestion) -> None:
        found = self.existing.get(model.id)
        if found is not None:
            rel, index = found
            state = self.quiz[rel]
            current = state.final[index]
            model = preserve_texts(current, model)
            effective = _with_defaults(model, state.defaults)
            action: Action = "unchanged" if _same(current, effective) else "updated"
            if effective.model_dump(mode="json") != model.model_dump(mode="json"):
                self.notes.warn(
                    item.where,
                    f"question {model.id!r}: the defaults of {rel} change it (lesson, category or tags)",
                    "import-defaults",
                )
            if action == "updated":
                state.final[index] = effective
                original = len(state.final) - len(state.append)
                if index < original:
                    state.replace[index] = model
                else:
                    state.append[index - original] = model
            self.result.changes.append(Change("question", model.id, action, rel, item.kind))
            return
        rel = self._target_file(model)
        state = self.quiz[rel]
        state.final.append(model)
        state.append.append(model)
        self.existing[model.id] = (rel, len(state.final) - 1)
        self.result.changes.append(Change("question", model.id, "added", rel, item.kind))

    def _target_file(self, model: Question) -> str:
        for rel, state in self.quiz.items():
            d = state.defaults
            if d.lesson != model.lesson:
                continue
            if d.category is not None and model.category is None:
                continue
            if not set(d.tags) <= set(model.tags):
                continue
            return rel
        assert model.lesson is not None
        base = model.lesson
        rel = f"{QUIZ_DIR}/{base}.yaml"
        number = 2
        while rel in self.quiz or (self.root / rel).exists():
            rel = f"{QUIZ_DIR}/{base}-{number}.yaml"
            number += 1
        self.quiz[rel] = _QuizState(rel, None, QuizDefaults(lesson=model.lesson), [])
        return rel

    # ----------------------------------------------------------------- glossary

    def _merge_glossary(self, entries: list[ImportedEntry]) -> None:
        path = self.root / GLOSSARY_FILE
        if self.course is not None and path.is_file():
            self.glossary_text = path.read_text(encoding="utf-8")
            self.glossary_head = self.course.glossary
            self.glossary_final = list(self.course.glossary.entries)
        if not entries:
            return
        if self.glossary_text is None:
            first = entries[0]
            self.glossary_head = GlossaryFile(name=first.glossary_name or "Glossary", intro=first.glossary_intro)
        elif entries[0].glossary_name and entries[0].glossary_name != self.glossary_head.name:
            self.notes.warn(
                entries[0].where,
                f"glossary name {entries[0].glossary_name!r} differs from the course's "
                f"{self.glossary_head.name!r}; kept the course's",
                "import-glossary",
            )
        for item in entries:
            try:
                entry = GlossaryEntry.model_validate(item.fields)
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}"
                    for problem in exc.errors(include_url=False)
                )
                self.notes.skip("glossary entry", item.where, problems, repr(item.fields.get("term")))
                continue
            index = self._find_entry(entry)
            if index is None:
                self.glossary_final.append(entry)
                self.glossary_append.append(entry)
                self.result.changes.append(Change("entry", entry.term, "added", GLOSSARY_FILE, "glossary entry"))
                continue
            current = self.glossary_final[index]
            entry = preserve_texts(current, entry)
            if current.model_dump(mode="json") == entry.model_dump(mode="json"):
                action: Action = "unchanged"
            else:
                action = "updated"
                self.glossary_final[index] = entry
                if index < len(self.glossary_final) - len(self.glossary_append):
                    self.glossary_replace[index] = entry
                else:
                    self.glossary_append[index - (len(self.glossary_final) - len(self.glossary_append))] = entry
            self.result.changes.append(Change("entry", entry.term, action, GLOSSARY_FILE, "glossary entry"))

    def _find_entry(self, entry: GlossaryEntry) -> int | None:
        for index, current in enumerate(self.glossary_final):
            if current.term == entry.term:
                return index
        for index, current in enumerate(self.glossary_final):
            # The same concept for Moodle on every database (µL and μL are two).
            if not (current.case_sensitive or entry.case_sensitive) and duplicate_everywhere(
                current.term, entry.term, False
            ):
                return index
        return None

    # ----------------------------------------------------------------- files

    def planned_files(self) -> dict[str, tuple[str, str]]:
        """Path (relative) → (new text, what happened), for every source file to write."""
        files: dict[str, tuple[str, str]] = {}
        for rel, state in sorted(self.quiz.items()):
            if not state.replace and not state.append:
                continue
            files[rel] = self._quiz_text(state)
        if self.glossary_replace or self.glossary_append:
            files[GLOSSARY_FILE] = self._glossary_text()
        lesson_texts = self._lesson_texts()
        files.update(lesson_texts)
        course_text = self._course_text()
        if course_text is not None:
            files[COURSE_FILE] = course_text
        return files

    def _quiz_text(self, state: _QuizState) -> tuple[str, str]:
        if state.text is None:
            return dump_questions(state.final, state.defaults), "created"
        edit = ListEdit(
            replace={index: _one_question(model, state.defaults) for index, model in state.replace.items()},
            append=[_one_question(model, state.defaults) for model in state.append],
        )
        edited = edit_list(state.text, "questions", edit)
        if edited is not None and _quiz_matches(edited, state.final):
            return edited, "edited"
        return dump_questions(state.final, state.defaults), "rewritten"

    def _glossary_text(self) -> tuple[str, str]:
        full = self.glossary_head.model_copy(update={"entries": self.glossary_final})
        if self.glossary_text is None:
            return dump_glossary(full), "created"
        edit = ListEdit(
            replace={index: _one_entry(entry) for index, entry in self.glossary_replace.items()},
            append=[_one_entry(entry) for entry in self.glossary_append],
        )
        edited = edit_list(self.glossary_text, "entries", edit)
        if edited is not None and _glossary_matches(edited, self.glossary_final):
            return edited, "edited"
        return dump_glossary(full), "rewritten"

    def _lesson_texts(self) -> dict[str, tuple[str, str]]:
        texts: dict[str, tuple[str, str]] = {}
        numbers = [int(m.group(1)) for p in lesson_files(self.root) if (m := re.match(r"^(\d+)[-_]", p.name))]
        next_number = max(numbers, default=0) + 1
        if self.course is None and not self.new_lessons:
            self.new_lessons.append(_NewLesson("introduction", "Introduction", "because a course needs a lesson"))
        for lesson in self.new_lessons:
            rel = f"{LESSONS_DIR}/{next_number:02d}-{lesson.id}.md"
            next_number += 1
            body = f"\n<!-- Created by `coursebuilder import` {lesson.reason}. Write the lesson here. -->\n"
            if lesson.body:
                body += f"\n{lesson.body}\n"
            model = Lesson.model_construct(
                id=lesson.id, title=lesson.title, summary=lesson.summary, objectives=lesson.objectives, body=body
            )
            texts[rel] = (dump_lesson(model, file_slug=lesson.id), "created")
            self.result.actions.append(f"created lesson {lesson.id!r} ({lesson.title}) {lesson.reason}")
        return texts

    def _course_text(self) -> tuple[str, str] | None:
        new_ids = [lesson.id for lesson in self.new_lessons]
        if self.course is None:
            name = self.root.resolve().name
            course_id = slugify(name) or "course"
            info = CourseInfo(
                id=course_id,
                title=name or course_id,
                shortname=self.new_shortname or course_id.upper()[:30],
                summary=self.new_summary,
                lessons=new_ids,
            )
            self.result.actions.append(f"created course {course_id!r} in {self.root}")
            return dump_course_info(info), "created"
        if not new_ids:
            return None
        text = (self.root / COURSE_FILE).read_text(encoding="utf-8")
        lessons = [*self.course.info.lessons, *new_ids]
        edited = edit_list(text, "lessons", ListEdit(append=[f"  - {lid}\n" for lid in new_ids]))
        if edited is not None and _course_lessons(edited) == lessons:
            return edited, "edited"
        return dump_course_info(self.course.info.model_copy(update={"lessons": lessons})), "rewritten"

    def write(self) -> bool:
        """Write assets first, then lessons, quiz files, glossary and course.yaml.

        Every target is checked first: if one would land outside the course directory (a
        symlinked `assets/`, say), nothing is written and False is returned.
        """
        root_real = Path(os.path.realpath(self.root))
        assets = {f"assets/{name}": data for name, data in self.assets.new_files().items()}
        files = self.planned_files()
        outside = [rel for rel in [*assets, *files] if not _inside(root_real, self.root / rel)]
        if outside:
            for rel in outside:
                self.notes.error(
                    Where(str(self.root / rel)),
                    "would be written outside the course directory; refused",
                    "import-target",
                )
            return False
        for rel, data in assets.items():
            write_bytes(self.root / rel, data)
            self.result.files.append((rel, "added"))
        order = sorted(files, key=lambda rel: (rel == COURSE_FILE, rel == GLOSSARY_FILE, rel))
        for rel in order:
            text, what = files[rel]
            write_text(self.root / rel, text)
            self.result.files.append((rel, what))
        return True

    def plan_report(self) -> None:
        """Fill `result.files` for a dry run."""
        for name in self.assets.new_files():
            self.result.files.append((f"assets/{name}", "would be added"))
        for rel, (_text, what) in sorted(self.planned_files().items()):
            self.result.files.append((rel, f"would be {what}"))


# --------------------------------------------------------------------------- utilities


def _common_head(categories: list[CategoryPath | None]) -> str:
    """The one top category every question sits below, as a course's own export writes it."""
    heads = {category.segments[0] for category in categories if category is not None and len(category.segments) >= 2}
    deep = all(category is not None and len(category.segments) >= 2 for category in categories)
    if deep and len(heads) == 1:
        head = heads.pop()
        if not head.startswith("Default for ") and len(head) <= 255:
            return head
    return ""


def _join(segments: list[str]) -> str | None:
    """The sub-category of a question: one name (the course has one level below a lesson)."""
    return "/".join(segments) or None


def _inside(root_real: Path, target: Path) -> bool:
    """Whether `target` (through any symlink on its way) stays inside the course directory."""
    return Path(os.path.realpath(target)).is_relative_to(root_real)


def _defaults_of(text: str) -> QuizDefaults:
    try:
        data = parse_yaml(text)
    except YamlProblem:
        return QuizDefaults()
    if isinstance(data, dict) and isinstance(data.get("defaults"), dict):
        try:
            return QuizDefaults.model_validate(data["defaults"])
        except ValidationError:
            return QuizDefaults()
    return QuizDefaults()


def _with_defaults(question: Question, defaults: QuizDefaults) -> Question:
    """The question as the loader reads it back from a file with these defaults."""
    update: dict[str, Any] = {}
    if question.lesson is None and defaults.lesson is not None:
        update["lesson"] = defaults.lesson
    if question.category is None and defaults.category is not None:
        update["category"] = defaults.category
    if defaults.tags:
        update["tags"] = list(dict.fromkeys([*defaults.tags, *question.tags]))
    return question.model_copy(update=update) if update else question


def _same_text(old: str, new: str) -> bool:
    """Two Markdown texts that render to the same HTML (what Moodle and the learner see)."""
    return old == new or canonical_html(render(old)) == canonical_html(render(new))


def preserve_texts(old: Any, new: Any) -> Any:
    """`new`, keeping every text of `old` that means the same (so a re-import leaves the
    author's Markdown, gap names and formatting alone where nothing really changed)."""
    if type(old) is not type(new) or not isinstance(new, BaseModel):
        return new
    if isinstance(old, Cloze) and isinstance(new, Cloze):
        new = _same_gap_ids(old, new)
    markdown = markdown_fields(type(new))
    update: dict[str, Any] = {}
    for name in type(new).model_fields:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if name in markdown and isinstance(before, str) and isinstance(after, str):
            if _same_text(before, after):
                update[name] = before
        elif isinstance(after, BaseModel):
            kept = preserve_texts(before, after)
            if kept is not after:
                update[name] = kept
        elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
            items = [preserve_texts(x, y) for x, y in zip(before, after, strict=True)]
            if any(x is not y for x, y in zip(items, after, strict=True)):
                update[name] = items
    return new.model_copy(update=update) if update else new


def _same_gap_ids(old: Cloze, new: Cloze) -> Cloze:
    """Give the gaps of `new` the ids the course already uses for the same positions."""
    old_order = GAP_REF.findall(old.text)
    new_order = GAP_REF.findall(new.text)
    if len(old_order) != len(new_order) or len(set(old_order)) != len(old_order):
        return new
    rename = dict(zip(new_order, old_order, strict=True))
    text = GAP_REF.sub(lambda match: "{{" + rename[match.group(1)] + "}}", new.text)
    gaps = [gap.model_copy(update={"id": rename.get(gap.id, gap.id)}) for gap in new.gaps]
    old_index = {gap_id: position for position, gap_id in enumerate(gap.id for gap in old.gaps)}
    gaps.sort(key=lambda gap: old_index.get(gap.id, len(old_index)))
    return new.model_copy(update={"text": text, "gaps": gaps})


def _same(a: Any, b: Any) -> bool:
    return bool(a.model_dump(mode="json") == b.model_dump(mode="json"))


def _one_question(model: Question, defaults: QuizDefaults) -> str:
    return item_text(dump_questions([model], defaults), "questions")[0]


def _one_entry(entry: GlossaryEntry) -> str:
    return item_text(dump_glossary(GlossaryFile(entries=[entry])), "entries")[0]


def _quiz_matches(text: str, expected: list[Question]) -> bool:
    """Read an edited quiz file back: does it hold exactly the questions intended?"""
    try:
        data = parse_yaml(text)
        if not isinstance(data, dict):
            return False
        shell = QuizFile.model_validate({k: v for k, v in data.items() if k != "questions"})
        items = data.get("questions") or []
        questions = [_with_defaults(_QUESTION.validate_python(item), shell.defaults) for item in items]
    except (YamlProblem, ValidationError):
        return False
    return [q.model_dump(mode="json") for q in questions] == [q.model_dump(mode="json") for q in expected]


def _glossary_matches(text: str, expected: list[GlossaryEntry]) -> bool:
    try:
        glossary = GlossaryFile.model_validate(parse_yaml(text))
    except (YamlProblem, ValidationError):
        return False
    return [e.model_dump(mode="json") for e in glossary.entries] == [e.model_dump(mode="json") for e in expected]


def _course_lessons(text: str) -> list[str] | None:
    try:
        return CourseInfo.model_validate(parse_yaml(text)).lessons
    except (YamlProblem, ValidationError):
        return None
