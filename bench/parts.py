"""What each part of a question-bank build costs on one core, and the least two cores could make of it.

`build --target moodle` on two cores is as fast as its CPU time allows only when both cores are
busy throughout. This times its parts one after the other in this process, with no forked
helper: the imports they need, the load with its checks, questions.xml, questions.gift.txt
and glossary.xml (the GIFT with the Markdown the XML rendered, as the target does). The sum
is what one core spends; the imports plus half of the rest is the least wall time two cores
could reach with the same work, however well it were shared out.
Usage: `python bench/parts.py COURSE [--repeat N]` (medians of N, imports timed once).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

HERE = Path(__file__).resolve().parent
PEERS_COURSE = HERE / "out" / "peers" / "course"
"""The course `make bench-peers` writes: 20,000 questions of five types."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", type=Path, nargs="?", default=PEERS_COURSE, help="default: %(default)s")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each part; the median is shown")
    args = parser.parse_args(argv)
    if not (args.course / "course.yaml").is_file():
        parser.error(f"{args.course}: no course here (`make bench-peers` writes the default one)")

    started = time.perf_counter()
    from coursebuilder.assets import real_paths
    from coursebuilder.buildcontext import BuildContext
    from coursebuilder.exchange.gift import gift_text
    from coursebuilder.exchange.glossary import glossary_xml
    from coursebuilder.exchange.moodlexml import questions_xml
    from coursebuilder.exchange.text import Renderer
    from coursebuilder.gcpause import paused_gc
    from coursebuilder.loader import load_course

    imports = time.perf_counter() - started

    times: dict[str, list[float]] = {}
    with paused_gc():  # as the program runs a build
        for _ in range(args.repeat):
            course = _timed(times, "load and checks", partial(load_course, args.course, prescan_min_chars=None)).course
            if course is None:
                print(f"{args.course}: does not load; run `coursebuilder validate {args.course}`", file=sys.stderr)
                return 1
            lessons = real_paths(course.root, [lesson.path for lesson in course.lessons])
            renderer = Renderer(course.root, renders=BuildContext(course).renders, lessons=lessons)  # as the target's
            _timed(times, "questions.xml", partial(questions_xml, course, renderer))
            _timed(times, "questions.gift.txt", partial(gift_text, course, renderer))
            _timed(times, "glossary.xml", partial(glossary_xml, course, renderer))
            gc.collect()

    medians = {"imports": imports} | {part: statistics.median(runs) for part, runs in times.items()}
    print(f"{args.course}: each part on one core, median of {args.repeat}")
    for part, seconds in medians.items():
        print(f"  {part:20} {seconds:6.3f} s")
    one_core = sum(medians.values())
    print(f"  {'one core, in all':20} {one_core:6.3f} s")
    best = imports + (one_core - imports) / 2
    print(f"  {'two cores, at best':20} {best:6.3f} s (the imports, then half of the rest)")
    return 0


def _timed(times: dict[str, list[float]], part: str, work: Callable[[], T]) -> T:
    begun = time.perf_counter()
    result = work()
    times.setdefault(part, []).append(time.perf_counter() - begun)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
