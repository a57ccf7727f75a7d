"""Government websites benchmark: the demo's pages, measured against baselines in the same run.

1. Rendering, in process (the ASGI application called directly, no network): home, a body's site,
   a news item and a document, each uncached and from the page cache, in Cyrillic and in Latin
   script (/kk-latn/); rounds are interleaved; p50/p95 per case and the ratios between cases.
2. What a reader downloads for a news item: HTML + CSS + JS (images excluded), plain and gzip;
   render-blocking requests to other hosts; queries of an uncached news item.
3. Throughput over HTTP (wrk): the application (``egov serve``, ``--workers``) serving the cached
   news item in Cyrillic and in Latin, and the production recipe's caching proxy
   (docs/deploy/nginx, nginx from Debian) in front of it, against nginx serving the same bytes as
   a static file and against the application's cheapest view that enters Django (/healthz).
4. Publishing through the proxy: the news item is changed and published ``--publishes`` times;
   the time from the publish until the proxy first answers with the new text.

Targets (issue 7): news item ≤ 100 KB transferred on first load, no render-blocking third-party
requests, an uncached page ≤ 15 queries, the application alone ≥ 1,500 cached pages/s, the proxy
≥ 80% of nginx's static-file rate and a published change visible through it within 1 s.

    .venv/bin/python bench/websites/run.py [--rounds 3] [--requests 60] [--duration 10]
        [--workers 2] [--publishes 5] [--data-dir DIR] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import wrk as wrk_output  # noqa: E402
from report import write_section  # noqa: E402

BENCHMARKS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Websites"


def setup_django(data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "egov.settings.dev"
    os.environ["EGOV_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("EGOV_WEBSITES_CACHE_SECONDS", "300")
    import django

    django.setup()


def load_demo(data_dir: Path) -> None:
    from django.core.management import call_command

    data_dir.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    from egov.core import demo as core_demo
    from egov.websites import demo as websites_demo

    core_demo.load()
    websites_demo.load()


def pages() -> dict[str, str]:
    from django.conf import settings

    from egov.websites.models import AgencySite, LegalActPage, NewsPage

    site = AgencySite.objects.get(
        organization__code="MINJUST", locale__language_code=settings.LANGUAGE_CODE
    )
    news = NewsPage.objects.descendant_of(site).live().order_by("-date").first()
    document = LegalActPage.objects.descendant_of(site).live().first()
    assert news is not None and document is not None
    return {"home": "/gov/", "agency": site.url, "news": news.url, "document": document.url}


@dataclass
class Case:
    page: str
    script: str  # cyrillic | latin
    cached: bool
    samples: list[float] = field(default_factory=list)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def asgi_get(app: Any, path: str) -> tuple[int, dict[bytes, bytes]]:
    """One GET through the ASGI application in this process, as a server would hand it over."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost:8000")],
        "client": ("127.0.0.1", 40000),
        "server": ("localhost", 8000),
    }
    requested = False
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Future()  # the reader never leaves; the application stops listening
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], dict(message["headers"])

    await app(scope, receive, send)
    return answer["status"], answer["headers"]


def render_timings(addresses: dict[str, str], rounds: int, requests: int) -> list[Case]:
    """Each page through the whole ASGI application (page cache in front), without a network."""
    from django.test import override_settings

    from egov.asgi import application

    cases = [
        Case(page, script, cached)
        for page in addresses
        for script in ("cyrillic", "latin")
        for cached in (False, True)
    ]

    async def measure() -> None:
        for _ in range(rounds):
            for case in cases:
                path = addresses[case.page]
                if case.script == "latin":
                    path = f"/kk-latn{path}"
                seconds = 300 if case.cached else 0
                with override_settings(EGOV_WEBSITES_CACHE_SECONDS=seconds):
                    status, _ = await asgi_get(application, path)  # warm (and fill the cache)
                    assert status == 200, path
                    for _ in range(requests):
                        started = time.perf_counter()
                        status, headers = await asgi_get(application, path)
                        case.samples.append((time.perf_counter() - started) * 1000)
                        assert status == 200
                        if case.cached:
                            assert headers.get(b"x-cache") == b"hit", path

    asyncio.run(measure())
    return cases


@dataclass
class Weight:
    html: int
    css: int
    js: int
    gzip_total: int
    requests: int
    blocking_third_party: list[str]
    queries: int
    pictures: int  # in the item's own text: each costs one query (the image)


