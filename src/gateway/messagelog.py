"""The message log: one hash-chained record per call, signed checkpoints, durable stores.

Records
    Each gateway process writes its own chain (``chain`` = node name + a random suffix chosen at
    start). A record's body is canonical JSON (sorted keys, no spaces) that includes ``chain``,
    ``seq`` (1, 2, 3, …) and ``prev`` (the previous record's hash; the first record's ``prev`` is
    SHA-256 of ``egov-gateway-log/1:<chain>``). Its hash is SHA-256 of ``prev`` + LF + body.

Checkpoints
    Every batch written ends with a checkpoint ``{chain, seq, hash, records, created_at, kid}``
    signed with the node's Ed25519 key. Since the chain links every record to its predecessors,
    a signed checkpoint vouches for the whole chain up to ``seq``.

Durability
    ``sync`` records are committed before the call's response is released (group commit: the
    writer batches whatever is waiting); ``async`` records are batched every ``flush_seconds``.
    When the store fails, records stay in a bounded memory buffer and spill to files in the
    state directory beyond it; they are written, in order, once the store is back, and on
    shutdown they go to the spill files if the store is still away. Nothing is dropped.

Bodies and time stamps
    For services that ask (``store_bodies``), the request and response bodies are sealed
    (:mod:`gateway.bodies`) when the record is chained and written with it, in
    ``gateway_log_body``. RFC 3161 tokens of checkpoints (:mod:`gateway.timestamps`) go to
    ``gateway_log_timestamp``. Neither changes a record or a checkpoint.

Verification (``egov-gateway log verify``, :mod:`gateway.logarchive`)
    Per chain, records must run 1, 2, 3, … in storage (or file) order; every body must hash to
    its stored hash and name the previous hash; every checkpoint must carry a valid signature of
    a trusted key and match the record at its ``seq``. Edits, deletions (inside the chain or of
    the records a checkpoint covers) and reordering are reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from gateway import crypto
from gateway.bodies import BodyVault, SealedBody
from gateway.errors import GatewayError

log = logging.getLogger("gateway.messagelog")

LOG_FORMAT: Final = "egov-gateway-log/1"


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def genesis(chain: str) -> str:
    return hashlib.sha256(f"{LOG_FORMAT}:{chain}".encode()).hexdigest()


def chain_hash(prev: str, body: bytes) -> str:
    return hashlib.sha256(prev.encode() + b"\n" + body).hexdigest()


def iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat(
        timespec="microseconds"
    )


@dataclass(frozen=True, slots=True)
class Entry:
    """A record as stored: its chain position, hash and canonical body."""

    chain: str
    seq: int
    hash: str
    body: str
    index: tuple[Any, ...] | None = None  # the indexed columns, when known without parsing
    bodies: tuple[SealedBody, ...] = ()  # sealed request/response bodies (store_bodies services)

    @property
    def fields(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.body)
        return value

    def columns(self) -> tuple[Any, ...]:
        if self.index is not None:
            return (self.chain, self.seq, *self.index, self.hash, self.body)
        data = self.fields
        return (
            self.chain,
            self.seq,
            data.get("started_at", ""),
            data.get("request_id", ""),
            data.get("consumer"),
            data.get("service"),
            data.get("subject_id"),
            data.get("status"),
            data.get("prev", ""),
            self.hash,
            self.body,
        )


@dataclass(frozen=True, slots=True)
class Checkpoint:
    chain: str
    seq: int
    body: str
    kid: str
    signature: str


@dataclass(frozen=True, slots=True)
class Stamp:
    """An RFC 3161 time-stamp token (DER) of the checkpoint at ``chain``/``seq``."""

    chain: str
    seq: int
    tsa: str
    token: bytes
    gen_time: datetime.datetime | None = None


def body_rows(entries: list[Entry]) -> list[tuple[Any, ...]]:
    return [
        (e.chain, e.seq, b.part, b.size, b.kid, b.nonce, b.ciphertext, b.note)
        for e in entries
        for b in e.bodies
    ]


def stamp_row(stamp: Stamp) -> tuple[Any, ...]:
    gen_time = stamp.gen_time.isoformat() if stamp.gen_time else None
    return (stamp.chain, stamp.seq, stamp.tsa, stamp.token, gen_time)


class Chain:
    """Assigns sequence numbers and hashes; one per gateway process."""

    def __init__(self, chain_id: str) -> None:
        self.id = chain_id
        self.seq = 0
        self.last = genesis(chain_id)
        self._lock = threading.Lock()

    def append(self, fields: Mapping[str, Any]) -> Entry:
        with self._lock:
            self.seq += 1
            body = canonical({**fields, "chain": self.id, "seq": self.seq, "prev": self.last})
            index = (
                fields.get("started_at", ""),
                fields.get("request_id", ""),
                fields.get("consumer"),
                fields.get("service"),
                fields.get("subject_id"),
                fields.get("status"),
                self.last,
            )
            digest = chain_hash(self.last, body)
            self.last = digest
            return Entry(self.id, self.seq, digest, body.decode(), index)


def make_checkpoint(entry: Entry, records: int, key: crypto.SigningKey) -> Checkpoint:
    body = canonical(
        {
            "chain": entry.chain,
            "seq": entry.seq,
            "hash": entry.hash,
            "records": records,
            "created_at": iso(time.time()),
            "kid": key.kid,
        }
    )
    return Checkpoint(entry.chain, entry.seq, body.decode(), key.kid, key.sign(body))


# ---------------------------------------------------------------------------------------------
# Stores

_COLUMNS: Final = (
    "chain, seq, started_at, request_id, consumer, service, subject_id, status, prev_hash, "
    "hash, body"
)

SCHEMA_LOCK: Final = 0x6567_7731  # advisory lock id while creating tables ("egw1")
SHIP_LOCK: Final = 0x6567_7732  # held by the process that ships the log ("egw2")
_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS gateway_log_record (
        chain TEXT NOT NULL, seq BIGINT NOT NULL, started_at TEXT NOT NULL,
        request_id TEXT NOT NULL, consumer TEXT, service TEXT, subject_id TEXT, status INTEGER,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (chain, seq))""",
    """CREATE TABLE IF NOT EXISTS gateway_log_checkpoint (
        chain TEXT NOT NULL, seq BIGINT NOT NULL, kid TEXT NOT NULL, signature TEXT NOT NULL,
        body TEXT NOT NULL, PRIMARY KEY (chain, seq))""",
    # Shipping to the control plane (gateway.shipping): per chain, the highest sequence number
    # written and the highest one the control plane has confirmed.
    """CREATE TABLE IF NOT EXISTS gateway_log_shipping (
        chain TEXT PRIMARY KEY, written_seq BIGINT NOT NULL,
        shipped_seq BIGINT NOT NULL DEFAULT 0)""",
    # Sealed bodies (gateway.bodies): ciphertext with the GCM tag, or a note why none was kept.
    """CREATE TABLE IF NOT EXISTS gateway_log_body (
        chain TEXT NOT NULL, seq BIGINT NOT NULL, part TEXT NOT NULL, size BIGINT NOT NULL,
        kid TEXT, nonce BYTEA, ciphertext BYTEA, note TEXT, PRIMARY KEY (chain, seq, part))""",
    # RFC 3161 tokens (DER) of checkpoints (gateway.timestamps).
    """CREATE TABLE IF NOT EXISTS gateway_log_timestamp (
        chain TEXT NOT NULL, seq BIGINT NOT NULL, tsa TEXT NOT NULL, token BYTEA NOT NULL,
        gen_time TEXT, PRIMARY KEY (chain, seq))""",
    "CREATE INDEX IF NOT EXISTS gateway_log_record_request ON gateway_log_record (request_id)",
    "CREATE INDEX IF NOT EXISTS gateway_log_record_subject ON gateway_log_record (subject_id)",
)


