"""Ingestion: any source to one Parquet file, pseudonymised, with the row policies applied.

:func:`convert` opens a source (:func:`open_source`: CSV from
:mod:`~egov.analytics.engines.csvsource`, the other formats from
:mod:`~egov.analytics.engines.sources`), and :func:`write_parquet` drains it into one Parquet file
— batches are read on a thread while the caller pseudonymises and writes the previous one —
replacing personal-identifier columns by their pseudonyms on the way
(:mod:`~egov.analytics.engines.pseudonym`). It returns the row count, schema and SHA-256 of the
file and of the source. Publishing versions atomically is the
:mod:`~egov.analytics.engines.warehouse`'s job.

The readers are re-exported here, so ``from egov.analytics.engines.ingest import read_csv`` works.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from egov.analytics.engines.csvsource import (
    CsvOptions,
    Diagnosis,
    _ValueError,
    detect_encoding,
    diagnose_csv_values,
    malformed_rows,
    read_csv,
)
from egov.analytics.engines.errors import LoadRejected
from egov.analytics.engines.pseudonym import CHAIN_METADATA, KeyRing, PersonalColumn
from egov.analytics.engines.sources import (
    DEFAULT_BLOCK_SIZE,
    BatchStream,
    FileFormat,
    MalformedPolicy,
    RowProblem,
    check_columns,
    format_of,
    read_arrow,
    read_json,
    read_parquet,
    read_xlsx,
    sha256_file,
)

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "BatchStream",
    "Conversion",
    "CsvOptions",
    "Diagnosis",
    "FileFormat",
    "MalformedPolicy",
    "Progress",
    "RowProblem",
    "WriteResult",
    "check_columns",
    "convert",
    "detect_encoding",
    "diagnose_csv_values",
    "format_of",
    "infer_schema",
    "malformed_rows",
    "open_source",
    "read_arrow",
    "read_csv",
    "read_json",
    "read_parquet",
    "read_xlsx",
    "sha256_file",
    "write_parquet",
]

Progress = Callable[[int, int | None], None]


"""Called with (bytes read so far, total bytes or None) as a load proceeds."""


@dataclass(frozen=True)
class WriteResult:
    path: Path
    rows: int
    schema: pa.Schema
    sha256: str
    bytes_written: int
    pseudonymised: Mapping[str, tuple[str, ...]]
    seconds: float


def open_source(
    source: Path | pa.Table | pa.RecordBatchReader,
    *,
    format: FileFormat | None = None,
    csv_options: CsvOptions | None = None,
    personal: Iterable[str] = (),
    expected: pa.Schema | None = None,
    sheet: str | None = None,
) -> BatchStream:
    """Open any supported source as a :class:`BatchStream`."""
    personal = list(personal)
    if isinstance(source, pa.Table | pa.RecordBatchReader):
        return read_arrow(source)
    path = Path(source)
    if not path.is_file():
        raise LoadRejected(f"{path} is not a file.", code="missing_file")
    kind = format or format_of(path)
    if kind == "csv":
        return read_csv(path, csv_options, personal=personal, expected=expected)
    if kind == "parquet":
        return read_parquet(path)
    if kind == "json":
        return read_json(path, personal=personal)
    options = csv_options or CsvOptions()
    return read_xlsx(
        path,
        sheet=sheet,
        personal=personal,
        malformed=options.malformed,
        max_reported=options.max_reported,
    )


def infer_schema(
    source: Path,
    *,
    format: FileFormat | None = None,
    csv_options: CsvOptions | None = None,
    personal: Iterable[str] = (),
) -> pa.Schema:
    """The schema a load of ``source`` would have, from its first block only."""
    stream = open_source(source, format=format, csv_options=csv_options, personal=personal)
    try:
        return stream.schema
    finally:
        stream.close()


_DONE = object()


def _prefetch(batches: Iterator[pa.RecordBatch], depth: int = 2) -> Iterator[pa.RecordBatch]:
    """Read the next batches on a thread while the caller works on the current one."""
    slots: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item: Any) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for batch in batches:
                if not hand_over(batch):
                    return
            hand_over(_DONE)
        except BaseException as error:  # handed to the consumer
            hand_over(error)

    thread = threading.Thread(target=work, name="egov-ingest-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                slots.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def write_parquet(
    stream: BatchStream,
    destination: Path,
    *,
    personal: Sequence[PersonalColumn] = (),
    keyring: KeyRing | None = None,
    expected: pa.Schema | None = None,
    compression: str = "snappy",
    progress: Progress | None = None,
    prefetch: bool = True,
    chains: Mapping[str, tuple[str, ...]] | None = None,
) -> WriteResult:
    """Drain ``stream`` into ``destination`` (one Parquet file), pseudonymising on the way.

    With ``expected``, columns are put in its order and cast to its types. The raw values of
    personal columns exist only in the batch being converted; only pseudonyms are written, along
    ``chains[column]`` or the key ring's current key.
    """
    started = time.perf_counter()
    personal_by_name = {p.name: p for p in personal}
    missing = [p for p in personal_by_name if p not in stream.schema.names]
    if missing:
        raise LoadRejected(
            f"Personal columns {', '.join(missing)} are not in the source.",
            code="missing_personal_column",
            columns=missing,
        )
    if personal_by_name and keyring is None:
        raise LoadRejected(
            "Personal columns are declared but no pseudonymisation key is configured.",
            code="no_key",
        )
    if expected is not None:
        check_columns(stream.schema.names, expected.names)
    default = keyring.current_chain if keyring is not None else ()
    used = {name: tuple((chains or {}).get(name, default)) for name in personal_by_name}
    target = _target_schema(stream.schema, expected, personal_by_name, used)
    rows = 0
    writer: pq.ParquetWriter | None = None
    source = _prefetch(stream.batches) if prefetch else stream.batches
    try:
        for batch in source:
            out = _convert(batch, target, personal_by_name, keyring, used)
            if writer is None:
                writer = pq.ParquetWriter(
                    destination,
                    target,
                    compression=compression,
                    use_dictionary=_dictionary_columns(out),
                )
            if out.num_rows:
                writer.write_batch(out)
            rows += out.num_rows
            if progress is not None:
                progress(stream.bytes_read, stream.total_bytes)
        if writer is None:
            writer = pq.ParquetWriter(destination, target, compression=compression)
        writer.close()
        writer = None
    except _ValueError:
        raise
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        raise LoadRejected(
            f"The data does not fit the dataset's schema: {error}", code="bad_values"
        ) from error
    finally:
        if isinstance(source, Generator):
            source.close()  # stops and joins the reader thread before its file is closed
        if writer is not None:
            writer.close()
        stream.close()
    if progress is not None:
        progress(stream.bytes_read, stream.total_bytes)
    return WriteResult(
        path=destination,
        rows=rows,
        schema=target,
        sha256=sha256_file(destination),
        bytes_written=destination.stat().st_size,
        pseudonymised=used,
        seconds=time.perf_counter() - started,
    )


def _dictionary_columns(batch: pa.RecordBatch, share: float = 0.05) -> list[str]:
    """Columns worth dictionary-encoding: few distinct values in the first batch.

    Dictionary encoding shrinks region codes or statuses and speeds up reading them, but costs a
    hash per value, which is wasted on identifiers, pseudonyms and amounts (and is the largest
    part of writing them).
    """
    if batch.num_rows == 0:
        return list(batch.schema.names)
    limit = max(1, int(batch.num_rows * share))
    return [
        f.name
        for f, column in zip(batch.schema, batch.columns, strict=True)
        if pc.count_distinct(column).as_py() <= limit
    ]


def _target_schema(
    source: pa.Schema,
    expected: pa.Schema | None,
    personal: Mapping[str, PersonalColumn],
    chains: Mapping[str, tuple[str, ...]],
) -> pa.Schema:
    fields = []
    base = expected if expected is not None else source
    for f in base:
        if f.name in personal:
            metadata = {CHAIN_METADATA: ",".join(chains[f.name]).encode()}
            fields.append(pa.field(f.name, pa.string(), nullable=True, metadata=metadata))
        else:
            kind = f.type if expected is not None else _storable(f.type)
            fields.append(pa.field(f.name, kind, nullable=True))
    return pa.schema(fields)


def _storable(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_null(kind):
        return pa.string()  # an all-empty column: text until values say otherwise
    return kind


def _convert(
    batch: pa.RecordBatch,
    target: pa.Schema,
    personal: Mapping[str, PersonalColumn],
    keyring: KeyRing | None,
    chains: Mapping[str, tuple[str, ...]],
) -> pa.RecordBatch:
    arrays = []
    for f in target:
        column = batch.column(batch.schema.get_field_index(f.name))
        spec = personal.get(f.name)
        if spec is not None and keyring is not None:
            column = keyring.pseudonymise_array(
                column, chain=chains[f.name], normalisation=spec.normalisation
            )
        elif column.type != f.type:
            column = pc.cast(column, f.type)
        arrays.append(column)
    return pa.record_batch(arrays, schema=target)


@dataclass(frozen=True)
class Conversion:
    """A source converted to one Parquet file, with what was left out and why."""

    write: WriteResult
    format: str
    encoding: str | None
    source_sha256: str | None
    source_bytes: int | None
    problems: tuple[RowProblem, ...]
    problem_count: int
    widened: Mapping[str, str]


def convert(
    source: Path | pa.Table | pa.RecordBatchReader,
    destination: Path,
    *,
    format: FileFormat | None = None,
    csv_options: CsvOptions | None = None,
    personal: Sequence[PersonalColumn] = (),
    keyring: KeyRing | None = None,
    expected: pa.Schema | None = None,
    sheet: str | None = None,
    compression: str = "snappy",
    progress: Progress | None = None,
    chains: Mapping[str, tuple[str, ...]] | None = None,
) -> Conversion:
    """Convert ``source`` into the Parquet file ``destination``, applying the row policies.

    CSV values that do not fit an *inferred* integer column but are decimal numbers widen it to
    float64; any other misfit is reported by line and, by ``csv_options.malformed``, rejects the
    load or leaves those rows out. Raises :class:`LoadRejected` (or :class:`SchemaDrift`).
    """
    options = csv_options or CsvOptions()
    names = [p.name for p in personal]
    overrides: dict[str, pa.DataType] = {}
    lenient: dict[str, pa.DataType] = {}
    diagnosis = Diagnosis()
    widened: dict[str, str] = {}
    kind = (
        None
        if isinstance(source, pa.Table | pa.RecordBatchReader)
        else (format or format_of(Path(source)))
    )
    for _attempt in range(4):
        try:
            if kind == "csv":
                stream = read_csv(
                    Path(str(source)),
                    options,
                    personal=names,
                    expected=expected,
                    overrides=overrides,
                    lenient=lenient,
                )
            else:
                stream = open_source(
                    source,
                    format=kind,
                    csv_options=options,
                    personal=names,
                    expected=expected,
                    sheet=sheet,
                )
            result = write_parquet(
                stream,
                destination,
                personal=personal,
                keyring=keyring,
                expected=expected,
                compression=compression,
                progress=progress,
                chains=chains,
            )
        except _ValueError as error:
            if kind != "csv":  # pragma: no cover - only the CSV reader raises it
                raise LoadRejected(str(error), code="bad_values") from error
            schema = error.schema
            diagnosis = diagnose_csv_values(Path(str(source)), schema, options, personal=names)
            if not diagnosis.count:
                raise LoadRejected(
                    f"A value does not fit its column: {error}", code="bad_values"
                ) from error
            explicit = set(options.column_types) | set(names)
            if expected is not None:
                explicit |= set(expected.names)
            widen = {c for c in diagnosis.numeric if c not in explicit}
            if widen == set(diagnosis.columns):
                for name in widen:
                    overrides[name] = pa.float64()
                    widened[name] = "float64"
                diagnosis = Diagnosis()
                continue
            if options.malformed == "reject":
                raise LoadRejected(
                    f"{diagnosis.count} values do not fit their column's type "
                    f"(columns: {', '.join(sorted(diagnosis.columns))}).",
                    code="bad_values",
                    problems=[p.to_dict() for p in diagnosis.problems],
                    problem_count=diagnosis.count,
                    columns=dict(diagnosis.columns),
                ) from error
            lenient.update({c: schema.field(c).type for c in diagnosis.columns})
            continue
        if kind == "csv" and any(p.line is None for p in stream.problems):
            found = malformed_rows(Path(str(source)), len(stream.schema), options)
            stream.problems = found or stream.problems
        if stream.problem_count and options.malformed == "reject":
            raise LoadRejected(
                f"{stream.problem_count} rows are malformed"
                + (
                    " (showing the first ones)"
                    if stream.problem_count > len(stream.problems)
                    else ""
                )
                + ".",
                code="malformed_rows",
                problems=[p.to_dict() for p in stream.problems],
                problem_count=stream.problem_count,
            )
        problems = sorted(
            [*stream.problems, *diagnosis.problems], key=lambda p: (p.line is None, p.line or 0)
        )[: options.max_reported]
        return Conversion(
            write=result,
            format=stream.format,
            encoding=stream.encoding,
            source_sha256=stream.source_sha256,
            source_bytes=stream.total_bytes,
            problems=tuple(problems),
            problem_count=stream.problem_count + diagnosis.count,
            widened=widened,
        )
    raise LoadRejected("The source's values could not be fitted to a schema.", code="bad_values")
