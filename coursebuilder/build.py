"""Build a course: load, check, then run each selected target into dist/<course-id>/."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from coursebuilder import buildcache, cachefolder, renderstore
from coursebuilder.buildcontext import BuildContext
from coursebuilder.buildoptions import BuildEvents, report_unchanged
from coursebuilder.diagnostics import CourseError, Diagnostic, Severity, did_you_mean, error, sort_diagnostics
from coursebuilder.gcpause import paused_gc
from coursebuilder.loader import load_course, load_or_raise, under_course
from coursebuilder.markdown import MathStyle, RenderCache, Rendering, RenderKey
from coursebuilder.model import Course
from coursebuilder.output import remove_stale_temps
from coursebuilder.prescan import WORTH_FORKING, ForkedCall, Gate, may_fork
from coursebuilder.sourcedigests import SourceFiles
from coursebuilder.targets import Artifact, BuildOptions, Target, all_targets
from coursebuilder.targets.base import workers


def select_targets(course: Course, names: Sequence[str] = ()) -> list[Target]:
    """The targets named (all enabled ones when none are); unknown names are an error."""
    known = all_targets()
    unknown = [name for name in names if name not in known]
    if unknown:
        choices = ", ".join(known)
        raise CourseError(
            [
                error(
                    "",
                    0,
                    field="",
                    message=f"unknown target {name!r}; choose from {choices}{did_you_mean(name, known)}",
                    code="target",
                )
                for name in unknown
            ]
        )
    if names:
        return [known[name] for name in known if name in names]
    return [target for target in known.values() if target.enabled(course)]


def check_targets(course: Course, targets: Sequence[Target]) -> list[Diagnostic]:
    """Problems the selected targets find in an otherwise valid course."""
    return [diag for target in targets for diag in target.check(course)]


def _checks_of_targets(names: Sequence[str]) -> Callable[[Course], list[Diagnostic]]:
    """`check_targets` of the targets named (or enabled), for the load to run while its forked
    checks finish (`loader.load_course`); an unknown name raises CourseError from the load."""
    return lambda course: check_targets(course, select_targets(course, names))


@paused_gc()
def validate_course(
    root: Path | str, target_names: Sequence[str] = (), *, keep_beside: Path | None = None
) -> tuple[Course | None, list[Diagnostic]]:
    """Load and check the course, then ask the targets a build would run (the named ones, or
    the enabled ones) for their problems too: `validate` reports all that `build` would, so a
    course that passes `validate --strict` builds without a warning. The target checks run on
    what loaded even when the sources have errors, so that one run reports everything.

    The load keeps what it can reuse beside `keep_beside` (see `loader.load_course`)."""
    result = load_course(
        root,
        prescan_min_chars=_prescan_from(None),
        keep_beside=keep_beside,
        more_checks=_checks_of_targets(target_names),
    )
    if result.course is None:
        return None, result.diagnostics
    return result.course, sort_diagnostics([*result.diagnostics, *result.more_diagnostics])


@paused_gc()  # targets walk the whole model; the collector would too, again and again
def build_course(
    root: Path | str,
    out_dir: Path | str = "dist",
    target_names: Sequence[str] = (),
    options: BuildOptions | None = None,
    strict: bool = False,
    events: BuildEvents | None = None,
    opened: buildcache.Opened | None = None,
) -> tuple[list[Artifact], list[Diagnostic]]:
    """Load the course in `root` and build it; raise CourseError before writing anything if invalid.

    With the cache (`options.cache`), a build of unchanged source whose files are all still
    as written is answered without loading the course, and otherwise only the targets whose
    inputs or files changed since the last build are built (`buildcache`). `opened` is the
    cache already opened for this very build (`buildcache.open_cache`), if it was.
    """
    options = options or BuildOptions()
    if opened is None and options.cache:
        opened = buildcache.open_cache(root, out_dir, target_names, options, strict)
    if opened is not None and opened.answered is not None:
        return opened.answer(options, events)
    try:
        return _load_and_build(root, out_dir, target_names, options, strict, events, opened)
    finally:
        if opened is not None:
            opened.close()


def _load_and_build(
    root: Path | str,
    out_dir: Path | str,
    target_names: Sequence[str],
    options: BuildOptions,
    strict: bool,
    events: BuildEvents | None,
    opened: buildcache.Opened | None,
) -> tuple[list[Artifact], list[Diagnostic]]:
    cache = opened.file if opened is not None else None
    earlier = opened.earlier if opened is not None else None
    keep_beside = buildcache.load_cache_file(root) if cache is not None else None
    if cache is not None and keep_beside is not None:  # both or neither
        buildcache.drop_former_files(cache)
        cachefolder.mark_used(keep_beside)
    store = renderstore.store_file(cache) if cache is not None else None
    earlier_renders = renderstore.load(store) if store is not None else {}
    keep = cache.with_suffix(".kept") if cache is not None else None
    with _HeavyAhead(target_names, out_dir, options, earlier_renders, keep, opened, earlier) as ahead:
        course, problems = load_or_raise(
            root,
            prescan_min_chars=_prescan_from(options.jobs),
            keep_beside=keep_beside,
            more_checks=_checks_of_targets(target_names),
            on_model=ahead.start,
        )
        # The load's own checks of the targets reported any unknown target name already.
        if any(d.severity is Severity.ERROR or strict for d in problems):
            raise CourseError(problems)
        plan = ahead.plan(course)
        targets, kept, context = plan.targets, plan.kept, plan.context
        course_dir = Path(out_dir) / course.info.id
        remove_stale_temps(course_dir)
        if events is not None:
            events.targets_selected([target.name for target in targets])
        report_unchanged({target.name: kept[target.name] for target in targets if target.name in kept}, options, events)
        prerender_lessons(context, plan.prerender)
        try:
            if len(plan.groups) == 1:
                by_target = _build_group(context, plan.building, course_dir, options, events)
            else:
                by_target = _build_in_parallel(context, plan.groups, course_dir, options, events, ahead)
        except CourseError as exc:  # targets name files relative to the course, as checks do
            raise CourseError(under_course(root, exc.diagnostics)) from None
    by_target.update(kept)
    in_order = {target.name: by_target[target.name] for target in targets}
    if opened is not None and store is not None:
        renderings = context.renders.renderings()
        if kept:  # what the targets not built would have asked for is kept for their next build
            renderings = {**earlier_renders, **renderings}
        renderstore.save(store, renderings)
        recorded = {name: (plan.inputs[name], files) for name, files in in_order.items()}
        buildcache.save(opened.file, opened.key, recorded, problems, earlier)
        cachefolder.prune(buildcache.cache_dir(), keep=[cache, keep_beside])
    return [artifact for files in in_order.values() for artifact in files], problems


def target_keys(
    course: Course, targets: Sequence[Target], sources: SourceFiles, options: BuildOptions
) -> dict[str, str]:
    """By target, in build order: the key of its inputs in this build (`buildcache.target_key`)."""
    settings = options.output_settings()
    return {
        target.name: buildcache.target_key(target.name, settings, target.inputs_digest(course, sources))
        for target in targets
    }


def kept_targets(earlier: buildcache.CachedBuild, inputs: dict[str, str]) -> dict[str, list[Artifact]]:
    """The targets (of those keyed in `inputs`) that need no build: the key of their inputs is
    the one the cache recorded for them, and every file they wrote is still as written."""
    kept: dict[str, list[Artifact]] = {}
    for name, key in inputs.items():
        files = earlier.kept(name, key)
        if files is not None:
            kept[name] = files
    return kept


PRERENDER_CHARS = WORTH_FORKING
"""Characters of lessons to render from which a child pays for itself."""


def _prerender_work(context: BuildContext, targets: Sequence[Target], jobs: int | None) -> list[tuple[str, MathStyle]]:
    """The lesson renderings `prerender_lessons` would make on both cores: none unless they
    are worth a child (`PRERENDER_CHARS`), two processes are allowed and forking is safe."""
    forms = tuple(dict.fromkeys(form for target in targets for form in target.lesson_forms))
    work = context.renders.missing((lesson.body for lesson in context.course.lessons), forms)
    if not work or sum(len(text) for text, _ in work) < PRERENDER_CHARS or workers(jobs) < 2 or not may_fork():
        return []
    return work


def prerender_lessons(context: BuildContext, work: list[tuple[str, MathStyle]]) -> None:
    """Make the lesson renderings `work` lists (`_prerender_work`) on both cores, half in a
    forked child.

    Every target process then finds them rendered (the backup's and the others' each parsed
    all of them before). Only for lessons of `PRERENDER_CHARS` characters or more that no
    rendering answers yet, with two processes allowed and forking safe. The renderings are
    those the targets would make, so the bytes do not change; should the child fail, its
    half is rendered here (`prescan.ForkedCall`).
    """
    if not work:
        return
    theirs, ours = work[::2], work[1::2]
    child = ForkedCall(partial(RenderCache.prepare, theirs), fork=True)
    made = RenderCache.prepare(ours)
    made.update(child.result())
    context.renders.offer(made)


def _build_group(
    context: BuildContext,
    targets: Sequence[Target],
    course_dir: Path,
    options: BuildOptions,
    events: BuildEvents | None,
) -> dict[str, list[Artifact]]:
    """Build `targets` one after the other in this process, sharing what `context` holds."""
    by_target: dict[str, list[Artifact]] = {}
    for target in targets:
        if events is not None:
            events.target_started(target.name)
        else:
            options.progress(f"{target.name}: building")
        built = by_target[target.name] = target.build(context, course_dir, options)
        if events is not None:
            events.target_finished(target.name, built)
    return by_target


_HEAVY = ("mbz",)
"""Targets that take about as long as all the others together: built in a process of their own.
Each calls `BuildContext.wait_to_write` before it writes into the output folder (`_HeavyAhead`)."""


class _Plan(NamedTuple):
    """What a build does with the loaded course (`_HeavyAhead.plan`)."""

    targets: list[Target]
    """The targets selected, in build order."""
    inputs: dict[str, str]
    """By target, the key of its inputs in this build (`target_keys`); none without the cache."""
    kept: dict[str, list[Artifact]]
    """The targets the last build's files answer for (`kept_targets`), with those files."""
    building: list[Target]
    """The others: the targets to build."""
    groups: list[list[Target]]
    """`building` split for processes (`_parallel_groups`)."""
    context: BuildContext
    """What the targets of the build share."""
    prerender: list[tuple[str, MathStyle]]
    """The lesson renderings to make ahead on both cores (`_prerender_work`)."""


