"""markdown-it.rs renders and scans a text only where the result is markdown-it-py's, exactly.

markdown-it-py defines the output. These tests generate texts from the syntax a course uses
and from its edges, and for every text the router lets through, compare the native engine's
HTML and references with markdown-it-py's. Texts on which the two are known to differ (or the
engine panics) must be kept from it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coursebuilder import nativemarkdown
from coursebuilder.build import build_course
from coursebuilder.exchange.moodlexml import cloze_tokens
from coursebuilder.htmlsafety import scan_markdown
from coursebuilder.loader import load_or_raise
from coursebuilder.markdown import _ALL_LINKS_PARSER, _PARSER, RenderCache, render
from coursebuilder.model import Cloze
from coursebuilder.synthetic import write_synthetic_course
from coursebuilder.targets import BuildOptions
from tests.conftest import files_of

pytestmark = pytest.mark.skipif(not nativemarkdown.available(), reason="markdown-it-pyrs is not installed")

ROOT = Path(__file__).resolve().parent.parent

CHARACTERS = list("aZ09 \t\n.,:;!?\"'()[]{}<>&#*_~`|\\/-+=%$@^")
PIECES = [
    "é", "ش", "中", "😀", "\u00a0", "\u2028", "“", "—", "ka\u0301", "\ue002", "\ue003", "**", "___", "[a]: b", "1. ", "    ", "\n- ",
    "\n1. ", "\n    ", "\n# ", "\n> ", "> ", "\n\n", "  \n", "|", "\n|", "| a | b |\n", "|---|---|\n", "|:-|-:|\n",
    "| c |\n", "`", "``", "`x`", "![a](x.png)", "[l](x.png)", "[l](http://a.b/c?d=e)", "[x][y]", "[y]: /u", "---",
]  # fmt: skip
LINES = [
    "# Judul *miring*", "## Sub", "Teks biasa dengan **tebal** dan _miring_.", "- butir satu", "  - anak", "1. satu",
    "2) dua", "", "", "    kode", "---", "Setext", "===", "| A | B |", "|---|:--:|", "| x | `y` |", "| z |",
    '![gambar](img/a.png "judul")', "![alt *e*](a b.png)", '[ref]: http://x.y/z "T"', "[ref] dan [teks][ref]",
    "* bintang", "+ plus", "  lanjut", "Baris  ", "*a **b** c*", "- [ ] tugas", "Teks `kode` di sini", "> kutipan",
    "> ", "a > b", "``", "```", "[a](b \"c\")", "[a](<b c>)", "[a](javascript:x)", "![p\nq](r) [s](t)", "Ü ñ é",
    "- > q", "   # tiga spasi", "\t- tab", "[x]:", "` `",
]  # fmt: skip
DESTINATION = [*"aZ09/.:%#?=+-_'\"()[]{}|^!*,;@$ ", "%2", "http://", "https://a.b", "mailto:", "data:image/png,",
               "javascript:", "file:", "xn--", "::"]  # fmt: skip

characters = st.lists(st.sampled_from(CHARACTERS + PIECES), min_size=1, max_size=25).map("".join)
lines = st.lists(st.sampled_from(LINES), min_size=1, max_size=10).map("\n".join)
links = st.builds(
    lambda bang, label, destination, title, shape: shape.format(b=bang, l=label, d=destination, t=title),
    st.sampled_from(["", "!"]),
    st.sampled_from(["a", "*b*", "", "[c]", "d e", "![i](j)", "[k](l)", "\ue0020\ue003", "*\ue002*"]),
    st.lists(st.sampled_from(DESTINATION), max_size=8).map("".join),
    st.sampled_from(["", ' "t"', " 't'", " (t)", ' ""', " ()", ' "\ue002"']),
    st.sampled_from(
        [
            "{b}[{l}]({d}{t})",
            "x {b}[{l}]({d}{t}) y",
            "[{l}]\n\n[{l}]: {d}{t}",
            "{b}[{l}][r]\n\n[r]: {d}{t}",
            "\ue0021\ue003 {b}[{l}]({d}{t})\ue002",
        ]
    ),
)
texts = st.one_of(characters, lines, links)


@settings(max_examples=3000, deadline=None)
@given(texts)
def test_what_the_engine_renders_is_markdown_it_pys_html(text: str) -> None:
    native = nativemarkdown.render(text)
    if native is not None:
        assert native == _PARSER.render(text)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_what_the_engine_scans_is_what_the_all_links_parser_finds(text: str) -> None:
    found = nativemarkdown.references(text)
    if found is None:
        return
    expected = []
    for block in _ALL_LINKS_PARSER.parse(text):
        line = block.map[0] if block.map else 0
        for child in block.children or ():
            if child.type == "image":
                expected.append(("image", child.attrs["src"], line))
            elif child.type == "link_open":
                expected.append(("link", child.attrs["href"], line))
            elif child.type in ("softbreak", "hardbreak"):
                line += 1
    assert found == expected


def tables_alike_line_by_line(text: str) -> bool:
    """`nativemarkdown._tables_alike` as it was first written: every group of lines, in order."""
    group: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.strip(" \t"):
            group.append(line.rstrip(" \t"))
            continue
        if group and any("|" in row for row in group):
            if len(group) < 2 or not all(len(row) > 1 and row[0] == "|" == row[-1] for row in group):
                return False
            if not nativemarkdown._TABLE_DELIMITER.fullmatch(group[1]) or group[0].count("|") != group[1].count("|"):
                return False
        group = []
    return True


@example("text\n| a |\n|-|")
@example("| a |\n|-|\ntext")
@example("| a |\n \t\n|-|")
@example("| a | b |\n|-|-|\n\n| c |\n|-|\n| d |")
@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        texts, st.lists(st.sampled_from([*LINES, "| a |", "|-|", " \t", "|a", "x |"]), max_size=12).map("\n".join)
    )
)
def test_tables_are_judged_group_by_group_as_line_by_line(text: str) -> None:
    assert nativemarkdown._tables_alike(text) is tables_alike_line_by_line(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(characters, lines), st.booleans())
def test_images_reach_each_resolver_as_markdown_it_py_gives_them(text: str, inline: bool) -> None:
    """Through the native engine, each resolver is asked about the same images in the same
    order and its answers are escaped the same way."""
    resolve = lambda src: f'@@PLUGINFILE@@/{src}?a&b"<>'  # noqa: E731
    asked: list[str] = []
    env = {"resolve_image": lambda src: asked.append(src) or resolve(src)}
    expected = _PARSER.renderInline(text, env) if inline else _PARSER.render(text, env)
    seen: list[str] = []
    got = render(text, lambda src: seen.append(src) or resolve(src), inline)
    if inline and "\n" in text.strip():
        return  # several lines: not rendered inline by either engine's shortcut
    assert got == expected
    assert seen == asked
    cache = RenderCache()
    assert render(text, resolve, inline, cache=cache) == render(text, resolve, inline, cache=cache) == expected


KNOWN_DIFFERENCES = [
    "| a | b |\n|---|---|\n- ",  # a list item ends markdown-it-py's table, not the engine's
    "0\n|---",  # a table whose header has no pipe
    "![a  \nb](x)",  # a hard break in an image's text
    "[a](http://ü.de)",  # punycode
    "[a](mailto:@?x)",  # userinfo
    "[a](http://x::)",  # an empty port
    '[a](b "")',  # an empty title
    "- " * 20 + "x",  # nesting beyond markdown-it-py's limit
    "[" * 50 + "a" + "]" * 50 + "(b)",
    ">\na",  # an empty block quote
    "> x\n> ->\n-",  # lazy continuation
    "```\nx",  # an unclosed fence
    "a` \n ` b",  # a code span over lines
    "``   ``",  # a code span of spaces
    "[x]:\n- \n\n- a",  # a definition without destination
]


@pytest.mark.parametrize("text", KNOWN_DIFFERENCES)
def test_texts_the_engines_render_differently_go_to_markdown_it_py(text: str) -> None:
    assert nativemarkdown._ENGINE.render(text) != _PARSER.render(text), "no longer a difference: relax the rule?"
    assert not nativemarkdown.renders_alike(text)
    assert render(text) == _PARSER.render(text)


@pytest.mark.parametrize("text", ["[`", "x [a `b", "`[`", "> }[!%``"])
def test_texts_the_engine_panics_on_never_reach_it(text: str) -> None:
    assert not nativemarkdown.renders_alike(text)
    assert nativemarkdown.render(text) is None
    assert render(text) == _PARSER.render(text)


def test_a_panic_is_taken_as_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    class Panicking:
        def render(self, text: str) -> str:
            raise BaseException("a Rust panic")

        def tree(self, text: str) -> object:
            raise BaseException("a Rust panic")

    monkeypatch.setattr(nativemarkdown, "_ENGINE", Panicking())
    assert nativemarkdown.render("a *b*") is None
    assert nativemarkdown.references("[a](b)") is None
    assert render("a *b*\n\nc") == _PARSER.render("a *b*\n\nc")


def test_script_urls_are_left_to_the_check() -> None:
    """The engine makes no link of a script URL; the HTML check must still see and report it."""
    for text in ("[a](javascript:alert(1))", "[a][r]\n\n[r]: vbscript:x", "![a](file:///etc/passwd)"):
        assert nativemarkdown.references(text) is None
        _, refs = scan_markdown(text)
        assert refs and refs[0].target.split(":")[0] in ("javascript", "vbscript", "file")
    assert scan_markdown("[a](javascript:alert(1))")[0], "reported as unsafe"


def test_course_texts_take_the_native_path(tmp_path: Path) -> None:
    """The texts of the example course and of a synthetic course are all in the subset (else
    the engine would not pay)."""
    write_synthetic_course(tmp_path / "s", 40, 4, 10)
    bodies = [
        path.read_text(encoding="utf-8").split("---", 2)[2] for path in sorted((tmp_path / "s").glob("lessons/*.md"))
    ]
    bodies += [
        path.read_text(encoding="utf-8").split("---", 2)[2]
        for path in sorted((ROOT / "course_src").glob("lessons/*.md"))
    ]
    assert len(bodies) == 9
    for body in bodies:
        assert nativemarkdown.renders_alike(body), body[:80]
        assert nativemarkdown.render(body) == _PARSER.render(body)


def test_cloze_texts_with_images_take_the_native_path(tmp_path: Path) -> None:
    """A cloze question's text is rendered with its gaps as private-use marks (`cloze_tokens`):
    marks beside an image or a link are still in the subset, and render alike."""
    write_synthetic_course(tmp_path / "s", 300, 3, 10)
    course = load_or_raise(tmp_path / "s")[0]
    texts = [cloze_tokens(question)[1] for question in course.questions if isinstance(question, Cloze)]
    with_images = [text for text in texts if "![" in text]
    assert with_images, "the synthetic course has no cloze question with an image"
    for text in [*with_images, "\ue0020\ue003 [a](b) *c* \ue0021\ue003\n\n[d][r]\n\n[r]: /e"]:
        assert nativemarkdown.renders_alike(text), text
        assert nativemarkdown.render(text) == _PARSER.render(text)


def test_the_output_is_the_same_without_the_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every target, for the example course and a synthetic one, with and without the engine."""
    write_synthetic_course(tmp_path / "synthetic", 60, 6, 12)
    for course in (ROOT / "course_src", tmp_path / "synthetic"):
        outputs = []
        for engine in (nativemarkdown._ENGINE, None):
            monkeypatch.setattr(nativemarkdown, "_ENGINE", engine)
            out = tmp_path / f"{course.name}-{len(outputs)}"
            build_course(
                course, out, ["moodle", "scorm12", "scorm2004", "mbz", "cc"], BuildOptions(jobs=1, cache=False)
            )
            outputs.append(files_of(out))
        assert outputs[0] == outputs[1]
        assert len(outputs[0]) >= 6
