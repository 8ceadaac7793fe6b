"""Quiz files and Markdown scans kept between builds: an unchanged file or text is not parsed
again, an edited one is, and a store that cannot be trusted is ignored (the bytes and the
diagnostics are always those of a clean build)."""

from __future__ import annotations

import hashlib
import json
import marshal
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from coursebuilder import buildcache, loadcache, loader, prescan
from coursebuilder.build import build_course
from coursebuilder.diagnostics import CourseError, Diagnostic, Severity
from coursebuilder.targets import BuildOptions
from tests.conftest import EXAMPLE, ROOT, files_of

SERIAL = BuildOptions(jobs=1)
"""One process: every quiz file the load parses is parsed here, where it is counted."""
COURSES = ROOT / "tests" / "courses"
TAMPERED = "TAMPERED-BY-THE-TEST"

# A valid quiz file (read on the fast path, its lines learned when a message asks) whose
# questions break rules that span files, or earn a warning.
VALID_BUT_WRONG = """\
defaults:
  lesson: intro
  tags: [extra]
questions:
  - id: q0
    type: truefalse
    text: Lagi.
    correct: true
  - id: c1
    type: truefalse
    lesson: nowhere-else
    text: Lihat ![peta](../assets/tidak-ada.png).
    correct: false
  - id: c2
    type: shortanswer
    text: Ketik.
    answers:
      - {text: " spasi ", grade: 100}
  - id: c3
    type: truefalse
    text: Klik <a href="javascript:alert(1)">di sini</a>.
    correct: true
"""


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(EXAMPLE, root)
    return root


def reads_of(course: Path, dist: Path) -> Path:
    return loadcache.reads_file(buildcache.load_cache_file(course))


def entries_of(store: Path) -> dict[str, Any]:
    return marshal.loads(store.read_bytes().partition(b"\n")[2])  # type: ignore[no-any-return]


def quiz_parses(monkeypatch: pytest.MonkeyPatch, course: Path) -> list[str]:
    """The quiz files of `course` this process reads on the fast path from now on (by name)."""
    texts = {path.read_text(encoding="utf-8"): path.name for path in (course / "quiz").glob("*.yaml")}
    seen: list[str] = []
    real = loader.load_fast

    def counting(text: str) -> Any:
        if text in texts:
            seen.append(texts[text])
        return real(text)

    monkeypatch.setattr(loader, "load_fast", counting)
    return seen


def forget_build(course: Path, dist: Path) -> None:
    """Drop the build cache (not the kept quiz files), so that the next build loads the course."""
    buildcache.cache_file(course, dist).unlink(missing_ok=True)


def diagnostics_of(course: Path, dist: Path, options: BuildOptions = SERIAL) -> list[Diagnostic]:
    """What a build reports: its warnings, or the problems that stopped it."""
    try:
        return build_course(course, dist, options=options)[1]
    except CourseError as exc:
        return exc.diagnostics