def weight(news: str) -> Weight:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    with override_settings(EGOV_WEBSITES_CACHE_SECONDS=0):
        client.get(news)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(news).content
    query_count = len(queries)  # counted now: the next request clears the query log
    text = html.decode()
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', text)
    blocking = [
        url
        for url in styles
        + re.findall(r"<script(?![^>]*(?:async|defer))[^>]*src=\"([^\"]+)\"", text)
        if url.startswith(("http:", "https:", "//"))
    ]
    bodies = {"css": b"", "js": b""}
    for kind, urls in (("css", styles), ("js", scripts)):
        for url in urls:
            if url.startswith("/"):
                response = client.get(url)
                bodies[kind] += b"".join(response.streaming_content)
    everything = [html, bodies["css"], bodies["js"]]
    return Weight(
        html=len(html),
        css=len(bodies["css"]),
        js=len(bodies["js"]),
        gzip_total=sum(len(gzip.compress(body, 6)) for body in everything if body),
        requests=1 + len(styles) + len(scripts),
        blocking_third_party=blocking,
        queries=query_count,
        pictures=text.count('src="/media/images/'),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


@contextlib.contextmanager
def application(data_dir: Path, workers: int) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "egov.settings.dev"}
    env.update({"EGOV_DATA_DIR": str(data_dir), "EGOV_LOG_LEVEL": "WARNING"})
    command = [str(ROOT / ".venv/bin/egov"), "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextlib.contextmanager
def nginx(workers: int, setup: Callable[[Path], tuple[str, str]], probe: str) -> Iterator[str]:
    """nginx from Debian in a folder of its own; ``setup(folder)`` writes what it serves and
    returns (http-level lines, the location's lines). Yields its base address."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    folder = Path(tempfile.mkdtemp(prefix="egov-bench-nginx-"))
    http_lines, location = setup(folder)
    port = free_port()
    (folder / "nginx.conf").write_text(
        f"""worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder}; proxy_temp_path {folder}; fastcgi_temp_path {folder};
  uwsgi_temp_path {folder}; scgi_temp_path {folder};
  keepalive_requests 100000;
  {http_lines}
  server {{
    listen 127.0.0.1:{port};
    location / {{ {location} }}
  }}
}}
"""
    )
    process = subprocess.Popen([binary, "-c", str(folder / "nginx.conf"), "-g", "daemon off;"])
    try:
        wait_http(f"http://127.0.0.1:{port}{probe}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def nginx_static(body: bytes, workers: int) -> Iterator[str]:
    def setup(folder: Path) -> tuple[str, str]:
        (folder / "news.html").write_bytes(body)
        return "", f"root {folder}; default_type text/html;"

    with nginx(workers, setup, "/news.html") as base:
        yield f"{base}/news.html"


@contextlib.contextmanager
def caching_proxy(app: str, workers: int) -> Iterator[str]:
    """The production recipe (docs/deploy/nginx) in front of the application, on plain HTTP."""
    recipe = ROOT / "docs" / "deploy" / "nginx"

    def setup(folder: Path) -> tuple[str, str]:
        shared = (recipe / "egov-cache.conf").read_text()
        shared = shared.replace("/var/cache/nginx/egov", str(folder / "cache"))
        shared = shared.replace("server 127.0.0.1:8000;", f"server {app.removeprefix('http://')};")
        (folder / "egov-cache.conf").write_text(shared)
        return f"include {folder}/egov-cache.conf;", f"include {recipe}/egov-proxy.conf;"

    with nginx(workers, setup, "/healthz") as base:
        yield base


def publish_delays(proxy: str, news: str, times: int) -> list[float]:
    """Seconds from publishing a change to the news item until the proxy serves it."""
    from django.conf import settings

    from egov.websites import skeleton
    from egov.websites.models import NewsPage

    page = NewsPage.objects.get(
        url_path__endswith=news.removeprefix("/gov").rstrip("/") + "/",
        locale__language_code=settings.LANGUAGE_CODE,
    )
    delays = []
    for round_number in range(times):
        marker = f"bench-revision-{time.time_ns()}-{round_number}"
        with urllib.request.urlopen(f"{proxy}{news}") as answer:  # a copy is in the proxy now
            assert marker not in answer.read().decode()
        page.lead = marker
        skeleton.publish(page)
        published = time.perf_counter()
        while True:
            with urllib.request.urlopen(f"{proxy}{news}") as answer:
                if marker in answer.read().decode():
                    break
            if time.perf_counter() - published > 10:
                raise RuntimeError("the change did not show through the proxy within 10 s")
            time.sleep(0.01)
        delays.append(time.perf_counter() - published)
        time.sleep(1.5)  # let the proxy's copy reach its middle age before the next publish
    return delays


def wrk(url: str, duration: int, connections: int = 32) -> tuple[float, float, int]:
    """requests/s, p99 ms, errors."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = wrk_output.parse(output)
    return result.rps, result.p99, result.errors


