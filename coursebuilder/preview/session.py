"""The preview's builds: load the course, build its SCORM 1.2 package, unpack it, and remember.

Each build gets a number; the LMS stand-in page polls it and relaunches the content when it
changes. A course with errors gives a build too, one that carries the diagnostics instead of
a package, so the page and the terminal show them while the server keeps running.
"""

from __future__ import annotations

import shutil
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from coursebuilder.build import validate_course
from coursebuilder.buildcontext import BuildContext
from coursebuilder.diagnostics import CourseError, Diagnostic, Severity, error, has_errors
from coursebuilder.layout import ASSETS_DIR, COURSE_FILE, GLOSSARY_FILE, LESSONS_DIR, QUIZ_DIR, left_out_path
from coursebuilder.markdown import RenderCache
from coursebuilder.model import Course, ScormSettings
from coursebuilder.safexml import parse_xml_file
from coursebuilder.safezip import ZipProblem, extract_zip
from coursebuilder.targets import BuildOptions
from coursebuilder.targets.cc import CcTarget
from coursebuilder.targets.scorm import Scorm12Target

PackageBuilder = Callable[[BuildContext, Path], Path]
"""Builds the SCORM 1.2 single-SCO zip of a valid course into a folder and returns its path."""

FilesBuilder = Callable[[BuildContext, Path], list[Path]]
"""Builds the other files the preview offers for download into a folder and returns them."""

Snapshot = dict[str, tuple[int, int]]
"""Watched file (relative path) → (mtime in ns, size)."""

_KEEP_BUILDS = 2
"""Unpacked builds kept on disk: the current one and the one the page may still be showing."""


class PreviewUnavailable(Exception):
    """This installation cannot build the package the preview plays."""


def build_scorm12(context: BuildContext, out_dir: Path) -> Path:
    """Build the course as one SCORM 1.2 SCO (whatever course.yaml asks) and return the zip."""
    target = Scorm12Target()
    course = context.course
    settings = course.info.settings
    scorm = ScormSettings(versions=["1.2"], structure="single")
    info = course.info.model_copy(update={"settings": settings.model_copy(update={"scorm": scorm})})
    only_12 = course.model_copy(update={"info": info})
    problems = [d for d in target.check(only_12) if d.severity is Severity.ERROR]
    if problems:
        raise CourseError(problems)
    only_12_context = BuildContext(only_12, renders=context.renders)
    artifacts = target.build(only_12_context, out_dir, BuildOptions(scorm_structure="single"))
    zips = [a.path for a in artifacts if a.path.suffix == ".zip" and "2004" not in a.path.name]
    if not zips:
        raise PreviewUnavailable(f"the {target.name} target wrote no SCORM 1.2 zip")
    return zips[0]


def build_cartridge(context: BuildContext, out_dir: Path) -> list[Path]:
    """The course's Common Cartridge, to download and import into an LMS from the preview."""
    return [artifact.path for artifact in CcTarget().build(context, out_dir, BuildOptions())]