def test_validate_and_builds_into_any_folder_share_what_the_load_keeps(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build after `validate` (a CI job checks, then builds), or into another folder, takes
    the quiz files the last load read, and reports what a build that keeps nothing reports."""
    from coursebuilder.validation import validate_cached

    parsed = quiz_parses(monkeypatch, course)
    validate_cached(course)
    assert sorted(parsed) == sorted(path.name for path in (course / "quiz").glob("*.yaml"))
    parsed.clear()
    warnings = build_course(course, tmp_path / "one", options=SERIAL)[1]
    assert parsed == []
    afresh = build_course(course, tmp_path / "afresh", options=BuildOptions(jobs=1, cache=False))[1]
    assert warnings == afresh
    assert files_of(tmp_path / "one") == files_of(tmp_path / "afresh")
    parsed.clear()
    build_course(course, tmp_path / "two", options=SERIAL)
    assert parsed == []


def test_unchanged_quiz_files_are_not_parsed_again(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = tmp_path / "dist"
    parsed = quiz_parses(monkeypatch, course)
    build_course(course, dist, options=SERIAL)
    assert sorted(parsed) == sorted(path.name for path in (course / "quiz").glob("*.yaml"))
    kept = entries_of(reads_of(course, dist))
    assert sorted(kept) == sorted(f"quiz/{name}" for name in parsed)
    assert all(blob is not None for _, blob in kept.values()), "the example's quiz files are read on the fast path"
    forget_build(course, dist)
    parsed.clear()
    build_course(course, dist, options=SERIAL)
    assert parsed == []
    build_course(course, tmp_path / "clean", options=BuildOptions(jobs=1, cache=False))
    assert files_of(dist) == files_of(tmp_path / "clean")


def test_an_edited_quiz_file_is_read_again(course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "dist"
    build_course(course, dist, options=SERIAL)
    quiz = sorted((course / "quiz").glob("*.yaml"))[0]
    text = quiz.read_text(encoding="utf-8")
    first = loader.load_fast(text)["questions"][0]["text"]
    quiz.write_text(text.replace(first, f"{first} {TAMPERED}", 1), encoding="utf-8")
    parsed = quiz_parses(monkeypatch, course)
    build_course(course, dist, options=SERIAL)
    assert parsed == [quiz.name], "only the edited file is parsed"
    built = files_of(dist)
    assert any(TAMPERED.encode() in data for data in built.values()), "the new text is in the output"
    build_course(course, tmp_path / "clean", options=BuildOptions(jobs=1, cache=False))
    assert built == files_of(tmp_path / "clean")
    digest = hashlib.sha256(quiz.read_bytes()).digest()
    assert entries_of(reads_of(course, dist))[f"quiz/{quiz.name}"][0] == digest, "the store holds the new text"


def test_a_removed_quiz_file_leaves_the_store(course: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build_course(course, dist, options=SERIAL)
    gone = sorted((course / "quiz").glob("*.yaml"))[-1]
    assert f"quiz/{gone.name}" in entries_of(reads_of(course, dist))
    gone.unlink()
    build_course(course, dist, options=SERIAL)
    assert f"quiz/{gone.name}" not in entries_of(reads_of(course, dist))


def _tampered(entries: dict[str, Any]) -> dict[str, Any]:
    """A word added to every kept question's text: were the store trusted, the output would show it."""
    changed = {}
    for name, (digest, blob) in entries.items():
        value = marshal.loads(blob)
        for question in value["questions"]:
            question["text"] += f" {TAMPERED}"
        changed[name] = (digest, marshal.dumps(value))
    return changed


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "empty",
        "checksum",
        "another maker",
        "another version",
        "another format",
        "wrong shapes",
        "not marshal",
    ],
)
def test_a_store_that_cannot_be_trusted_is_ignored(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    dist = tmp_path / "dist"
    with monkeypatch.context() as patch:
        if damage == "another version":
            patch.setattr(loadcache, "__version__", "0.0.0-another")
        build_course(course, dist, options=SERIAL)
    store = reads_of(course, dist)
    head, _, payload = store.read_bytes().partition(b"\n")
    header = json.loads(head)
    tampered = marshal.dumps(_tampered(marshal.loads(payload)))

    def write(header: dict[str, object], payload: bytes, checksum: bool = True) -> None:
        if checksum:
            header = {**header, "sha256": hashlib.sha256(payload).hexdigest()}
        store.write_bytes(json.dumps(header).encode() + b"\n" + payload)

    if damage == "garbage":
        store.write_bytes(b"\x00\xff not json\n\xfe")
    elif damage == "truncated":
        data = store.read_bytes()
        store.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "empty":
        store.write_bytes(b"")
    elif damage == "checksum":
        write(header, tampered, checksum=False)
    elif damage in ("another maker", "another version"):
        # Another version's store is as sound as any: only what made it differs.
        write({**header, "reader": "0" * 64} if damage == "another maker" else header, tampered)
    elif damage == "another format":
        write({**header, "format": 0}, tampered)
    elif damage == "wrong shapes":
        write(header, marshal.dumps({**marshal.loads(tampered), "quiz/x.yaml": ("not a digest", 3)}))
    else:
        write(header, b"\xfe\xff not marshal" + tampered)
    forget_build(course, dist)
    parsed = quiz_parses(monkeypatch, course)
    build_course(course, dist, options=SERIAL)
    assert len(parsed) == len(list((course / "quiz").glob("*.yaml"))), "every quiz file is parsed again"
    build_course(course, tmp_path / "clean", options=BuildOptions(jobs=1, cache=False))
    assert files_of(dist) == files_of(tmp_path / "clean")
    assert not any(TAMPERED.encode() in data for data in files_of(dist).values())
    again = entries_of(store)
    assert again and all(blob is not None and TAMPERED.encode() not in blob for _, blob in again.values()), (
        "the store is written again"
    )


def _course_with_defects(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    if name == "defects, valid files":
        shutil.copytree(COURSES / "defects", root)
        (root / "quiz" / "c.yaml").write_text(textwrap.dedent(VALID_BUT_WRONG), encoding="utf-8")
    else:
        shutil.copytree(COURSES / name, root)
    return root


@pytest.mark.parametrize("name", ["defects", "defects, valid files", "answer-keys", "moodle-awkward"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_diagnostics_with_kept_files_are_those_of_a_fresh_load(tmp_path: Path, name: str, jobs: int) -> None:
    course = _course_with_defects(tmp_path, name)
    dist = tmp_path / "dist"
    options = BuildOptions(jobs=jobs)
    fresh = diagnostics_of(course, tmp_path / "fresh", BuildOptions(jobs=jobs, cache=False))
    assert fresh, "the course has something to report"
    cold = diagnostics_of(course, dist, options)
    kept = entries_of(reads_of(course, dist))
    assert kept, "the quiz files are kept"
    forget_build(course, dist)
    warm = diagnostics_of(course, dist, options)
    assert warm == cold == fresh
    if name == "defects, valid files":
        assert kept["quiz/c.yaml"][1] is not None, "the valid file is read on the fast path"
        lines = {(d.file.rpartition("/")[2], d.line, d.code) for d in warm}
        assert {
            ("c.yaml", 21, "unsafe-html"),
            ("c.yaml", 5, "duplicate-id"),
            ("c.yaml", 11, "reference"),
            ("c.yaml", 18, "moodle-trim"),
            ("c.yaml", 12, "asset"),
        } <= lines


def scans_of(course: Path, dist: Path) -> Path:
    return loadcache.scans_file(buildcache.load_cache_file(course))


def text_scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts this process scans from now on."""
    seen: list[str] = []
    real = prescan.scan_markdown

    def counting(text: str) -> Any:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(prescan, "scan_markdown", counting)
    return seen


def test_unchanged_texts_are_not_scanned_again(course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "dist"
    scanned = text_scans(monkeypatch)
    build_course(course, dist, options=SERIAL)
    long_at_first = [text for text in scanned if len(text) >= loadcache.SCAN_WORTH_KEEPING]
    assert len(long_at_first) >= 2, "the first build scans the course's texts (those that can hold HTML or links)"
    lesson = sorted((course / "lessons").glob("*.md"))[1]
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + f"\nA [link](https://example.org/{TAMPERED}).\n", encoding="utf-8"
    )
    scanned.clear()
    warm = diagnostics_of(course, dist)
    long = [text for text in scanned if len(text) >= loadcache.SCAN_WORTH_KEEPING]
    assert len(long) == 1 and TAMPERED in long[0], "of the texts long enough to keep, only the edited body is scanned"
    assert warm == diagnostics_of(course, tmp_path / "clean", BuildOptions(jobs=1, cache=False))
    assert any(TAMPERED in d.message for d in warm), "the edited body's scan is the new one"
    assert files_of(dist) == files_of(tmp_path / "clean")


def _script_in_every_text(entries: dict[bytes, Any]) -> dict[bytes, Any]:
    """A script found in every kept text: were the store trusted, the build would report it."""
    script = (0, "<script> element")
    return {
        digest: ([script], []) if entry is None else ([*entry[0], script], entry[1])
        for digest, entry in entries.items()
    }


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "checksum",
        "another maker",
        "another format",
        "another marshal",
        "wrong shapes",
        "not marshal",
    ],
)
def test_a_scan_store_that_cannot_be_trusted_is_ignored(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    dist = tmp_path / "dist"
    build_course(course, dist, options=SERIAL)
    store = scans_of(course, dist)
    head, _, payload = store.read_bytes().partition(b"\n")
    header = json.loads(head)
    kept = marshal.loads(payload)
    tampered = marshal.dumps(_script_in_every_text(kept))

    def write(header: dict[str, object], payload: bytes, checksum: bool = True) -> None:
        if checksum:
            header = {**header, "sha256": hashlib.sha256(payload).hexdigest()}
        store.write_bytes(json.dumps(header).encode() + b"\n" + payload)

    if damage == "garbage":
        store.write_bytes(b"\x00\xff not json\n\xfe")
    elif damage == "truncated":
        data = store.read_bytes()
        store.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "checksum":
        write(header, tampered, checksum=False)
    elif damage == "another maker":
        write({**header, "scanner": "0" * 64}, tampered)
    elif damage == "another format":
        write({**header, "format": 0}, tampered)
    elif damage == "another marshal":  # another Python's `marshal` wrote it
        write({**header, "marshal": "python 3.99 marshal 99"}, tampered)
    elif damage == "wrong shapes":
        write(header, marshal.dumps({digest: ([("x", 0, 3)], "refs") for digest in kept}))
    else:
        write(header, b"\xfe\xff not marshal" + tampered)
    forget_build(course, dist)
    scanned = text_scans(monkeypatch)
    warnings = diagnostics_of(course, dist)
    again = list(scanned)
    scanned.clear()
    assert warnings == diagnostics_of(course, tmp_path / "clean", BuildOptions(jobs=1, cache=False))
    assert again == scanned, "every text is scanned again"
    assert files_of(dist) == files_of(tmp_path / "clean")
    assert marshal.loads(store.read_bytes().partition(b"\n")[2]) == kept, "the store is written again"


def test_a_trusted_scan_store_is_used(course: Path, tmp_path: Path) -> None:
    """The other side of the test above: a sound store planted by hand is believed."""
    dist = tmp_path / "dist"
    build_course(course, dist, options=SERIAL)
    store = scans_of(course, dist)
    head, _, payload = store.read_bytes().partition(b"\n")
    tampered = marshal.dumps(_script_in_every_text(marshal.loads(payload)))
    header = {**json.loads(head), "sha256": hashlib.sha256(tampered).hexdigest()}
    store.write_bytes(json.dumps(header).encode() + b"\n" + tampered)
    forget_build(course, dist)
    assert any(d.code == "unsafe-html" for d in diagnostics_of(course, dist))


def test_no_cache_reads_and_keeps_no_quiz_files(course: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build_course(course, dist, options=SERIAL)
    store = reads_of(course, dist)
    head, _, payload = store.read_bytes().partition(b"\n")
    tampered = marshal.dumps(_tampered(marshal.loads(payload)))
    header = {**json.loads(head), "sha256": hashlib.sha256(tampered).hexdigest()}
    store.write_bytes(json.dumps(header).encode() + b"\n" + tampered)  # a store that would be trusted
    forget_build(course, dist)
    build_course(course, dist, options=BuildOptions(jobs=1, cache=False))
    assert not any(TAMPERED.encode() in data for data in files_of(dist).values()), "the store was not read"
    assert store.read_bytes().endswith(tampered), "nor written"
    other = tmp_path / "other-course"
    shutil.copytree(course, other)
    build_course(other, tmp_path / "other", options=BuildOptions(jobs=1, cache=False))
    assert not reads_of(other, dist).exists() and not scans_of(other, dist).exists()


def test_a_trusted_store_is_used(course: Path, tmp_path: Path) -> None:
    """The other side of the tests above: a sound store planted by hand is believed, so they
    can fail (its entries are taken as they are)."""
    dist = tmp_path / "dist"
    build_course(course, dist, options=SERIAL)
    store = reads_of(course, dist)
    head, _, payload = store.read_bytes().partition(b"\n")
    tampered = marshal.dumps(_tampered(marshal.loads(payload)))
    header = {**json.loads(head), "sha256": hashlib.sha256(tampered).hexdigest()}
    store.write_bytes(json.dumps(header).encode() + b"\n" + tampered)
    forget_build(course, dist)
    build_course(course, dist, options=SERIAL)
    assert any(TAMPERED.encode() in data for data in files_of(dist).values())


def checks_of(course: Path, dist: Path) -> Path:
    return loadcache.checks_file(buildcache.load_cache_file(course))


def question_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The question checks this process runs from now on (one entry per run of each)."""
    from coursebuilder import checks

    ran: list[str] = []
    for name in ("check_answer_keys", "_check_plain_formulas", "_trimmed_answers"):
        real = getattr(checks, name)

        def counting(*args: Any, _real: Any = real, _name: str = name) -> Any:
            ran.append(_name)
            return _real(*args)

        monkeypatch.setattr(checks, name, counting)
    return ran


def edit_lesson(course: Path, words: str = "Satu kalimat lagi.") -> None:
    lesson = sorted((course / "lessons").glob("*.md"))[0]
    lesson.write_text(lesson.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


@pytest.mark.parametrize("jobs", [1, 2])
def test_question_checks_are_kept_while_only_lessons_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    course = _course_with_defects(tmp_path, "defects, valid files")
    dist = tmp_path / "dist"
    diagnostics_of(course, dist, BuildOptions(jobs=jobs))
    edit_lesson(course, "Kalimat baru dengan [tautan](https://example.org/baru).")
    ran = question_checks(monkeypatch)
    scanned = text_scans(monkeypatch)
    warm = diagnostics_of(course, dist, BuildOptions(jobs=jobs))
    assert ran == [], "the quiz files did not change: their checks are not run again"
    assert all("quiz" not in text for text in scanned) and any("example.org/baru" in t for t in scanned)
    assert warm == diagnostics_of(course, tmp_path / "fresh", BuildOptions(jobs=jobs, cache=False))
    lines = {(d.file.rpartition("/")[2], d.line, d.code) for d in warm}
    assert {("c.yaml", 21, "unsafe-html"), ("c.yaml", 18, "moodle-trim"), ("c.yaml", 12, "asset")} <= lines
    assert any("example.org/baru" in d.message for d in warm), "the edited lesson is checked afresh"


def test_an_edited_quiz_file_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = _course_with_defects(tmp_path, "defects, valid files")
    dist = tmp_path / "dist"
    diagnostics_of(course, dist)
    quiz = course / "quiz" / "c.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace('" spasi "', '"spasi"'), encoding="utf-8")
    ran = question_checks(monkeypatch)
    warm = diagnostics_of(course, dist)
    assert sorted(ran) == ["_check_plain_formulas", "_trimmed_answers", "check_answer_keys"]
    assert warm == diagnostics_of(course, tmp_path / "fresh", BuildOptions(jobs=1, cache=False))
    assert "moodle-trim" not in {d.code for d in warm}


def test_kept_question_checks_follow_the_files_their_texts_name(course: Path, tmp_path: Path) -> None:
    """A file a question shows is checked in every build: gone, it is reported; back, it is not."""
    dist = tmp_path / "dist"
    image = course / "assets" / "lima-prinsip.svg"
    saved = image.read_bytes()
    assert "lima-prinsip.svg" in (course / "quiz" / "02-prinsip.yaml").read_text(encoding="utf-8")
    assert diagnostics_of(course, dist) == diagnostics_of(course, tmp_path / "fresh-1", BuildOptions(cache=False))
    image.unlink()
    edit_lesson(course)
    gone = diagnostics_of(course, dist)
    assert gone == diagnostics_of(course, tmp_path / "fresh-2", BuildOptions(jobs=1, cache=False))
    assert any(d.code == "asset" and d.file.endswith("02-prinsip.yaml") for d in gone)
    image.write_bytes(saved)
    edit_lesson(course)
    back = diagnostics_of(course, dist)
    assert back == diagnostics_of(course, tmp_path / "fresh-3", BuildOptions(jobs=1, cache=False))
    assert not any(d.code == "asset" for d in back)


def _with_tampered_warning(payload: bytes) -> bytes:
    """The kept checks with one more warning: were the store trusted, the build would report it."""
    texts, plain, keys, references, scans = marshal.loads(payload)
    extra = ("quiz/01-konsep.yaml", 1, 0, "warning", "", TAMPERED, "tampered")
    return marshal.dumps(([*texts, extra], plain, keys, references, scans))


@pytest.mark.parametrize(
    "damage",
    [
        "trusted",
        "garbage",
        "truncated",
        "checksum",
        "another maker",
        "other files",
        "another format",
        "another marshal",
        "wrong shapes",
        "not marshal",
    ],
)
def test_a_checks_store_that_cannot_be_trusted_is_ignored(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    dist = tmp_path / "dist"
    diagnostics_of(course, dist)
    store = checks_of(course, dist)
    original = store.read_bytes()
    head, _, payload = original.partition(b"\n")
    header = json.loads(head)
    tampered = _with_tampered_warning(payload)

    def write(header: dict[str, object], payload: bytes, checksum: bool = True) -> None:
        if checksum:
            header = {**header, "sha256": hashlib.sha256(payload).hexdigest()}
        store.write_bytes(json.dumps(header).encode() + b"\n" + payload)

    if damage == "trusted":  # the control: a sound store is believed
        write(header, tampered)
    elif damage == "garbage":
        store.write_bytes(b"\x00\xff not json\n\xfe")
    elif damage == "truncated":
        store.write_bytes(original[: len(original) * 2 // 3])
    elif damage == "checksum":
        write(header, tampered, checksum=False)
    elif damage == "another maker":
        write({**header, "checker": "0" * 64}, tampered)
    elif damage == "other files":
        write({**header, "key": "0" * 64}, tampered)
    elif damage == "another format":
        write({**header, "format": 0}, tampered)
    elif damage == "another marshal":  # another Python's `marshal` wrote it
        write({**header, "marshal": "python 3.99 marshal 99"}, tampered)
    elif damage == "wrong shapes":
        texts, plain, keys, _references, scans = marshal.loads(tampered)
        write(header, marshal.dumps((texts, plain, keys, [("x", 1, "not a flag", 2)], scans)))
    else:
        write(header, b"\xfe\xff not marshal" + tampered)
    forget_build(course, dist)
    edit_lesson(course)
    ran = question_checks(monkeypatch)
    warm = diagnostics_of(course, dist)
    if damage == "trusted":
        assert ran == [] and any(d.message == TAMPERED for d in warm), "the kept checks are taken as they are"
        return
    assert sorted(ran) == ["_check_plain_formulas", "_trimmed_answers", "check_answer_keys"], "checked afresh"
    assert warm == diagnostics_of(course, tmp_path / "fresh", BuildOptions(jobs=1, cache=False))
    assert store.read_bytes() == original, "the store is written again, as a clean build writes it"


def test_what_loads_kept_beside_each_build_before_is_removed(course: Path, tmp_path: Path) -> None:
    """Older versions kept the load's files once per output folder, beside the build cache;
    nothing reads them now, and a build removes them."""
    dist = tmp_path / "dist"
    cache = buildcache.cache_file(course, dist)
    cache.parent.mkdir(parents=True, exist_ok=True)
    former = [cache.with_suffix(suffix) for suffix in (".reads", ".scans", ".checks")]
    for path in former:
        path.write_bytes(b"kept by an older version")
    build_course(course, dist, options=SERIAL)
    assert not any(path.exists() for path in former)
    assert reads_of(course, dist).exists()
    assert cache.exists()


def test_a_kept_diagnostic_row_reads_back_or_not_at_all() -> None:
    """The question checks keep their messages as rows of plain values (`Diagnostic.as_row`):
    a row reads back as the same diagnostic, and a row of the wrong shape is refused (the
    store holding it is then not trusted) with the errors `_load_checks` catches."""
    diagnostic = Diagnostic("quiz/a.yaml", 3, 5, Severity.WARNING, "questions[0].text", "a message", "code")
    row = diagnostic.as_row()
    assert marshal.loads(marshal.dumps(row)) == row
    assert Diagnostic.from_row(marshal.loads(marshal.dumps(row))) == diagnostic
    assert Diagnostic.from_row(list(row)) == diagnostic
    wrong = [
        row[:-1],
        (*row, "one more"),
        ("quiz/a.yaml", "3", 5, "warning", "f", "m", "c"),
        ("quiz/a.yaml", 3, True, "warning", "f", "m", "c"),
        ("quiz/a.yaml", 3, 5, "fatal", "f", "m", "c"),
        (b"quiz/a.yaml", 3, 5, "warning", "f", "m", "c"),
        "not a row",
        None,
    ]
    for bad in wrong:
        with pytest.raises((TypeError, ValueError)):
            Diagnostic.from_row(bad)