_UNSHIPPED_CHAINS: Final = (
    "SELECT chain, shipped_seq, written_seq FROM gateway_log_shipping "
    "WHERE written_seq > shipped_seq "
    "ORDER BY chain LIMIT 100"
)


@dataclass(frozen=True, slots=True)
class Unshipped:
    """Records of one chain after ``shipped`` (the control plane's confirmed position)."""

    chain: str
    shipped: int
    written: int
    entries: list[Entry]


def last_positions(entries: list[Entry]) -> list[tuple[str, int]]:
    """The highest sequence number per chain in a batch."""
    highest: dict[str, int] = {}
    for entry in entries:
        if entry.seq > highest.get(entry.chain, 0):
            highest[entry.chain] = entry.seq
    return list(highest.items())


class LogStore(Protocol):
    url: str

    async def open(self) -> None: ...

    async def write(self, entries: list[Entry], checkpoint: Checkpoint | None) -> None: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...

    # Shipping (used by gateway.shipping on a store instance of its own)

    async def try_lead(self) -> bool:
        """Become the one shipper of this store; ``False`` while another process is."""
        ...

    async def unshipped(self, limit: int) -> list[Unshipped]:
        """Up to ``limit`` written records the control plane has not confirmed, per chain."""
        ...

    async def mark_shipped(self, positions: list[tuple[str, int]]) -> None: ...

    async def save_timestamp(self, stamp: Stamp) -> None:
        """Keep a checkpoint's time-stamp token (used by gateway.timestamps)."""
        ...


