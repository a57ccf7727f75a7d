"""Reading, exporting and verifying the message log (``egov-gateway log verify|export``).

The rules are in :mod:`gateway.messagelog`: per chain, records must run 1, 2, 3, … in storage (or
file) order, every body must hash to its stored hash and name the previous one, and every signed
checkpoint must match the record at its sequence number. An archive is JSON lines (header,
records, checkpoints, sealed bodies, time-stamp tokens) sealed with the node key: a signature
over the SHA-256 of all lines before the seal. Bodies stay encrypted in an archive.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gateway import crypto
from gateway.bodies import SealedBody
from gateway.messagelog import Checkpoint, Entry, Stamp, chain_hash, genesis, iso

ARCHIVE_FORMAT: Final = "egov-gateway-log-archive/1"


def read_store(url: str) -> tuple[Iterator[Entry], list[Checkpoint]]:
    """Records in (chain, seq) order and all checkpoints, straight from a store."""
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        connection = psycopg.connect(url)
        checkpoints = [
            Checkpoint(row[0], int(row[1]), row[4], row[2], row[3])
            for row in connection.execute(
                "SELECT chain, seq, kid, signature, body FROM gateway_log_checkpoint "
                "ORDER BY chain, seq"
            )
        ]

        def pg_records() -> Iterator[Entry]:
            with connection, connection.cursor(name="log_export") as cursor:
                cursor.execute(
                    "SELECT chain, seq, hash, body FROM gateway_log_record ORDER BY chain, seq"
                )
                for row in cursor:
                    yield Entry(row[0], int(row[1]), row[2], row[3])

        return pg_records(), checkpoints
    path = url.removeprefix("sqlite:///")
    if not Path(path).exists():
        raise FileNotFoundError(f"no message log at {path}")
    sqlite = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    checkpoints = [
        Checkpoint(row[0], int(row[1]), row[4], row[2], row[3])
        for row in sqlite.execute(
            "SELECT chain, seq, kid, signature, body FROM gateway_log_checkpoint "
            "ORDER BY chain, seq"
        )
    ]

    def sqlite_records() -> Iterator[Entry]:
        for row in sqlite.execute(
            "SELECT chain, seq, hash, body FROM gateway_log_record ORDER BY chain, seq"
        ):
            yield Entry(row[0], int(row[1]), row[2], row[3])
        sqlite.close()

    return sqlite_records(), checkpoints


def _rows(url: str, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
    """Rows of one read-only query (``?`` placeholders) on either kind of store."""
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(url) as connection, connection.cursor(name="log_read") as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            for row in cursor:
                yield tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
        return
    path = url.removeprefix("sqlite:///")
    if not Path(path).exists():
        raise FileNotFoundError(f"no message log at {path}")
    sqlite = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        known = {row[0] for row in sqlite.execute("SELECT name FROM sqlite_master")}
        table = sql.split(" FROM ", 1)[1].split()[0]
        if table in known:  # a log written before the table existed has none of its rows
            yield from sqlite.execute(sql, params)
    finally:
        sqlite.close()


_BODY_COLUMNS: Final = "chain, seq, part, size, kid, nonce, ciphertext, note"


def _body(row: tuple[Any, ...]) -> tuple[str, int, SealedBody]:
    return row[0], int(row[1]), SealedBody(row[2], int(row[3]), row[4], row[5], row[6], row[7])


def read_bodies(
    url: str, chain: str | None = None, seq: int | None = None
) -> Iterator[tuple[str, int, SealedBody]]:
    """Sealed bodies as ``(chain, seq, body)``: all of them, or those of one record."""
    if chain is None:
        sql = f"SELECT {_BODY_COLUMNS} FROM gateway_log_body ORDER BY chain, seq, part"  # noqa: S608
        return (_body(row) for row in _rows(url, sql))
    sql = f"SELECT {_BODY_COLUMNS} FROM gateway_log_body WHERE chain = ? AND seq = ? ORDER BY part"  # noqa: S608
    return (_body(row) for row in _rows(url, sql, (chain, seq)))


def read_stamps(url: str) -> list[Stamp]:
    def gen_time(text: str | None) -> datetime.datetime | None:
        return datetime.datetime.fromisoformat(text) if text else None

    sql = "SELECT chain, seq, tsa, token, gen_time FROM gateway_log_timestamp ORDER BY chain, seq"
    return [
        Stamp(row[0], int(row[1]), row[2], bytes(row[3]), gen_time(row[4]))
        for row in _rows(url, sql)
    ]


def find_records(
    url: str, request_id: str | None = None, chain: str | None = None, seq: int | None = None
) -> list[Entry]:
    """The records of a request id, or the one at ``chain``/``seq``."""
    if request_id is not None:
        sql = "SELECT chain, seq, hash, body FROM gateway_log_record WHERE request_id = ?"
        rows = _rows(url, sql + " ORDER BY chain, seq", (request_id,))
    else:
        sql = "SELECT chain, seq, hash, body FROM gateway_log_record WHERE chain = ? AND seq = ?"
        rows = _rows(url, sql, (chain, seq))
    return [Entry(row[0], int(row[1]), row[2], row[3]) for row in rows]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def export_archive(
    url: str, out: Path, key: crypto.SigningKey | None, node: str = "gateway"
) -> int:
    """Write the whole log as a JSON-lines archive, sealed with ``key`` if given."""
    records, checkpoints = read_store(url)
    running = hashlib.sha256()
    count = 0
    with open(out, "w", encoding="utf-8") as handle:

        def emit(data: Mapping[str, Any]) -> None:
            line = json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n"
            running.update(line.encode())
            handle.write(line)

        header: dict[str, Any] = {
            "type": "header",
            "format": ARCHIVE_FORMAT,
            "exported_at": iso(time.time()),
            "node": node,
            "keys": {key.kid: key.public_b64url} if key else {},
        }
        emit(header)
        for entry in records:
            emit(
                {
                    "type": "record",
                    "chain": entry.chain,
                    "seq": entry.seq,
                    "hash": entry.hash,
                    "body": entry.body,
                }
            )
            count += 1
        for checkpoint in checkpoints:
            emit(
                {
                    "type": "checkpoint",
                    "chain": checkpoint.chain,
                    "seq": checkpoint.seq,
                    "kid": checkpoint.kid,
                    "signature": checkpoint.signature,
                    "body": checkpoint.body,
                }
            )
        for chain, seq, sealed in read_bodies(url):
            emit({"type": "body", "chain": chain, "seq": seq, **sealed.to_json()})
        for stamp in read_stamps(url):
            emit(
                {
                    "type": "timestamp",
                    "chain": stamp.chain,
                    "seq": stamp.seq,
                    "tsa": stamp.tsa,
                    "token": _b64(stamp.token),
                    "gen_time": stamp.gen_time.isoformat() if stamp.gen_time else None,
                }
            )
        if key is not None:
            digest = running.hexdigest()
            seal = {
                "type": "seal",
                "sha256": digest,
                "kid": key.kid,
                "signature": key.sign(digest.encode()),
            }
            handle.write(json.dumps(seal, sort_keys=True) + "\n")
    return count


@dataclass
class Report:
    records: int = 0
    chains: int = 0
    checkpoints: int = 0
    unsealed: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    records: Iterable[Entry],
    checkpoints: Iterable[Checkpoint],
    keys: Mapping[str, Ed25519PublicKey],
    max_problems: int = 100,
) -> Report:
    """Check chains and checkpoint signatures; see the module docstring."""
    report = Report()

    def problem(text: str) -> None:
        if len(report.problems) < max_problems:
            report.problems.append(text)
        elif len(report.problems) == max_problems:
            report.problems.append("… further problems not listed")

    wanted: dict[tuple[str, int], str] = {}  # (chain, seq) → hash the checkpoint vouches for
    for checkpoint in checkpoints:
        report.checkpoints += 1
        where = f"checkpoint {checkpoint.chain}#{checkpoint.seq}"
        key = keys.get(checkpoint.kid)
        if key is None:
            problem(f"{where}: signed by unknown key {checkpoint.kid!r}")
            continue
        if not crypto.verify(key, checkpoint.signature, checkpoint.body.encode()):
            problem(f"{where}: signature does not verify (checkpoint altered)")
            continue
        try:
            data = json.loads(checkpoint.body)
        except ValueError:
            problem(f"{where}: body is not JSON")
            continue
        if data.get("chain") != checkpoint.chain or data.get("seq") != checkpoint.seq:
            problem(f"{where}: body names {data.get('chain')}#{data.get('seq')}")
            continue
        wanted[(checkpoint.chain, checkpoint.seq)] = str(data.get("hash"))

    seen_chains: set[str] = set()
    current: str | None = None
    expected_seq = 1
    prev = ""
    last_sealed = 0
    last_seq = 0

    def close_chain() -> None:
        if current is None:
            return
        missing = [seq for (chain, seq) in wanted if chain == current and seq > last_seq]
        if missing:
            problem(
                f"chain {current}: records up to #{max(missing)} were checkpointed but the log "
                f"ends at #{last_seq} (records deleted at the end)"
            )
        if last_seq > last_sealed:
            report.unsealed += last_seq - last_sealed

    for entry in records:
        report.records += 1
        if entry.chain != current:
            close_chain()
            if entry.chain in seen_chains:
                problem(f"chain {entry.chain}: records out of order (chain interleaved)")
            seen_chains.add(entry.chain)
            current = entry.chain
            expected_seq = 1
            prev = genesis(entry.chain)
            last_sealed = 0
            last_seq = 0
        where = f"record {entry.chain}#{entry.seq}"
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                problem(f"{where}: records #{expected_seq}..#{entry.seq - 1} are missing")
            else:
                problem(f"{where}: out of order (expected #{expected_seq})")
        try:
            data = json.loads(entry.body)
        except ValueError:
            problem(f"{where}: body is not JSON")
            data = {}
        if data.get("chain") != entry.chain or data.get("seq") != entry.seq:
            problem(f"{where}: body says {data.get('chain')}#{data.get('seq')} (moved)")
        if chain_hash(str(data.get("prev", "")), entry.body.encode()) != entry.hash:
            problem(f"{where}: hash does not match the body (record altered)")
        if data.get("prev") != prev:
            problem(f"{where}: does not link to the previous record")
        vouched = wanted.get((entry.chain, entry.seq))
        if vouched is not None:
            if vouched != entry.hash:
                problem(f"{where}: differs from what checkpoint #{entry.seq} signed")
            last_sealed = entry.seq
        prev = entry.hash
        last_seq = entry.seq
        expected_seq = entry.seq + 1
    close_chain()
    for chain, seq in wanted:
        if chain not in seen_chains:
            problem(f"chain {chain}: checkpoint #{seq} exists but all its records are gone")
    report.chains = len(seen_chains)
    if report.unsealed:
        report.warnings.append(
            f"{report.unsealed} record(s) after the last checkpoint of their chain are covered "
            "by the hash chain only"
        )
    return report


@dataclass
class Archive:
    """An archive's content; ``problems`` holds what is wrong with the file itself (the seal)."""

    records: list[Entry] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    bodies: list[tuple[str, int, SealedBody]] = field(default_factory=list)
    stamps: list[Stamp] = field(default_factory=list)


