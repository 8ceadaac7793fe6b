"""The example course in course_src/: complete, valid, and written in its own words.

The course is built from a web article (../shared/seed/); its facts carry over, its sentences
must not. The overlap test compares every text of the course with the article, run of words by
run of words, after folding case and dropping punctuation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from coursebuilder.cli import main
from coursebuilder.loader import load_course
from coursebuilder.model import QUESTION_TYPES, Course, MultiChoice, questions_by_lesson
from tests.conftest import EXAMPLE, ROOT, SHARED, require_reference

RUN = 10
"""Shortest run of consecutive words the course may not share with the article."""


SEED = SHARED / "seed"


def words(text: str) -> list[str]:
    """Fold case and drop punctuation and Markdown marks: what is left are the words."""
    return re.findall(r"[^\W_]+", text.casefold())


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + n]) for i in range(len(found) - n + 1)}


def shared_runs(text: str, source: set[tuple[str, ...]], n: int = RUN) -> list[str]:
    """The runs of `n` words of `text` that also occur in the source (given as its runs)."""
    found = words(text)
    return [" ".join(found[i : i + n]) for i in range(len(found) - n + 1) if tuple(found[i : i + n]) in source]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def course_texts(root: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every text of a course: lesson files, every YAML string, SVG labels."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".md":
            yield rel, path.read_text(encoding="utf-8")
        elif path.suffix == ".yaml":
            for index, text in enumerate(_strings(yaml.safe_load(path.read_text(encoding="utf-8")))):
                yield f"{rel} (string {index})", text
        elif path.suffix == ".svg":
            labels = re.findall(r">([^<>]+)<", path.read_text(encoding="utf-8"))
            yield rel, " ".join(labels)


def _article() -> str:
    """The seed article; missing in CI it fails the overlap tests (see `require_reference`)."""
    return require_reference(SEED / "kerja-sama-internasional.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def course() -> Course:
    result = load_course(EXAMPLE)
    assert result.course is not None, [d.format() for d in result.diagnostics]
    return result.course


# --------------------------------------------------------------------------- own words


def test_no_run_of_ten_words_is_taken_from_the_article() -> None:
    source = runs(_article())
    copied = {where: hits for where, text in course_texts(EXAMPLE) if (hits := shared_runs(text, source))}
    assert not copied, f"runs of {RUN}+ words shared with the article: {copied}"


def test_the_overlap_check_finds_a_copied_sentence() -> None:
    """The check above must be able to fail: a sentence of the article, re-cased and
    re-punctuated inside other text, is found; nine shared words are not."""
    article = _article()
    sentence = max((s for s in re.split(r"(?<=[.!?])\s+", article) if len(words(s)) >= 14), key=len)
    disguised = "Pendahuluan. " + sentence.upper().replace(",", " ;").replace(" ", "  ") + " Selesai."
    source = runs(article)
    assert shared_runs(disguised, source)
    assert not shared_runs(" ".join(words(sentence)[:9]) + " xyzzy plugh", source)


def test_overlap_check_folds_case_and_punctuation() -> None:
    source = runs("Satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas.")
    assert shared_runs("(satu) dua, TIGA — empat; lima enam tujuh delapan sembilan **sepuluh**", source)
    assert not shared_runs("satu dua tiga empat lima enam tujuh delapan sembilan", source)
    assert not shared_runs("satu dua tiga empat lima enam tujuh delapan sembilan sebelas", source)


def test_course_texts_cover_lessons_glossary_questions_feedback_and_labels(tmp_path: Path) -> None:
    (tmp_path / "lessons").mkdir()
    (tmp_path / "quiz").mkdir()
    (tmp_path / "assets").mkdir()
    (tmp_path / "lessons" / "01-a.md").write_text("---\ntitle: A\n---\nisi-pelajaran\n", encoding="utf-8")
    (tmp_path / "glossary.yaml").write_text("entries:\n  - {term: t, definition: isi-definisi}\n", encoding="utf-8")
    (tmp_path / "quiz" / "a.yaml").write_text(
        "questions:\n  - id: q\n    hints: [{text: isi-petunjuk}]\n"
        "    answers: [{text: a, feedback: isi-umpan-balik}]\n    gaps: [{answers: [{text: isi-celah}]}]\n",
        encoding="utf-8",
    )
    (tmp_path / "assets" / "x.svg").write_text("<svg><text>isi-label</text></svg>", encoding="utf-8")
    texts = " ".join(text for _, text in course_texts(tmp_path))
    for marker in ("pelajaran", "definisi", "petunjuk", "umpan-balik", "celah", "label"):
        assert f"isi-{marker}" in texts


# --------------------------------------------------------------------------- completeness


def test_every_question_type_appears(course: Course) -> None:
    types = Counter(question.type for question in course.questions)
    assert set(types) == set(QUESTION_TYPES)
    kinds = {q.single for q in course.questions if isinstance(q, MultiChoice)}
    assert kinds == {True, False}, "multichoice with one answer and with several answers"


def test_every_lesson_has_questions(course: Course) -> None:
    by_lesson = questions_by_lesson(course.questions)
    for lesson in course.lessons:
        assert by_lesson.get(lesson.id), lesson.id


def test_every_glossary_term_appears_in_a_lesson(course: Course) -> None:
    bodies = "\n".join(lesson.body for lesson in course.lessons)
    for entry in course.glossary.entries:
        names = [entry.term, *entry.aliases]
        if entry.case_sensitive:
            assert any(name in bodies for name in names), entry.term
        else:
            assert any(name.casefold() in bodies.casefold() for name in names), entry.term


def test_validate_strict_reports_nothing() -> None:
    result = load_course(EXAMPLE)
    assert result.course is not None
    assert [d.format() for d in result.diagnostics] == []
    outcome = CliRunner().invoke(main, ["validate", str(EXAMPLE), "--strict"])
    assert outcome.exit_code == 0, outcome.output
    assert "kerja-sama-internasional: valid" in outcome.output


def test_counts(course: Course) -> None:
    assert [lesson.id for lesson in course.lessons] == ["pengertian", "prinsip", "tujuan", "manfaat", "rangkuman"]
    assert len(course.glossary.entries) >= 20
    assert len(course.questions) >= 30


def body_words(body: str) -> int:
    """Words a reader reads: image targets and table rules are not words."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", body)
    return len(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text))


