"""The preview's web server: the LMS stand-in page, the built content and the question bank.

A standard-library `ThreadingHTTPServer` in a thread, bound to 127.0.0.1 by default. Routes:

- `/` the LMS stand-in page; `/questions` the question bank proof page;
- `/__status` the latest build as JSON (see `BuildState.as_json`);
- `/__static/<file>` the page's own CSS and JavaScript (package data);
- `/sco/<build>/<path>` the unpacked SCORM package of a build;
- `/__asset/<path>` images the question bank page shows (only those).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import shutil
import signal
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2

from coursebuilder.preview.bank import render_bank
from coursebuilder.preview.session import PackageBuilder, PreviewSession, Watcher, build_scorm12

STATIC_FILES = frozenset({"lms.js", "scorm12-api.js", "preview.css"})
"""The files `/__static/` serves, from `coursebuilder/static/preview/`."""

POLL_MS = 500
"""How often the page asks for the build number."""

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".dtd": "application/xml-dtd",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".imscc": "application/zip",
}


def content_type(path: Path) -> str:
    """The type to send a file with (the same on every system, unlike `mimetypes` alone)."""
    return _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("coursebuilder", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def inside(base: Path, rel: str) -> Path | None:
    """`base/rel` when it is a file inside `base` (no `..`, no links out), else None."""
    if not rel or "\\" in rel or "\0" in rel:
        return None
    base_real = base.resolve()
    candidate = (base / rel).resolve()
    if not candidate.is_relative_to(base_real) or not candidate.is_file():
        return None
    return candidate


class PreviewError(Exception):
    """The preview cannot start (e.g. the port is taken); the message says what to do."""


class PreviewServer:
    """Serves one course's preview until `stop()`; `url` is where to open it."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        report: Callable[[str], None] = print,
        build_package: PackageBuilder = build_scorm12,
        watch_interval: float = 0.3,
    ) -> None:
        self.root = root.resolve()
        try:
            self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        except OSError as exc:
            raise PreviewError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port"
            ) from None
        self.httpd.daemon_threads = True
        self._workdir = Path(tempfile.mkdtemp(prefix="coursebuilder-preview-"))
        self.session = PreviewSession(root, self._workdir, report, build_package)
        self.env = templates()
        self.report = report
        self.watcher = Watcher(self.session, watch_interval)
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="coursebuilder-preview-http",
            daemon=True,
        )
        self.bank_assets: dict[str, Path] = {}
        self.storage_key = "coursebuilder-preview:" + hashlib.sha256(str(self.root).encode()).hexdigest()[:16]

    @property
    def url(self) -> str:
        address = self.httpd.server_address
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        port = address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        """Build once, then serve and watch in background threads."""
        self.session.rebuild()
        self._thread.start()
        self.watcher.start()

    def stop(self) -> None:
        """Stop watching and serving, wait for both threads, remove the temporary files."""
        self.watcher.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
        self.watcher.join(timeout=5)
        shutil.rmtree(self._workdir, ignore_errors=True)

    # ---------------------------------------------------------------- pages

    def lms_page(self) -> bytes:
        config = {"storageKey": self.storage_key, "pollMs": POLL_MS}
        title = self.session.state.title or self.root.name
        return self.env.get_template("preview/lms.html.j2").render(title=title, config=config).encode()

    def bank_page(self) -> bytes:
        state = self.session.state
        problems = [] if state.course_is_current else list(state.diagnostics)
        page = render_bank(state.course, problems, self.env)
        self.bank_assets.update(page.assets)
        return page.html.encode()


def _handler(server: PreviewServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "coursebuilder-preview"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Requests are not worth a line each in the terminal."""

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._route(path)

        def _route(self, path: str) -> None:
            if path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, server.lms_page(), "text/html; charset=utf-8")
            elif path == "/__status":
                body = json.dumps(server.session.state.as_json(), ensure_ascii=False).encode()
                self._send(HTTPStatus.OK, body, "application/json")
            elif path in ("/questions", "/questions/"):
                self._send(HTTPStatus.OK, server.bank_page(), "text/html; charset=utf-8")
            elif path.startswith("/__static/") and path[len("/__static/") :] in STATIC_FILES:
                resource = files("coursebuilder") / "static" / "preview" / path[len("/__static/") :]
                self._send(HTTPStatus.OK, resource.read_bytes(), content_type(Path(path)))
            elif path.startswith("/sco/"):
                self._content(path[len("/sco/") :])
            elif path.startswith("/built/"):
                self._built(path[len("/built/") :])
            elif path in server.bank_assets:
                self._file(server.bank_assets[path])
            else:
                self._not_found()

        def _content(self, rest: str) -> None:
            number, _, rel = rest.partition("/")
            found = inside(server.session.content_dir(int(number)), rel) if number.isdigit() else None
            if found is None:
                self._not_found()
            else:
                self._file(found)

        def _built(self, rest: str) -> None:
            number, _, rel = rest.partition("/")
            found = inside(server.session.built_dir(int(number)), rel) if number.isdigit() else None
            if found is None:
                self._not_found()
            else:
                self._file(found)

        def _file(self, path: Path) -> None:
            try:
                data = path.read_bytes()
            except OSError:
                self._not_found()
                return
            self._send(HTTPStatus.OK, data, content_type(path))

        def _not_found(self) -> None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

        def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def run_preview(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = True,
    report: Callable[[str], None] = print,
) -> None:
    """Serve the preview until Ctrl-C or SIGTERM (the `coursebuilder preview` command)."""
    if not root.is_dir():
        raise PreviewError(f"{root} is not a directory; start a course with `coursebuilder new {root}`")
    server = PreviewServer(root, host, port, report)
    stopping = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    try:
        server.start()
        report(f"Preview of {server.root} at {server.url} (question bank: {server.url}questions)")
        report("Watching the course for changes; press Ctrl-C to stop.")
        if host not in ("127.0.0.1", "localhost", "::1"):
            report(f"warning: listening on {host}: anyone who can reach this address can see the course")
        if open_browser:
            with contextlib.suppress(Exception):
                webbrowser.open(server.url)
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        report("Preview stopped.")
        sys.stdout.flush()
