"""Active HTML (scripts, frames, event handlers, script URLs) never reaches Moodle silently.

In any text going to Moodle it is an error; in a lesson it is an error unless the lesson's
front matter has `allow_scripts: true` (then only its SCORM page may carry it). Each variant
below is something a browser would run; the second list is text that only looks like it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coursebuilder.diagnostics import Diagnostic, Severity
from coursebuilder.htmlsafety import find_unsafe_html, tokenized
from coursebuilder.loader import load_course
from coursebuilder.markdown import render
from tests.conftest import WriteCourse

ACTIVE = {
    "script": ("<script>alert(1)</script>", "<script> tag"),
    "script upper case": ("<SCRIPT>alert(1)</SCRIPT>", "<script> tag"),
    "script mixed case and space": ('<ScRiPt type="text/javascript" >alert(1)</sCrIpT >', "<script> tag"),
    "script inline": ("Click <script>alert(1)</script> here", "<script> tag"),
    "script in a table": ("| a |\n|---|\n| <script>x</script> |", "<script> tag"),
    "iframe": ('<iframe src="https://example.org"></iframe>', "<iframe> tag"),
    "object": ('<object data="x.swf"></object>', "<object> tag"),
    "embed": ('<embed src="x.swf">', "<embed> tag"),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://example.org">', "<meta> tag"),
    "base": ('<base href="https://example.org/">', "<base> tag"),
    "img onerror": ('<img src="x.png" onerror="alert(1)">', "event attribute onerror"),
    "svg onload": ("<svg onload=alert(1)>", "event attribute onload"),
    "handler upper case": ('<b ONCLICK="alert(1)">x</b>', "event attribute onclick"),
    "handler after a newline": ('<span\nonmouseover="alert(1)">x</span>', "event attribute onmouseover"),
    "javascript href": ('<a href="javascript:alert(1)">x</a>', "javascript: URL"),
    "javascript href upper case and spaces": ('<a href="  JaVaScRiPt:alert(1)">x</a>', "javascript: URL"),
    "javascript href entity colon": ('<a href="javascript&colon;alert(1)">x</a>', "javascript: URL"),
    "javascript href numeric entities": ('<a href="&#106;avascript:alert(1)">x</a>', "javascript: URL"),
    "javascript href tab inside": ('<a href="java&#9;script:alert(1)">x</a>', "javascript: URL"),
    "javascript href newline inside": ('<a href="java&#x0A;script:alert(1)">x</a>', "javascript: URL"),
    "vbscript href": ('<a href="vbscript:msgbox(1)">x</a>', "vbscript: URL"),
    "javascript in formaction": ('<button formaction="javascript:alert(1)">x</button>', "javascript: URL"),
    "markdown javascript link": ("[click](javascript:alert(1))", "javascript: URL"),
    "markdown javascript link entity": ("[click](javascript&colon;alert(1))", "javascript: URL"),
    "markdown javascript reference link": ("[click][1]\n\n[1]: javascript:alert(1)", "javascript: URL"),
    "markdown javascript autolink": ("<javascript:alert(1)>", "javascript: URL"),
    "markdown javascript image": ("![x](javascript:alert(1))", "javascript: URL"),
    # A tag left open ends at the next `>` a browser meets, here the next paragraph's `<p>`:
    # Python's tokenizer drops it at the end of the fragment, a browser does not.
    "unterminated tag continued by the next paragraph": ("<div\nonclick=alert(1)\n\nNext.", "event attribute onclick"),
    "unterminated script": ("<script\n\nalert(1)", "<script> tag"),
}

INERT = {
    "code span": "Write `<script>` to add a script.",
    "fenced code": "```html\n<script>alert(1)</script>\n<img onerror=alert(1)>\n```",
    "indented code": "Example:\n\n    <iframe src=x></iframe>",
    "escaped": "Use &lt;script&gt; tags or \\<script> literally.",
    "comment": "<!-- <script>alert(1)</script> -->",
    "words": "The handler onclick = fine, and javascript: is a word here.",
    "attribute text": '<p title="what online=true means">x</p>',
    "not a tag": "a < script and <iframe/src=x>",
    "slash before a handler": '<img src="x.png"/onerror=alert(1)>',  # not HTML to CommonMark: escaped
    "safe html": '<p align="center"><b>bold</b> <a href="#top">top</a> <img src="../assets/diagram.svg" alt=""></p>',
    "https link": "[x](https://example.org/onload=1)",
}


def errors(root: Path) -> list[Diagnostic]:
    return [d for d in load_course(root).diagnostics if d.severity is Severity.ERROR]


def quiz_with_text(text: str) -> str:
    indented = "\n".join("      " + line for line in text.split("\n"))
    return f"defaults:\n  lesson: welcome\nquestions:\n  - id: x\n    type: essay\n    text: |\n{indented}\n"


@pytest.mark.parametrize("case", ACTIVE)
def test_active_html_in_a_question_is_an_error(write_course: WriteCourse, case: str) -> None:
    html, what = ACTIVE[case]
    root = write_course({"quiz/extra.yaml": quiz_with_text(html)})
    found = [d for d in errors(root) if d.code == "unsafe-html"]
    assert found, [d.format() for d in errors(root)]
    assert all(d.file.endswith("quiz/extra.yaml") and d.field == "questions[0].text" for d in found)
    assert found[0].line == 6
    assert any(d.message.startswith(f"{what} is not allowed in text going to Moodle") for d in found), found


@pytest.mark.parametrize("case", ACTIVE)
def test_active_html_in_a_lesson_needs_the_opt_in(write_course: WriteCourse, case: str) -> None:
    html, what = ACTIVE[case]
    body = f"# Title\n\nSome text.\n\n{html}\n"
    root = write_course({"lessons/01-welcome.md": f"---\ntitle: Welcome\n---\n{body}"})
    found = [d for d in errors(root) if d.code == "unsafe-html"]
    assert found, "active HTML in a lesson without allow_scripts must be an error"
    assert 8 <= found[0].line <= 8 + html.count("\n"), found[0].format()  # the line of the HTML in the file
    assert "allow_scripts: true" in found[0].message
    assert any(d.message.startswith(what) for d in found)

    opted_in = write_course(
        {"lessons/01-welcome.md": f"---\ntitle: Welcome\nallow_scripts: true\n---\n{body}"}, name="opted-in"
    )
    assert [d for d in errors(opted_in) if d.code == "unsafe-html"] == []


@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("course.yaml", "summary"),
        ("glossary.yaml", "intro"),
        ("glossary.yaml", "definition"),
    ],
)
def test_active_html_in_other_moodle_texts(
    write_course: WriteCourse, skeleton_course: Path, file: str, text: str
) -> None:
    source = (skeleton_course / file).read_text()
    payload = "'<img src=x onerror=alert(1)>'"
    if text == "summary":
        source = source.replace("summary: A small course", f"summary: {payload}\nx_: A small course").replace(
            "\nx_: A small course that shows every feature of the course format.", ""
        )
    elif text == "intro":
        source = source.replace("name: Glossary\n", f"name: Glossary\nintro: {payload}\n")
    else:
        source = source.replace("definition: One page of reading in the course.", f"definition: {payload}")
    root = write_course({file: source}, name="c")
    found = [d for d in errors(root) if d.code == "unsafe-html"]
    assert [d.file.endswith(file) for d in found] == [True], [d.format() for d in errors(root)]
    assert found[0].field.endswith(text)


def test_a_lesson_opt_in_does_not_cover_its_questions(write_course: WriteCourse) -> None:
    root = write_course(
        {
            "lessons/01-welcome.md": "---\ntitle: Welcome\nallow_scripts: true\n---\n<script>x()</script>\n",
            "quiz/extra.yaml": quiz_with_text("<script>x()</script>"),
        }
    )
    assert [d.file.rsplit("/", 2)[-2:] for d in errors(root) if d.code == "unsafe-html"] == [["quiz", "extra.yaml"]]


@pytest.mark.parametrize("case", INERT)
def test_inert_text_is_not_flagged(write_course: WriteCourse, case: str) -> None:
    root = write_course({"quiz/extra.yaml": quiz_with_text(INERT[case])})
    assert [d.format() for d in errors(root) if d.code == "unsafe-html"] == []


@pytest.mark.parametrize("case", INERT)
def test_inert_text_renders_without_active_html(case: str) -> None:
    """What passes the check, rendered, holds no active element or attribute for a browser's tokenizer."""
    assert tokenized(render(INERT[case])) == []


