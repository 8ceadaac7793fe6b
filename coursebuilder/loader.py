"""Load a course directory into the validated model, collecting every problem with its line.

The loader reads each file on its own, so one broken file never hides the problems of
another; cross-file rules (ids, references, assets) run afterwards in `checks`.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import stat
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from coursebuilder import limits
from coursebuilder.checks import RejectedQuestion, check_course, find_unused_terms
from coursebuilder.diagnostics import (
    CourseError,
    Diagnostic,
    Severity,
    did_you_mean,
    error,
    meaning,
    sort_diagnostics,
    warning,
)
from coursebuilder.gcpause import paused_gc
from coursebuilder.layout import (
    COURSE_FILE,
    GLOSSARY_FILE,
    LESSONS_DIR,
    QUIZ_DIR,
    left_out_path,
    lesson_file_slug,
    lesson_files,
    unread_names,
)
from coursebuilder.loadcache import (
    MISSING,
    KeptChecks,
    KeptReads,
    KeptScans,
    checks_file,
    reads_file,
    scans_file,
)
from coursebuilder.model import (
    Course,
    CourseInfo,
    GlossaryFile,
    Lesson,
    LessonMeta,
    Model,
    Question,
    QuizDefaults,
    QuizFile,
    described,
    fields_at,
    problem_message,
    question_adapter,
    quoted_choices,
    takes_texts,
    xml_char_message,
    xml_unsafe_char,
)
from coursebuilder.prescan import (
    WORTH_FORKING,
    Claims,
    ForkedCall,
    Turn,
    UnitStream,
    may_fork,
    no_answer,
    prescan,
)
from coursebuilder.yamlio import UNSURE, LineDict, LineList, YamlProblem, decode, load_fast, parse_yaml

M = TypeVar("M", bound=BaseModel)

_PYDANTIC_CODES = {
    "missing": "missing",
    "extra_forbidden": "unknown-field",
    "literal_error": "choice",
    "int_from_float": "type",
    "union_tag_invalid": "type",
    "union_tag_not_found": "type",
    "string_pattern_mismatch": "format",
    "string_too_long": "too-long",
    "string_too_short": "empty",
    "too_short": "too-few",
    "too_long": "too-many",
}


@dataclass
class LoadResult:
    """What `load` found: the course (None when a file could not be read) and all diagnostics."""

    course: Course | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    more_diagnostics: list[Diagnostic] = field(default_factory=list)
    """What the caller's `more_checks` found, apart."""


@paused_gc()
def load_course(
    root: Path | str,
    *,
    prescan_min_chars: int | None = WORTH_FORKING,
    keep_beside: Path | None = None,
    more_checks: Callable[[Course], list[Diagnostic]] | None = None,
    on_model: Callable[[Course], object] | None = None,
) -> LoadResult:
    """Load and check the course in `root`; never raises for problems in the source.

    Lesson bodies of `prescan_min_chars` characters or more in all (None: never) have their
    Markdown scanned in a forked process while the glossary and quizzes load (see `prescan`).
    Quiz files read on the fast path, the checks' Markdown scans and the question checks are
    kept beside `keep_beside` (`buildcache.load_cache_file`) for the next load, and those of the files
    and texts that did not change since are taken from there (see `loadcache`); None: nothing
    is kept.

    `more_checks(course)` is the caller's check of a course that loaded (the targets'): it runs
    on this process while the load's forked checks finish (see `checks.check_course`).
    `on_model(course)` is told of the course as soon as its model is made, if nothing read so
    far was in error: work that only reads it may begin, though the checks that follow may
    still find it unusable.
    """
    root = Path(root)
    diags = [warning(name, 0, field="", message=why, code="not-read") for name, why in unread_names(root)]
    if not (root / COURSE_FILE).is_file():
        msg = "no course here: course.yaml is missing" if root.is_dir() else "course directory does not exist"
        diags.append(error(COURSE_FILE, 0, field="", message=msg, code="missing-file"))
        return LoadResult(None, under_course(root, diags))
    reader = _Reader(root, diags)
    info_text = reader.read(COURSE_FILE)
    info, info_data = _load_course_info(reader, COURSE_FILE, info_text)
    glossary_text = reader.read(GLOSSARY_FILE) if (root / GLOSSARY_FILE).is_file() else None
    glossary_data = _GlossaryParse(glossary_text, fork=prescan_min_chars is not None)
    # The quiz files first: their child reads them while the lessons load here (the second
    # core would otherwise wait for the lessons, then have two children at once).
    quiz_names = _quiz_files(root)
    quiz_texts = [reader.read(name) for name in quiz_names]
    kept_reads = KeptReads(reads_file(keep_beside) if keep_beside is not None else None)
    fast = _FastReads(quiz_names, quiz_texts, fork=prescan_min_chars is not None, kept=kept_reads)
    unreadable: set[str] = set()
    unloaded: list[Lesson] = []
    lessons = list(_load_lessons(reader, unreadable, unloaded))
    kept_scans = KeptScans(scans_file(keep_beside) if keep_beside is not None else None)
    bodies = [lesson.body for lesson in lessons if not kept_scans.has(lesson.body)]
    scans = prescan(bodies, prescan_min_chars, after=fast.turn)  # the quiz files' child first
    if fast.turn is not None:
        fast.turn.close()
    glossary = GlossaryFile()
    if glossary_text is not None:
        glossary = _load_glossary(reader, glossary_data, GLOSSARY_FILE) or glossary
    checked_info = info or _stand_in_info(info_data, lessons)
    in_order = _in_course_order(checked_info, lessons) if checked_info is not None else []
    # While the quizzes load, a second core that nothing else keeps busy (a load after an edit
    # takes the scans and the quiz files it read from the last one) looks for unused terms.
    idle = prescan_min_chars is not None and not scans.forked and fast.forked is None
    large = sum(len(lesson.body) for lesson in in_order) >= (prescan_min_chars or 0)
    unused_terms = ForkedCall(partial(find_unused_terms, in_order, glossary), fork=idle and large)
    questions: list[Any] = []
    rejected: list[RejectedQuestion] = []
    for index, (quiz, text) in enumerate(zip(quiz_names, quiz_texts, strict=True)):
        if text is not None:
            questions.extend(_load_quiz(reader, quiz, text, fast.data(index), rejected))
    fast.close()
    if checked_info is None:
        scans.close()
        kept_reads.save()
        return LoadResult(None, under_course(root, diags))
    course = Course.model_construct(
        info=checked_info,
        lessons=in_order,
        glossary=glossary,
        questions=questions,
        root=str(root.resolve()),
    )
    course.locate(COURSE_FILE, 1)
    if on_model is not None and not any(diag.severity is Severity.ERROR for diag in diags):
        on_model(course)
    kept_reads.save()  # after `on_model`: what it forks need not wait for this file
    read = [(COURSE_FILE, info_text), (GLOSSARY_FILE, glossary_text), *zip(quiz_names, quiz_texts, strict=True)]
    kept_checks = KeptChecks(checks_file(keep_beside) if keep_beside is not None else None, root, read)
    more: list[Diagnostic] = []
    diags.extend(
        check_course(
            course,
            lessons,
            root,
            unreadable,
            unloaded_bodies=unloaded,
            source_bytes=reader.total_bytes,
            rejected=rejected,
            scans=scans,
            fork=fast.large,
            kept=kept_scans,
            kept_checks=kept_checks,
            unused_terms=unused_terms.result,
            meanwhile=(lambda: more.extend(more_checks(course))) if more_checks is not None and info else None,
        )
    )
    scans.close()
    kept_scans.save()
    kept_checks.save()
    if info is None:  # checked against a stand-in: there is no course to build
        return LoadResult(None, under_course(root, diags))
    return LoadResult(course, under_course(root, diags), under_course(root, more))