class SQLiteStore:
    """The embedded default: one SQLite file in WAL mode, written from a worker thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
        self._connection: sqlite3.Connection | None = None
        self._lead: Any = None  # the open lock file while this process ships

    def _connect(self) -> sqlite3.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
        # Switching to WAL takes an exclusive lock and fails at once (no busy wait) while another
        # process has the log open; the mode stays with the file, so only a new file switches.
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        for statement in _SCHEMA:
            connection.execute(statement)
        connection.commit()
        return connection

    async def open(self) -> None:
        self._connection = await asyncio.to_thread(self._connect)

    def _write(self, entries: list[Entry], checkpoint: Checkpoint | None) -> None:
        if self._connection is None:
            self._connection = self._connect()
        connection = self._connection
        with connection:
            connection.executemany(
                f"INSERT OR IGNORE INTO gateway_log_record ({_COLUMNS}) "  # noqa: S608
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [entry.columns() for entry in entries],
            )
            connection.executemany(
                "INSERT OR IGNORE INTO gateway_log_body "
                "(chain, seq, part, size, kid, nonce, ciphertext, note) VALUES (?,?,?,?,?,?,?,?)",
                body_rows(entries),
            )
            connection.executemany(
                "INSERT INTO gateway_log_shipping (chain, written_seq) VALUES (?, ?) "
                "ON CONFLICT (chain) DO UPDATE SET written_seq = "
                "max(written_seq, excluded.written_seq)",
                last_positions(entries),
            )
            if checkpoint is not None:
                connection.execute(
                    "INSERT OR IGNORE INTO gateway_log_checkpoint "
                    "(chain, seq, kid, signature, body) VALUES (?,?,?,?,?)",
                    (
                        checkpoint.chain,
                        checkpoint.seq,
                        checkpoint.kid,
                        checkpoint.signature,
                        checkpoint.body,
                    ),
                )

    async def write(self, entries: list[Entry], checkpoint: Checkpoint | None) -> None:
        await asyncio.to_thread(self._write, entries, checkpoint)

    async def ping(self) -> None:
        def run() -> None:
            if self._connection is None:
                self._connection = self._connect()
            self._connection.execute("SELECT 1").fetchone()

        await asyncio.to_thread(run)

    async def close(self) -> None:
        if self._lead is not None:
            self._lead.close()  # releases the lock
            self._lead = None
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await asyncio.to_thread(connection.close)

    async def try_lead(self) -> bool:
        if self._lead is not None:
            return True
        import fcntl

        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        handle = open(f"{self.path}.shipper.lock", "a")  # noqa: SIM115 - held while leading
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lead = handle
        return True

    def _unshipped(self, limit: int) -> list[Unshipped]:
        if self._connection is None:
            self._connection = self._connect()
        connection = self._connection
        out: list[Unshipped] = []
        left = limit
        for chain, shipped, written in connection.execute(_UNSHIPPED_CHAINS).fetchall():
            rows = connection.execute(
                "SELECT chain, seq, hash, body FROM gateway_log_record "
                "WHERE chain = ? AND seq > ? ORDER BY seq LIMIT ?",
                (chain, shipped, left),
            ).fetchall()
            entries = [Entry(row[0], int(row[1]), row[2], row[3]) for row in rows]
            out.append(Unshipped(chain, int(shipped), int(written), entries))
            left -= len(entries)
            if left <= 0:
                break
        return out

    async def unshipped(self, limit: int) -> list[Unshipped]:
        return await asyncio.to_thread(self._unshipped, limit)

    def _mark_shipped(self, positions: list[tuple[str, int]]) -> None:
        if self._connection is None:
            self._connection = self._connect()
        with self._connection as connection:
            connection.executemany(
                "UPDATE gateway_log_shipping SET shipped_seq = ? "
                "WHERE chain = ? AND shipped_seq < ?",
                [(seq, chain, seq) for chain, seq in positions],
            )

    async def mark_shipped(self, positions: list[tuple[str, int]]) -> None:
        await asyncio.to_thread(self._mark_shipped, positions)

    def _save_timestamp(self, stamp: Stamp) -> None:
        if self._connection is None:
            self._connection = self._connect()
        with self._connection as connection:
            connection.execute(
                "INSERT OR IGNORE INTO gateway_log_timestamp (chain, seq, tsa, token, gen_time) "
                "VALUES (?,?,?,?,?)",
                stamp_row(stamp),
            )

    async def save_timestamp(self, stamp: Stamp) -> None:
        await asyncio.to_thread(self._save_timestamp, stamp)


class PostgresStore:
    """PostgreSQL through psycopg 3 (async); reconnects after a failure."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: Any = None
        self._lead_connection: Any = None

    async def _connect(self) -> Any:
        import psycopg

        connection = await psycopg.AsyncConnection.connect(self.url, connect_timeout=3)
        async with connection.transaction():
            # Several workers may start at once: create the tables one at a time.
            await connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in _SCHEMA:
                await connection.execute(statement)
        return connection

    async def open(self) -> None:
        self._connection = await self._connect()

    async def _ensure(self) -> Any:
        if self._connection is None or self._connection.closed:
            self._connection = await self._connect()
        return self._connection

    async def write(self, entries: list[Entry], checkpoint: Checkpoint | None) -> None:
        try:
            connection = await self._ensure()
            async with connection.transaction(), connection.cursor() as cursor:
                await cursor.executemany(
                    f"INSERT INTO gateway_log_record ({_COLUMNS}) "  # noqa: S608
                    "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                    [entry.columns() for entry in entries],
                )
                rows = body_rows(entries)
                if rows:
                    await cursor.executemany(
                        "INSERT INTO gateway_log_body "
                        "(chain, seq, part, size, kid, nonce, ciphertext, note) "
                        "VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                        rows,
                    )
                await cursor.executemany(
                    "INSERT INTO gateway_log_shipping (chain, written_seq) VALUES (%s, %s) "
                    "ON CONFLICT (chain) DO UPDATE SET written_seq = GREATEST("
                    "gateway_log_shipping.written_seq, excluded.written_seq)",
                    last_positions(entries),
                )
                if checkpoint is not None:
                    await cursor.execute(
                        "INSERT INTO gateway_log_checkpoint (chain, seq, kid, signature, body)"
                        " VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                        (
                            checkpoint.chain,
                            checkpoint.seq,
                            checkpoint.kid,
                            checkpoint.signature,
                            checkpoint.body,
                        ),
                    )
        except Exception:
            await self._drop()
            raise

    async def _drop(self) -> None:
        self._lead_connection = None
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None

    async def ping(self) -> None:
        try:
            connection = await self._ensure()
            await connection.execute("SELECT 1")
            await connection.rollback()
        except Exception:
            await self._drop()
            raise

    async def close(self) -> None:
        await self._drop()

    async def try_lead(self) -> bool:
        # A session lock on this instance's own connection: it ends with the connection, so
        # another worker or node takes over when this one dies.
        try:
            connection = await self._ensure()
            if connection is self._lead_connection:
                return True
            cursor = await connection.execute("SELECT pg_try_advisory_lock(%s)", (SHIP_LOCK,))
            row = await cursor.fetchone()
            await connection.commit()
        except Exception:
            await self._drop()
            raise
        if row and row[0]:
            self._lead_connection = connection
            return True
        return False

    async def unshipped(self, limit: int) -> list[Unshipped]:
        try:
            connection = await self._ensure()
            out: list[Unshipped] = []
            left = limit
            async with connection.transaction():
                chains = await (await connection.execute(_UNSHIPPED_CHAINS)).fetchall()
                for chain, shipped, written in chains:
                    cursor = await connection.execute(
                        "SELECT chain, seq, hash, body FROM gateway_log_record "
                        "WHERE chain = %s AND seq > %s ORDER BY seq LIMIT %s",
                        (chain, shipped, left),
                    )
                    rows = await cursor.fetchall()
                    entries = [Entry(row[0], int(row[1]), row[2], row[3]) for row in rows]
                    out.append(Unshipped(chain, int(shipped), int(written), entries))
                    left -= len(entries)
                    if left <= 0:
                        break
            return out
        except Exception:
            await self._drop()
            raise

    async def mark_shipped(self, positions: list[tuple[str, int]]) -> None:
        try:
            connection = await self._ensure()
            async with connection.transaction(), connection.cursor() as cursor:
                await cursor.executemany(
                    "UPDATE gateway_log_shipping SET shipped_seq = %s "
                    "WHERE chain = %s AND shipped_seq < %s",
                    [(seq, chain, seq) for chain, seq in positions],
                )
        except Exception:
            await self._drop()
            raise

    async def save_timestamp(self, stamp: Stamp) -> None:
        try:
            connection = await self._ensure()
            async with connection.transaction():
                await connection.execute(
                    "INSERT INTO gateway_log_timestamp (chain, seq, tsa, token, gen_time) "
                    "VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                    stamp_row(stamp),
                )
        except Exception:
            await self._drop()
            raise


