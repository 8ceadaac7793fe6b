"""Cross-file rules: ids, references, glossary collisions, assets, and warnings."""

from __future__ import annotations

import bisect
import functools
import itertools
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from pydantic import BaseModel

from coursebuilder import limits
from coursebuilder.answerkeys import check_answer_keys
from coursebuilder.assets import Asset, AssetProblem, is_external, resolve
from coursebuilder.diagnostics import Diagnostic, did_you_mean, error, nearest, warning
from coursebuilder.formulas import notation, tex
from coursebuilder.htmlsafety import UnsafeHtml, is_script_url
from coursebuilder.layout import COURSE_FILE, GLOSSARY_FILE, is_lesson_file
from coursebuilder.loadcache import KeptChecks, KeptScans, QuestionChecks, Resolved, Scan, ScanEntry
from coursebuilder.markdown import may_reference_files
from coursebuilder.model import (
    SCORED_TYPES,
    Cloze,
    Course,
    GlossaryEntry,
    GlossaryFile,
    Lesson,
    Matching,
    Model,
    Ordering,
    ShortAnswer,
    Trimmed,
    iter_markdown,
)
from coursebuilder.moodle.terms import link_keys, php_trim
from coursebuilder.prescan import ForkedCall, TextScans


class RejectedQuestion(NamedTuple):
    """A question that failed validation: its id still counts for the cross-file id checks,
    so one question's own error hides no duplicate id (and makes no false dangling reference)."""

    id: str
    file: str
    line: int
    position: int
    """Position in its quiz file (`questions[position]`)."""