def test_every_finding_is_reported_with_its_line() -> None:
    text = "one\n\n<b onclick='x'>a</b>\n\ntwo\n\n<script>x</script>\n\n[a](javascript:x)\n"
    assert [(f.line, f.what) for f in find_unsafe_html(text)] == [
        (2, "event attribute onclick"),
        (6, "<script> tag"),
        (8, "javascript: URL"),
    ]


def test_crafted_text_is_checked_in_linear_time() -> None:
    """A regular expression over the whole text took seconds on this; the tokenizer does not."""
    assert find_unsafe_html("<a " * 100_000) == []


def test_the_course_backup_warns_about_an_opted_in_lessons_scripts(write_course: WriteCourse) -> None:
    """allow_scripts opens the SCORM page only; the Moodle page loses the script, and says so."""
    from coursebuilder.targets.mbz import MbzTarget

    root = write_course(
        {"lessons/01-welcome.md": "---\ntitle: Welcome\nallow_scripts: true\n---\nText.\n\n<script>x()</script>\n"}
    )
    result = load_course(root)
    assert result.course is not None
    assert errors(root) == []
    found = [d for d in MbzTarget().check(result.course) if d.code == "mbz-scripts"]
    assert [(d.severity, d.line) for d in found] == [(Severity.WARNING, 7)]
    assert "<script> tag is kept in the SCORM page" in found[0].message