def test_lessons_are_300_to_700_words(course: Course) -> None:
    counts = {lesson.id: body_words(lesson.body) for lesson in course.lessons}
    assert all(300 <= n <= 700 for n in counts.values()), counts


def test_body_words_counts_words_only() -> None:
    assert body_words("# Judul\n\n![Diagram lima prinsip](../assets/x.svg)\n\n| No. | 1 |\n|---|---|\n") == 5
    assert body_words("negara-negara bekerja sama sejak 1967.") == 4


def test_lessons_have_objectives_minutes_a_list_and_a_recap(course: Course) -> None:
    for lesson in course.lessons:
        assert lesson.objectives and lesson.minutes, lesson.id
        assert re.search(r"^(\s*[-*] |\s*\d+\. |\|)", lesson.body, re.M), f"{lesson.id}: no list or table"
        assert re.search(r"^## (Rangkuman|Intinya)", lesson.body, re.M), f"{lesson.id}: no recap section"


def test_every_scored_question_teaches_with_feedback(course: Course) -> None:
    for question in course.questions:
        if question.type == "description":
            continue
        data = question.model_dump()
        feedback = [question.general_feedback]
        for key in ("feedback", "feedback_true", "feedback_false", "grader_info"):
            value = data.get(key)
            feedback.extend(value.values() if isinstance(value, dict) else [value])
        for group in ("answers", "gaps"):
            for item in data.get(group, []):
                feedback.append(item.get("feedback", ""))
                feedback.extend(a.get("feedback", "") for a in item.get("answers", []))
        assert any(isinstance(f, str) and f.strip() for f in feedback), question.id


def test_the_diagram_is_used_in_a_lesson_and_in_a_question(course: Course) -> None:
    ref = "../assets/lima-prinsip.svg"
    assert (EXAMPLE / "assets" / "lima-prinsip.svg").is_file()
    assert any(ref in lesson.body for lesson in course.lessons)
    assert any(ref in question.text for question in course.questions)


# --------------------------------------------------------------------------- Indonesian scaffold

SKELETON_ID = ROOT / "coursebuilder" / "skeleton" / "id"
SKELETON_EN = ROOT / "coursebuilder" / "skeleton" / "en"


def test_indonesian_scaffold_is_valid_and_complete() -> None:
    result = load_course(SKELETON_ID)
    assert result.course is not None
    assert [d.format() for d in result.diagnostics] == []
    assert result.course.info.language == "id"
    assert {q.type for q in result.course.questions} == set(QUESTION_TYPES)


def test_indonesian_scaffold_has_the_shape_of_the_english_one() -> None:
    def shape(root: Path) -> Counter[str]:
        return Counter(p.relative_to(root).parent.as_posix() for p in root.rglob("*") if p.is_file())

    assert shape(SKELETON_ID) == shape(SKELETON_EN)
    en, idn = load_course(SKELETON_EN).course, load_course(SKELETON_ID).course
    assert en is not None and idn is not None
    assert Counter(q.type for q in idn.questions) == Counter(q.type for q in en.questions)
