"""The preview server without a browser: builds, errors, routes, the watcher and the bank page.

The SCORM package here is the small one of `tests/fake_sco.py`, so these tests check the
server's own work; the browser tests play the real player.
"""

from __future__ import annotations

import io
import json
import socket
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursebuilder.cli import main
from coursebuilder.preview.bank import categories, grade_label
from coursebuilder.preview.server import PreviewServer, inside
from coursebuilder.preview.session import PreviewSession, read_launch, safe_unzip, source_snapshot
from tests.fake_sco import fake_scorm12, manifest


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def wait_for(predicate: object, seconds: float = 15.0) -> None:
    """Poll until `predicate()` is true; the deadline only guards against hanging."""
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


@pytest.fixture
def server(skeleton_course: Path) -> Iterator[PreviewServer]:
    lines: list[str] = []
    preview = PreviewServer(
        skeleton_course, port=0, report=lines.append, build_package=fake_scorm12, watch_interval=0.05
    )
    preview.start()
    preview.lines = lines  # type: ignore[attr-defined]
    yield preview
    preview.stop()


def status(server: PreviewServer) -> dict[str, object]:
    code, kind, body = get(server.url + "__status")
    assert (code, kind) == (200, "application/json")
    return json.loads(body)  # type: ignore[no-any-return]


def test_first_build_is_served(server: PreviewServer) -> None:
    state = status(server)
    assert state["build"] == 1 and state["ok"] is True
    assert state["title"] == "My first course"
    assert state["launch"] == "/sco/1/content/index.html"
    assert state["mastery_score"] == 70.0
    assert state["diagnostics"] == []
    code, kind, body = get(server.url + "sco/1/content/index.html")
    assert (code, kind) == (200, "text/html; charset=utf-8")
    assert b"My first course" in body
    assert server.lines[0].startswith("build 1: ok, 2 lessons, 11 questions")  # type: ignore[attr-defined]


def test_the_cartridge_is_built_and_offered_for_download(server: PreviewServer) -> None:
    state = status(server)
    assert state["built"] == [{"name": "my-course.imscc", "url": "/built/1/cc/my-course.imscc"}]
    code, kind, body = get(server.url + "built/1/cc/my-course.imscc")
    assert (code, kind) == (200, "application/zip")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert "imsmanifest.xml" in archive.namelist()
    assert get(server.url + "built/1/../../out")[0] == 404
    page = get(server.url)[2].decode()
    assert 'id="built-list"' in page


def test_lms_page_loads_the_api_before_its_own_script(server: PreviewServer) -> None:
    code, _, body = get(server.url)
    page = body.decode()
    assert code == 200
    assert page.index("/__static/scorm12-api.js") < page.index("/__static/lms.js")
    assert 'id="sco"' in page and 'id="reset"' in page and 'id="resume"' in page
    for name in ("scorm12-api.js", "lms.js", "preview.css"):
        code, _kind, _ = get(server.url + "__static/" + name)
        assert code == 200, name
    assert get(server.url + "__static/../server.py")[0] == 404


@pytest.mark.parametrize(
    "path",
    ["sco/1/../../etc/passwd", "sco/1/%2e%2e/%2e%2e/etc/passwd", "sco/x/index.html", "sco/1/", "nothing", "__asset/x"],
)
def test_nothing_outside_the_package_is_served(server: PreviewServer, path: str) -> None:
    request = urllib.request.Request(server.url + path)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            code = response.status
    except urllib.error.HTTPError as exc:
        code = exc.code
    assert code == 404