def under_course(root: Path | str, diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Name files as the user reaches them: the course directory as given, then the file.

    File names that are not valid UTF-8 reach Python with surrogates, which no terminal or
    JSON encoder accepts: they are shown with backslash escapes instead.
    """
    return sort_diagnostics(
        d._replace(
            file=_printable((Path(root) / d.file).as_posix()) if d.file else d.file,
            field=_printable(d.field),
            message=_printable(d.message),
        )
        for d in diags
    )


def _printable(text: str) -> str:
    """One line of valid UTF-8: undecodable bytes and control characters (a newline in a file
    name, say) are written as backslash escapes, so each diagnostic stays one line."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text) if _CONTROL.search(text) else text


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def load_or_raise(
    root: Path | str,
    *,
    prescan_min_chars: int | None = WORTH_FORKING,
    keep_beside: Path | None = None,
    more_checks: Callable[[Course], list[Diagnostic]] | None = None,
    on_model: Callable[[Course], object] | None = None,
) -> tuple[Course, list[Diagnostic]]:
    """Load the course; raise CourseError when the load finds any error. Warnings are returned,
    then what `more_checks` found (which an error of the load leaves out). `on_model`: as for
    `load_course`."""
    result = load_course(
        root, prescan_min_chars=prescan_min_chars, keep_beside=keep_beside, more_checks=more_checks, on_model=on_model
    )
    if result.course is None or any(d.severity.value == "error" for d in result.diagnostics):
        raise CourseError(result.diagnostics)
    return result.course, sort_diagnostics([*result.diagnostics, *result.more_diagnostics])


# --------------------------------------------------------------------------- files


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


class _Reader:
    """Reads source files within the limits, adding up their sizes for the course limit.

    A source file must be a regular file inside the course directory: a symbolic link that
    leads out of it (say to ~/.ssh/id_rsa, in a course shared as a zip or a repository) is an
    error, so is a device or a named pipe, which could be read forever.
    """

    def __init__(self, root: Path, diags: list[Diagnostic]) -> None:
        self.root = root
        self.root_real = os.path.realpath(root)
        self.diags = diags
        self.total_bytes = 0
        self.yaml_tags: dict[str, str] = {}
        """Tags of the plain scalars this load has parsed (see `parse_yaml`): the files share them."""
        self._plain_folders: set[str] = set()
        """Folders under `root_real` found to be folders, not links (see `_within`)."""

    def read(self, name: str) -> str | None:
        try:
            found = self._within(name)
            if found is None:
                self._error(name, "is a link to a file outside the course directory; copy the file into the course")
                return None
            real, info = found
            if not stat.S_ISREG(info.st_mode):
                self._error(name, "is not a regular file")
                return None
            if info.st_size > limits.MAX_SOURCE_FILE_BYTES:
                self._too_large(name, info.st_size)
                return None
            data = _read_whole(real, info.st_size)
            if len(data) > limits.MAX_SOURCE_FILE_BYTES:  # the file grew since stat
                self._too_large(name, len(data))
                return None
            self.total_bytes += len(data)
            return decode(data)
        except YamlProblem as exc:
            self.diags.append(error(name, exc.line, field="", message=exc.message, code="encoding", column=exc.column))
        except OSError as exc:
            self.diags.append(error(name, 0, field="", message=f"cannot read: {exc.strerror or exc}", code="io"))
        except ValueError as exc:  # e.g. a NUL in the name
            self.diags.append(error(name, 0, field="", message=f"cannot read: {exc}", code="io"))
        return None

    def _within(self, name: str) -> tuple[str, os.stat_result] | None:
        """The real path of file `name` and its `stat`; None when it leads out of the course.

        A name whose folders and file are no links is the course folder's real path joined
        with the name, found with one `lstat` (and one per folder and load); any other name,
        or one that `lstat` fails on, is resolved in full, so its problem is reported as ever.
        """
        found = self._plain(name)
        if found is not None:
            return found
        real = os.path.realpath(self.root / name)
        if os.path.commonpath([self.root_real, real]) != self.root_real:
            return None
        return real, os.stat(real)

    def _plain(self, name: str) -> tuple[str, os.stat_result] | None:
        """`_within(name)` when neither the file nor its folders are links, else None."""
        parts = name.split("/")
        if "\0" in name or any(part in ("", ".", "..") for part in parts):
            return None
        folder = self.root_real
        try:
            for part in parts[:-1]:
                folder = os.path.join(folder, part)
                if folder not in self._plain_folders:
                    if not stat.S_ISDIR(os.lstat(folder).st_mode):
                        return None
                    self._plain_folders.add(folder)
            real = os.path.join(folder, parts[-1])
            info = os.lstat(real)
        except OSError:
            return None
        return None if stat.S_ISLNK(info.st_mode) else (real, info)

    def _error(self, name: str, message: str) -> None:
        self.diags.append(error(name, 0, field="", message=message, code="io"))

    def _too_large(self, name: str, size: int) -> None:
        self.diags.append(
            error(
                name,
                0,
                field="",
                message=f"file is {size:,} bytes; the limit is {limits.MAX_SOURCE_FILE_BYTES:,}",
                code="too-large",
            )
        )


def _read_whole(path: str, size: int) -> bytes:
    """The bytes of the file at `path`, up to one past the size limit: read in one call when
    the file still has the `size` it had at `stat` (and one more that finds its end)."""
    with open(path, "rb", buffering=0) as handle:
        data: bytes = handle.read(size + 1)
        while len(data) <= limits.MAX_SOURCE_FILE_BYTES:
            more = handle.read(limits.MAX_SOURCE_FILE_BYTES + 1 - len(data))
            if not more:
                break
            data += more
    return data


_FAILED = object()
"""What `_parse` returns for a file that does not parse (None is an empty document)."""


def _parse(reader: _Reader, name: str, text: str, line_offset: int = 0) -> Any:
    try:
        return parse_yaml(text, line_offset, tags=reader.yaml_tags)
    except YamlProblem as exc:
        reader.diags.append(error(name, exc.line, field="", message=exc.message, code="yaml", column=exc.column))
        return _FAILED


GLOSSARY_WORTH_FORKING = 200_000
"""Characters of glossary from which it is parsed in a forked process while the lessons load
(when the load may fork at all)."""


class _GlossaryParse:
    """The glossary's data; read in a forked child while the lessons load when it is large.

    It is read on the fast path (`load_fast`, no line marks), or with `parse_yaml` where the
    fast path gives up. The child sends back what the same reading gives here; without it
    (none forked, or it failed) the glossary is read here."""

    def __init__(self, text: str | None, fork: bool) -> None:
        self.text = text
        fork = fork and text is not None and len(text) >= GLOSSARY_WORTH_FORKING
        self.forked = ForkedCall(partial(_read_or_problem, text or ""), fork)

    def result(self, reader: _Reader, name: str) -> tuple[bool, Any]:
        """(whether read on the fast path, the data), or `_FAILED` with the problem reported
        (as `_parse` does)."""
        fast, parsed, message, line, column = self.forked.result()
        if message is None:
            return fast, parsed
        reader.diags.append(error(name, line, field="", message=message, code="yaml", column=column))
        return False, _FAILED


def _read_or_problem(text: str) -> tuple[bool, Any, str | None, int, int]:
    """`load_fast(text)`, else `parse_yaml(text)` or its problem, in a form that can be sent
    between processes: (whether fast, data, message, line, column)."""
    data = load_fast(text)
    if data is not UNSURE:
        return True, data, None, 0, 0
    try:
        return False, parse_yaml(text), None, 0, 0
    except YamlProblem as exc:
        return False, None, exc.message, exc.line, exc.column


def _load_glossary(reader: _Reader, parse: _GlossaryParse, name: str) -> GlossaryFile | None:
    """The glossary: validated as read on the fast path, its lines learned when a message
    first needs one (`_FileSite`); else validated from data with line marks, read again
    when the fast path's data fails validation, so that each problem is located."""
    fast, data = parse.result(reader, name)
    if fast:
        glossary = _fast_model(GlossaryFile, data)
        if glossary is not None:
            _glossary_site(name, parse.text or "", glossary)
            return glossary
        data = _parse(reader, name, parse.text or "")
    if data is _FAILED:
        return None
    return _glossary_with_lines(_empty_if_none(data), name, reader.diags)


def _glossary_with_lines(data: Any, name: str, diags: list[Diagnostic]) -> GlossaryFile | None:
    """The glossary of `data`, read with line marks, every problem of it reported.

    An entry with an error is left out, and so is a field of the file's own (`name`, `intro`)
    with one: the rest is what the glossary holds, so that one entry's error hides no problem
    of the others (two entries Moodle takes for one, unused terms, their Markdown). Each entry
    is still named by its place in the file (`entries[3]`).
    """
    if not isinstance(data, LineDict):
        return validate(GlossaryFile, data, name, diags)
    positions = list(range(len(data["entries"]))) if isinstance(data.get("entries"), list) else []
    try:
        glossary = GlossaryFile.model_validate(data)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
        diags.extend(_diagnostic(problem, data, name, 0, GlossaryFile) for problem in problems)
        data, positions = _without_failed_parts(data, [problem["loc"] for problem in problems])
        try:
            glossary = GlossaryFile.model_validate(data)
        except ValidationError:  # each part left is valid on its own: not expected
            return None
    _locate(glossary, data, name, 0)
    for entry, position in zip(glossary.entries, positions, strict=True):
        entry.source_info().path = f"entries[{position}]"
    return glossary


def _without_failed_parts(data: LineDict, failed: list[tuple[int | str, ...]]) -> tuple[LineDict, list[int]]:
    """The glossary's `data` less the parts that the problems at `failed` are in: entries, and
    fields of its own (`entries` too, when it is not a list); with the position in the file of
    each entry left."""
    fields: set[int | str] = set()
    entries: set[int | str] = set()
    for loc in failed:
        if len(loc) > 1 and loc[0] == "entries":
            entries.add(loc[1])
        elif loc:
            fields.add(loc[0])
    kept = _without_keys(data, fields)
    items = kept.get("entries")
    if not isinstance(items, LineList):
        return kept, []
    positions = [index for index in range(len(items)) if index not in entries]
    left = LineList(items[index] for index in positions)
    left.line = items.line
    left.item_lines = [items.item_lines[index] for index in positions]
    left.item_columns = [items.item_columns[index] for index in positions]
    kept["entries"] = left
    return kept, positions


def _without_keys(data: LineDict, keys: Collection[Any]) -> LineDict:
    """`data` less `keys`, with its line marks (those of the keys left out go unused)."""
    kept = LineDict({key: value for key, value in data.items() if key not in keys})
    kept.line, kept.key_lines, kept.key_columns = data.line, data.key_lines, data.key_columns
    return kept


class _FileSite:
    """A file read on the fast path (the glossary, course.yaml): its models (`parts`, the
    file's own first, each with its field path) learn their lines when a message first needs
    one, exactly as the slow path records them."""

    def __init__(self, name: str, text: str, parts: list[tuple[Model, str]]) -> None:
        self.name, self.text = name, text
        self.parts = parts
        """Emptied once located."""
        for located, path in parts:
            info = located.source_info()
            info.file, info.path, info.site = name, path, self

    def locate(self) -> None:
        parts, self.parts = self.parts, []
        if not parts:
            return
        for located, _ in parts:
            located.source_info().site = None
        _locate(parts[0][0], parse_yaml(self.text), self.name, 0)  # the fast path read it, so this reads it too


def _glossary_site(name: str, text: str, glossary: GlossaryFile) -> None:
    entries = [(entry, f"entries[{i}]") for i, entry in enumerate(glossary.entries)]
    _FileSite(name, text, [(glossary, ""), *entries])


def _models_read(model: Model) -> Iterator[Model]:
    """`model` and every model in the fields its source set, at any depth (a default is
    never located: the slow path finds no line for it)."""
    yield model
    for name in model.model_fields_set:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, Model):
                yield from _models_read(item)


