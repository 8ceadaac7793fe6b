"""Formulas for offline packages (SCORM, Common Cartridge): MathML made at build time.

Browsers render MathML Core natively, so a package carries no MathJax and loads nothing.
The TeX stays in `<annotation encoding="application/x-tex">`, for screen readers and for
copying. The markup is serialised with explicit end tags, so HTML parsers that do not know
MathML's self-closing elements (lxml's, the page checks') read the same tree a browser does.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from coursebuilder.safexml import parse_xml_bytes

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
TEX_ENCODING = "application/x-tex"

_UPRIGHT_LETTER = re.compile(r"\\mathrm\s*\{([A-Za-z])\}")
"""`\\mathrm{m}`: latex2mathml writes one upright letter as a plain `<mi>`, which browsers set
in italics; braced once more (`\\mathrm{{m}}`) it gets `mathvariant="normal"`."""


@functools.lru_cache(maxsize=8192)
def formula_html(tex: str, display: bool) -> str:
    """`<math>` for one formula; each formula is converted once.

    Validation refuses what the converter cannot handle (`tex.problem`); should such a formula
    reach here all the same (the preview shows courses with errors), its TeX is shown as code.
    """
    from latex2mathml.converter import convert  # a fifth of start-up: only courses with formulas load it

    try:
        upright = _UPRIGHT_LETTER.sub(lambda match: "\\mathrm{{" + match.group(1) + "}}", tex)
        source = parse_xml_bytes(convert(upright, display="block" if display else "inline").encode(), "MathML")
    except Exception:
        code = etree.Element("code", {"class": "math-error"})
        code.text = tex
        return etree.tostring(code, method="html", encoding="unicode")
    math = etree.Element("math", display="block" if display else "inline")
    semantics = etree.SubElement(math, "semantics")
    children = list(source)
    if len(children) == 1:
        semantics.append(_plain(children[0]))
    else:
        row = etree.SubElement(semantics, "mrow")
        for child in children:
            row.append(_plain(child))
    annotation = etree.SubElement(semantics, "annotation", encoding=TEX_ENCODING)
    annotation.text = tex
    return etree.tostring(math, method="html", encoding="unicode")


def _plain(element: etree._Element) -> etree._Element:
    """A copy of `element` without the MathML namespace (HTML puts `<math>` content in it)."""
    copy = etree.Element(etree.QName(element).localname, {str(k): str(v) for k, v in element.attrib.items()})
    copy.text = element.text
    for child in element:
        copy.append(_plain(child))
    copy.tail = element.tail
    return copy
