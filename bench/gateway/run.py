"""Gateway benchmark: wrk against the same fast upstream, in one run, on this machine.

Targets (all on 127.0.0.1, fresh ports; ``--only`` takes the keys in brackets):
  (a) direct        the upstream itself (nginx answering a fixed JSON body)
  (b) nginx         nginx ``proxy_pass`` to the upstream (keep-alive pool)
  (c) [c]           the gateway as configured by default: API-key auth + grant + rate limit +
                    async message log (SQLite), granian, native upstream client
  (c-uvicorn) [cu]  the same on uvicorn (uvloop + httptools)
  (c-request-sig) [cr]  (c) signing every upstream request instead of an identity assertion
  (c-aiohttp) [ca]  (c) with aiohttp as the upstream client
  (c-ship) [cs]     (c) shipping its message log to a control plane (``receiver.py``)
  (d) [d]           (c) with a ``sync`` message log on PostgreSQL (skipped without it)

nginx and the gateway get the same number of worker processes (``--workers``, default 2).
Each target gets a saturation run (``wrk -c64``) for requests/s, then a paced run at half of its
own maximum rate (wrk's ``delay()`` hook, 16 connections) for p50/p99 latency; "added" latency is
the paced run minus the direct upstream paced at the same rate. Results go to the "## Gateway"
section of docs/benchmarks.md (``--write``).

    .venv/bin/python bench/gateway/run.py [--duration 10] [--workers 2] [--write]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import wrk as wrk_output  # noqa: E402
from gateway import crypto  # noqa: E402
from gateway.snapshot import SnapshotFile, StoredSnapshot  # noqa: E402
from report import write_section  # noqa: E402

API_KEY = "egk_bench-key-000000000000000000000000000000"
CONSUMER = "KZ/COM/080340000084/loans"
SERVICE = "KZ/GOV/010340000012/registry/bench"
# Its own database: the gateway tests drop and lock theirs.
PG_URL = os.environ.get(
    "EGOV_GATEWAY_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/egov_gateway_bench"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 20.0, headers: dict[str, str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


NGINX_CONF = """
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/cb; proxy_temp_path {dir}/pt; fastcgi_temp_path {dir}/ft;
  uwsgi_temp_path {dir}/ut; scgi_temp_path {dir}/st;
  upstream app {{ server 127.0.0.1:{upstream}; keepalive 128; }}
  server {{
    listen 127.0.0.1:{upstream} backlog=4096;
    location / {{ default_type application/json; return 200 '{{"ok":true,"id":"42"}}'; }}
  }}
  server {{
    listen 127.0.0.1:{proxy} backlog=4096;
    location / {{
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""


def snapshot(upstream_port: int, key: crypto.SigningKey) -> tuple[bytes, str]:
    document = {
        "format": "egov-policy-snapshot/1",
        "version": 1,
        "issued_at": "2026-11-26T00:00:00+00:00",
        "instance": "KZ",
        "services": [
            {
                "address": SERVICE,
                "passport": "BENCH-S-0001",
                "provider": "KZ/GOV/010340000012/registry",
                "code": "bench",
                "classification": "public",
                "upstream": f"http://127.0.0.1:{upstream_port}/bench",
                "timeout_ms": 5000,
                "versions": [
                    {
                        "version": "v1",
                        "status": "published",
                        "endpoints": [["GET", "/items/{id}"]],
                        "rate_per_minute": None,
                        "quota_per_day": None,
                    }
                ],
            }
        ],
        "grants": [
            {
                "id": 1,
                "consumer": CONSUMER,
                "service": SERVICE,
                "version": "v1",
                "endpoints": [["GET", "/items/{id}"]],
                "valid_from": "2020-01-01T00:00:00+00:00",
                "valid_until": "2099-01-01T00:00:00+00:00",
                "rate_per_minute": 100_000_000,
                "quota_per_day": 1_000_000_000,
                "ip_ranges": ["127.0.0.0/8"],
            }
        ],
        "credentials": {
            "api_keys": [
                {
                    "hash": hashlib.sha256(API_KEY.encode()).hexdigest(),
                    "prefix": API_KEY[:12],
                    "system": CONSUMER,
                    "expires_at": None,
                }
            ],
            "oauth": {"issuer": None, "audience": "egov-gateway", "jwks": {"keys": []}},
            "certificates": [],
        },
        "consents": [],
        "snapshot_keys": [],
    }
    body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return body, f'kid="{key.kid}", sig="{key.sign(body)}"'


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float | None = None
    p99_ms: float | None = None
    paced_rps: float | None = None
    direct_p50_ms: float | None = None
    direct_p99_ms: float | None = None
    errors: int | None = 0
    rounds: list[float] = field(default_factory=list)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def wrk(
    url: str, duration: int, connections: int, delay_ms: float | None = None
) -> tuple[float, float, float, int]:
    """requests/s, p50 ms, p99 ms, non-2xx/socket errors."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    lines = [f'wrk.headers["X-API-Key"] = "{API_KEY}"']
    if delay_ms is not None:
        lines.append(f"function delay() return {delay_ms:.3f} end")
    script.write_text("\n".join(lines) + "\n")
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    script.unlink()
    result = wrk_output.parse(output)
    return result.rps, result.p50, result.p99, result.errors


def paced(url: str, rate: float, duration: int) -> tuple[float, float, float, int]:
    """Run near ``rate`` requests/s: each connection waits between its requests.

    A connection's cycle is delay + latency, so a first short run measures the latency at the
    wanted rate and the delay is corrected once before the measured run.
    """
    connections = 16
    delay = max(0.0, connections * 1000.0 / max(rate, 1.0))
    achieved, p50, _p99, _errors = wrk(url, max(3, duration // 3), connections, delay)
    if achieved < 0.95 * rate:
        delay = max(0.0, delay - p50)
    return wrk(url, duration, connections, delay)


def postgres_ok() -> bool:
    try:
        import psycopg

        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as db:
            name = PG_URL.rsplit("/", 1)[1]
            if db.execute("SELECT 1 FROM pg_database WHERE datname=%s", (name,)).fetchone() is None:
                db.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute("DROP TABLE IF EXISTS gateway_log_record, gateway_log_checkpoint")
        return True
    except Exception:
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--only", default="", help="comma list of targets to run")
    parser.add_argument("--rounds", type=int, default=3, help="saturation runs per target")
    parser.add_argument("--from-log", help="render the output of an earlier run instead")
    parser.add_argument("--load", type=float, help="with --from-log: that run's load average")
    args = parser.parse_args()
    if args.from_log:
        results = parse_log(Path(args.from_log).read_text(encoding="utf-8"))
        report = render(results, args.workers, args.duration, args.rounds, args.load)
        print(report)
        if args.write:
            write_section("## Gateway", report)
        return 0
    if shutil.which("wrk") is None or shutil.which("nginx") is None:
        print("needs wrk and nginx (apt-get install -y wrk nginx)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="egw-bench-"))
    upstream_port, proxy_port = free_port(), free_port()
    (work / "nginx.conf").write_text(
        NGINX_CONF.format(workers=args.workers, dir=work, upstream=upstream_port, proxy=proxy_port)
    )
    nginx = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    processes: list[subprocess.Popen[bytes]] = [nginx]
    results: list[Result] = []
    try:
        wait_http(f"http://127.0.0.1:{upstream_port}/bench/items/1")
        wait_http(f"http://127.0.0.1:{proxy_port}/bench/items/1")
        key = crypto.load_or_create_signing_key(work / "snapshot.key")
        body, signature = snapshot(upstream_port, key)
        receiver_port = free_port()
        processes.append(
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "uvicorn", "receiver:app"),
                    *("--port", str(receiver_port), "--log-level", "warning", "--no-access-log"),
                ],
                cwd=Path(__file__).parent,
                start_new_session=True,
            )
        )
        wait_http(f"http://127.0.0.1:{receiver_port}/count")

        def gateway(name: str, server: str, extra: dict[str, str]) -> str:
            state = work / name
            SnapshotFile(state / "snapshot.json").save(
                StoredSnapshot(body, signature, hashlib.sha256(body).hexdigest(), time.time())
            )
            port = free_port()
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("EGOV_GATEWAY_")},
                "PYTHONPATH": str(ROOT / "src"),
                "EGOV_GATEWAY_STATE_DIR": str(state),
                "EGOV_GATEWAY_TRUSTED_KEYS": f"{key.kid}={key.public_b64url}",
                "EGOV_GATEWAY_ACCESS_LOG": "0",
                "EGOV_GATEWAY_WORKERS": str(args.workers),
                "EGOV_GATEWAY_SERVER": server,
                "EGOV_GATEWAY_LOG_LEVEL": "WARNING",
                **extra,
            }
            proc = subprocess.Popen(
                [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(work / f"{name}.log", "wb"),  # noqa: SIM115
                start_new_session=True,
            )
            processes.append(proc)
            url = f"http://127.0.0.1:{port}/r1/{SERVICE}/v1/items/42"
            wait_http(url, headers={"X-API-Key": API_KEY})
            return url

        direct = f"http://127.0.0.1:{upstream_port}/bench/items/42"
        targets: list[tuple[str, str]] = [
            ("(a) direct to upstream", direct),
            ("(b) nginx proxy_pass", f"http://127.0.0.1:{proxy_port}/bench/items/42"),
        ]
        only = set(filter(None, args.only.split(",")))
        variants: list[tuple[str, str, str, dict[str, str]]] = [
            ("c", "(c) gateway: granian, native client, async log (SQLite)", "granian", {}),
            ("cu", "(c-uvicorn) the same on uvicorn", "uvicorn", {}),
            (
                "cr",
                "(c-request-sig) (c) + per-request upstream signature",
                "granian",
                {"EGOV_GATEWAY_UPSTREAM_SIGNATURE": "request"},
            ),
            (
                "ca",
                "(c-aiohttp) (c) with aiohttp as upstream client",
                "granian",
                {"EGOV_GATEWAY_HTTP_CLIENT": "aiohttp"},
            ),
            (
                "cs",
                "(c-ship) (c) + shipping records to the control plane",
                "granian",
                {
                    "EGOV_GATEWAY_CONTROL_PLANE_URL": f"http://127.0.0.1:{receiver_port}",
                    "EGOV_GATEWAY_TOKEN": "egw_bench",
                },
            ),
        ]
        for key_name, label, server, extra in variants:
            if not only or key_name in only:
                targets.append((label, gateway(key_name, server, extra)))
        if not only or "d" in only:
            if postgres_ok():
                sync_pg = {"EGOV_GATEWAY_LOG_STORE": PG_URL, "EGOV_GATEWAY_LOG_DURABILITY": "sync"}
                targets.append(
                    (
                        "(d) gateway: (c) with sync log on PostgreSQL",
                        gateway("d", "granian", sync_pg),
                    )
                )
            else:
                print("PostgreSQL not reachable: skipping (d)", file=sys.stderr)
        for _name, url in targets:
            wrk(url, 2, 64)  # warm-up
        runs: dict[str, list[float]] = {name: [] for name, _url in targets}
        errors_by_name: dict[str, int] = dict.fromkeys(runs, 0)
        for round_number in range(args.rounds):  # rounds interleave targets: noise hits all
            for name, url in targets:
                rps, p50, p99, errors = wrk(url, args.duration, 64)
                runs[name].append(rps)
                errors_by_name[name] += errors
                print(
                    f"round {round_number + 1} {name}: {rps:.0f} req/s "
                    f"(c64 p50 {p50:.2f} ms p99 {p99:.2f} ms, errors {errors})",
                    flush=True,
                )
        for name, _url in targets:
            results.append(
                Result(name, _median(runs[name]), errors=errors_by_name[name], rounds=runs[name])
            )
        for result, (name, url) in zip(results, targets, strict=True):
            rate = result.rps / 2
            rps, p50, p99, errors = paced(url, rate, args.duration)
            _d_rps, d50, d99, _d_errors = paced(direct, rate, args.duration)
            result.paced_rps, result.p50_ms, result.p99_ms = rps, p50, p99
            result.direct_p50_ms, result.direct_p99_ms = d50, d99
            result.errors = (result.errors or 0) + errors
            print(
                f"{name} @ {rps:.0f} req/s: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
                f"(direct at that rate p50 {d50:.2f}, p99 {d99:.2f}), errors {errors}",
                flush=True,
            )
        with urllib.request.urlopen(f"http://127.0.0.1:{receiver_port}/count") as answer:
            print(f"records shipped to the control plane: {json.load(answer)['records']}")
    finally:
        for proc in reversed(processes):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    if proc is nginx:
                        proc.terminate()
                    else:
                        os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    report = render(results, args.workers, args.duration, args.rounds, os.getloadavg()[1])
    print(report)
    if args.write:
        write_section("## Gateway", report)
    return 0


def render(
    results: list[Result], workers: int, duration: int, rounds: int, load: float | None = None
) -> str:
    """The "## Gateway" section. "% of nginx" is the median over rounds of (target / nginx) in
    the same round, which cancels most of the noise from other work on the machine."""
    baseline = next((r for r in results if r.name.startswith("(b)")), None)

    def share_of_nginx(result: Result) -> float | None:
        if baseline is None or not baseline.rounds or len(result.rounds) != len(baseline.rounds):
            return None
        return 100 * _median([t / b for t, b in zip(result.rounds, baseline.rounds, strict=True)])

    lines = [
        "## Gateway",
        "",
        f"`bench/gateway/run.py`, one run, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores "
        f"shared by wrk, nginx and the gateway; {workers} worker processes for nginx and the "
        f"gateway; wrk -t2, {duration} s per run. Upstream: nginx returning a fixed JSON body. "
        f"Saturation: 64 connections, {rounds} interleaved rounds: req/s is the median, "
        "*% of nginx* the median of the per-round ratios (rounds in the last column). Latency: "
        "paced at about half of the target's own maximum (16 connections, wrk `delay()`); "
        "*added* = target minus the direct upstream paced at the same rate.",
        "",
        "| target | req/s | % of nginx | req/s per core | p50 / p99 at half max (ms) "
        "| added p50 / p99 (ms) | errors | rounds: req/s (% of nginx) |",
        "|---|---:|---:|---:|---|---|---:|---|",
    ]
    cores = os.cpu_count() or 1
    if load is not None and load > cores:
        lines[2] += (
            f" The machine was busy with other work as well (5-minute load average {load:.1f} on "
            f"{cores} cores at the end), which depresses every row: compare within the table."
        )
    for result in results:
        share = share_of_nginx(result)
        latency = f"{result.p50_ms:.2f} / {result.p99_ms:.2f}" if result.p50_ms is not None else "–"
        added = (
            f"{result.p50_ms - (result.direct_p50_ms or 0):.2f} / "
            f"{result.p99_ms - (result.direct_p99_ms or 0):.2f}"
            if result.p50_ms is not None and not result.name.startswith("(a)")
            else "–"
        )
        per_round = " / ".join(
            f"{value:,.0f}"
            + (f" ({100 * value / base:.0f}%)" if baseline and baseline.rounds else "")
            for value, base in zip(
                result.rounds, baseline.rounds if baseline else result.rounds, strict=False
            )
        )
        lines.append(
            f"| {result.name} | {result.rps:,.0f} | "
            f"{f'{share:.0f}%' if share is not None else '–'} | {result.rps / cores:,.0f} | "
            f"{latency} | {added} | {'–' if result.errors is None else result.errors} | "
            f"{per_round} |"
        )
    gateway = next((r for r in results if r.name.startswith("(c)")), None)
    synced = next((r for r in results if r.name.startswith("(d)")), None)
    verdicts: list[str] = []
    if gateway is not None and share_of_nginx(gateway) is not None:
        share = share_of_nginx(gateway) or 0.0
        added = (gateway.p99_ms or 0) - (gateway.direct_p99_ms or 0)
        verdicts.append(
            f"(c): {share:.0f}% of nginx ({'met' if share >= 20 else 'NOT met'}, target ≥ 20%); "
            f"added p99 {added:.1f} ms at about half its maximum "
            f"({'met' if added <= 5 else 'NOT met'}, target ≤ 5 ms)."
        )
    if synced is not None:
        verdicts.append(
            f"(d): {synced.rps:,.0f} requests/s "
            f"({'met' if synced.rps >= 1000 else 'NOT met'}, target ≥ 1,000)."
        )
    if verdicts:
        lines += ["", "This run: " + " ".join(verdicts)]
    lines += [
        "",
        "Targets (issue 5): (c) ≥ 20% of nginx's requests/s and ≤ 5 ms added p99 at half of its "
        "own maximum; (d) ≥ 1,000 requests/s. For comparison: GovStack's example target is "
        "100 requests/s; Kong publishes about 6–8k requests/s per vCPU (proxy with key-auth and "
        "rate limiting, 16 vCPU, without a per-call signed log).",
        "",
    ]
    return "\n".join(lines)


def parse_log(text: str) -> list[Result]:
    """Results from the lines a run printed (see ``--from-log``)."""
    results: dict[str, Result] = {}
    for found in re.finditer(r"^round \d+ (.+?): ([\d.]+) req/s", text, re.M):
        name = found.group(1)
        result = results.setdefault(name, Result(name, 0.0, errors=None))
        result.rounds.append(float(found.group(2)))
        tail = text[found.end() : text.find("\n", found.end())]
        if (errors := re.search(r"errors (\d+)", tail)) is not None:
            result.errors = (result.errors or 0) + int(errors.group(1))
    pattern = (
        r"^(.+?) @ ([\d.]+) req/s: p50 ([\d.]+) ms, p99 ([\d.]+) ms "
        r"\(direct at that rate p50 ([\d.]+), p99 ([\d.]+)\)"
    )
    for found in re.finditer(pattern, text, re.M):
        result = results[found.group(1)]
        result.paced_rps, result.p50_ms, result.p99_ms = (
            float(found.group(2)),
            float(found.group(3)),
            float(found.group(4)),
        )
        result.direct_p50_ms, result.direct_p99_ms = float(found.group(5)), float(found.group(6))
        tail = text[found.end() : text.find("\n", found.end())]
        if result.errors is not None and (errors := re.search(r"errors (\d+)", tail)):
            result.errors += int(errors.group(1))
    for result in results.values():
        result.rps = _median(result.rounds)
    return list(results.values())


if __name__ == "__main__":
    raise SystemExit(main())
