"""Size of the SCORM player (all JavaScript and CSS a package adds), raw and gzipped.

Run with `python bench/scorm_runtime.py`; `runtime_report()` returns the rows for other
bench scripts. The budget is 30,000 bytes uncompressed (tests/test_scorm.py enforces it).
"""

from __future__ import annotations

import gzip

from coursebuilder.scorm.package import RUNTIME, static_file

BUDGET = 30_000


def runtime_report() -> list[tuple[str, int, int]]:
    """(file, bytes, gzipped bytes) for each runtime file, then the total."""
    rows = []
    for name in RUNTIME:
        data = static_file(name)
        rows.append((name, len(data), len(gzip.compress(data, 9, mtime=0))))
    rows.append(("total", sum(r[1] for r in rows), sum(r[2] for r in rows)))
    return rows


def main() -> None:
    print("| SCORM runtime | bytes | gzipped |")
    print("|---|---:|---:|")
    for name, raw, packed in runtime_report():
        print(f"| {name} | {raw:,} | {packed:,} |")
    total = runtime_report()[-1][1]
    print(f"\nbudget {BUDGET:,} bytes: {'ok' if total < BUDGET else 'OVER'}")


if __name__ == "__main__":
    main()
