"""XML is read one way: no DOCTYPE, no entities, no DTD, no network, bounded size."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from coursebuilder import limits, safexml
from coursebuilder.safexml import UnsafeXML, XMLProblem, parse_xml_bytes, parse_xml_file
from tests.conftest import ROOT

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<quiz><question type="essay"><name><text>&lol9;</text></name></question></quiz>
"""

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question><name><text>&secret;</text></name></question></quiz>
"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY % remote SYSTEM "file:///etc/passwd"> %remote;]>
<quiz/>
"""

XXE_IN_ATTRIBUTE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY big "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA">]>
<quiz name="&big;&big;&big;"/>
"""

HOSTILE = {
    "billion laughs": (BILLION_LAUGHS, 2),
    "external entity": (XXE_FILE, 2),
    "parameter entity": (XXE_PARAMETER, 2),
    "entity in an attribute": (XXE_IN_ATTRIBUTE, 2),
    "external dtd": (b'<?xml version="1.0"?>\n\n<!DOCTYPE quiz SYSTEM "http://127.0.0.1:9/quiz.dtd">\n<quiz/>', 3),
    "plain doctype": (b"<!DOCTYPE html>\n<html/>", 1),
    "doctype after a comment": (b"<!-- c -->\n<!DOCTYPE quiz>\n<quiz/>", 2),
    "utf-16": ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode("utf-16"), 1),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_doctypes_are_refused_with_a_clear_message(case: str) -> None:
    data, line = HOSTILE[case]
    with pytest.raises(UnsafeXML) as info:
        parse_xml_bytes(data, "bank.xml")
    problem = info.value
    assert (problem.name, problem.line) == ("bank.xml", line)
    assert "DOCTYPE declaration, which is refused" in problem.message
    assert str(problem).startswith(f"bank.xml:{line}: has a DOCTYPE")
    assert isinstance(problem, XMLProblem)


def test_no_network_access_is_attempted() -> None:
    """A DTD on a local server: the parser must not fetch it (it stops at the DOCTYPE)."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "fetched">')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/x.dtd"
        data = f'<?xml version="1.0"?><!DOCTYPE q SYSTEM "{url}"><q>&x;</q>'.encode()
        with pytest.raises(UnsafeXML):
            parse_xml_bytes(data, "remote.xml")
        # The second line of defence on its own: the parser settings load and expand nothing either.
        root = safexml.etree.fromstring(data, safexml._parser())
        assert b"fetched" not in safexml.etree.tostring(root)
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []


def test_well_formed_xml_is_parsed_with_lines() -> None:
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n  <question type="essay">\xc3\xa9</question>\n</quiz>\n'
    root = parse_xml_bytes(data, "ok.xml")
    question = root.find("question")
    assert question is not None
    assert (question.get("type"), question.text, question.sourceline) == ("essay", "é", 3)


def test_blank_text_can_be_dropped() -> None:
    root = parse_xml_bytes(b"<a>\n  <b/>\n</a>", remove_blank_text=True)
    assert root.text is None


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"<quiz>\n<question>\n</quiz>", 3, "Opening and ending tag mismatch"),
        (b"<quiz>&undefined;</quiz>", 1, "Entity 'undefined' not defined"),
        (b"", 1, "Document is empty"),
        (b"<!doctype quiz>\n<quiz/>", 1, ""),  # XML spells it DOCTYPE: not well-formed
        (b"not xml at all", 1, "Start tag expected"),
        (b"<a>" + b"\xff\xfe" + b"</a>", 1, ""),
    ],
)
def test_broken_xml_is_a_located_problem(data: bytes, line: int, message: str) -> None:
    with pytest.raises(XMLProblem) as info:
        parse_xml_bytes(data, "broken.xml")
    assert not isinstance(info.value, UnsafeXML)
    assert info.value.line == line
    assert message in info.value.message
    assert str(info.value).startswith("broken.xml")


def test_depth_beyond_libxml2s_limit_is_refused() -> None:
    with pytest.raises(XMLProblem, match="nesting over 256 levels are refused"):
        parse_xml_bytes(b"<a>" * 300 + b"</a>" * 300, "deep.xml")


def test_size_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(limits, "MAX_XML_BYTES", 10)
    with pytest.raises(UnsafeXML, match="the limit for an XML file is 10"):
        parse_xml_bytes(b"<a>0123456789</a>", "big.xml")
    path = tmp_path / "big.xml"
    path.touch()
    import os

    os.truncate(path, 2 * 1024**3)
    with pytest.raises(UnsafeXML, match="is 2,147,483,648 bytes"):
        parse_xml_file(path)


def test_parse_file(tmp_path: Path) -> None:
    path = tmp_path / "q.xml"
    path.write_bytes(b"<quiz/>")
    assert parse_xml_file(path).tag == "quiz"
    with pytest.raises(XMLProblem, match="cannot read"):
        parse_xml_file(tmp_path / "missing.xml")


PARSING = re.compile(
    r"etree\.(?:fromstring|parse|XML|iterparse|XMLPullParser|XMLParser|fromstringlist)\b|"
    r"(?<![\w.])xml\.(?:dom|sax|etree)|xmlschema|defusedxml"
)
"""XML parsing. HTML fragments (lxml.html, for imported question text) are another matter:
libxml2's HTML parser declares no entities and loads no DTD."""


def test_the_package_parses_xml_only_through_safexml() -> None:
    """Import, readers and anything else in the package go through `safexml` (tests may use xmlschema)."""
    offenders = []
    for path in sorted((ROOT / "coursebuilder").rglob("*.py")):
        if path.name == "safexml.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if PARSING.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "parse XML with coursebuilder.safexml:\n" + "\n".join(offenders)
