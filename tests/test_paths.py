"""References and source files stay inside the course directory; each refusal names the reference.

Decision for source files (course.yaml, glossary.yaml, lessons/*.md, quiz/**/*.yaml): a
symbolic link is followed only when it leads to a file inside the course directory. A link
that leads out of it (a shared course pointing at ~/.ssh/id_rsa or /etc/passwd), a device or
a named pipe is an error, so the file is never read. Assets follow the same rule.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

from coursebuilder.assets import AssetProblem, real_path, real_paths, resolve
from coursebuilder.diagnostics import Diagnostic, Severity
from coursebuilder.loader import load_course
from coursebuilder.markdown import render
from tests.conftest import WriteCourse

LESSON = "lessons/01-welcome.md"
LESSON_HEAD = "---\ntitle: Welcome\n---\n\n"


def diagnostics(root: Path, severity: Severity = Severity.ERROR) -> list[Diagnostic]:
    return [d for d in load_course(root).diagnostics if d.severity is severity]


HOSTILE_REFS = {
    "dot-dot": ("../../outside.png", "points outside the course directory"),
    "dot-dot inside assets": ("../assets/../../outside.png", "points outside the course directory"),
    "percent-encoded dot-dot": ("%2e%2e/%2e%2e/outside.png", "points outside the course directory"),
    "absolute": ("/etc/passwd.png", "is an absolute path"),
    "percent-encoded absolute": ("%2Fetc%2Fpasswd.png", "is an absolute path"),
    "home": ("~/secret.png", "points into a home directory"),
    "windows drive": ("C:\\Users\\x.png", "is a Windows absolute path"),
    "windows drive slash": ("C:/Users/x.png", "is a Windows absolute path"),
    "drive relative": ("c:x.png", "is a Windows absolute path"),
    "unc": ("\\\\\\\\server\\\\share\\\\x.png", "is a network path"),  # Markdown: `\\\\` is one backslash
    "network path": ("//server/share/x.png", "is a network path"),
    "backslashes": ("..\\\\assets\\\\diagram.svg", "uses backslashes"),
    "leading backslash": ("\\\\Windows\\\\x.png", "is an absolute path"),
    "file scheme": ("file:///etc/passwd", "file: references are not allowed"),
    "data scheme": ("data:image/png;base64,iVBORw0KGgo=", "data: references are not allowed"),
    "ftp scheme": ("ftp://example.org/x.png", "ftp: references are not allowed"),
    "nul byte": ("../assets/diagram.svg%00.png", "contains a control character"),
    "case differs in the name": ("../assets/Diagram.svg", "letter case differs from the file on disk"),
    "case differs in the folder": ("../Assets/diagram.svg", "letter case differs from the file on disk"),
    "missing": ("../assets/nothing.png", "does not exist"),
    "folder": ("../assets", "is not a regular file"),
    "very long name": ("../assets/" + "a" * 5000 + ".png", "does not exist"),
}


@pytest.mark.parametrize("case", HOSTILE_REFS)
def test_hostile_image_reference_in_a_lesson(write_course: WriteCourse, case: str) -> None:
    ref, message = HOSTILE_REFS[case]
    root = write_course({LESSON: f"{LESSON_HEAD}Intro\n\n![picture](<{ref}>)\n"})
    (root.parent / "outside.png").write_bytes(b"\x89PNG secret")
    errors = diagnostics(root)
    assert len(errors) == 1, [d.format() for d in errors]
    diag = errors[0]
    assert (diag.file.endswith(LESSON), diag.line, diag.field, diag.code) == (True, 7, "body", "asset"), diag.format()
    assert message in diag.message
    assert named(ref, diag.message), "the message names the reference"


def named(ref: str, message: str) -> bool:
    """The message quotes the reference (as Markdown reads it: escapes and %-codes decoded)."""
    words = [word[:40] for word in re.split(r"[^A-Za-z0-9]+", unquote(ref)) if len(word) >= 3]
    return bool(words) and all(word in message for word in words[:2])


@pytest.mark.parametrize("case", ["dot-dot", "absolute", "home", "file scheme", "case differs in the name"])
@pytest.mark.parametrize(
    "where",
    ["quiz text", "raw html in a quiz", "glossary definition", "link in a lesson", "raw html link in a lesson"],
)
def test_hostile_reference_anywhere(write_course: WriteCourse, case: str, where: str) -> None:
    ref, message = HOSTILE_REFS[case]
    if where == "glossary definition" and ref.startswith("../"):
        ref = ref[3:]  # glossary.yaml is one folder up from lessons/ and quiz/
    quiz = "defaults: {lesson: welcome}\nquestions:\n  - {id: x, type: essay, text: 'TEXT'}\n"
    glossary = "entries:\n  - {term: glossary, definition: 'TEXT'}\n  - {term: lesson, definition: x}\n"
    files = {
        "quiz text": {"quiz/extra.yaml": quiz.replace("TEXT", f"![i]({ref})")},
        "raw html in a quiz": {"quiz/extra.yaml": quiz.replace("TEXT", f'<img src="{ref}">')},
        "glossary definition": {"glossary.yaml": glossary.replace("TEXT", f"![i]({ref})")},
        "link in a lesson": {LESSON: f"{LESSON_HEAD}See [the file]({ref}).\n"},
        "raw html link in a lesson": {LESSON: f'{LESSON_HEAD}See <a href="{ref}">the file</a>.\n'},
    }[where]
    root = write_course(files)
    errors = [d for d in diagnostics(root) if d.code == "asset"]
    assert len(errors) == 1, [d.format() for d in diagnostics(root)]
    assert message in errors[0].message
    assert errors[0].line >= 1


def test_link_without_a_file_type_is_still_kept_inside(write_course: WriteCourse) -> None:
    root = write_course({LESSON: f"{LESSON_HEAD}[a](../../../etc/passwd) [b](/etc/shadow) [c](chapter-two)\n"})
    messages = sorted(d.message for d in diagnostics(root))
    assert len(messages) == 2, messages
    assert "points outside the course directory" in messages[0] + messages[1]
    assert "is an absolute path" in messages[0] + messages[1]


@pytest.mark.parametrize(
    ("ref", "told"),
    [
        (
            "../assets/diagam.svg",
            "'../assets/diagam.svg': file assets/diagam.svg does not exist; did you mean 'diagram.svg'?",
        ),
        (
            "../asset/diagram.svg",
            "'../asset/diagram.svg': file asset/diagram.svg does not exist: there is no folder"
            " 'asset'; did you mean 'assets'?",
        ),
        (
            "02-practise.md",
            "'02-practise.md': file lessons/02-practise.md does not exist; did you mean '02-practice.md'?",
        ),
        ("practice.md", "'practice.md': file lessons/practice.md does not exist; did you mean '02-practice.md'?"),
        (
            "../assets/nothing-like-it.png",
            "'../assets/nothing-like-it.png': file assets/nothing-like-it.png does not exist",
        ),
    ],
)
def test_a_missing_file_is_told_the_nearest_name_in_its_folder(skeleton_course: Path, ref: str, told: str) -> None:
    """A misspelt file or folder name is told the nearest name where it was looked for (the
    lesson a link names by its id is its file's); no name is offered when none is near."""
    with pytest.raises(AssetProblem) as problem:
        resolve(skeleton_course, LESSON, ref)
    assert str(problem.value) == told


def test_a_valid_reference_resolves(skeleton_course: Path) -> None:
    asset = resolve(skeleton_course, LESSON, "../assets/diagram.svg")
    assert asset.rel == "assets/diagram.svg"
    assert asset.path == (skeleton_course / "assets/diagram.svg").resolve()


# --------------------------------------------------------------------------- symbolic links


def test_asset_symlink_to_outside_is_refused(write_course: WriteCourse) -> None:
    root = write_course({LESSON: f"{LESSON_HEAD}![x](../assets/leak.png)\n"})
    secret = root.parent / "secret.png"
    secret.write_bytes(b"secret")
    (root / "assets/leak.png").symlink_to(secret)
    errors = diagnostics(root)
    assert [(d.line, d.code) for d in errors] == [(5, "asset")]
    assert "'../assets/leak.png' is a link to a file outside the course directory" in errors[0].message


def test_assets_folder_symlinked_outside_is_refused(write_course: WriteCourse) -> None:
    root = write_course({LESSON: f"{LESSON_HEAD}![x](../shared/diagram.svg)\n"})
    outside = root.parent / "elsewhere"
    outside.mkdir()
    (outside / "diagram.svg").write_text("<svg/>")
    (root / "shared").symlink_to(outside, target_is_directory=True)
    assert any("is a link to a file outside the course directory" in d.message for d in diagnostics(root))


def test_symlink_inside_the_course_is_followed(write_course: WriteCourse) -> None:
    root = write_course({LESSON: f"{LESSON_HEAD}![x](../assets/alias.svg)\n"})
    (root / "assets/alias.svg").symlink_to(root / "assets/diagram.svg")
    assert diagnostics(root) == []


@pytest.mark.parametrize("name", [LESSON, "quiz/welcome.yaml", "glossary.yaml", "course.yaml"])
def test_source_file_symlinked_outside_is_refused_unread(write_course: WriteCourse, name: str) -> None:
    root = write_course({})
    outside = root.parent / "private.txt"
    outside.write_text("id: leaked\ntitle: SECRET CONTENT\n")
    (root / name).unlink()
    (root / name).symlink_to(outside)
    result = load_course(root)
    errors = [d for d in result.diagnostics if d.file.endswith(name) and d.severity is Severity.ERROR]
    assert [d.message for d in errors] == [
        "is a link to a file outside the course directory; copy the file into the course"
    ]
    assert "SECRET" not in repr(result.course)


def test_source_file_symlinked_inside_is_read(write_course: WriteCourse) -> None:
    root = write_course({})
    (root / "shared").mkdir()
    os.replace(root / "quiz/welcome.yaml", root / "shared/welcome.yaml")
    (root / "quiz/welcome.yaml").symlink_to(root / "shared/welcome.yaml")
    result = load_course(root)
    assert [d.format() for d in result.diagnostics if d.severity is Severity.ERROR] == []
    assert result.course is not None
    assert any(q.id == "welcome-mc" for q in result.course.questions)


@pytest.mark.parametrize("folder", ["quiz", "lessons"])
def test_source_folder_symlinked_outside_is_refused_unread(write_course: WriteCourse, folder: str) -> None:
    """The loader finds most files without resolving their paths: a link among their folders
    still sends them through the full check."""
    root = write_course({})
    outside = root.parent / "elsewhere"
    outside.mkdir()
    source = root / folder
    for path in source.iterdir():
        os.replace(path, outside / path.name)
    source.rmdir()
    (outside / "secret.yaml").write_text("questions:\n- {id: leak, type: essay, text: SECRET CONTENT}\n")
    (outside / "03-secret.md").write_text("---\ntitle: SECRET CONTENT\n---\n")
    source.symlink_to(outside, target_is_directory=True)
    result = load_course(root)
    refused = {Path(d.file).name for d in result.diagnostics if d.message.startswith("is a link to a file outside")}
    assert refused >= {"secret.yaml" if folder == "quiz" else "03-secret.md"}
    assert "SECRET" not in repr(result.course)


def test_source_folder_symlinked_inside_is_read(write_course: WriteCourse) -> None:
    root = write_course({})
    (root / "shared").mkdir()
    os.replace(root / "quiz", root / "shared/quiz")
    (root / "quiz").symlink_to(root / "shared/quiz", target_is_directory=True)
    result = load_course(root)
    assert [d.format() for d in result.diagnostics if d.severity is Severity.ERROR] == []
    assert result.course is not None
    assert any(q.id == "welcome-mc" for q in result.course.questions)


@pytest.mark.parametrize("name", ["quiz/pipe.yaml", "lessons/03-pipe.md"])
def test_a_named_pipe_as_source_file_is_refused_not_read(write_course: WriteCourse, name: str) -> None:
    """Reading a pipe would block for ever (and /dev/zero would never end)."""
    root = write_course({})
    os.mkfifo(root / name)
    found: list[list[Diagnostic]] = []
    worker = threading.Thread(target=lambda: found.append(diagnostics(root)), daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "load_course blocked reading a named pipe"
    assert [(d.file.endswith(name), d.message, d.code) for d in found[0]] == [(True, "is not a regular file", "io")]


def test_a_device_through_a_link_is_refused(write_course: WriteCourse) -> None:
    root = write_course({})
    (root / "quiz/zero.yaml").symlink_to("/dev/zero")
    assert [d.message for d in diagnostics(root)] == [
        "is a link to a file outside the course directory; copy the file into the course"
    ]


# --------------------------------------------------------------------------- external links


def test_external_links_stay_links_and_warn(write_course: WriteCourse) -> None:
    text = "Read [the article](https://example.org/a) and [this](http://example.org/b).\n"
    root = write_course({LESSON: f"{LESSON_HEAD}{text}"})
    assert diagnostics(root) == []
    warnings = [d for d in diagnostics(root, Severity.WARNING) if d.code == "external-link"]
    assert [(d.line, d.field) for d in warnings] == [(5, "body"), (5, "body")]
    assert "learners need a connection" in warnings[0].message
    html = render(text)
    assert '<a href="https://example.org/a">the article</a>' in html
    assert '<a href="http://example.org/b">this</a>' in html


def test_external_images_are_errors(write_course: WriteCourse) -> None:
    root = write_course({LESSON: f"{LESSON_HEAD}![x](https://example.org/x.png)\n"})
    assert [(d.code, d.line) for d in diagnostics(root)] == [("external-image", 5)]


def test_undecodable_file_names_are_printed_escaped(write_course: WriteCourse) -> None:
    from click.testing import CliRunner

    from coursebuilder.cli import main

    root = write_course({})
    name = os.fsencode(root / "lessons") + b"/03-caf\xe9.md"
    with open(name, "wb") as handle:
        handle.write(b"---\ntitle: x\n---\n")
    for fmt in ("text", "json", "github"):
        result = CliRunner().invoke(main, ["validate", str(root), "--format", fmt])
        assert result.exit_code == 1, result.output
        output = json.loads(result.output)["diagnostics"][0]["file"] if fmt == "json" else result.output
        assert "03-caf\\xe9.md" in output


def test_a_newline_in_a_file_name_keeps_each_diagnostic_on_one_line(write_course: WriteCourse) -> None:
    from click.testing import CliRunner

    from coursebuilder.cli import main

    root = write_course({"lessons/03-two\nlines.md": "no front matter\n"})
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "03-two" in line]
    assert len(lines) == 1 and "03-two\\x0alines.md:1: error:" in lines[0], result.output


def test_quiz_files_in_subfolders_are_read_and_links_to_folders_are_not_followed(write_course: WriteCourse) -> None:
    """quiz/**/*.yaml: a quiz file in a subfolder of any depth is part of the course; a link to
    a folder is not walked (its files would be read twice, or from outside the course), and
    neither is a file named like a quiz file in no folder of quiz/."""
    root = write_course(
        {"quiz/unit-2/deeper/more.yaml": "questions:\n- {id: deep, type: essay, text: Deep., lesson: welcome}\n"}
    )
    (root / "notes").mkdir()
    (root / "notes/aside.yaml").write_text("questions:\n- {id: aside, type: essay, text: Aside., lesson: welcome}\n")
    (root / "quiz/linked").symlink_to(root / "notes", target_is_directory=True)
    (root / "quiz/unit-2/notes.yml").write_text("questions:\n- {id: yml, type: essay, text: Yml., lesson: welcome}\n")
    result = load_course(root)
    assert [d.format() for d in result.diagnostics if d.severity is Severity.ERROR] == []
    assert result.course is not None
    ids = {q.id for q in result.course.questions}
    assert {"deep", "yml"} <= ids
    assert "aside" not in ids
    assert {q.source_file for q in result.course.questions if q.id in ("deep", "yml")} == {
        "quiz/unit-2/deeper/more.yaml",
        "quiz/unit-2/notes.yml",
    }


def test_real_paths_are_real_path_of_each(tmp_path: Path) -> None:
    """`real_paths` resolves each folder once and each file that is a link: the same paths as
    `real_path` one by one, through linked folders, linked files, missing files and `..`."""
    root = tmp_path / "course"
    (root / "lessons").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "lessons/01-plain.md").write_text("x")
    (tmp_path / "elsewhere/02-away.md").write_text("x")
    (root / "lessons/02-linked.md").symlink_to(tmp_path / "elsewhere/02-away.md")
    (root / "lessons/03-chain.md").symlink_to(root / "lessons/02-linked.md")
    (root / "lessons/04-dangling.md").symlink_to(root / "lessons/none.md")
    (root / "shared").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    rels = [
        "lessons/01-plain.md",
        "lessons/02-linked.md",
        "lessons/03-chain.md",
        "lessons/04-dangling.md",
        "lessons/05-missing.md",
        "shared/02-away.md",
        "shared/../course/lessons/01-plain.md",
        "lessons/..",
        "lessons/.",
    ]
    expected = [real_path(root, rel) for rel in rels]
    assert real_paths(root, rels) == expected
    assert expected[1] == expected[2] == expected[5] == (tmp_path / "elsewhere/02-away.md").resolve()
