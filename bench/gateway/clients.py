"""HTTP client comparison for the gateway's upstream calls (one process, uvloop, keep-alive).

    .venv/bin/python bench/gateway/clients.py [--seconds 5] [--concurrency 32]

Starts nginx answering a fixed JSON body on a free loopback port and drives it from one Python
process with each client for the same time: the native client (``gateway.httpclient``), aiohttp
and, when installed, httpx. Prints requests/s per client; docs/adr/0005 quotes a run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from gateway import httpclient  # noqa: E402
from run import free_port, wait_http  # noqa: E402

CONF = """
worker_processes 1; pid {dir}/nginx.pid; error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{ access_log off; client_body_temp_path {dir}/cb; proxy_temp_path {dir}/pt;
  fastcgi_temp_path {dir}/ft; uwsgi_temp_path {dir}/ut; scgi_temp_path {dir}/st;
  server {{ listen 127.0.0.1:{port}; location / {{ default_type application/json;
    return 200 '{{"ok":true}}'; }} }} }}
"""


async def drive(call: Callable[[], Awaitable[None]], seconds: float, concurrency: int) -> float:
    count = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal count
        while time.monotonic() < deadline:
            await call()
            count += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.monotonic() - started)


async def measure(port: int, seconds: float, concurrency: int) -> dict[str, float]:
    results: dict[str, float] = {}
    native = httpclient.Client()
    headers = [(b"accept", b"application/json"), (b"x-request-id", b"abc")]

    async def native_call() -> None:
        response = await native.request(
            "GET", "http", "127.0.0.1", port, "/items/1", headers, b"", 2.0, 5.0
        )
        async for _chunk in response.chunks():
            pass
        response.release()

    results["native (gateway.httpclient)"] = await drive(native_call, seconds, concurrency)
    native.close()

    import aiohttp

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency), auto_decompress=False
    ) as session:
        url = f"http://127.0.0.1:{port}/items/1"

        async def aiohttp_call() -> None:
            async with session.get(url, headers={"x-request-id": "abc"}) as response:
                await response.read()

        results["aiohttp"] = await drive(aiohttp_call, seconds, concurrency)
    try:
        import httpx
    except ImportError:
        return results
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def httpx_call() -> None:
            response = await client.get(url, headers={"x-request-id": "abc"})
            await response.aread()

        results["httpx"] = await drive(httpx_call, seconds, concurrency)
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("nginx") is None:
        print("needs nginx", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="egw-clients-"))
    port = free_port()
    (work / "nginx.conf").write_text(CONF.format(dir=work, port=port))
    nginx = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    try:
        wait_http(f"http://127.0.0.1:{port}/items/1")
        import uvloop

        results = uvloop.run(measure(port, args.seconds, args.concurrency))
    finally:
        nginx.terminate()
        nginx.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    for name, rate in results.items():
        print(f"{name}: {rate:,.0f} requests/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