class _HeavyAhead:
    """The build's plan (`plan`) and the heavy targets' process (`_HEAVY`), both made as soon
    as the course's model is made instead of after its checks.

    A rebuild after a lesson edit spends about a third of its load on the checks, and the
    backup is the longer of its two processes: begun earlier, it ends earlier. The process
    builds what the one forked later would, from the same course, and holds its files back
    (`BuildContext.wait_to_write`, a `prescan.Gate`) until the build has passed its checks and
    asks for that very group (`take`); otherwise it is ended (`close`) before writing anything
    into the output folder. What it kept for the next build meanwhile is keyed by its
    content, valid whatever this build does. It is forked only when the lessons need no
    rendering ahead on both cores (`prerender_lessons`): the other process renders them after the
    fork, and this one would render them again. When all targets are built here, each may begin
    a helper of its own instead (`Target.begin`: the question bank's), ended alike unless taken.
    """

    def __init__(
        self,
        target_names: Sequence[str],
        out_dir: Path | str,
        options: BuildOptions,
        earlier_renders: dict[RenderKey, Rendering],
        keep: Path | None,
        opened: buildcache.Opened | None,
        earlier: buildcache.CachedBuild | None,
    ) -> None:
        self._names, self._out_dir, self._options = target_names, out_dir, options
        self._earlier_renders, self._keep, self._opened, self._earlier = earlier_renders, keep, opened, earlier
        self._plan: _Plan | None = None
        self._group: list[str] = []
        self._child: ForkedCall | None = None
        self._gate: Gate | None = None

    def plan(self, course: Course) -> _Plan:
        """What the build does with `course`: worked out once, by `start` when the load calls
        it (the course's checks change none of it), else when the build asks."""
        if self._plan is None or self._plan.context.course is not course:
            if self._plan is not None:
                self._plan.context.close()
            targets = select_targets(course, self._names)
            sources = self._opened.sources if self._opened is not None else None  # hashed by now, if ahead
            inputs = target_keys(course, targets, sources, self._options) if sources is not None else {}
            kept = kept_targets(self._earlier, inputs) if self._earlier is not None else {}
            building = [target for target in targets if target.name not in kept]
            context = BuildContext(
                course, renders=RenderCache(self._earlier_renders), keep=self._keep, sources=sources
            )  # shared, for this build only
            prerender = _prerender_work(context, building, self._options.jobs)
            groups = _parallel_groups(building, self._options.jobs)
            self._plan = _Plan(targets, inputs, kept, building, groups, context, prerender)
        return self._plan

    def start(self, course: Course) -> None:
        """The load's `on_model`: plan the build, and fork the heavy group's process when that pays."""
        try:
            plan = self.plan(course)
        except CourseError:  # the build reports it after the load
            return
        if len(plan.groups) == 1 and not plan.prerender:  # the targets' own helpers take the other core
            for target in plan.building:
                target.begin(plan.context, self._options)
            return
        if len(plan.groups) < 2 or plan.prerender:  # no group to fork, the backup kept, or lessons to render first
            return
        try:
            gate = Gate()
        except OSError:  # no descriptor left: the group is built as usual, if at all in a child
            return
        context = replace(plan.context, wait_to_write=gate.wait)  # the child's: this process writes at once
        course_dir = Path(self._out_dir) / course.info.id
        sys.stdout.flush()  # the child would print what is buffered again
        sys.stderr.flush()
        child = ForkedCall(partial(_group_outcome, context, plan.groups[1], course_dir, self._options), fork=True)
        if not child.forked:  # no process to be had: the group is built as usual
            gate.close()
            return
        self._group, self._child, self._gate = [target.name for target in plan.groups[1]], child, gate

    def take(self, group: Sequence[Target]) -> ForkedCall | None:
        """The process building `group`, now let through to write; None if none was forked for it."""
        if self._child is None or self._gate is None or [target.name for target in group] != self._group:
            return None
        child, self._child = self._child, None
        self._gate.open()
        return child

    def __enter__(self) -> _HeavyAhead:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """End a process the build did not take (it stopped, or builds that group otherwise),
        and the temporary files it was writing into the kept parts' folder, and what a target
        began and did not take."""
        if self._plan is not None:
            self._plan.context.close()
        if self._gate is not None:
            self._gate.close()
        if self._child is not None:
            child, self._child = self._child, None
            child.close()
            if self._keep is not None:
                remove_stale_temps(self._keep)


