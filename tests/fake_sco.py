"""A tiny SCORM 1.2 package builder for testing the preview without the real player.

It writes what the preview needs from a package (a manifest naming a SCO, a launch page) and a
page that talks to the API the way a player does: Initialize, location, one interaction and a
score when its button is pressed, Commit, and Finish on pagehide.
"""

from __future__ import annotations

import html
from pathlib import Path

from lxml import etree

from coursebuilder.buildcontext import BuildContext
from coursebuilder.markdown import render
from coursebuilder.output import write_bytes, zip_bytes

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"

SCRIPT = """
var api = window.parent.API;
api.LMSInitialize("");
document.getElementById("entry").textContent = api.LMSGetValue("cmi.core.entry");
api.LMSSetValue("cmi.core.lesson_location", "lesson-1");
api.LMSSetValue("cmi.core.lesson_status", "incomplete");
api.LMSSetValue("cmi.suspend_data", "x".repeat(120));
api.LMSCommit("");
document.getElementById("answer").addEventListener("click", function () {
  api.LMSSetValue("cmi.interactions.0.id", "q1");
  api.LMSSetValue("cmi.interactions.0.type", "choice");
  api.LMSSetValue("cmi.interactions.0.student_response", "a");
  api.LMSSetValue("cmi.interactions.0.correct_responses.0.pattern", "a");
  api.LMSSetValue("cmi.interactions.0.result", "correct");
  api.LMSSetValue("cmi.core.score.min", "0");
  api.LMSSetValue("cmi.core.score.max", "100");
  api.LMSSetValue("cmi.core.score.raw", "100");
  api.LMSSetValue("cmi.core.lesson_status", "completed");
  api.LMSSetValue("cmi.core.exit", "suspend");
  api.LMSCommit("");
});
window.addEventListener("pagehide", function () {
  api.LMSSetValue("cmi.core.session_time", "0000:00:05.00");
  api.LMSFinish("");
});
"""


def manifest(mastery: str | None = "70") -> bytes:
    nsmap = {None: IMSCP, "adlcp": ADLCP}
    root = etree.Element(f"{{{IMSCP}}}manifest", nsmap=nsmap, identifier="m", version="1")
    orgs = etree.SubElement(root, f"{{{IMSCP}}}organizations", default="org")
    org = etree.SubElement(orgs, f"{{{IMSCP}}}organization", identifier="org")
    etree.SubElement(org, f"{{{IMSCP}}}title").text = "Fake"
    item = etree.SubElement(org, f"{{{IMSCP}}}item", identifier="item", identifierref="res")
    etree.SubElement(item, f"{{{IMSCP}}}title").text = "Fake"
    if mastery is not None:
        etree.SubElement(item, f"{{{ADLCP}}}masteryscore").text = mastery
    resources = etree.SubElement(root, f"{{{IMSCP}}}resources")
    res = etree.SubElement(
        resources, f"{{{IMSCP}}}resource", identifier="res", type="webcontent", href="content/index.html"
    )
    res.set(f"{{{ADLCP}}}scormtype", "sco")
    etree.SubElement(res, f"{{{IMSCP}}}file", href="content/index.html")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def fake_scorm12(context: BuildContext, out_dir: Path) -> Path:
    """Write `<id>-scorm12.zip` with every lesson's body on one page."""
    course = context.course
    lessons = "".join(
        f"<section><h2>{html.escape(lesson.title)}</h2>{render(lesson.body)}</section>" for lesson in course.lessons
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>fake</title></head><body>"
        f"<h1>{html.escape(course.info.title)}</h1><p>entry: <span id='entry'></span></p>"
        f"<button id='answer' type='button'>Answer</button>{lessons}<script>{SCRIPT}</script></body></html>"
    )
    path = out_dir / f"{course.info.id}-scorm12.zip"
    write_bytes(path, zip_bytes([("imsmanifest.xml", manifest()), ("content/index.html", page.encode())]))
    return path
