"""Browser-test utilities: Debian's chromium through Playwright, a local server, an LMS stand-in.

Reusable by any test that needs a real browser (screenshots, accessibility, SCORM runs):

- `chromium` (pytest fixture, one browser per test module): a Playwright `Browser` running
  /usr/bin/chromium headless with the flags below; the module is skipped when chromium or the
  `playwright` package is missing.
- `serve(directory)`: context manager serving `directory` over HTTP on 127.0.0.1 (a free port)
  from a thread; yields the base URL, e.g. `http://127.0.0.1:41234/`.
- `offline(context)`: routes every request of a Playwright `BrowserContext`; requests that would
  leave 127.0.0.1 are aborted and their URLs returned in the list it gives back.
- `unpack(data, directory)`: extracts a package zip, refusing names that escape `directory`.
- `install_lms(directory)`: adds `lms.html` (an LMS page built on the npm package scorm-again,
  see `LMS_JS`) and scorm-again's scripts to `directory`. In the page, `launch(version, href,
  state, dismissal)` creates a fresh API object (`API` for "1.2", `API_1484_11` for "2004") loaded with
  `state` (flattened CMI values, as an LMS restores them) and opens `href` in an iframe;
  `closeSco()` removes the iframe (the SCO sees `pagehide`); `cmi()` returns the flattened CMI
  data; `calls` lists every API call with its result and error code. `stored` is the CMI data
  as of the last Commit or Terminate that succeeded (what reached the LMS's server), and
  `terminated` says whether a Terminate succeeded; `scoLoaded` whether the content's page has
  loaded (before that, the stand-in cannot tell its unload). With `dismissal` true, the API behaves like
  Moodle's (mod/scorm/request.js `DoRequest`, a synchronous XHR): a Commit or Terminate made
  while the SCO's page is being dismissed (`beforeunload`, `pagehide`, `unload`, or
  `visibilitychange` to hidden) fails with error 101 and stores nothing, as Chromium refuses
  synchronous requests then.

Example:

    with serve(folder) as url:
        page = chromium.new_page()
        page.goto(url + "index.html")
        page.screenshot(path="lesson.png")
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Repaint whole tiles: a partial repaint blends a rounded corner one shade apart now and
    # then, and a screenshot taken again from an unchanged page would differ.
    "--disable-partial-raster",
]
SCORM_AGAIN = NODE_MODULES / "scorm-again" / "dist"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 while the block runs; yield the base URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def offline(context: Any) -> list[str]:
    """Abort and record every request of `context` that is not for 127.0.0.1."""
    escaped: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "file") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            escaped.append(url)
            route.abort()

    context.route("**/*", handle)
    return escaped


def unpack(data: bytes | Path, directory: Path) -> Path:
    """Extract a zip into `directory`; names that are absolute or climb out are an error."""
    import io

    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as archive:
        for name in archive.namelist():
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts:
                raise ValueError(f"unsafe name in zip: {name}")
        archive.extractall(directory)
    return directory


LMS_JS = r"""
window.calls = [];
window.stored = null;
window.terminated = false;
var raw = null;
var DISMISSAL = ["beforeunload", "pagehide", "unload"];
window.launch = function (version, href, state, dismissal) {
  var old = document.getElementById("sco");
  if (old) old.remove();
  window.stored = null;
  window.terminated = false;
  window.scoLoaded = false;
  delete window.API;
  delete window.API_1484_11;
  var settings = { autocommit: false, logLevel: 5, lmsCommitUrl: false };
  raw = version === "1.2" ? new Scorm12API(settings) : new Scorm2004API(settings);
  if (state) raw.loadFromFlattenedJSON(state, "");
  var names = ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString"];
  if (version === "1.2") {
    names = names.map(function (n) { return "LMS" + n.replace("Terminate", "Finish"); });
  }
  var lastError = names[5], api = {}, refused = false, sco = null;
  var leaving = function () {
    var event = sco && sco.event;
    if (!event) return false;
    return DISMISSAL.indexOf(event.type) >= 0 || (event.type === "visibilitychange" && sco.document.hidden);
  };
  names.forEach(function (name) {
    api[name] = function () {
      var args = Array.prototype.slice.call(arguments);
      var sends = name === names[1] || name === names[4];
      if (name.indexOf("Error") >= 0) return refused && name === lastError ? "101" : raw[name].apply(raw, args);
      refused = false;
      var result;
      if (dismissal && sends && leaving()) {
        refused = true;
        result = "false";
      } else {
        result = raw[name].apply(raw, args);
        if (sends && String(result) === "true") {
          window.stored = raw.getFlattenedCMI();
          if (name === names[1]) window.terminated = true;
        }
      }
      var error = refused ? "101" : String(raw[lastError]());
      window.calls.push({ fn: name, args: args.map(String), result: String(result), error: error });
      return result;
    };
  });
  window[version === "1.2" ? "API" : "API_1484_11"] = api;
  var frame = document.createElement("iframe");
  frame.id = "sco";
  frame.title = "Course";
  frame.src = href;
  // Until the frame's load event, the stand-in cannot see the SCO's events: `scoLoaded` says when it can.
  frame.addEventListener("load", function () { sco = frame.contentWindow; window.scoLoaded = true; });
  document.body.appendChild(frame);
};
window.closeSco = function () { var f = document.getElementById("sco"); if (f) f.remove(); };
window.cmi = function () { return raw.getFlattenedCMI(); };
"""

LMS_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>LMS stand-in</title>
<style>body{margin:0} iframe{width:100%;height:100vh;border:0}</style>
<script src="scorm12.min.js"></script><script src="scorm2004.min.js"></script><script src="lms.js"></script>
</head><body></body></html>
"""


def install_lms(directory: Path) -> None:
    """Add the LMS stand-in (`lms.html`, `lms.js`, scorm-again's scripts) to `directory`."""
    for name in ("scorm12.min.js", "scorm2004.min.js"):
        shutil.copy(SCORM_AGAIN / name, directory / name)
    (directory / "lms.js").write_text(LMS_JS, encoding="utf-8")
    (directory / "lms.html").write_text(LMS_HTML, encoding="utf-8")


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (`make browser` installs it)"
    if not (SCORM_AGAIN / "scorm12.min.js").exists() or not AXE.exists():
        return "node_modules is missing (`make npm` installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (`make install-test`)"
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless chromium for the whole test module."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