def throughput(
    data_dir: Path, news: str, workers: int, duration: int, rounds: int, publishes: int
) -> tuple[dict[str, list[tuple[float, float, int]]], list[float]]:
    results: dict[str, list[tuple[float, float, int]]] = {}
    with application(data_dir, workers) as app, caching_proxy(app, workers) as proxy:
        with urllib.request.urlopen(f"{app}{news}") as answer:
            body = answer.read()
        targets = {
            "nginx, the same HTML as a static file": None,
            "application, /healthz (the stack's cheapest view)": f"{app}/healthz",
            "application, cached news item (Cyrillic)": f"{app}{news}",
            "application, cached news item (Latin, /kk-latn/)": f"{app}/kk-latn{news}",
            "nginx caching proxy (docs/deploy), news item (Cyrillic)": f"{proxy}{news}",
        }
        with nginx_static(body, workers) as static:
            targets["nginx, the same HTML as a static file"] = static
            for url in targets.values():  # warm every worker's cache
                assert url is not None
                wrk(url, 2)
            for _ in range(rounds):
                for name, url in targets.items():
                    assert url is not None
                    results.setdefault(name, []).append(wrk(url, duration))
        delays = publish_delays(proxy, news, publishes)
    return results, delays


def clean(runs: list[tuple[float, float, int]]) -> list[tuple[float, float, int]]:
    """Runs without errors (another process on the machine may disturb one); all if none is."""
    return [run for run in runs if not run[2]] or runs


def median_rate(runs: list[tuple[float, float, int]]) -> float:
    return statistics.median(run[0] for run in clean(runs))


def share_of(
    runs: list[tuple[float, float, int]], baseline: list[tuple[float, float, int]]
) -> float:
    """Median over rounds of the rate ÷ the baseline's rate in the same round (the machine's
    other load moves both alike)."""
    pairs = list(zip(runs, baseline, strict=True))
    kept = [(run, base) for run, base in pairs if not run[2]] or pairs
    return statistics.median(run[0] / base[0] for run, base in kept)