def source_snapshot(root: Path) -> Snapshot:
    """Modification time and size of every file the course is built from."""
    found: Snapshot = {}
    candidates = [root / COURSE_FILE, root / GLOSSARY_FILE]
    for folder in (LESSONS_DIR, QUIZ_DIR, ASSETS_DIR):
        base = root / folder
        if base.is_dir():
            candidates.extend(p for p in base.rglob("*") if not left_out_path(p.relative_to(root).as_posix()))
    for path in candidates:
        try:
            stat = path.stat()
        except OSError:
            continue
        if path.is_file():
            found[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def safe_unzip(archive: Path, target: Path) -> None:
    """Unpack a package into the new folder `target` through `safezip`: nothing lands outside it."""
    try:
        extract_zip(archive, target)
    except ZipProblem as exc:
        raise ValueError(f"unsafe package: {exc}") from None


@dataclass(frozen=True)
class Launch:
    """Where the SCO starts and what the manifest tells the LMS about it."""

    href: str
    mastery_score: float | None = None


def read_launch(content: Path) -> Launch:
    """Find the SCO's launch file (and 1.2 mastery score) in an unpacked package's manifest."""
    tree = parse_xml_file(content / "imsmanifest.xml")
    resources = {
        res.get("identifier"): res
        for res in tree.iter("{*}resource")
        if res.get("href") and (_attr(res, "scormtype") or "sco").lower() == "sco"
    }
    for item in tree.iter("{*}item"):
        resource = resources.get(item.get("identifierref"))
        if resource is None:
            continue
        mastery = next((m.text for m in item.iter("{*}masteryscore") if m.text), None)
        href = str(resource.get("href")) + (str(item.get("parameters")) if item.get("parameters") else "")
        return Launch(href, float(mastery) if mastery else None)
    if resources:
        return Launch(str(next(iter(resources.values())).get("href")))
    raise ValueError("imsmanifest.xml names no SCO to launch")


def _attr(element: etree._Element, local: str) -> str | None:
    for name, value in element.attrib.items():
        if str(name).rsplit("}", 1)[-1].lower() == local:
            return str(value)
    return None


@dataclass(frozen=True)
class BuildState:
    """The outcome of one preview build."""

    number: int
    ok: bool
    message: str
    diagnostics: tuple[Diagnostic, ...] = ()
    launch: Launch | None = None
    course: Course | None = None
    """The last course that loaded without errors (kept while the source is broken)."""
    course_is_current: bool = False
    """Whether `course` is the source as it is now (not an older version kept for display)."""
    title: str = ""
    built: tuple[str, ...] = ()
    """Files of this build offered for download (the Common Cartridge), relative to its folder."""

    def as_json(self) -> dict[str, object]:
        """What /__status answers; the page relaunches the content when `build` changes."""
        return {
            "build": self.number,
            "ok": self.ok,
            "message": self.message,
            "title": self.title,
            "launch": f"/sco/{self.number}/{self.launch.href}" if self.ok and self.launch else None,
            "mastery_score": self.launch.mastery_score if self.launch else None,
            "diagnostics": [{**d.as_dict(), "location": _location(d)} for d in self.diagnostics],
            "built": [{"name": rel.rsplit("/", 1)[-1], "url": f"/built/{self.number}/{rel}"} for rel in self.built],
        }


def _location(diag: Diagnostic) -> str:
    where = diag.file or "(course)"
    if diag.line:
        where += f":{diag.line}"
        if diag.column:
            where += f":{diag.column}"
    return where


@dataclass
class PreviewSession:
    """Builds the course on demand and keeps the latest result for the server's threads."""

    root: Path
    workdir: Path
    report: Callable[[str], None] = print
    build_package: PackageBuilder = build_scorm12
    build_files: FilesBuilder = build_cartridge
    _state: BuildState = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _renders: RenderCache = field(init=False, default_factory=RenderCache)
    """The last build's Markdown renderings: a build after an edit parses only what changed."""

    def __post_init__(self) -> None:
        self._state = BuildState(0, False, "not built yet")

    @property
    def state(self) -> BuildState:
        with self._lock:
            return self._state

    def content_dir(self, number: int) -> Path:
        return self.workdir / "builds" / str(number)

    def built_dir(self, number: int) -> Path:
        return self.workdir / "built" / str(number)

    def rebuild(self) -> BuildState:
        """Build once more; never raises, whatever the source or a target does."""
        number = self.state.number + 1
        started = time.perf_counter()
        previous = self.state.course
        # What `coursebuilder validate` reports, the enabled targets' checks included.
        loaded, found = validate_course(self.root)
        diagnostics = list(found)
        course = loaded if loaded is not None and not has_errors(diagnostics) else None
        launch: Launch | None = None
        built: tuple[str, ...] = ()
        if course is not None:
            # Renderings the last build made and this one does not ask for are dropped after it.
            self._renders = RenderCache(self._renders.renderings())
            context = BuildContext(course, renders=self._renders)
            try:
                launch = self._package(context, number)
                folder = self.built_dir(number)
                built = tuple(path.relative_to(folder).as_posix() for path in self.build_files(context, folder))
            except CourseError as exc:
                diagnostics.extend(exc.diagnostics)
            except PreviewUnavailable as exc:
                diagnostics.append(error("", 0, field="", message=str(exc), code="preview"))
            except Exception:  # a bug in a target: show it, keep serving
                trace = traceback.format_exc()
                self.report(trace)
                diagnostics.append(
                    error("", 0, field="", message=f"the build crashed: {trace.strip().splitlines()[-1]}", code="crash")
                )
        ok = launch is not None and not has_errors(diagnostics)
        errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
        warnings = len(diagnostics) - errors
        took = time.perf_counter() - started
        if ok and course is not None:
            message = f"ok, {len(course.lessons)} lessons, {len(course.questions)} questions"
            message += f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ""
        else:
            message = f"{errors} error{'s' * (errors != 1)}" + (f", {warnings} warnings" if warnings else "")
        shown = course or previous
        state = BuildState(
            number=number,
            ok=ok,
            message=message,
            diagnostics=tuple(diagnostics),
            launch=launch,
            course=shown,
            course_is_current=course is not None,
            title=shown.info.title if shown is not None else self.root.name,
            built=built if ok else (),
        )
        self.report(f"build {number}: {message} ({took:.1f} s)")
        for diag in diagnostics:
            self.report(f"  {diag.format()}")
        with self._lock:
            self._state = state
        self._prune(number)
        return state

    def _package(self, context: BuildContext, number: int) -> Launch:
        out = self.workdir / "out"
        if out.exists():
            shutil.rmtree(out)
        archive = self.build_package(context, out)
        content = self.content_dir(number)
        if content.exists():
            shutil.rmtree(content)
        safe_unzip(archive, content)
        return read_launch(content)

    def _prune(self, number: int) -> None:
        for folder in (self.workdir / "builds", self.workdir / "built"):
            if not folder.is_dir():
                continue
            for old in folder.iterdir():
                if old.name.isdigit() and int(old.name) <= number - _KEEP_BUILDS:
                    shutil.rmtree(old, ignore_errors=True)


class Watcher(threading.Thread):
    """Polls the course's source files and rebuilds when they change (and have settled)."""

    def __init__(self, session: PreviewSession, interval: float = 0.3) -> None:
        super().__init__(name="coursebuilder-preview-watch", daemon=True)
        self.session = session
        self.interval = interval
        self.stopping = threading.Event()
        self.seen = source_snapshot(session.root)

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            current = source_snapshot(self.session.root)
            if current == self.seen:
                continue
            # Editors write in several steps: wait until two looks agree before building.
            while not self.stopping.wait(self.interval):
                settled = source_snapshot(self.session.root)
                if settled == current:
                    break
                current = settled
            if self.stopping.is_set():
                return
            self.seen = current
            self.session.rebuild()

    def stop(self) -> None:
        self.stopping.set()
