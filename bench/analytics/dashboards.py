"""Benchmark Smart Data's pages: a 12-tile dashboard and a cached tile, through Django.

    python bench/analytics/dashboards.py      # prints its section, updates docs/benchmarks.md
    python bench/analytics/dashboards.py --scale 10 --no-write   # a quicker run

Builds the demo's content in a throw-away SQLite database and warehouse, with the bilateral trade
dataset multiplied ``--scale`` times (more regions and rows, the same shape), then requests pages
with Django's test client through the whole middleware stack:

(a) the "Bilateral trade" dashboard (12 tiles: 3 key figures, 4 bar and 3 line charts, 2 tables),
    cold — the result cache emptied before each request, the engine kept (as in a running web
    process) — and warm, every tile from the cache. Target: p95 ≤ 2 s.
(b) one tile exported as CSV and the API's indicator data, from the cache. Target: p95 ≤ 100 ms.
(c) the baseline of the same run: the data catalog page (database only, no engine), so the
    figures are also given as multiples of a plain page on the same machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
from report import write_section  # noqa: E402

BENCHMARKS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Smart Data: dashboards"
DASHBOARD = "/analytics/dashboards/kz-tj-trade/"


def _setup(scale: int) -> int:
    data = Path(tempfile.mkdtemp(prefix="egov-bench-"))
    os.environ["EGOV_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "egov.settings.dev"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from egov.analytics import demo, demo_trade
    from egov.core import demo as core_demo

    core_demo.load()
    original = demo_trade.trade_table

    def scaled(regions: list[str]) -> object:
        many = [f"{code}-{i:03d}" if i else code for i in range(scale) for code in regions]
        return original(many)

    demo_trade.trade_table = scaled  # type: ignore[assignment]
    demo.trade_table = scaled  # type: ignore[attr-defined]
    demo.load()
    from egov.analytics.models import Dataset

    return int(Dataset.objects.get(name="bilateral_trade").rows or 0)


def _time(run: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(scale: int, runs: int) -> str:
    rows = _setup(scale)
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")

    def get(url: str) -> Callable[[], object]:
        def request() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return request

    def cold() -> object:
        cache.clear()
        return get(DASHBOARD)()

    get(DASHBOARD)()  # the process's engine registers the datasets once, as a web worker would
    results = {
        "baseline": _time(get("/analytics/"), runs * 2),
        "cold": _time(cold, runs),
        "warm": _time(get(DASHBOARD), runs * 2),
        "tile": _time(get(f"{DASHBOARD}tiles/4.csv"), runs * 4),
        "api": _time(get("/api/analytics/indicators/kz-tj-turnover/data?by=region"), runs * 4),
    }
    base = statistics.median(results["baseline"])

    def line(label: str, key: str, target: str) -> str:
        values = results[key]
        p50, p95 = statistics.median(values) * 1000, _p(values, 0.95) * 1000
        return f"| {label} | {p50:,.0f} ms | {p95:,.0f} ms | {p95 / 1000 / base:.1f}× | {target} |"

    versions = f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    return "\n".join(
        [
            SECTION,
            "",
            f"`python bench/analytics/dashboards.py --scale {scale}` — {versions}; SQLite, "
            "DuckDB in process, Django's test client through every middleware. The bilateral "
            f"trade dataset has {rows:,} rows ({scale}× the demo's regions).",
            "",
            "| Request | p50 | p95 | p95 ÷ catalog page p50 | Target |",
            "|---|---:|---:|---:|---|",
            line("Baseline: data catalog page (database only)", "baseline", "—"),
            line("Dashboard, 12 tiles, cold (result cache empty)", "cold", "p95 ≤ 2 s"),
            line("Dashboard, 12 tiles, cached", "warm", "p95 ≤ 2 s"),
            line("One tile as CSV, cached", "tile", "p95 ≤ 100 ms"),
            line("API indicator data by region, cached", "api", "p95 ≤ 100 ms"),
            "",
            f"Runs: cold {runs}, dashboard cached {runs * 2}, tile and API {runs * 4}. Cold "
            "still has the engine's datasets registered (a running web process keeps them); "
            "the first request of a process also registers them, once.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100, help="copies of the demo's regions")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    section = run(args.scale, args.runs)
    print(section)
    if not args.no_write:
        write_section(SECTION, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
