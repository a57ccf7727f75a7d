"""Sources as streams of Arrow batches: the shared types and the readers other than CSV.

* :func:`read_parquet` — row group by row group.
* :func:`read_json` — newline-delimited JSON streams; a top-level JSON array is read whole
  (up to ``max_array_bytes``), as arrays cannot be streamed by pyarrow.
* :func:`read_xlsx` — openpyxl in read-only mode, ``batch_rows`` rows at a time; types come
  from the first batch; rows whose cells do not fit are reported by row number and, by policy,
  reject the load or are left out.
* :func:`read_arrow` — an Arrow table or record batch reader already in memory.

CSV has its own module, :mod:`~egov.analytics.engines.csvsource`.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Literal

import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq

from egov.analytics.engines.errors import LoadRejected, SchemaDrift

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "MAX_REPORTED",
    "BatchStream",
    "FileFormat",
    "MalformedPolicy",
    "RowProblem",
    "check_columns",
    "format_of",
    "read_arrow",
    "read_json",
    "read_parquet",
    "read_xlsx",
    "sha256_file",
]

DEFAULT_BLOCK_SIZE: Final = 4 << 20


MAX_REPORTED: Final = 100


FileFormat = Literal["csv", "parquet", "json", "xlsx"]


MalformedPolicy = Literal["reject", "quarantine"]


@dataclass(frozen=True)
class RowProblem:
    """A row left out or rejected: where it is and what is wrong (never the raw row)."""

    line: int | None
    kind: Literal["fields", "value"]
    message: str
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "kind": self.kind,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class BatchStream:
    """A source opened for reading: its schema, its batches, and what was learnt on the way."""

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]
    format: str
    encoding: str | None = None
    total_bytes: int | None = None
    bytes_read: int = 0
    source_sha256: str | None = None
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for closer in self.closers:
            closer()
        self.closers.clear()

    def note(self, problem: RowProblem, limit: int = MAX_REPORTED) -> None:
        self.problem_count += 1
        if len(self.problems) < limit:
            self.problems.append(problem)


class _HashingReader(io.RawIOBase):
    """A file read through SHA-256 and a byte counter (for the checksum and progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.hash = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        n = self.raw.readinto(view)  # type: ignore[attr-defined]
        if n:
            self.hash.update(view[:n])
            self.count += n
        return int(n or 0)

    def close(self) -> None:
        self.raw.close()
        super().close()


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _check_header(names: Sequence[str]) -> None:
    if not names:
        raise LoadRejected("The file has no header row.", code="bad_header")
    blanks = [i + 1 for i, n in enumerate(names) if not n.strip()]
    if blanks:
        raise LoadRejected(
            f"Header columns {blanks} have no name.", code="bad_header", positions=blanks
        )
    seen: set[str] = set()
    duplicates = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if duplicates:
        raise LoadRejected(
            f"Columns appear more than once: {', '.join(duplicates)}.",
            code="bad_header",
            duplicates=duplicates,
        )


def check_columns(found: Sequence[str], expected: Sequence[str]) -> None:
    """Stop with :class:`SchemaDrift` when columns were added or removed."""
    added = [c for c in found if c not in set(expected)]
    missing = [c for c in expected if c not in set(found)]
    if added or missing:
        parts = []
        if added:
            parts.append(f"new columns {', '.join(added)}")
        if missing:
            parts.append(f"missing columns {', '.join(missing)}")
        raise SchemaDrift(
            f"The source's columns changed ({'; '.join(parts)}); decide whether the dataset's "
            "schema changes before loading it.",
            added=added,
            missing=missing,
        )


def read_parquet(path: Path, *, batch_rows: int = 65_536) -> BatchStream:
    handle = pq.ParquetFile(path)
    stream = BatchStream(
        schema=handle.schema_arrow,
        batches=iter(()),
        format="parquet",
        total_bytes=path.stat().st_size,
    )
    stream.closers.append(handle.close)

    def batches() -> Iterator[pa.RecordBatch]:
        for group in range(handle.num_row_groups):
            yield from handle.iter_batches(batch_size=batch_rows, row_groups=[group])
            stream.bytes_read = min(
                stream.total_bytes or 0,
                sum(handle.metadata.row_group(g).total_byte_size for g in range(group + 1)),
            )
        stream.source_sha256 = sha256_file(path)
        stream.bytes_read = stream.total_bytes or 0

    stream.batches = batches()
    return stream


def read_json(
    path: Path,
    *,
    block_size: int = DEFAULT_BLOCK_SIZE,
    max_array_bytes: int = 256 << 20,
    personal: Iterable[str] = (),
) -> BatchStream:
    """Newline-delimited JSON (streamed) or a JSON array of objects (read whole)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"["):
        if size > max_array_bytes:
            raise LoadRejected(
                f"A JSON array of {size} bytes is too large to read whole; "
                "send newline-delimited JSON (one object per line) instead.",
                code="json_too_large",
            )
        try:
            records = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as error:
            raise LoadRejected(f"The JSON file cannot be read: {error}", code="bad_json") from error
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise LoadRejected("The JSON array must hold objects only.", code="bad_json")
        table = _table_from_records(records, personal=set(personal))
        stream = read_arrow(table)
        stream.format = "json"
        stream.total_bytes = size
        stream.source_sha256 = sha256_file(path)
        return stream
    types = {name: pa.string() for name in personal}
    raw = _HashingReader(path.open("rb"))
    try:
        reader = pajson.open_json(
            io.BufferedReader(raw, buffer_size=1 << 20),
            read_options=pajson.ReadOptions(block_size=block_size, use_threads=False),
            parse_options=pajson.ParseOptions(
                explicit_schema=pa.schema(list(types.items())) if types else None,
                unexpected_field_behavior="infer",
            ),
        )
    except pa.ArrowInvalid as error:
        raw.close()
        raise LoadRejected(f"The JSON file cannot be read: {error}", code="bad_json") from error
    stream = BatchStream(schema=reader.schema, batches=iter(()), format="json", total_bytes=size)
    stream.closers.append(raw.close)

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for batch in reader:
                stream.bytes_read = raw.count
                yield batch
        except pa.ArrowInvalid as error:
            raise LoadRejected(f"The JSON file cannot be read: {error}", code="bad_json") from error
        stream.source_sha256 = raw.hash.hexdigest()

    stream.batches = batches()
    return stream


def _table_from_records(records: list[dict[str, Any]], personal: set[str]) -> pa.Table:
    names: list[str] = []
    for record in records:
        for key in record:
            if key not in names:
                names.append(key)
    columns = {n: [r.get(n) for r in records] for n in names}
    return pa.table(
        {
            n: _column_array(v, force_text=n in personal, where=f"column {n}")
            for n, v in columns.items()
        }
    )


def _column_array(values: list[Any], *, force_text: bool, where: str) -> pa.Array:
    if force_text:
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())
    kind = _unify(values)
    if kind == pa.string():
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())
    try:
        return pa.array(values, type=kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as error:
        raise LoadRejected(
            f"Values in {where} do not share one type: {error}", code="bad_values"
        ) from error


def _unify(values: Iterable[Any]) -> pa.DataType:
    import datetime as dt

    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return pa.string()
    if kinds == {bool}:
        return pa.bool_()
    if kinds <= {int}:
        return pa.int64()
    if kinds <= {int, float}:
        return pa.float64()
    if kinds <= {dt.datetime}:
        return pa.timestamp("us")
    if kinds <= {dt.date}:
        return pa.date32()
    if kinds <= {dt.date, dt.datetime}:
        return pa.timestamp("us")
    return pa.string()


def read_xlsx(
    path: Path,
    *,
    sheet: str | None = None,
    batch_rows: int = 10_000,
    personal: Iterable[str] = (),
    malformed: MalformedPolicy = "reject",
    max_reported: int = MAX_REPORTED,
) -> BatchStream:
    """The first (or the named) sheet; its first non-empty row is the header."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise LoadRejected(f"The XLSX file cannot be read: {error}", code="bad_xlsx") from error
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
    except (KeyError, IndexError) as error:
        book.close()
        raise LoadRejected(f"The workbook has no sheet {sheet!r}.", code="bad_xlsx") from error
    rows = ws.iter_rows(values_only=True)
    header: list[str] = []
    line = 0
    for row in rows:
        line += 1
        if any(v is not None and str(v).strip() for v in row):
            header = ["" if v is None else str(v).strip() for v in row]
            break
    while header and not header[-1]:
        header.pop()
    _check_header(header)
    width = len(header)
    forced = set(personal)
    first: list[tuple[int, tuple[Any, ...]]] = []
    for row in rows:
        line += 1
        if any(v is not None for v in row):
            first.append((line, tuple(row[:width]) + (None,) * (width - len(row))))
        if len(first) >= batch_rows:
            break
    types = {
        name: (pa.string() if name in forced else _unify(r[i] for _, r in first))
        for i, name in enumerate(header)
    }
    schema = pa.schema([(n, types[n]) for n in header])
    stream = BatchStream(
        schema=schema, batches=iter(()), format="xlsx", total_bytes=path.stat().st_size
    )
    stream.closers.append(book.close)

    def build(chunk: list[tuple[int, tuple[Any, ...]]]) -> pa.RecordBatch:
        good: list[tuple[Any, ...]] = []
        for number, values in chunk:
            bad = _bad_cell(values, schema)
            if bad is None:
                good.append(values)
                continue
            stream.note(
                RowProblem(number, "value", f"not a valid {schema.field(bad).type}", bad),
                max_reported,
            )
        if stream.problem_count and malformed == "reject":
            raise LoadRejected(
                f"{stream.problem_count} rows have values of the wrong type.",
                code="bad_values",
                problems=[p.to_dict() for p in stream.problems],
                problem_count=stream.problem_count,
            )
        arrays = [
            pa.array([_cell(v[i], f.type) for v in good], type=f.type) for i, f in enumerate(schema)
        ]
        return pa.record_batch(arrays, schema=schema)

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal line
        if first:
            yield build(first)
        chunk: list[tuple[int, tuple[Any, ...]]] = []
        for row in rows:
            line += 1
            if not any(v is not None for v in row):
                continue
            chunk.append((line, tuple(row[:width]) + (None,) * (width - len(row))))
            if len(chunk) >= batch_rows:
                yield build(chunk)
                chunk = []
        if chunk:
            yield build(chunk)
        stream.bytes_read = stream.total_bytes or 0
        stream.source_sha256 = sha256_file(path)

    stream.batches = batches()
    return stream


def _bad_cell(values: tuple[Any, ...], schema: pa.Schema) -> str | None:
    import datetime as dt

    for value, f in zip(values, schema, strict=True):
        if value is None or pa.types.is_string(f.type):
            continue
        kind = f.type
        ok = (
            (pa.types.is_boolean(kind) and isinstance(value, bool))
            or (
                pa.types.is_integer(kind) and isinstance(value, int) and not isinstance(value, bool)
            )
            or (
                pa.types.is_floating(kind)
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            )
            or (pa.types.is_timestamp(kind) and isinstance(value, dt.date))
            or (pa.types.is_date(kind) and isinstance(value, dt.date))
        )
        if not ok:
            return str(f.name)
    return None


def _cell(value: Any, kind: pa.DataType) -> Any:
    import datetime as dt

    if value is None:
        return None
    if pa.types.is_string(kind):
        return value if isinstance(value, str) else str(value)
    if pa.types.is_date(kind) and isinstance(value, dt.datetime):
        return value.date()
    if pa.types.is_floating(kind):
        return float(value)
    return value


def read_arrow(data: pa.Table | pa.RecordBatchReader) -> BatchStream:
    if isinstance(data, pa.Table):
        return BatchStream(schema=data.schema, batches=iter(data.to_batches()), format="arrow")
    return BatchStream(schema=data.schema, batches=iter(data), format="arrow")


def format_of(path: Path) -> FileFormat:
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv"
    if suffix in {".parquet", ".pq"}:
        return "parquet"
    if suffix in {".json", ".ndjson", ".jsonl"}:
        return "json"
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    raise LoadRejected(
        f"Cannot tell the format of {path.name}: use .csv, .xlsx, .parquet or .json.",
        code="unknown_format",
    )