def _load_course_info(reader: _Reader, name: str, text: str | None) -> tuple[CourseInfo | None, Any]:
    """course.yaml: validated as read on the fast path, its lines learned when a message first
    needs one (`_FileSite`); else read with line marks, which locate every problem. With it,
    the data read when it has an error (for `_stand_in_info`), else None."""
    if text is None:
        return None, None
    info = _fast_model(CourseInfo, load_fast(text))
    if info is not None:
        _FileSite(name, text, [(model, "") for model in _models_read(info)])
        return info, None
    data = _parse(reader, name, text)
    if data is _FAILED:
        return None, None
    data = _empty_if_none(data)
    info = validate(CourseInfo, data, name, reader.diags)
    return info, (data if info is None else None)


_STAND_IN_NAMES = {"id": "course", "title": "Course", "shortname": "Course"}
"""What a stand-in for course.yaml (`_stand_in_info`) takes for a name in error or missing."""


def _stand_in_info(data: Any, lessons: list[Lesson]) -> CourseInfo | None:
    """course.yaml in error (`data`, as `_load_course_info` read it), made whole enough to check
    the other files against, so that one run reports their problems too: each top-level field
    in error is left out (its default taken, or a stand-in name), and the lessons in error or
    missing are the lesson files, so that none is told it is not listed. None when the file is
    no mapping, or still fails. Its own problems are already reported; the checks against it
    build nothing."""
    for _ in range(3):  # a field left out may let a check of the whole find another
        if not isinstance(data, LineDict):
            return None
        try:
            info = CourseInfo.model_validate(data)
        except ValidationError as exc:
            failed = {str(item["loc"][0]) for item in exc.errors(include_url=False) if item["loc"]}
        else:
            _locate(info, data, COURSE_FILE, 0)
            return info
        if not failed:
            return None
        kept = _without_keys(data, failed)
        for key, name in _STAND_IN_NAMES.items():
            kept.setdefault(key, name)
        if "lessons" not in kept and lessons:
            kept["lessons"] = [lesson.id for lesson in lessons]
        data = kept
    return None