def report(
    args: argparse.Namespace,
    cases: list[Case],
    page_weight: Weight,
    rates: dict[str, list[tuple[float, float, int]]],
    delays: list[float],
) -> str:
    by_key = {(case.page, case.script, case.cached): case for case in cases}
    lines = [
        SECTION,
        "",
        f"`python bench/websites/run.py` — {time.strftime('%Y-%m-%d')}, Python "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores shared with "
        "other work; SQLite and the in-process cache (the demo's defaults), the websites demo "
        f"(`egov demo`). Rendering: the ASGI application called in process, {args.rounds} "
        f"interleaved rounds of {args.requests} requests per case. Throughput: wrk -t2 -c32, "
        f"{args.duration} s per run, {args.rounds} interleaved rounds (median), {args.workers} "
        "worker processes for the application and for nginx. Load average at the end: "
        f"{os.getloadavg()[1]:.1f} (5 minutes) on {os.cpu_count()} cores: compare within a table.",
        "",
        "### Rendering a page (ms)",
        "",
        "| page | uncached p50 / p95 | cached p50 / p95 | cached ÷ uncached (p95) | "
        "Latin uncached p95 | Latin cached p95 | Latin ÷ Cyrillic (p95, uncached / cached) |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for page in ("home", "agency", "news", "document"):
        plain = by_key[(page, "cyrillic", False)]
        cached = by_key[(page, "cyrillic", True)]
        latin = by_key[(page, "latin", False)]
        latin_cached = by_key[(page, "latin", True)]
        lines.append(
            f"| {page} | {plain.quantile(0.5):.2f} / {plain.quantile(0.95):.2f} | "
            f"{cached.quantile(0.5):.2f} / {cached.quantile(0.95):.2f} | "
            f"{cached.quantile(0.95) / plain.quantile(0.95):.2f} | "
            f"{latin.quantile(0.95):.2f} | {latin_cached.quantile(0.95):.2f} | "
            f"{latin.quantile(0.95) / plain.quantile(0.95):.2f} / "
            f"{latin_cached.quantile(0.95) / cached.quantile(0.95):.2f} |"
        )
    total = page_weight.html + page_weight.css + page_weight.js
    lines += [
        "",
        "### A news item on first load",
        "",
        "| HTML | CSS | JS | total | total gzip | requests | render-blocking third-party | "
        "queries, uncached (target ≤ 15) |",
        "|---:|---:|---:|---:|---:|---:|---|---:|",
        f"| {page_weight.html / 1000:.1f} KB | {page_weight.css / 1000:.1f} KB | "
        f"{page_weight.js / 1000:.1f} KB | {total / 1000:.1f} KB | "
        f"{page_weight.gzip_total / 1000:.1f} KB | {page_weight.requests} | "
        f"{', '.join(page_weight.blocking_third_party) or 'none'} | {page_weight.queries} |",
        "",
        "### Throughput over HTTP",
        "",
        "| target | req/s (median of runs without errors) | % of nginx (median of rounds) | "
        "p99 ms | errors | "
        "rounds: req/s |",
        "|---|---:|---:|---:|---:|---|",
    ]
    static = next(iter(rates.values()))
    for name, runs in rates.items():
        rate = median_rate(runs)
        p99 = statistics.median(run[1] for run in clean(runs))
        errors = sum(run[2] for run in runs)
        rounds = " / ".join(
            f"{run[0]:,.0f}" + (f" ({run[2]:,} errors, left out)" if run[2] else "") for run in runs
        )
        lines.append(
            f"| {name} | {rate:,.0f} | {share_of(runs, static):.0%} | {p99:.2f} | {errors} | "
            f"{rounds} |"
        )
    cyrillic = median_rate(rates["application, cached news item (Cyrillic)"])
    cheapest = median_rate(rates["application, /healthz (the stack's cheapest view)"])
    proxied = share_of(rates["nginx caching proxy (docs/deploy), news item (Cyrillic)"], static)
    lines += [
        "",
        "### Publishing through the caching proxy",
        "",
        "| publishes | seconds until the proxy serves the change: each | longest |",
        "|---:|---|---:|",
        f"| {len(delays)} | {' / '.join(f'{delay:.2f}' for delay in delays)} | {max(delays):.2f} |",
    ]
    lines += [
        "",
        "This run: news item "
        f"{total / 1000:.1f} KB ({'met' if total <= 100_000 else 'missed'}, target ≤ 100 KB "
        f"before compression; {page_weight.gzip_total / 1000:.1f} KB gzip), "
        f"{'no' if not page_weight.blocking_third_party else 'some'} render-blocking third-party "
        f"requests, {page_weight.queries} queries uncached "
        f"({'met' if page_weight.queries <= 15 else 'missed'}; the item has "
        f"{page_weight.pictures} picture(s) in its text, one query each; a news item without "
        "pictures is held to 15 by a test); the application alone served the "
        f"cached news item at {cyrillic:,.0f} requests/s "
        f"({'met' if cyrillic >= 1500 else 'missed'}, target ≥ 1,500), "
        f"{cyrillic / cheapest:.1f}× the rate of /healthz (which enters Django) in the same run; "
        f"the caching proxy served it at {proxied:.0%} of nginx's static-file rate "
        f"({'met' if proxied >= 0.8 else 'missed'}, target ≥ 80%) and showed a "
        f"published change after at most {max(delays):.2f} s "
        f"({'met' if max(delays) <= 1 else 'missed'}, target ≤ 1 s).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="reuse a prepared demo database here")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="egov-bench-websites-"))
    prepared = (data_dir / "egov.sqlite3").exists()
    setup_django(data_dir)
    if not prepared:
        print(f"loading the demo into {data_dir} …", flush=True)
        load_demo(data_dir)
    addresses = pages()
    cases = render_timings(addresses, args.rounds, args.requests)
    page_weight = weight(addresses["news"])
    rates, delays = throughput(
        data_dir, addresses["news"], args.workers, args.duration, args.rounds, args.publishes
    )
    text = report(args, cases, page_weight, rates, delays)
    print(text)
    if args.write:
        write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