def read_archive(path: Path) -> tuple[list[Entry], list[Checkpoint], dict[str, Any], list[str]]:
    """Parse an archive; also checks the seal when present (problems returned as the 4th item)."""
    archive = load_archive(path)
    return archive.records, archive.checkpoints, archive.header, archive.problems


def load_archive(path: Path) -> Archive:
    """Parse an archive with its bodies and time stamps; checks the seal when present."""
    archive = Archive()
    records, checkpoints = archive.records, archive.checkpoints
    header, problems = archive.header, archive.problems
    running = hashlib.sha256()
    sealed = False
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                problems.append(f"archive line {number}: not JSON")
                continue
            kind = data.get("type")
            if kind == "seal":
                sealed = True
                header["_seal"] = data
                if data.get("sha256") != running.hexdigest():
                    problems.append("archive seal does not match its content (lines changed)")
                continue
            if sealed:
                problems.append(f"archive line {number}: content after the seal")
            running.update(line.encode() if line.endswith("\n") else (line + "\n").encode())
            if kind == "header":
                header.update(data)
            elif kind == "record":
                records.append(Entry(data["chain"], int(data["seq"]), data["hash"], data["body"]))
            elif kind == "checkpoint":
                checkpoints.append(
                    Checkpoint(
                        data["chain"],
                        int(data["seq"]),
                        data["body"],
                        data["kid"],
                        data["signature"],
                    )
                )
            elif kind == "body":
                archive.bodies.append((data["chain"], int(data["seq"]), SealedBody.from_json(data)))
            elif kind == "timestamp":
                gen_time = data.get("gen_time")
                archive.stamps.append(
                    Stamp(
                        data["chain"],
                        int(data["seq"]),
                        str(data.get("tsa", "")),
                        base64.b64decode(data["token"]),
                        datetime.datetime.fromisoformat(gen_time) if gen_time else None,
                    )
                )
            else:
                problems.append(f"archive line {number}: unknown type {kind!r}")
    if header.get("format") != ARCHIVE_FORMAT:
        problems.append("not a gateway log archive (header missing or wrong format)")
    if not sealed:
        problems.append("archive has no seal (it may have been cut short)")
    return archive


def check_seal(header: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey]) -> str | None:
    seal = header.get("_seal")
    if not isinstance(seal, dict):
        return None
    key = keys.get(str(seal.get("kid")))
    if key is None:
        return f"archive sealed with unknown key {seal.get('kid')!r}"
    if not crypto.verify(key, str(seal.get("signature")), str(seal.get("sha256")).encode()):
        return "archive seal signature does not verify"
    return None