def _prescan_from(jobs: int | None) -> int | None:
    """When loading scans the lessons in a second process (`prescan`): never with one."""
    return WORTH_FORKING if workers(jobs) >= 2 else None


def _parallel_groups(targets: Sequence[Target], jobs: int | None) -> list[list[Target]]:
    """Targets split for processes (a fixed split: the output never depends on the schedule).

    One group, built here, unless there are two cores (or `jobs` says so), `fork` and no other
    thread (the preview builds from threads; forking them is unsafe), whatever the course's
    size: the backup's process imports the backup's modules (about 25 ms) and builds it while
    this one builds the rest, which outweighs the fork and the pages both processes then copy
    (the example course's build: 0.53 → 0.48 s; a course of one lesson breaks even).
    """
    heavy = [target for target in targets if target.name in _HEAVY]
    light = [target for target in targets if target.name not in _HEAVY]
    if workers(jobs) < 2 or not may_fork() or not heavy or not light:
        return [list(targets)]
    return [light, heavy]


def _build_in_parallel(
    context: BuildContext,
    groups: list[list[Target]],
    course_dir: Path,
    options: BuildOptions,
    events: BuildEvents | None,
    ahead: _HeavyAhead,
) -> dict[str, list[Artifact]]:
    """Build the first group here and each other group in a forked child (`ForkedCall`), or
    in the one `ahead` forked for it already.

    Each child inherits the loaded course (nothing is loaded twice) and its own copy of the
    context as it was before any target ran, and sends back its artefacts and renderings (to
    keep for the next build), or the diagnostics of a CourseError, or the traceback of a
    failure (`_group_outcome`); should a child end without an answer, its group is built
    here. Every target writes only its own files, so the bytes are those of a serial build.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    children = [
        (
            group,
            ahead.take(group) or ForkedCall(partial(_group_outcome, context, group, course_dir, options), fork=True),
        )
        for group in groups[1:]
    ]
    if events is not None:
        for group, _ in children:
            for target in group:
                events.target_started(target.name)
    # The children take the other cores: the targets built here do not split their work
    # further (a bank written half in a third process slowed the backup's, the longer group:
    # the L course's full build took 7.81-8.06 s with it and 7.37-7.79 s without).
    here = options._replace(jobs=max(1, options.workers - len(children)))
    failure: BaseException | None = None
    by_target: dict[str, list[Artifact]] = {}
    try:
        by_target.update(_build_group(context, groups[0], course_dir, here, events))
    except BaseException as exc:  # wait for the children first, then raise it
        failure = exc
    outcomes = [(group, child.result()) for group, child in children]
    if failure is not None:
        raise failure
    for group, (kind, value) in outcomes:
        if kind == "error":
            raise CourseError(value)
        if kind == "oserror":
            raise OSError(*value)
        if kind == "crash":
            raise RuntimeError(f"building {', '.join(t.name for t in group)} failed:\n{value}")
        built, renderings = value
        by_target.update(built)
        context.renders.absorb(renderings)  # kept for the next build with this process's own
        if events is not None:
            for target in group:
                events.target_finished(target.name, built[target.name])
    return by_target


def _group_outcome(
    context: BuildContext, group: list[Target], course_dir: Path, options: BuildOptions
) -> tuple[str, Any]:
    """Build `group` (in a forked child): ("ok", (artefacts by target, the renderings to
    keep)), ("error", the diagnostics of a CourseError), ("oserror", the arguments of an OSError:
    a file it could not write) or ("crash", the traceback)."""
    outcome: tuple[str, Any]
    try:
        by_target = {target.name: target.build(context, course_dir, options) for target in group}
        outcome = ("ok", (by_target, context.renders.renderings() if options.cache else {}))
    except CourseError as exc:
        outcome = ("error", exc.diagnostics)
    except OSError as exc:  # a file it could not write: raised again here as it was
        outcome = ("oserror", (exc.errno, exc.strerror, exc.filename, None, exc.filename2))
    except Exception:
        import traceback  # only for a failure: `validate` imports this module too

        outcome = ("crash", traceback.format_exc())
    sys.stdout.flush()  # the child ends without flushing what it printed
    sys.stderr.flush()
    return outcome
