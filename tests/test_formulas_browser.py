"""Formulas in a real browser: the physics example's SCORM package, opened offline, shows its
MathML rendered by the browser itself (MathML Core), with no script but the player's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from coursebuilder.loader import load_or_raise
from coursebuilder.output import zip_bytes
from coursebuilder.scorm import build_package
from tests.browser import AXE, offline, serve, unpack
from tests.conftest import ROOT
from tests.player import go_to

pytestmark = pytest.mark.browser

EXAMPLE = ROOT / "examples" / "physics"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    course, _ = load_or_raise(EXAMPLE)
    root = tmp_path_factory.mktemp("physics")
    for version in ("1.2", "2004"):
        unpack(zip_bytes(build_package(course, version, "single").items()), root / version)
    with serve(root) as url:
        yield url


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_formulas_render_as_mathml_offline(chromium: Any, site: str, version: str) -> None:
    context = chromium.new_context()
    escaped = offline(context)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{site}{version}/index.html")
    page.locator("html.cb-ready").wait_for(state="attached")
    go_to(page, "l-speed")
    found = page.evaluate(
        """() => {
          const lesson = document.querySelector('section#l-speed');
          const block = lesson.querySelector('math[display="block"]');
          const inline = lesson.querySelector('math[display="inline"]');
          const fraction = block.querySelector('mfrac');
          const [top, bottom] = [fraction.children[0], fraction.children[1]].map(e => e.getBoundingClientRect());
          const note = block.querySelector('annotation').getBoundingClientRect();
          return {
            blockDisplay: getComputedStyle(block).display,
            inlineDisplay: getComputedStyle(inline).display,
            stacked: top.bottom <= bottom.top + 1 && top.height > 0 && bottom.height > 0,
            annotationHidden: note.width === 0 && note.height === 0,
            tex: block.querySelector('annotation').getAttribute('encoding'),
            scripts: [...document.scripts].map(s => s.getAttribute('src') || 'inline'),
            mathjax: typeof window.MathJax,
          };
        }"""
    )
    context.close()
    assert found["blockDisplay"] == "block math"  # the browser lays it out as MathML
    assert found["inlineDisplay"] in ("math", "inline math")  # `math` is short for `inline math`
    assert found["stacked"], "a fraction's numerator sits above its denominator"
    assert found["annotationHidden"], "the TeX annotation is not shown"
    assert found["tex"] == "application/x-tex"
    assert [src for src in found["scripts"] if src != "inline"] == ["player.js"]
    assert found["mathjax"] == "undefined"
    assert escaped == [] and problems == []


def test_pages_with_formulas_have_no_serious_accessibility_violations(chromium: Any, site: str) -> None:
    """axe-core on a lesson, the glossary and the quiz of the physics example."""
    run = """async () => {
      const result = await axe.run(document, {resultTypes: ['violations']});
      return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
    }"""
    # axe is injected as an inline script, which the packages' CSP would rightly refuse.
    context = chromium.new_context(bypass_csp=True)
    escaped = offline(context)
    page = context.new_page()
    page.goto(f"{site}2004/index.html")
    page.locator("html.cb-ready").wait_for(state="attached")
    page.add_script_tag(path=str(AXE))
    found = {}
    for page_id in ("l-speed", "l-acceleration", "glossary", "quiz"):
        go_to(page, page_id)
        found[page_id] = page.evaluate(run)
    context.close()
    assert not any(found.values()), found
    assert escaped == []