def _empty_if_none(data: Any, line: int = 1) -> Any:
    """An empty document is an empty mapping, so missing fields are reported one by one."""
    if data is not None:
        return data
    empty = LineDict()
    empty.line, empty.key_lines, empty.key_columns = line, {}, {}
    return empty


def validate(model: type[M], data: Any, name: str, diags: list[Diagnostic], line_offset: int = 0) -> M | None:
    """Validate parsed YAML against `model`, turning every error into a located diagnostic."""
    if not isinstance(data, dict):
        line = getattr(data, "line", 1) + line_offset
        diags.append(
            error(name, line, field="", message=f"expected a mapping of fields, found {_kind(data)}", code="yaml")
        )
        return None
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        for item in exc.errors(include_url=False):
            diags.append(_diagnostic(item, data, name, line_offset, model))
        return None
    if isinstance(obj, Model):
        _locate(obj, data, name, line_offset)
    return obj


_QUESTIONS = TypeAdapter(list[Question])
"""A whole file's questions in one call (the fast path: any error sends the file to the slow one)."""


QUIZ_WORTH_FORKING = 1_000_000
"""Characters of quiz files from which they are read on the fast path by this process and a
forked child together (`_FastReads`), and the checks that need no Markdown scans run in
another (when the load may fork at all)."""


