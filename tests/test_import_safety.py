"""Import reads untrusted files: no entities, no DTD, no network, size limits, no path escapes."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from coursebuilder.importer import ImportOptions, run_import
from coursebuilder.importer import inputs as inputs_module
from coursebuilder.importer.common import safe_file_name

COURSE = {
    "course.yaml": "id: imp\ntitle: Import test\nshortname: IMP\nlessons:\n  - basics\n",
    "lessons/01-basics.md": "---\ntitle: Basics\n---\nThe basics.\n",
}


def _question(text: str, files: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="description">
    <name><text>D</text></name>
    <questiontext format="html"><text><![CDATA[{text}]]></text>{files}</questiontext>
  </question>
</quiz>
"""


def _run(write_course, name: str, data: bytes | str):
    root = write_course(COURSE, base=False)
    source = root.parent / name
    source.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    result = run_import([source], ImportOptions(into=root))
    after = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    return root, result, before, after


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY lol "lol">]>\n<quiz>&lol;</quiz>',
            ":2: error: has a <!DOCTYPE> declaration; refused",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://example.com/evil.dtd">\n<quiz/>',
            ":2: error: has a <!DOCTYPE> declaration; refused",
        ),
        ("<quiz>\n<question>&nbsp;</question></quiz>", ":2: error: is not well-formed XML: Entity 'nbsp' not defined"),
        ("<quiz><question></quiz>", ":1: error: is not well-formed XML"),
        ("<html><body/></html>", ":1: error: is XML with root element <html>"),
        (b"PK\x03\x04rest", ": error: is a zip or gzip archive"),
        (b"\x00\x01\x02binary", ": error: is a binary file"),
        (b"::Q::caf\xe9{T}", ":1: error: is not UTF-8 (byte 0xe9)"),
    ],
)
def test_unsafe_or_unreadable_input_is_refused_and_nothing_is_written(write_course, data, message) -> None:
    _root, result, before, after = _run(write_course, "input.xml", data)
    assert result.failed
    assert after == before
    messages = [d.format() for d in result.diagnostics]
    assert any(message in m and m.startswith(str(_root.parent / "input.xml")) for m in messages), messages


def test_doctype_inside_a_question_text_is_only_text(write_course) -> None:
    data = _question("<p>What does &lt;!DOCTYPE html&gt; declare?</p><pre>&lt;!DOCTYPE html&gt;</pre>")
    data = data.replace("<![CDATA[", "<![CDATA[<p>A question about <!DOCTYPE html>.</p>")
    _root, result, _before, _after = _run(write_course, "bank.xml", data)
    assert not result.failed


def test_size_limit(write_course, monkeypatch) -> None:
    monkeypatch.setattr(inputs_module, "MAX_IMPORT_BYTES", 100)
    _root, result, before, after = _run(write_course, "big.xml", _question("x" * 200))
    assert result.failed and after == before
    assert any("the limit is 100" in d.message for d in result.diagnostics)


def test_embedded_file_names_cannot_escape_assets(write_course) -> None:
    body = base64.b64encode(b"secret").decode()
    files = (
        f'<file name="../../evil.sh" path="/../../" encoding="base64">{body}</file>'
        f'<file name="..\\\\win.png" path="/" encoding="base64">{body}</file>'
    )
    text = '<p><img src="@@PLUGINFILE@@/../../evil.sh"><img src="@@PLUGINFILE@@/..%5Cwin.png"></p>'
    root, result, _before, _after = _run(write_course, "bank.xml", _question(text, files))
    assert not result.failed
    written = sorted(p.relative_to(root.parent).as_posix() for p in root.parent.rglob("*") if p.is_file())
    assert all(name.startswith(("course/", "bank.xml")) for name in written), written
    assert sorted(p.name for p in (root / "assets").iterdir()) == ["evil.sh", "win.png"]


def test_assets_linked_outside_the_course_are_refused(write_course, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = write_course(COURSE, base=False)
    (root / "assets").symlink_to(outside, target_is_directory=True)
    source = root.parent / "bank.xml"
    body = base64.b64encode(b"data").decode()
    source.write_text(
        _question(
            '<p><img src="@@PLUGINFILE@@/a.png"></p>', f'<file name="a.png" path="/" encoding="base64">{body}</file>'
        ),
        encoding="utf-8",
    )
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    result = run_import([source], ImportOptions(into=root))
    assert result.failed
    assert any("would be written outside the course directory; refused" in d.format() for d in result.diagnostics)
    assert list(outside.iterdir()) == []
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before


def test_bad_base64_is_reported(write_course) -> None:
    files = '<file name="a.png" path="/" encoding="base64">@@@not base64@@@</file>'
    _root, result, _before, _after = _run(
        write_course, "bank.xml", _question('<p><img src="@@PLUGINFILE@@/a.png"></p>', files)
    )
    messages = [d.format() for d in result.diagnostics]
    assert any("file 'a.png' is not valid base64; not imported" in m for m in messages), messages
    assert any("refers to file 'a.png', which the file does not contain" in m for m in messages), messages


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("map of france.png", "map-of-france.png"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\photo.JPG", "photo.JPG"),
        ("Ünïcödé.svg", "Unicode.svg"),
        (".hidden", "hidden"),
        ("", "file"),
        ("a" * 300 + ".png", "a" * 96 + ".png"),
    ],
)
def test_safe_file_names(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def _two_images(first: bytes, second: bytes) -> str:
    questions = []
    for index, data in enumerate((first, second)):
        body = base64.b64encode(data).decode()
        questions.append(
            f"""  <question type="description">
    <name><text>D{index}</text></name>
    <questiontext format="html"><text><![CDATA[<p><img src="@@PLUGINFILE@@/image.png" alt="i{index}"></p>]]></text>
<file name="image.png" path="/" encoding="base64">{body}</file></questiontext>
  </question>"""
        )
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def test_same_name_other_content_gets_its_own_file(write_course) -> None:
    root, result, _before, _after = _run(write_course, "bank.xml", _two_images(b"first", b"second"))
    assert not result.failed
    names = sorted(p.name for p in (root / "assets").iterdir())
    assert names[0] == "image-" + hashlib.sha256(b"second").hexdigest()[:10] + ".png"
    assert names[1] == "image.png"
    assert (root / "assets" / "image.png").read_bytes() == b"first"
    quiz = (root / "quiz" / "bank.yaml").read_text(encoding="utf-8")
    assert "![i0](../assets/image.png)" in quiz and f"![i1](../assets/{names[0]})" in quiz


def test_a_file_the_course_already_has_is_reused(write_course) -> None:
    root = write_course({**COURSE, "assets/img/photo.png": b"first"}, base=False)
    source = root.parent / "bank.xml"
    source.write_text(_two_images(b"first", b"first"), encoding="utf-8")
    result = run_import([source], ImportOptions(into=root))
    assert not result.failed
    assert sorted(p.relative_to(root).as_posix() for p in (root / "assets").rglob("*")) == [
        "assets/img",
        "assets/img/photo.png",
    ]
    quiz = (root / "quiz" / "bank.yaml").read_text(encoding="utf-8")
    assert quiz.count("../assets/img/photo.png") == 2