def test_inside_refuses_escapes(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "a.txt").write_text("a")
    (tmp_path / "secret.txt").write_text("s")
    (tmp_path / "base" / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert inside(tmp_path / "base", "a.txt") == (tmp_path / "base" / "a.txt").resolve()
    for rel in ("../secret.txt", "link.txt", "", "..\\secret.txt", "/etc/passwd"):
        assert inside(tmp_path / "base", rel) is None, rel


def test_error_then_fix_keeps_serving(server: PreviewServer, skeleton_course: Path) -> None:
    quiz = skeleton_course / "quiz" / "welcome.yaml"
    good = quiz.read_text(encoding="utf-8")
    quiz.write_text(good.replace("grade: 100", "grade: 33.33", 1), encoding="utf-8")
    wait_for(lambda: status(server)["build"] == 2)
    broken = status(server)
    assert broken["ok"] is False and broken["launch"] is None
    [diag] = [d for d in broken["diagnostics"] if d["severity"] == "error"]  # type: ignore[union-attr]
    assert diag["code"] == "grade"
    column = f":{diag['column']}" if diag["column"] else ""
    assert diag["location"] == f"{skeleton_course.as_posix()}/quiz/welcome.yaml:{diag['line']}{column}"
    assert any("quiz/welcome.yaml" in line and "[grade]" in line for line in server.lines)  # type: ignore[attr-defined]
    # the bank page still shows the last course that loaded, under the error
    code, _, body = get(server.url + "questions")
    assert code == 200 and b"33.33 is not a grade" in body and b"welcome-mc" in body
    quiz.write_text(good, encoding="utf-8")
    wait_for(lambda: status(server)["build"] == 3)
    fixed = status(server)
    assert fixed["ok"] is True and fixed["launch"] == "/sco/3/content/index.html"


def test_lesson_edit_rebuilds_and_old_builds_are_pruned(server: PreviewServer, skeleton_course: Path) -> None:
    lesson = skeleton_course / "lessons" / "01-welcome.md"
    for number in (2, 3):
        lesson.write_text(lesson.read_text(encoding="utf-8") + f"\nEdit number {number}.\n", encoding="utf-8")
        wait_for(lambda n=number: status(server)["build"] == n)  # type: ignore[misc]
    code, _, body = get(server.url + "sco/3/content/index.html")
    assert code == 200 and b"Edit number 3." in body
    assert get(server.url + "sco/2/content/index.html")[0] == 200  # the page may still show it
    assert get(server.url + "sco/1/content/index.html")[0] == 404


def test_files_outside_the_sources_do_not_trigger_builds(skeleton_course: Path) -> None:
    before = source_snapshot(skeleton_course)
    (skeleton_course / "dist").mkdir()
    (skeleton_course / "dist" / "x.zip").write_bytes(b"x")
    (skeleton_course / "notes.txt").write_text("n")
    (skeleton_course / "lessons" / ".01-welcome.md.swp").write_text("swap")
    assert source_snapshot(skeleton_course) == before
    (skeleton_course / "assets" / "new.svg").write_text("<svg/>")
    assert "assets/new.svg" in source_snapshot(skeleton_course)


def test_a_crashing_target_is_reported_not_fatal(skeleton_course: Path, tmp_path: Path) -> None:
    def crash(context: object, out: Path) -> Path:
        raise RuntimeError("boom")

    lines: list[str] = []
    session = PreviewSession(skeleton_course, tmp_path / "work", lines.append, crash)
    state = session.rebuild()
    assert not state.ok
    assert [d.code for d in state.diagnostics] == ["crash"]
    assert "RuntimeError: boom" in state.diagnostics[0].message
    assert state.course is not None and state.course_is_current  # the bank page needs no warning
    assert any("Traceback" in line for line in lines)


def test_unzip_refuses_paths_outside(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../evil.txt", "x")
    with pytest.raises(ValueError, match=r"unsafe package: .*\.\./evil\.txt: has a '\.\.' part"):
        safe_unzip(bad, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()


def test_launch_and_mastery_come_from_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "imsmanifest.xml").write_bytes(manifest("80"))
    launch = read_launch(tmp_path)
    assert (launch.href, launch.mastery_score) == ("content/index.html", 80.0)
    (tmp_path / "imsmanifest.xml").write_bytes(manifest(None))
    assert read_launch(tmp_path).mastery_score is None


def test_question_bank_groups_by_moodle_category(skeleton_course: Path) -> None:
    from coursebuilder.loader import load_or_raise

    course, _ = load_or_raise(skeleton_course)
    groups = categories(course)
    assert [group.path for group in groups] == [["MYCOURSE", "Welcome"], ["MYCOURSE", "Practice"]]
    assert sum(len(group.questions) for group in groups) == len(course.questions)
    assert grade_label(100) == "100%" and grade_label(33.33333) == "33.33333%" and grade_label(-100) == "-100%"


def test_question_bank_page_shows_answers_grades_and_feedback(server: PreviewServer) -> None:
    code, _, body = get(server.url + "questions")
    page = body.decode()
    assert code == 200
    for question_id in ("welcome-mc", "welcome-tf", "practice-cloze", "practice-order", "practice-units"):
        assert f'id="q-{question_id}"' in page
    assert "Right: the glossary has a file of its own." in page  # answer feedback
    assert "-50%" in page  # a negative grade of the multiple-answer question
    assert "1500 ± 10" in page  # numerical tolerance
    assert 'class="gap" data-gap="folder"' in page  # cloze gap in the text
    # the diagram the description shows is served from the course, and only it
    assert 'src="/__asset/assets/diagram.svg"' in page
    code, kind, _ = get(server.url + "__asset/assets/diagram.svg")
    assert (code, kind) == (200, "image/svg+xml")
    assert get(server.url + "__asset/course.yaml")[0] == 404


def test_cli_reports_a_port_in_use(skeleton_course: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["preview", str(skeleton_course), "--port", str(port), "--no-open"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def test_cli_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["preview", str(tmp_path / "nowhere"), "--no-open"])
    assert result.exit_code == 1
    assert "is not a directory" in result.output and "coursebuilder new" in result.output


def test_the_preview_reports_what_validate_reports(skeleton_course: Path, tmp_path: Path) -> None:
    """A problem only a target finds (here the course backup's, of a lesson's kept script) shows
    in the preview as `coursebuilder validate` shows it."""
    from coursebuilder.build import validate_course

    lesson = skeleton_course / "lessons" / "01-welcome.md"
    head, _, body = lesson.read_text(encoding="utf-8").partition("\n---\n")
    lesson.write_text(f"{head}\nallow_scripts: true\n---\n{body}\n<script>start()</script>\n", encoding="utf-8")
    _, expected = validate_course(skeleton_course)
    assert "mbz-scripts" in [d.code for d in expected]
    state = PreviewSession(skeleton_course, tmp_path / "work", lambda line: None).rebuild()
    assert state.ok
    assert list(state.diagnostics) == expected


def test_a_rebuild_after_an_edit_parses_only_the_edited_text(tmp_path: Path, parses: list[str]) -> None:
    """The preview keeps its renderings from one build to the next, as `build` keeps them on disk."""
    import shutil

    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parent.parent / "course_src", course)
    session = PreviewSession(course, tmp_path / "work", lambda line: None)
    assert session.rebuild().ok
    lesson = sorted((course / "lessons").glob("*.md"))[0]
    added = "A sentence the author has just written."
    lesson.write_text(lesson.read_text(encoding="utf-8") + f"\n{added}\n", encoding="utf-8")
    parses.clear()
    state = session.rebuild()
    assert state.ok and state.course is not None
    summary = state.course.info.summary  # the manifest's plain-text summary is made outside the cache
    assert parses and all(added in text or text == summary for text in parses), [t[:50] for t in parses]