def check_course(
    course: Course,
    found_lessons: list[Lesson],
    root: Path,
    unreadable: set[str] | frozenset[str] = frozenset(),
    unloaded_bodies: Sequence[Lesson] = (),
    source_bytes: int = 0,
    rejected: Sequence[RejectedQuestion] = (),
    scans: TextScans | None = None,
    fork: bool = False,
    kept: KeptScans | None = None,
    kept_checks: KeptChecks | None = None,
    unused_terms: Callable[[], list[Diagnostic]] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[Diagnostic]:
    """Run every cross-file rule; `found_lessons` are all lesson files, listed or not,
    `unreadable` the file slugs of lesson files that failed to load and `rejected` the questions
    that failed validation (both already reported; their ids still take part in the id checks).
    `unloaded_bodies` carry the bodies of the lesson files whose front matter failed: their
    texts are checked as the lessons' are, and they take part in nothing else.

    `source_bytes` is the size of the source files read, counted with the assets against
    `limits.MAX_COURSE_BYTES`. `scans` may hold the Markdown scans of lesson bodies made while
    the course loaded; other texts are scanned here. With `fork`, a forked child runs the
    checks that need no lesson scans meanwhile, the texts of the last third of the questions
    among them (see `prescan.ForkedCall`): the diagnostics are the same, in the same order.
    `kept` holds the scans of the last build, taken for the texts that did not change (and
    given this check's scans, for the next build). `kept_checks` holds the question checks of
    the last build, taken when the files they depend on did not change (and given this
    check's, for the next build). `unused_terms` gives `find_unused_terms` of the course's
    lessons and glossary, when the loader found them meanwhile. `meanwhile` is the caller's
    own work on the loaded course (the targets' checks): it runs while the forked child
    finishes, or after every check here when nothing is forked.

    A question read on the fast path learns its lines when a message first asks, and the
    plain-formula and trimmed-answer checks take the line of an answer only once its question
    has learned them: each runs after the same checks, in the same process, as it always has.
    The warnings depend on no line learned so far and learn none: they run here.
    """
    kept = kept if kept is not None else KeptScans(None)
    documents = list(_documents(course, found_lessons, unloaded_bodies))
    first_question = len(documents) - len(course.questions)
    remembered = _remembered(kept_checks, root, kept) if kept_checks is not None else None
    if remembered is not None:  # the quiz files, course.yaml and the glossary are as last time
        before = [
            *_check_lessons(course, found_lessons, unreadable),
            *_check_questions(course, rejected, found_lessons),
        ]
        glossary = list(_check_glossary(course))
        assets = _Assets(source_bytes)
        texts = _check_texts(
            documents[:first_question], root, _Scans(scans if scans is not None else TextScans(), kept), assets
        )
        for path, size in remembered.assets.items():
            assets.count(path, size)
        warnings = list(_warnings(course, unused_terms))
        found = remembered.checks
        question_texts = found.texts
    else:
        # Documents from `split` on (the last third of the questions) are the child's: with its
        # other checks, about as much work as this process has left with the warnings.
        split = len(documents) - (len(course.questions) // 3 if fork else 0)

        def elsewhere() -> tuple[
            list[Diagnostic],
            list[list[Diagnostic]],
            _Assets,
            list[Diagnostic],
            list[Diagnostic],
            dict[bytes, ScanEntry],
        ]:
            glossary = list(_check_glossary(course))
            assets = _Assets(0)
            # Its own scans: the bodies' scans come to this process only.
            own = _Scans(TextScans(), kept)
            texts = [list(_check_document(doc, file, root, own, assets)) for doc, file, _ in documents[split:]]
            plain_formulas = list(_check_plain_formulas(course))
            answer_keys = [*check_answer_keys(course), *_trimmed_answers(course)]
            return glossary, texts, assets, plain_formulas, answer_keys, kept.now

        forked = ForkedCall(elsewhere, fork)
        before = [
            *_check_lessons(course, found_lessons, unreadable),
            *_check_questions(course, rejected, found_lessons),
        ]
        ours = _Scans(scans if scans is not None else TextScans(), kept)
        question_assets = _Assets(0)
        scanned = set(kept.now)
        first_texts = _check_texts(documents[first_question:split], root, ours, question_assets)
        our_scans = [digest for digest in kept.now if digest not in scanned]
        assets = _Assets(source_bytes)
        texts = _check_texts(documents[:first_question], root, ours, assets)
        warnings = list(_warnings(course, unused_terms))
        # Before the child's checks only when they run in the child: the line a check names
        # may depend on what the checks before it in the same process located.
        if forked.forked and meanwhile is not None:
            meanwhile()
            meanwhile = None
        glossary, later_texts, later_assets, plain_formulas, answer_keys, later_scans = forked.result()
        kept.absorb(later_scans)
        question_texts = list(itertools.chain(*first_texts, *later_texts))
        found = QuestionChecks(
            question_texts,
            plain_formulas,
            answer_keys,
            [*question_assets.references(), *later_assets.references()],
            [*our_scans, *(digest for digest in later_scans if digest not in scanned)],
        )
        for path, size in [*question_assets.counted.items(), *later_assets.counted.items()]:
            assets.count(path, size)
    if meanwhile is not None:
        meanwhile()
    if kept_checks is not None:
        kept_checks.keep(found)
    after = [*found.plain_formulas, *warnings, *found.answer_keys]
    return [*before, *glossary, *itertools.chain(*texts), *question_texts, *_too_large(assets), *after]


@dataclass
class _Remembered:
    """Question checks kept by the last build, with the size of each file their texts reference."""

    checks: QuestionChecks
    assets: dict[Path, int]


def _remembered(kept_checks: KeptChecks, root: Path, scans: KeptScans) -> _Remembered | None:
    """The question checks kept by the last build of the same quiz files, course.yaml and
    glossary, when every reference their texts made still resolves as it did (the files the
    texts name are checked in every build), and the scans they used are kept too (they are kept
    again for the next build; were they lost, the next edit of a quiz file would scan all)."""
    kept = kept_checks.kept
    if kept is None or not scans.has_all(kept.scans):
        return None
    sizes: dict[Path, int] = {}
    for file, target, problem, found in kept.references:
        try:
            asset = resolve(root, file, target)
            if problem or asset.rel != found:
                return None
            sizes.setdefault(asset.path, asset.path.stat().st_size)
        except AssetProblem as exc:
            if not problem or str(exc) != found:
                return None
        except OSError:
            return None
    scans.carry(kept.scans)
    return _Remembered(kept, sizes)


def _trimmed_answers(course: Course) -> Iterator[Diagnostic]:
    """Answers written with spaces around them: the model dropped the spaces, as Moodle does."""
    for question in course.questions:
        answers: list[tuple[str, Trimmed]] = []
        if isinstance(question, ShortAnswer):
            answers.extend((f"answers[{n}]", answer) for n, answer in enumerate(question.answers))
        elif isinstance(question, Cloze):
            for g, gap in enumerate(question.gaps):
                answers.extend((f"gaps[{g}].answers[{n}]", answer) for n, answer in enumerate(gap.answers))
        for path, answer in answers:
            if answer.padded:
                question.source_line()  # read on the fast path, it learns its parts' lines here
                yield warning(
                    question.source_file,
                    answer.source_line("text") or question.source_line(),
                    field=question.field_path(f"{path}.text"),
                    message=f"question {question.id!r}: answer {answer.padded!r} starts or ends with spaces; "
                    "they were dropped (Moodle drops them too)",
                    code="moodle-trim",
                )


def _check_lessons(course: Course, found: list[Lesson], unreadable: set[str] | frozenset[str]) -> Iterator[Diagnostic]:
    info = course.info
    seen: dict[str, Lesson] = {}
    for lesson in found:
        if lesson.id in seen:
            first = seen[lesson.id]
            yield error(
                lesson.source_file,
                lesson.source_line("id"),
                field="id",
                message=f"lesson id {lesson.id!r} is already used by {first.source_file}",
                code="duplicate-id",
            )
            continue
        seen[lesson.id] = lesson
        if lesson.id not in info.lessons:
            yield error(
                lesson.source_file,
                1,
                field="",
                message=f"lesson {lesson.id!r} is not listed in course.yaml `lessons`",
                code="unlisted-lesson",
            )
    listed: set[str] = set()
    for index, lesson_id in enumerate(info.lessons):
        if lesson_id in listed:
            yield error(
                COURSE_FILE,
                _item_line(info, "lessons", index),  # only for a message: a fast read learns its lines then
                field=f"lessons[{index}]",
                message=f"lesson {lesson_id!r} is listed twice",
                code="duplicate-id",
            )
        listed.add(lesson_id)
        if lesson_id not in seen and lesson_id not in unreadable:
            meant = did_you_mean(lesson_id, [other for other in seen if other not in info.lessons])
            yield error(
                COURSE_FILE,
                _item_line(info, "lessons", index),
                field=f"lessons[{index}]",
                message=f"no lesson file has id {lesson_id!r} (looked in lessons/*.md){meant}",
                code="reference",
            )


def _item_line(obj: Model, field: str, index: int) -> int:
    """Line of item `index` of a list of plain values (the loader records each item's line)."""
    return obj.source_line(f"{field}[{index}]")


def _id_owners(
    course: Course, rejected: Sequence[RejectedQuestion]
) -> Iterator[tuple[str, str, Callable[[], int], str]]:
    """(id, file, line finder, field) of every question, valid or rejected, in file order.

    A line is found only for a message: questions read on the fast path are located by reading
    their file again, which a course without duplicates never needs.
    """
    sources = [q.source_file for q in course.questions]
    files = dict.fromkeys(sources)
    files.update({item.file: None for item in rejected})
    order = {name: number for number, name in enumerate(sorted(files))}
    owners = [
        (order[file], q.field_path("id"), q.id, file, functools.partial(q.source_line, "id"))
        for q, file in zip(course.questions, sources, strict=True)
    ] + [(order[r.file], f"questions[{r.position}].id", r.id, r.file, functools.partial(int, r.line)) for r in rejected]
    owners.sort(key=lambda owner: (owner[0], int(_NOT_DIGIT.sub("", owner[1].split(".", 1)[0]) or 0)))
    for _order, field, qid, file, line_of in owners:
        yield qid, file, line_of, field


_NOT_DIGIT = re.compile(r"\D")


class _IdsInOrder:
    """Question ids sorted by their start and by their end: a misspelt id mostly agrees with
    the right one at one of them, so its neighbours in either order are what `did_you_mean`
    compares it with, a few dozen ids however many questions (comparing 20,000 takes 0.3 s)."""

    REACH = 20
    """Neighbours taken on each side, in each order."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.by_start = sorted(ids)
        self.by_end = sorted(qid[::-1] for qid in self.by_start)

    def near(self, qid: str) -> list[str]:
        start = bisect.bisect(self.by_start, qid)
        end = bisect.bisect(self.by_end, qid[::-1])
        reach = self.REACH
        return [
            *self.by_start[max(start - reach, 0) : start + reach],
            *(other[::-1] for other in self.by_end[max(end - reach, 0) : end + reach]),
        ]


def _check_questions(
    course: Course, rejected: Sequence[RejectedQuestion] = (), found_lessons: Sequence[Lesson] = ()
) -> Iterator[Diagnostic]:
    """The questions' ids and lessons, and the final quiz's ids. A lesson file that is not
    listed is reported as such (`_check_lessons`), not again for each of its questions."""
    seen: dict[str, BaseModel | RejectedQuestion] = {}
    first_at: dict[str, tuple[str, Callable[[], int]]] = {}
    lesson_ids = {lesson.id for lesson in (*course.lessons, *found_lessons)} | set(course.info.lessons)
    told_defaults: set[str] = set()
    """The files whose `defaults.lesson` names no lesson, told once."""
    meant: dict[str, str] = {}
    """The suggestion for each unknown lesson id, worked out once (a file's `defaults.lesson`
    misspelt is every one of its questions' lesson)."""
    ids = [question.id for question in course.questions] + [item.id for item in rejected]
    owners = _id_owners(course, rejected) if len(set(ids)) < len(ids) else ()  # in order only when needed
    for qid, file, line_of, field in owners:
        if qid in first_at:
            first_file, first_line = first_at[qid]
            yield error(
                file,
                line_of(),
                field=field,
                message=f"question id {qid!r} is already used at {first_file}:{first_line()}",
                code="duplicate-id",
            )
        else:
            first_at[qid] = (file, line_of)
    for item in rejected:
        seen.setdefault(item.id, item)
    for question in course.questions:
        if not isinstance(seen.get(question.id), Model):
            seen[question.id] = question
        if question.lesson is None:
            yield error(
                question.source_file,
                question.source_line(),
                field=question.field_path("lesson"),
                message="question belongs to no lesson; set `lesson` or the file's `defaults.lesson`",
                code="reference",
            )
        elif question.lesson not in lesson_ids:
            info = question.source_info()
            if info.lesson_from_defaults and info.file in told_defaults:
                continue  # one error for the file's `defaults.lesson`, not one for each question
            if question.lesson not in meant:
                meant[question.lesson] = did_you_mean(question.lesson, sorted(lesson_ids))
            if info.lesson_from_defaults:
                told_defaults.add(info.file)
            yield error(
                question.source_file,
                question.source_line("lesson"),
                field="defaults.lesson" if info.lesson_from_defaults else question.field_path("lesson"),
                message=f"no lesson has id {question.lesson!r}{meant[question.lesson]}",
                code="reference",
            )
    final = course.info.final_quiz
    if isinstance(final.questions, list):
        known: _IdsInOrder | None = None
        for index, qid in enumerate(final.questions):  # a line only for a message (it reads course.yaml)
            if qid not in seen:
                known = known or _IdsInOrder(seen)
                yield error(
                    COURSE_FILE,
                    _item_line(final, "questions", index),
                    field=f"final_quiz.questions[{index}]",
                    message=f"no question has id {qid!r}{did_you_mean(qid, known.near(qid))}",
                    code="reference",
                )
            elif isinstance(seen[qid], Model) and getattr(seen[qid], "type", "") not in SCORED_TYPES:
                yield warning(
                    COURSE_FILE,
                    _item_line(final, "questions", index),
                    field=f"final_quiz.questions[{index}]",
                    message=f"question {qid!r} is not scored in the SCORM quiz",
                    code="unscored",
                )


def _check_glossary(course: Course) -> Iterator[Diagnostic]:
    """Terms and aliases of different entries that one text matches: auto-linking (Moodle's
    glossary filter, and the course's own pages) links it to one entry only. A warning: Moodle
    stores both (coursebuilder.exchange.checks reports the concepts its import rejects)."""
    exact: dict[str, _Spelling] = {}
    folded: dict[tuple[bool, int, str], _Spelling] = {}
    """(owner is case-sensitive, which fold, key) → the first spelling with that key."""
    for number, entry in enumerate(course.glossary.entries):
        spellings = [("term", entry.term)] + [(f"aliases[{i}]", alias) for i, alias in enumerate(entry.aliases)]
        for field, value in spellings:
            spelling = _Spelling(number, value, entry, field)
            keys = link_keys(value)
            candidates = [exact.get(php_trim(value))]
            candidates += [folded.get((False, which, key)) for which, key in enumerate(keys)]
            if not entry.case_sensitive:
                candidates += [folded.get((True, which, key)) for which, key in enumerate(keys)]
            other = next((c for c in candidates if c is not None and c.number != number), None)
            if other is not None:
                yield warning(
                    GLOSSARY_FILE,
                    spelling.line(),
                    field=entry.field_path(field),
                    message=f"{value!r} and {other.value!r} (line {other.line()}) link the same text; "
                    "auto-linking links it to one of their entries only",
                    code="glossary-collision",
                )
            exact.setdefault(php_trim(value), spelling)
            for which, key in enumerate(keys):
                folded.setdefault((entry.case_sensitive, which, key), spelling)


class _Spelling(NamedTuple):
    """A term or alias of entry number `number` of the glossary, written in its `field`."""

    number: int
    value: str
    entry: GlossaryEntry
    field: str

    def line(self) -> int:
        """Its line; asked only for a message, so that a glossary read on the fast path is read
        again with lines only then."""
        return self.entry.source_line(self.field) or self.entry.source_line("aliases")


def _documents(
    course: Course, found_lessons: list[Lesson], unloaded_bodies: Sequence[Lesson]
) -> Iterator[tuple[BaseModel, str, int]]:
    """Every model holding Markdown, with the file it came from and an id for messages."""
    yield course.info, COURSE_FILE, 0
    for lesson in itertools.chain(found_lessons, unloaded_bodies):
        yield lesson, lesson.source_file, 0
    yield course.glossary, GLOSSARY_FILE, 0
    for question in course.questions:
        yield question, question.source_file, 0


class _Scans:
    """The scans of the texts: those kept by the last build (`kept`), the others asked of
    `scans` (and kept for the next)."""

    def __init__(self, scans: TextScans, kept: KeptScans) -> None:
        self.scans, self.kept = scans, kept

    def scan(self, text: str) -> Scan:
        return self.kept.scan(text, self.scans.scan)


def _check_texts(
    documents: list[tuple[BaseModel, str, int]], root: Path, scans: _Scans, assets: _Assets
) -> list[list[Diagnostic]]:
    """The diagnostics of each document's Markdown texts (size, formulas, HTML, links and
    assets); the assets are counted in `assets`.

    Lesson bodies are checked last, to give a child scanning them (see `prescan`) time to
    finish while the other texts are checked here; the diagnostics come in document order all
    the same.
    """
    found: list[list[Diagnostic]] = [[] for _ in documents]
    lessons_last = sorted(range(len(documents)), key=lambda number: isinstance(documents[number][0], Lesson))
    for number in lessons_last:
        document, source_file, _ = documents[number]
        found[number] = list(_check_document(document, source_file, root, scans, assets))
    return found


def _too_large(assets: _Assets) -> list[Diagnostic]:
    """The course limit, on the source files and the assets the texts use."""
    if assets.total <= limits.MAX_COURSE_BYTES:
        return []
    return [
        error(
            COURSE_FILE,
            1,
            field="",
            message=f"source files and assets add up to {assets.total:,} bytes; "
            f"the limit is {limits.MAX_COURSE_BYTES:,}",
            code="too-large",
        )
    ]


class _Assets:
    """The assets the texts use: resolved once per directory and target, each counted once."""

    def __init__(self, total: int) -> None:
        self.total = total
        """Bytes of the source files and of the assets counted so far."""
        self.counted: dict[Path, int] = {}
        """Size of each asset counted."""
        self.resolved: dict[tuple[str, str], Asset | AssetProblem] = {}
        """What each (folder, target) resolved to."""
        self.written_in: dict[tuple[str, str], str] = {}
        """The first file each (folder, target) was resolved for."""

    def references(self) -> list[Resolved]:
        """Each reference resolved, as `loadcache` keeps it."""
        return [
            (
                self.written_in[key],
                key[1],
                isinstance(found, AssetProblem),
                str(found) if isinstance(found, AssetProblem) else found.rel,
            )
            for key, found in self.resolved.items()
        ]

    def count(self, path: Path, size: int) -> None:
        if path not in self.counted:
            self.counted[path] = size
            self.total += size


def _check_document(
    document: BaseModel, source_file: str, root: Path, scans: _Scans, assets: _Assets
) -> Iterator[Diagnostic]:
    """The diagnostics of the Markdown texts of one document (see `_check_texts`)."""
    for owner, field, path, text in iter_markdown(document):
        assert isinstance(owner, Model)
        is_body = isinstance(owner, Lesson) and field == "body"
        limit = limits.MAX_BODY_CHARS if is_body else limits.MAX_TEXT_CHARS
        if len(text) <= limit and not _may_hold_findings(text):
            continue
        # Lines are found only for a message (questions read on the fast path are located
        # by reading their file again): `at(n)` is line n of a body, or the field's line.
        at = _line_finder(document, owner, field, is_body)
        path = _path_in_file(document, owner, field, path)
        if len(text) > limit:
            # Checked before Markdown is parsed: crafted Markdown takes tens of µs a character.
            yield error(
                source_file,
                at(0),
                field=path,
                message=f"text is {len(text):,} characters; the limit is {limit:,}",
                code="too-large",
            )
            continue
        allow_scripts = isinstance(owner, Lesson) and owner.allow_scripts
        yield from _check_formulas(text, source_file, at, path)
        unsafe, refs = scans.scan(text)
        yield from _check_html(unsafe, source_file, at, path, is_body, allow_scripts)
        for ref in refs:
            if is_script_url(ref.target):
                continue  # reported by the HTML check
            if is_external(ref.target):
                if ref.kind == "image":
                    yield error(
                        source_file,
                        at(ref.line),
                        field=path,
                        message=(f"image {ref.target!r} is on the web; packages must work offline: put it in assets/"),
                        code="external-image",
                    )
                elif ref.target.lower().startswith("http"):
                    yield warning(
                        source_file,
                        at(ref.line),
                        field=path,
                        message=f"link {ref.target!r} leaves the course; learners need a connection to follow it",
                        code="external-link",
                    )
                continue
            if ref.kind == "link" and (ref.target.startswith("#") or not ref.target):
                fragment = unquote(ref.target[1:])
                if fragment and not _gives_id(text, fragment):
                    yield warning(
                        source_file,
                        at(ref.line),
                        field=path,
                        message=f"link {ref.target!r} goes nowhere: headings carry no anchors in the packages; "
                        "link to a lesson file instead",
                        code="anchor",
                    )
                continue
            if (
                ref.kind == "link"
                and re.match(r"^[a-z][a-z0-9+.-]*:", ref.target, re.I) is None
                and not _looks_like_file(ref.target)
                and not _leaves_course(ref.target)
            ):
                continue
            key = (posixpath.dirname(source_file), ref.target)  # all `resolve` depends on
            if key not in assets.resolved:
                assets.written_in[key] = source_file
                try:
                    assets.resolved[key] = resolve(root, source_file, ref.target)
                except AssetProblem as exc:
                    assets.resolved[key] = exc
            asset = assets.resolved[key]
            if isinstance(asset, AssetProblem):
                yield error(source_file, at(ref.line), field=path, message=str(asset), code="asset")
                continue
            if ref.kind == "link" and "#" in ref.target and is_lesson_file(asset.rel):
                fragment = "#" + ref.target.split("#", 1)[1]
                yield warning(
                    source_file,
                    at(ref.line),
                    field=path,
                    message=f"link {ref.target!r} opens the lesson at its top: headings carry no anchors in the "
                    f"packages, so {fragment!r} is dropped",
                    code="anchor",
                )
            if asset.path not in assets.counted:
                assets.count(asset.path, asset.path.stat().st_size)


def _gives_id(text: str, name: str) -> bool:
    """Whether raw HTML in `text` gives an element the id (or anchor name) `name`, which a link
    to `#name` then reaches in the SCORM packages."""
    return any(f"{attribute}={quote}{name}{quote}" in text for attribute in ("id", "name") for quote in "\"'")


def _path_in_file(document: BaseModel, owner: Model, field: str, path: str) -> str:
    """The path of `owner.field`, at `path` in `document`, from the top of its file: a question
    and a glossary entry know their place in the file (a glossary's list of entries leaves out
    those with errors, so an entry's index in it may not be its place)."""
    if owner.field_path():
        return owner.field_path(field)
    return document.field_path(path) if isinstance(document, Model) else path


def _may_hold_findings(text: str) -> bool:
    """False for a text in which neither the formula scan (`notation.scan`: a `$`) nor the
    Markdown scan (`scan_markdown`: `<`, `](` or `]:`) can find anything, which most are."""
    return "$" in text or may_reference_files(text)


def _check_formulas(text: str, file: str, at: Callable[[int], int], path: str) -> Iterator[Diagnostic]:
    """Each formula the converter cannot handle, and each `$` that opens no formula."""
    formulas, strays = notation.scan(text)
    for formula in formulas:
        found = tex.problem(formula.tex)
        if found is not None:
            shown = f"$${formula.tex}$$" if formula.display else f"${formula.tex}$"
            yield error(file, at(formula.line), field=path, message=f"formula {shown}: {found}", code="formula")
    for stray in strays:
        yield error(file, at(stray.line), field=path, message=stray.message, code="formula")


def _check_plain_formulas(course: Course) -> Iterator[Diagnostic]:
    """Formulas in fields Moodle keeps as plain text, where no filter renders them."""
    for question in course.questions:
        fields: list[tuple[Model, str, str, str]] = []
        if isinstance(question, Matching):
            fields += [(pair, "answer", f"pairs[{i}].answer", pair.answer) for i, pair in enumerate(question.pairs)]
            fields += [
                (question, f"distractors[{i}]", f"distractors[{i}]", d) for i, d in enumerate(question.distractors)
            ]
            why = "matching answers are plain text in a drop-down menu; put formulas in the items (`question`)"
        elif isinstance(question, ShortAnswer):
            fields += [(a, "text", f"answers[{i}].text", a.text) for i, a in enumerate(question.answers)]
            why = "accepted answers are compared with what the learner types, as plain text"
        elif isinstance(question, Ordering):
            fields += [(question, f"items[{i}]", f"items[{i}]", item) for i, item in enumerate(question.items)]
            why = "ordering items are plain text"
        elif isinstance(question, Cloze):
            for g, gap in enumerate(question.gaps):
                for a, answer in enumerate(gap.answers):
                    fields.append((answer, "text", f"gaps[{g}].answers[{a}].text", answer.text))
                    fields.append((answer, "feedback", f"gaps[{g}].answers[{a}].feedback", answer.feedback))
            why = "cloze gap answers and their feedback are plain text; put formulas in the text around the gap"
        else:
            continue
        for owner, field, path, value in fields:
            if value and notation.has_math(value):
                question.source_line()  # read on the fast path, it learns its parts' lines here
                yield error(
                    question.source_file,
                    owner.source_line(field),
                    field=question.field_path(path),
                    message=f"formulas are not supported here: {why}",
                    code="formula",
                )


def _looks_like_file(target: str) -> bool:
    return "." in target.rsplit("/", 1)[-1]


def _leaves_course(target: str) -> bool:
    """A link that names no file type may still point out of the course (`/etc/passwd`, `../..`)."""
    from urllib.parse import unquote

    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    return path.startswith(("/", "~", "\\")) or ".." in path.replace("\\", "/").split("/") or "\x00" in path


def _line_finder(document: BaseModel, owner: Model, field: str, is_body: bool) -> Callable[[int], int]:
    """`at(n)`: line `n` of a lesson body, or (whatever `n`) the line of `owner.field`."""

    def at(line_in_body: int) -> int:
        if is_body:
            assert isinstance(owner, Lesson)
            return owner.body_line + line_in_body
        if isinstance(document, Model):
            document.source_line()  # locates the objects inside it too
        return owner.source_line(field)

    return at


def _check_html(
    unsafe: list[UnsafeHtml], file: str, at: Callable[[int], int], path: str, is_body: bool, allow: bool
) -> Iterator[Diagnostic]:
    """Scripts, frames, event handlers and script URLs: errors, except in an opted-in lesson."""
    if is_body and allow:
        return
    where = (
        "in text going to Moodle"
        if not is_body
        else "in a lesson (set `allow_scripts: true` in its front matter to allow it in SCORM pages)"
    )
    for found in unsafe:
        yield error(
            file,
            at(found.line),
            field=path,
            message=f"{found.what} is not allowed {where}; Moodle's cleaner would remove it",
            code="unsafe-html",
        )


def _warnings(course: Course, unused_terms: Callable[[], list[Diagnostic]] | None) -> Iterator[Diagnostic]:
    """A passing score written as a fraction, lessons without questions, then the terms no
    lesson uses (`unused_terms`, or found here)."""
    settings = course.info.settings
    if 0 < settings.passing_score <= 1:  # SCORM's scaled scores run from 0 to 1
        shown = f"{settings.passing_score:g}"
        yield warning(
            COURSE_FILE,
            settings.source_line("passing_score"),
            field="settings.passing_score",
            message=f"{shown} is a percentage of the quiz's points, so every attempt of {shown} % or more "
            f"passes; did you mean {settings.passing_score * 100:g}?",
            code="passing-score",
            column=settings.source_column("passing_score"),
        )
    asked = {q.lesson for q in course.questions}
    ids = [lesson.id for lesson in course.lessons]
    # A lesson that questions name misspelt is told of in their error (`did you mean`), not here.
    asked.update(nearest(stray, ids) for stray in asked.difference(ids, [None]) if stray is not None)
    for lesson in course.lessons:
        if lesson.id not in asked:
            yield warning(
                lesson.source_file, 1, field="", message=f"lesson {lesson.id!r} has no questions", code="no-questions"
            )
    yield from unused_terms() if unused_terms is not None else find_unused_terms(course.lessons, course.glossary)


def find_unused_terms(lessons: Sequence[Lesson], glossary: GlossaryFile) -> list[Diagnostic]:
    """A warning for each glossary term that, with its aliases, appears in none of `lessons`
    (the course's): it needs only the lessons and the glossary, so the loader may ask a
    second process for it while the quizzes load."""
    entries = glossary.entries
    exact = {name for entry in entries if entry.case_sensitive for name in (entry.term, *entry.aliases)}
    folded = {name.casefold() for entry in entries if not entry.case_sensitive for name in (entry.term, *entry.aliases)}
    in_bodies = occurring(exact, "\n".join(lesson.body for lesson in lessons)) if exact else set()
    in_folded = occurring(folded, "\n".join(lesson.body.casefold() for lesson in lessons)) if folded else set()
    found: list[Diagnostic] = []
    for entry in entries:
        names = [entry.term, *entry.aliases]
        if entry.case_sensitive:
            used = any(name in in_bodies for name in names)
        else:
            used = any(name.casefold() in in_folded for name in names)
        if not used:
            found.append(
                warning(
                    GLOSSARY_FILE,
                    entry.source_line("term"),
                    field=entry.field_path("term"),
                    message=f"term {entry.term!r} (or an alias) appears in no lesson",
                    code="unused-term",
                )
            )
    return found


def occurring(needles: Iterable[str], text: str) -> set[str]:
    """`{needle for needle in needles if needle in text}`, in one pass over `text` (an
    Aho–Corasick automaton) instead of one per needle: thousands of terms in megabytes of lessons."""
    import ahocorasick  # only a check of the glossary needs it

    automaton = ahocorasick.Automaton()
    found: set[str] = set()
    for needle in needles:
        if needle:
            automaton.add_word(needle, needle)
        else:
            found.add(needle)  # in every text
    if len(automaton):
        automaton.make_automaton()
        found.update(needle for _, needle in automaton.iter(text))
    return found