class _FastReads:
    """`load_fast` of each quiz file: taken from `kept` for the files that did not change since
    it was kept; of the others, when they are large, read by a forked child from the first on,
    each unit of them handed over as it is done (`prescan.UnitStream`), while this process
    loads the lessons and the glossary, then validates each file as its reading comes. Should
    it catch up with the child, this process reads units itself meanwhile, from the last back
    (`prescan.Claims`), until the one it waits for comes or is its own. So neither waits for
    the other while there is reading left, whatever the course, and this process has no
    files left to validate alone once the child is done (when it read from the last back and
    sent everything at the end, this process validated its reads alone, the second core
    idle: about 0.1 s for the 20,000 questions of `make bench-peers`). The child holds `turn`
    until it is done: the lesson scans' child waits for it (`prescan.Turn`), as this process
    needs the quiz files' data first.

    The child only saves time: what it sends is what `load_fast` returns here, and without it
    (none forked, or it failed) the texts are read here. What is read goes to `kept`, for the
    next load.
    """

    def __init__(self, names: list[str], texts: list[str | None], fork: bool, kept: KeptReads) -> None:
        self.names, self.texts, self.kept = names, texts, kept
        self.large = fork and sum(len(text or "") for text in texts) >= QUIZ_WORTH_FORKING
        """Whether the quizzes are large enough to share their work with a child, and the load may fork."""
        self.known: dict[int, Any] = {}
        for index, (name, text) in enumerate(zip(names, texts, strict=True)):
            value = kept.value(name, text) if text is not None else MISSING
            if value is not MISSING:
                self.known[index] = value
        unread = [index for index, text in enumerate(texts) if text is not None and index not in self.known]
        self.unread = [texts[index] or "" for index in unread]
        """The texts of the files to read (none kept), in order: the units cut them in runs."""
        self.position = {index: position for position, index in enumerate(unread)}
        """Position among the files to read of each of them."""
        self.size = max(1, -(-len(unread) // Claims.LIMIT))
        """Files in each unit claimed."""
        to_read = fork and sum(map(len, self.unread)) >= QUIZ_WORTH_FORKING and may_fork()
        self.turn = Turn() if to_read else None
        self.claims: Claims | None = None
        self.stream: UnitStream | None = None
        self.forked: ForkedCall | None = None
        if to_read:
            with contextlib.suppress(OSError):  # no descriptor left: read here
                claims = Claims(-(-len(unread) // self.size))
                self.stream = UnitStream()
                self.claims = claims
        if self.claims is not None and self.stream is not None:
            work = partial(_read_from_the_front, self.unread, self.claims, self.size, self.stream)
            self.forked = ForkedCall(work, True, instead=no_answer, holds=self.turn)
            self.stream.started()
        elif self.turn is not None:
            self.turn.pass_on()
        self.ours: dict[int, list[Any]] = {}
        """The units read here while waiting for the child, by number."""
        self.taken: tuple[int, list[Any] | None] = (-1, None)
        """The unit last asked for, and its reads (None: to be read here)."""

    def data(self, index: int) -> Any:
        """`load_fast` of text `index` (which is not None); asked in the order of the files."""
        if index in self.known:
            return self.known.pop(index)
        text = self.texts[index]
        assert text is not None
        position = self.position[index]
        unit = position // self.size
        if self.taken[0] != unit:
            self.taken = (unit, self._reads(unit))
        reads = self.taken[1]
        data = reads[position - unit * self.size] if reads is not None else MISSING
        if data is MISSING:
            data = load_fast(text)
        self.kept.keep(self.names[index], text, data)  # before the loader completes it in place
        return data

    def _reads(self, unit: int) -> list[Any] | None:
        """`load_fast` of each file of `unit`: the child's, or this process's; None when it is
        to be read here (no child, or it failed). Units are asked for in order."""
        if unit in self.ours:
            return self.ours.pop(unit)
        stream, claims = self.stream, self.claims
        if stream is None or claims is None:
            return None
        while not stream.has(unit) and stream.open:
            stream.receive(wait=False)
            if stream.has(unit) or not stream.open:
                break
            claimed = claims.back()
            if claimed is None:  # the child has it in hand
                stream.receive(wait=True)
                continue
            reads = [load_fast(text) for text in self.unread[claimed * self.size : (claimed + 1) * self.size]]
            if claimed == unit:
                return reads
            self.ours[claimed] = reads
        blob = stream.unit(unit)  # the child claims from the front: its k-th unit is unit k
        if blob is None:
            return None
        try:
            sent = marshal.loads(blob)
        except (ValueError, EOFError, TypeError):
            return None
        files = len(self.unread[unit * self.size : (unit + 1) * self.size])
        if not (isinstance(sent, list) and len(sent) == files and all(_is_read(item) for item in sent)):
            return None  # not what the child sends: read here
        return [data if sure else UNSURE for sure, data in sent]

    def close(self) -> None:
        """End a child whose work is not wanted any more, and release what it used."""
        if self.claims is not None:
            self.claims.close()
        if self.forked is not None:
            self.forked.close()
        if self.stream is not None:
            self.stream.close()


def _is_read(item: object) -> bool:
    """Whether `item` is one file's (sure, value) as `_read_from_the_front` sends it."""
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], bool)


def _read_from_the_front(texts: list[str], claims: Claims, size: int, stream: UnitStream) -> None:
    """In the child: `load_fast` of the units of `texts` it claims, first first, each sent as
    a list of (sure, value) once read (sure False for `UNSURE`, whose value is None)."""
    while (unit := claims.front()) is not None:
        reads = []
        for text in texts[unit * size : (unit + 1) * size]:
            data = load_fast(text)
            reads.append((False, None) if data is UNSURE else (True, data))
        try:
            sent = marshal.dumps(reads)
        except ValueError:  # a value `marshal` cannot write: that unit is read here
            sent = b""
        stream.send(sent)


def _load_quiz(reader: _Reader, name: str, text: str, data: Any, rejected: list[RejectedQuestion]) -> list[Any]:
    """Validate a quiz file question by question, so one bad question hides no other; the ids
    of questions that fail go to `rejected`.

    The file was read on the fast path first (`data`, no line marks); when that finds any
    problem, or cannot be sure it reads the file as PyYAML does, the file is read again with
    lines and checked again, so its messages are located exactly as ever.
    """
    if data is not UNSURE:
        found: list[Diagnostic] = []
        site = _QuizSite(name, text)
        questions = _quiz_questions(data, name, found, site, [])
        if not found:
            return questions
        site.entries.clear()
    data = _parse(reader, name, text)
    if data is _FAILED:
        return []
    return _quiz_questions(data, name, reader.diags, None, rejected)


def _quiz_questions(
    data: Any, name: str, diags: list[Diagnostic], site: _QuizSite | None, rejected: list[RejectedQuestion]
) -> list[Any]:
    """The questions of a parsed quiz file; located now (`site` None) or by `site` when asked.

    The ids of questions that fail validation go to `rejected` (the fast path rejects none: any
    failure sends the file to the slow path).
    """
    if data is None:
        return []
    if isinstance(data, list) and any(isinstance(item, dict) for item in data):  # the questions alone
        message = (
            "found a list of questions without `questions:` above it: a quiz file holds its questions under "
            "`questions:` (and what they share under `defaults:`)"
        )
        diags.append(error(name, getattr(data, "line", 1), field="", message=message, code="yaml"))
        return []
    items = data.get("questions") if isinstance(data, dict) else None
    shell = {k: v for k, v in data.items() if k != "questions"} if isinstance(data, dict) else data
    if isinstance(data, LineDict):
        shell = LineDict(shell)
        shell.line, shell.key_lines, shell.key_columns = data.line, data.key_lines, data.key_columns
    quiz = _fast_shell(shell, name, diags) if site is not None else validate(QuizFile, shell, name, diags)
    if quiz is None:
        return []
    if items is None:
        return []
    if not isinstance(items, list):
        diags.append(
            error(
                name,
                data.key_lines.get("questions", 1) if isinstance(data, LineDict) else 1,
                field="questions",
                message=f"expected a list of questions, found {_kind(items)}",
                code="yaml",
            )
        )
        return []
    if site is not None:
        from_defaults = [_with_defaults(item, quiz.defaults) for item in items]
        try:
            questions = _QUESTIONS.validate_python(items)
        except ValidationError:
            diags.append(
                error(name, 0, field="questions", message="a question is not valid", code="schema")
            )  # read again with lines
            return []
        for index, question in enumerate(questions):
            site.add(question, index, from_defaults[index])
        return questions
    questions = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            line = items.item_lines[index] if isinstance(items, LineList) else 1
            diags.append(
                error(
                    name,
                    line,
                    field=f"questions[{index}]",
                    message=f"expected a question (a mapping), found {_kind(item)}",
                    code="yaml",
                )
            )
            continue
        try:
            question = question_adapter().validate_python(item)
        except ValidationError as exc:
            for problem in exc.errors(include_url=False):
                problem["loc"] = ("questions", index, *problem["loc"])
                diags.append(_diagnostic(problem, data, name, 0, QuizFile))
            qid = item.get("id")
            if isinstance(qid, str) and qid:
                line = item.key_lines.get("id", item.line) if isinstance(item, LineDict) else 1
                rejected.append(RejectedQuestion(qid, name, line, index))
            continue
        _locate(question, item, name, 0)
        question.source_info().path = f"questions[{index}]"
        questions.append(question)
    return list(_apply_defaults(quiz, questions))


def _fast_shell(shell: Any, name: str, diags: list[Diagnostic]) -> QuizFile | None:
    """A quiz file's fields but its questions, read on the fast path: validated, not located
    (only its defaults' values are used); any problem sends the file to the slow path."""
    if isinstance(shell, dict):
        try:
            return QuizFile.model_validate(shell)
        except ValidationError:
            pass
    diags.append(error(name, 0, field="", message="the file is not valid", code="schema"))  # read again with lines
    return None


class _QuizSite:
    """A quiz file read on the fast path: its questions learn their lines when a message needs one.

    It reads the file again with line marks (once) and records the lines exactly as the slow
    path would have at load time.
    """

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text
        self.entries: list[tuple[Model, int]] = []
        """(question, its index in the file)."""

    def add(self, question: Model, index: int, lesson_from_defaults: bool) -> None:
        info = question.source_info()
        info.file, info.path, info.site = self.name, f"questions[{index}]", self
        info.lesson_from_defaults = lesson_from_defaults
        self.entries.append((question, index))

    def locate(self) -> None:
        entries, self.entries = self.entries, []
        if not entries:
            return
        data = parse_yaml(self.text)  # the fast path read it, so this reads it too
        items, defaults = data["questions"], data.get("defaults")
        for question, index in entries:
            question.source_info().site = None
            _locate(question, items[index], self.name, 0)  # keeps `lesson_from_defaults`
            if question.source_info().lesson_from_defaults:
                line = defaults.key_lines.get("lesson", defaults.line) if isinstance(defaults, LineDict) else 0
                question.source_info().lines.setdefault("lesson", line)


def _kind(data: Any) -> str:
    """`model.described`, but for a whole document or list, where nothing is an empty one."""
    return "an empty document" if data is None else described(data)


def _diagnostic(item: Any, data: Any, name: str, line_offset: int, model: Any) -> Diagnostic:
    """Map one pydantic error onto file, line and a readable field path; `data` was read as `model`."""
    path: list[str | int] = []
    node: Any = data
    owner: Any = None
    """The mapping of the field the error is about."""
    line = getattr(data, "line", 1)
    column = 0
    loc = item["loc"]
    for position, part in enumerate(loc):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            if isinstance(node, LineDict):
                line, column = node.key_lines.get(part, line), node.key_columns.get(part, 0)
            owner, node = node, node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if isinstance(node, LineList):
                line, column = node.item_lines[part], node.item_columns[part]
            node = node[part]
            path.append(part)
        elif item["type"] == "missing" and position == len(loc) - 1:
            path.append(part)
        # other parts are union tags or function names: skip them
    message = problem_message(item)
    code = _error_code(item["type"]) if xml_char_message(item) is None else "xml-char"
    # Our model rules name the field first ("answers: ..."): point at it.
    head, sep, rest = message.partition(": ")
    if sep and isinstance(node, dict) and re.fullmatch(r"[a-z_]+", head) and head in node:
        if isinstance(node, LineDict):
            line, column = node.key_lines.get(head, line), node.key_columns.get(head, 0)
        path.append(head)
        message = rest
    if item["type"] == "string_type" and isinstance(node, dict):
        message += " (a value with `: ` in it reads as a mapping: put the value in quotes)"
    if item["type"] == "extra_forbidden":
        message = "unknown field" + _suggest(str(loc[-1]), fields_at(model, loc[:-1]), owner)
    elif item["type"] == "list_type" and isinstance(node, str) and "\n" not in node and takes_texts(model, loc):
        message += f": write it as a list, [{node}]"
    elif item["type"] == "missing":
        message = "required field is missing"
        line, column = getattr(node, "line", line), 0
    elif item["type"] in ("union_tag_invalid", "union_tag_not_found"):
        message = _union_message(item)
        if item["type"] == "union_tag_invalid" and isinstance(node, LineDict) and "type" in node:
            line, column = node.key_lines.get("type", line), node.key_columns.get("type", 0)
            path.append("type")
    return error(name, line + line_offset, field=_dotted(path), message=message, code=code, column=column)


def _error_code(kind: str) -> str:
    """Our code for a pydantic error type: `type` for wrong types, our own rule codes as they are."""
    if kind in _PYDANTIC_CODES:
        return _PYDANTIC_CODES[kind]
    if kind.endswith(("_type", "_parsing")):
        return "type"
    if kind.startswith(("greater_than", "less_than")):
        return "range"
    return kind if "_" not in kind else "schema"


FIELDS_LISTED = 13
"""A place of this many fields or fewer lists them for an unknown field with no near name (a
question, with a score, is told none: its JSON Schema lists them)."""


def _suggest(name: str, known: Iterable[str], written: Any) -> str:
    """`did_you_mean` the field of `known` nearest to unknown field `name`, one not `written`
    already; with none near, the fields of a place of a few (`FIELDS_LISTED`)."""
    fields = list(known)
    open_fields = [field for field in fields if not (isinstance(written, dict) and field in written)]
    meant = did_you_mean(name, open_fields)
    starting = [field for field in open_fields if field.startswith(name)]
    if not meant and len(starting) == 1:  # a short form: `q` for `question`
        meant = meaning(starting[0])
    if meant or not fields or len(fields) > FIELDS_LISTED:
        return meant
    listed = fields[0] if len(fields) == 1 else f"{', '.join(fields[:-1])} and {fields[-1]}"
    return f"; the fields here are {listed}"


def _union_message(item: Any) -> str:
    ctx = item.get("ctx") or {}
    expected = ctx.get("expected_tags", "")
    if item["type"] == "union_tag_not_found":
        return f"`type` is missing; expected one of {expected}"
    tag = str(ctx.get("tag"))
    meant = did_you_mean(tag, quoted_choices(str(expected)))
    return f"unknown question type {tag[:40]!r}; expected one of {expected}{meant}"


def _dotted(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _locate(obj: Model, data: LineDict | dict[str, Any], name: str, line_offset: int) -> None:
    """Record file and line on `obj` and every model inside it (a parallel walk of model and data)."""
    stack: list[tuple[Any, Any]] = [(obj, data)]
    while stack:
        current, raw = stack.pop()
        if isinstance(current, Model) and isinstance(raw, dict):
            lines = {k: v + line_offset for k, v in raw.key_lines.items()} if isinstance(raw, LineDict) else {}
            for key, value in raw.items():
                child = getattr(current, key, None)
                plain_list = isinstance(child, list) and bool(child) and not isinstance(child[0], Model)
                if plain_list and isinstance(value, LineList):
                    lines.update({f"{key}[{i}]": n + line_offset for i, n in enumerate(value.item_lines)})
                    continue
                if isinstance(child, (Model, list)):
                    stack.append((child, value))
            columns = dict(raw.key_columns) if isinstance(raw, LineDict) else None
            current.locate(name, getattr(raw, "line", 0) + line_offset, lines, columns=columns)
        elif isinstance(current, list) and isinstance(raw, list):
            stack.extend(zip(current, raw, strict=False))


# --------------------------------------------------------------------------- lessons


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:(?P<yaml>.*?)\n)??(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


_NEEDS_FRONT_MATTER = (
    "a lesson starts with YAML front matter between two `---` lines (`---`, `title: …`, `---`), then its text"
)


def _missing_front_matter(text: str) -> tuple[int, str]:
    """The line and the message for a lesson in which `FRONT_MATTER` finds none: what it lacks,
    the closing line or a first line of its own, where the file seems to have some."""
    lines = text.split("\n")
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return 1, f"{_NEEDS_FRONT_MATTER}; this one is empty"
    start = lines[first].strip()
    if start == "---" and first > 0:
        return first + 1, "the front matter's `---` must be the file's first line"
    if start == "---":
        return 1, (
            "the front matter that starts here has no closing `---` line: end it with a line of `---` "
            "before the lesson's text"
        )
    return 1, f"{_NEEDS_FRONT_MATTER}; this one starts with {start if len(start) <= 40 else start[:40] + '…'!r}"


def _load_lessons(reader: _Reader, unreadable: set[str], unloaded: list[Lesson]) -> Iterator[Lesson]:
    """Yield the lessons that load; the file slugs of those that don't go to `unreadable`, and
    the bodies of those whose front matter failed to `unloaded` (see `_load_lesson`)."""
    for path in lesson_files(reader.root):
        lesson = _load_lesson(reader, path, unloaded)
        if lesson is None:
            unreadable.add(lesson_file_slug(path))
        else:
            yield lesson


def _load_lesson(reader: _Reader, path: Path, unloaded: list[Lesson]) -> Lesson | None:
    """The lesson in file `path`, or None when it does not load.

    A lesson whose front matter fails is no part of the course, but its body is checked all
    the same, so that one run reports every problem: it goes to `unloaded` (`_unloaded_body`).
    """
    diags = reader.diags
    name = f"{LESSONS_DIR}/{path.name}"  # `_rel(reader.root, path)` of a file in lessons/
    text = reader.read(name)
    if text is None:
        return None
    match = FRONT_MATTER.match(text)
    if match is None:
        line, message = _missing_front_matter(text)
        diags.append(error(name, line, field="", message=message, code="front-matter"))
        return None
    front = (match.group("yaml") or "") + "\n"
    site = None
    data: Any = None
    meta = _lesson_meta_fast(front)
    if meta is not None:
        site = _LessonSite(name, front)
    else:
        data = _parse(reader, name, front, line_offset=1)
        if data is not _FAILED:
            meta = validate(LessonMeta, _empty_if_none(data, 0), name, diags, line_offset=1)
    body = text[match.end() :]
    body_line = text[: match.end()].count("\n") + 1
    bad = xml_unsafe_char(body)
    if bad is not None:
        at = body.index(bad)
        line = body_line + body.count("\n", 0, at)
        column = at - (body.rfind("\n", 0, at) + 1) + 1
        diags.append(
            error(
                name,
                line,
                field="body",
                message=f"contains U+{ord(bad):04X}, which XML 1.0 cannot carry",
                code="xml-char",
                column=column,
            )
        )
        return None
    if meta is None:
        allow_scripts = _may_allow_scripts(front, data)
        unloaded.append(_unloaded_body(name, lesson_file_slug(path), body, body_line, allow_scripts))
        return None
    lesson_id = meta.id or lesson_file_slug(path)
    lesson = Lesson.model_construct(
        id=lesson_id,
        title=meta.title,
        objectives=meta.objectives,
        minutes=meta.minutes,
        summary=meta.summary,
        allow_scripts=meta.allow_scripts,
        body=body,
        body_line=body_line,
        path=name,
    )
    if site is None:
        lesson.locate(name, 1, dict(meta.source_info().lines))
    else:
        lesson.locate(name, 1)
        lesson.source_info().site = site
        site.lesson = lesson
    return lesson


def _unloaded_body(name: str, lesson_id: str, body: str, body_line: int, allow_scripts: bool) -> Lesson:
    """A lesson that carries only the body of file `name`, whose front matter failed: checked
    as a lesson's body is, at the same lines, but never made part of the course."""
    lesson = Lesson.model_construct(
        id=lesson_id, title="", allow_scripts=allow_scripts, body=body, body_line=body_line, path=name
    )
    lesson.locate(name, 1)
    return lesson


def _may_allow_scripts(front: str, data: Any) -> bool:
    """Whether the failed front matter `front` (`data` as read, or `_FAILED`) may let scripts
    into its lesson: its `allow_scripts` when it was read and valid; when it was not, whether
    the field is written at all. The body is then spared script errors that the front matter
    the author meant might not give it."""
    if isinstance(data, dict):
        try:  # read as `LessonMeta` reads it
            return TypeAdapter(bool).validate_python(data.get("allow_scripts", False))
        except ValidationError:
            return True
    return "allow_scripts" in front


def _lesson_meta_fast(front: str) -> LessonMeta | None:
    """The front matter read on the fast path (no line marks), or None when only the slow path,
    which locates its problems, may read it."""
    return _fast_model(LessonMeta, load_fast(front))


def _fast_model(model: type[M], data: Any) -> M | None:
    """`model` of data read on the fast path, or None when it is not valid: the slow path
    reads the file again and locates the problems."""
    if not isinstance(data, dict):
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


class _LessonSite:
    """A lesson whose front matter was read on the fast path: it learns the lines of its
    fields when a message first needs one, exactly as the slow path records them."""

    def __init__(self, name: str, front: str) -> None:
        self.name, self.front = name, front
        self.lesson: Lesson | None = None

    def locate(self) -> None:
        lesson, self.lesson = self.lesson, None
        if lesson is None:
            return
        lesson.source_info().site = None
        data = parse_yaml(self.front)  # the fast path read it, so this reads it too
        meta = LessonMeta.model_validate(data)
        _locate(meta, data, self.name, 1)
        lesson.locate(self.name, 1, dict(meta.source_info().lines))


def _in_course_order(info: CourseInfo, lessons: list[Lesson]) -> list[Lesson]:
    order = {lesson_id: index for index, lesson_id in enumerate(info.lessons)}
    listed = [lesson for lesson in lessons if lesson.id in order]
    return sorted(listed, key=lambda lesson: order[lesson.id])


# --------------------------------------------------------------------------- quizzes


def _quiz_files(root: Path) -> list[str]:
    folder = root / QUIZ_DIR
    if not folder.is_dir():
        return []
    # Not only regular files: a pipe or a link named *.yaml is reported, not silently skipped;
    # but an editor's lock file (`.#unit-1.yaml`, a link to nowhere) is no part of the course.
    # `os.walk` lists names without a stat or a Path each, and follows no link to a folder.
    names: list[str] = []
    for parent, _, files in os.walk(folder):
        prefix = os.path.relpath(parent, root).replace(os.sep, "/") + "/"
        names += (prefix + name for name in files if name.endswith((".yaml", ".yml")))
    return sorted(name for name in names if not left_out_path(name))


def defaults_update(question: Any, defaults: QuizDefaults) -> dict[str, Any]:
    """The fields a quiz file's `defaults:` give one of its questions: a lesson and a category
    where the question has none, and the default tags before its own."""
    update: dict[str, Any] = {}
    if question.lesson is None and defaults.lesson is not None:
        update["lesson"] = defaults.lesson
    if question.category is None and defaults.category is not None:
        update["category"] = defaults.category
    if defaults.tags:
        update["tags"] = list(dict.fromkeys([*defaults.tags, *question.tags]))
    return update


def _with_defaults(item: Any, defaults: QuizDefaults) -> bool:
    """Give a question read on the fast path its file's defaults before it is validated, as
    `defaults_update` gives them to a validated one (no copy of the question to make); whether
    its lesson came from them.

    Only values valid as they stand are completed: any other fails validation either way, and
    the file is read again on the slow path, which applies the defaults after validating.
    """
    if not isinstance(item, dict):
        return False
    lesson = defaults.lesson is not None and item.get("lesson") is None
    if lesson:
        item["lesson"] = defaults.lesson
    if defaults.category is not None and item.get("category") is None:
        item["category"] = defaults.category
    if defaults.tags:
        tags = item.get("tags", [])
        if type(tags) is list and all(type(tag) is str for tag in tags):
            item["tags"] = list(dict.fromkeys([*defaults.tags, *tags]))
    return lesson


def _apply_defaults(quiz: QuizFile, questions: list[Any]) -> Iterator[Any]:
    """The questions of a file read on the slow path with the file's defaults (see
    `_with_defaults` for the fast path)."""
    defaults = quiz.defaults
    for question in questions:
        update = defaults_update(question, defaults)
        copy = question.model_copy(update=update) if update else question
        if update:
            source = question.source_info()
            copy.locate(question.source_file, question.source_line(), dict(source.lines), source.path)
            if "lesson" in update:
                copy.source_info().lines.setdefault("lesson", quiz.defaults.source_line("lesson"))
                copy.source_info().lesson_from_defaults = True
        yield copy
