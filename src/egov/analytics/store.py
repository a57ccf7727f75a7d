"""The process's warehouse, pseudonymisation keys and query engine.

Each process (web worker, task worker) opens its own in-memory engine and registers the
*published* Parquet version of each dataset it reads, so readers never block the one writer and
always see an immutable snapshot. A dataset is re-registered when its published version changes.
DuckDB connections are not safe to share between threads: queries take the engine's lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from egov.analytics.engines import Engine, KeyRing, PseudonymKeyError, Warehouse, connect

_lock = threading.RLock()
_engine: Engine | None = None
_bound: dict[str, str] = {}  # dataset name -> sha256 of the version registered


def root() -> Path:
    return Path(settings.EGOV_ANALYTICS_DIR)


def warehouse() -> Warehouse:
    return Warehouse(root() / "warehouse")


def uploads() -> Path:
    folder = root() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keyring() -> KeyRing | None:
    """The configured keys, or None when there are none (loads with personal columns refuse)."""
    spec = settings.EGOV_ANALYTICS_PSEUDONYM_KEYS
    if not spec.strip():
        return None
    return KeyRing.parse(spec, settings.EGOV_ANALYTICS_PSEUDONYM_KEY_ID or None)


def check_keyring() -> None:
    """Raise PseudonymKeyError when no usable key is configured."""
    if keyring() is None:
        raise PseudonymKeyError("No pseudonymisation key is configured.", code="no_key")


def _new_engine() -> Engine:
    if settings.EGOV_ANALYTICS_ENGINE == "spark":
        return connect("spark", master=settings.EGOV_ANALYTICS_SPARK_MASTER)
    return connect("duckdb")


@contextmanager
def engine_for(datasets: Iterable[str]) -> Iterator[Engine]:
    """The process's engine with the published versions of ``datasets`` registered, locked."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = _new_engine()
            _bound.clear()
        house = warehouse()
        for name in sorted(set(datasets)):
            current = house.current(name)
            if current is None:
                if name in _engine.datasets:
                    _engine.unregister(name)
                    _bound.pop(name, None)
                continue
            if _bound.get(name) != current.sha256 or name not in _engine.datasets:
                _engine.register(name, current.data_path, format="parquet")
                _bound[name] = current.sha256
        yield _engine


def reset_engine() -> None:
    """Close the process's engine (tests; a settings change)."""
    global _engine
    with _lock:
        if _engine is not None:
            _engine.close()
        _engine = None
        _bound.clear()
