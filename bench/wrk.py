"""What wrk printed, read once for every benchmark that drives it (`wrk --latency`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def ms(text: str) -> float:
    """wrk's '812.00us', '1.20ms' or '2.01s' in milliseconds."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not found:
        raise ValueError(text)
    return float(found.group(1)) * _UNITS[found.group(2)]


@dataclass(frozen=True)
class Result:
    rps: float
    p50: float  # ms
    p99: float  # ms
    errors: int  # non-2xx/3xx answers and socket errors
    requests: int


def parse(output: str) -> Result:
    def grab(pattern: str) -> str:
        found = re.search(pattern, output, re.M)
        if found is None:
            raise RuntimeError(f"wrk printed no {pattern!r}:\n{output}")
        return found.group(1)

    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(x) for x in found.groups())
    return Result(
        rps=float(grab(r"Requests/sec:\s+([\d.]+)")),
        p50=ms(grab(r"^\s*50%\s+(\S+)")),
        p99=ms(grab(r"^\s*99%\s+(\S+)")),
        errors=errors,
        requests=int(grab(r"(\d+) requests in")),
    )