def open_store(url: str) -> LogStore:
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresStore(url)
    if url.startswith("sqlite:///"):
        return SQLiteStore(url)
    raise ValueError(f"unsupported log store {url!r}: use sqlite:///path or postgres://…")


# ---------------------------------------------------------------------------------------------
# Writer


@dataclass
class _Pending:
    entry: Entry
    waiter: asyncio.Future[None] | None = None


@dataclass
class WriterStats:
    written: int = 0
    spilled: int = 0
    failures: int = 0
    last_error: str | None = None
    last_write_at: float | None = None


class LogWriter:
    """Batches records into the store; see the module docstring for the guarantees."""

    def __init__(
        self,
        store: LogStore,
        key: crypto.SigningKey,
        chain_id: str,
        spill_dir: Path,
        batch_size: int = 500,
        flush_seconds: float = 0.05,
        buffer_records: int = 20000,
        vault: BodyVault | None = None,
    ) -> None:
        self.store = store
        self.key = key
        self.vault = vault
        self.chain = Chain(chain_id)
        self.spill_dir = spill_dir
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.buffer_records = max(self.batch_size, buffer_records)
        self.healthy = False
        self.stats = WriterStats()
        self._pending: list[_Pending] = []
        self._sync_waiting = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._spill_files: list[Path] = []
        # Told after every write, so that the shipper (gateway.shipping) need not poll.
        self.on_written: Callable[[], None] | None = None
        # Told each committed checkpoint of this chain (gateway.timestamps stamps the newest).
        self.on_checkpoint: Callable[[Checkpoint], None] | None = None

    @staticmethod
    def new_chain_id(node: str) -> str:
        return f"{node}-{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"

    async def start(self) -> None:
        self.spill_dir.mkdir(parents=True, exist_ok=True)
        self._spill_files = sorted(self.spill_dir.glob("*.jsonl"))
        try:
            await self.store.open()
            self.healthy = True
        except Exception as error:
            self._failed(error)
        self._task = asyncio.create_task(self._run(), name="message-log-writer")
        if self._spill_files:
            self._wake.set()

    @property
    def backlog(self) -> int:
        return len(self._pending) + self.stats.spilled

    async def append(
        self,
        fields: Mapping[str, Any],
        sync: bool,
        bodies: tuple[tuple[str, bytes | None, int], ...] = (),
    ) -> Entry:
        """Chain a record; for ``sync`` wait until it is committed (``log_unavailable`` if not).

        ``bodies`` are ``(part, data, size)`` to keep sealed beside the record (``data`` is
        ``None`` when the body was too large to capture).
        """
        entry = self.chain.append(fields)
        if bodies and self.vault is not None:
            vault = self.vault
            sealed = tuple(
                vault.seal(entry.chain, entry.seq, part, data, size) for part, data, size in bodies
            )
            entry = Entry(entry.chain, entry.seq, entry.hash, entry.body, entry.index, sealed)
        if not sync:
            self._pending.append(_Pending(entry))
            if len(self._pending) > self.buffer_records:
                self._spill(self.buffer_records // 2)
            if len(self._pending) >= self.batch_size or not self._wake.is_set():
                self._wake.set()
            return entry
        if not self.healthy:
            # Keep the record (it is part of the chain) but do not wait for a store that is away.
            self._pending.append(_Pending(entry))
            self._wake.set()
            raise GatewayError("log_unavailable", "The message log cannot be written now.")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(entry, waiter))
        self._sync_waiting += 1
        self._wake.set()
        try:
            await waiter
        except GatewayError:
            raise
        return entry

    def _spill(self, count: int) -> None:
        """Move the oldest ``count`` async records to a spill file (sync ones stay waiting)."""
        keep: list[_Pending] = []
        out: list[Entry] = []
        for pending in self._pending:
            if pending.waiter is None and len(out) < count:
                out.append(pending.entry)
            else:
                keep.append(pending)
        if not out:
            return
        self.spill_dir.mkdir(parents=True, exist_ok=True)
        path = self.spill_dir / f"{time.time_ns():020d}-{os.getpid()}.jsonl"
        with open(path, "w", encoding="utf-8") as handle:
            for entry in out:
                line: dict[str, Any] = {
                    "chain": entry.chain,
                    "seq": entry.seq,
                    "hash": entry.hash,
                    "body": entry.body,
                }
                if entry.bodies:
                    line["bodies"] = [sealed.to_json() for sealed in entry.bodies]
                handle.write(json.dumps(line) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self._pending = keep
        self._spill_files.append(path)
        self.stats.spilled += len(out)
        log.warning("message log spilled to disk", extra={"records": len(out), "file": str(path)})

    def _failed(self, error: BaseException) -> None:
        self.healthy = False
        failed = GatewayError("log_unavailable", "The message log cannot be written now.")
        for pending in self._pending:
            if pending.waiter is not None and not pending.waiter.done():
                pending.waiter.set_exception(failed)
                self._sync_waiting -= 1
                pending.waiter = None  # the record stays queued as an async one
        self.stats.failures += 1
        self.stats.last_error = f"{type(error).__name__}: {error}"
        log.error("message log store failed", extra={"error": self.stats.last_error})

    async def _replay_spill(self) -> None:
        while self._spill_files:
            path = self._spill_files[0]
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except FileNotFoundError:
                self._spill_files.pop(0)
                continue
            entries = [
                Entry(
                    data["chain"],
                    int(data["seq"]),
                    data["hash"],
                    data["body"],
                    bodies=tuple(SealedBody.from_json(b) for b in data.get("bodies", ())),
                )
                for data in (json.loads(line) for line in lines if line.strip())
            ]
            for start in range(0, len(entries), self.batch_size):
                batch = entries[start : start + self.batch_size]
                await self.store.write(batch, None)
            path.unlink(missing_ok=True)
            self._spill_files.pop(0)
            self.stats.spilled = max(0, self.stats.spilled - len(entries))
            if self.on_written is not None:
                self.on_written()

    async def _write_batch(self) -> None:
        batch = self._pending[: self.batch_size]
        entries = [pending.entry for pending in batch]
        last_own = next((e for e in reversed(entries) if e.chain == self.chain.id), None)
        checkpoint = make_checkpoint(last_own, len(entries), self.key) if last_own else None
        try:
            await self.store.write(entries, checkpoint)
        except Exception as error:
            self._failed(error)
            raise
        del self._pending[: len(batch)]
        self.healthy = True
        self.stats.written += len(entries)
        self.stats.last_write_at = time.time()
        if self.on_written is not None:
            self.on_written()
        if checkpoint is not None and self.on_checkpoint is not None:
            self.on_checkpoint(checkpoint)
        for pending in batch:
            if pending.waiter is not None and not pending.waiter.done():
                pending.waiter.set_result(None)
                self._sync_waiting -= 1

    async def _run(self) -> None:
        delay = 0.5
        while True:
            if not self._pending and not self._spill_files:
                self._wake.clear()
                if self._closing:
                    return
                if self.healthy:
                    await self._wake.wait()
                # An unhealthy store is probed again without waiting for traffic: `sync`
                # services refuse calls (so add no records) until it is back.
            if self._sync_waiting == 0 and not self._closing and self.healthy:
                await asyncio.sleep(self.flush_seconds)  # let async records gather
            try:
                if not self.healthy:
                    await self.store.ping()
                    self.healthy = True
                    log.info("message log store is back")
                if self._spill_files:
                    await self._replay_spill()
                while self._pending:
                    await self._write_batch()
                delay = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if self.healthy:
                    self._failed(error)
                if self._closing:
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def close(self, timeout: float = 10.0) -> None:
        """Flush what is pending; whatever the store does not take goes to spill files."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout)
            except (TimeoutError, Exception):
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._task
        if self._pending:
            for pending in self._pending:
                if pending.waiter is not None and not pending.waiter.done():
                    pending.waiter.set_exception(
                        GatewayError("log_unavailable", "The gateway is shutting down.")
                    )
                    pending.waiter = None
            self._spill(len(self._pending))
        await self.store.close()
