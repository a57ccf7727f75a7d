"""Every benchmark, one after the other (``make bench``); each writes its own section of
docs/benchmarks.md and compares against its baseline measured in the same run.

    .venv/bin/python bench/run.py                  # all of them (long: tens of minutes)
    .venv/bin/python bench/run.py consent gateway  # some
    .venv/bin/python bench/run.py --list
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# name → script and the arguments that make it update docs/benchmarks.md
BENCHMARKS: dict[str, list[str]] = {
    "translit": ["translit.py"],
    "analytics-engines": ["analytics/engines.py"],
    "analytics-dashboards": ["analytics/dashboards.py"],
    "gateway": ["gateway/run.py", "--write"],
    "websites": ["websites/run.py", "--write"],
    "websites-search": ["websites/search.py"],  # needs DATABASE_URL on PostgreSQL
    "consent": ["consent.py"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="name the benchmarks and stop")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(BENCHMARKS))
        return 0
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))} (see --list)")
    failed = []
    for name in args.names or list(BENCHMARKS):
        script, *options = BENCHMARKS[name]
        print(f"== {name}", flush=True)
        started = time.monotonic()
        done = subprocess.run([sys.executable, str(BENCH / script), *options], check=False)
        print(f"== {name}: exit {done.returncode}, {time.monotonic() - started:,.0f} s", flush=True)
        if done.returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
