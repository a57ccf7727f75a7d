"""CSV sources: encodings, streaming, malformed rows and misfit values, by line.

:func:`read_csv` uses pyarrow's streaming CSV reader, one block (4 MiB by default) at a time.
Encoding is detected (UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1251, KZ-1048) unless
given. Malformed rows (wrong number of fields) are reported by line number and, by policy, reject
the load or are left out ("quarantined"). A value that does not fit its column's type stops the
stream; :func:`diagnose_csv_values` then finds the lines, and the caller
(:func:`~egov.analytics.engines.ingest.convert`) rejects the load or reads it again with those
rows left out.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from egov.analytics.engines.errors import LoadRejected
from egov.analytics.engines.sources import (
    DEFAULT_BLOCK_SIZE,
    MAX_REPORTED,
    BatchStream,
    MalformedPolicy,
    RowProblem,
    _check_header,
    _HashingReader,
    check_columns,
)

__all__ = [
    "NULL_VALUES",
    "CsvOptions",
    "Diagnosis",
    "detect_encoding",
    "diagnose_csv_values",
    "malformed_rows",
    "read_csv",
]

NULL_VALUES: Final = ("", "NULL", "null", "NA", "N/A", "n/a", "#N/A")


@dataclass(frozen=True)
class CsvOptions:
    """How to read a CSV file. ``column_types`` fixes types instead of inferring them."""

    delimiter: str = ","
    quote_char: str = '"'
    encoding: str | None = None
    newlines_in_values: bool = False
    column_types: Mapping[str, pa.DataType] = field(default_factory=dict)
    null_values: Sequence[str] = NULL_VALUES
    block_size: int = DEFAULT_BLOCK_SIZE
    malformed: MalformedPolicy = "reject"
    max_reported: int = MAX_REPORTED
    use_threads: bool = False
    """Parse blocks in parallel; line numbers of malformed rows are then found afterwards."""


_KAZAKH = frozenset("ӘәҒғҚқҢңӨөҰұҮүҺһІі")


_CP1251_FOREIGN = frozenset("ЂЃђѓЉЊЌЋЏљњќћџЎўЈҐЁЄЇЅјѕєїґ")


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file's first bytes: utf-8, utf-8-sig, utf-16, cp1251 or kz1048."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for cut in range(4):  # the sample may end inside a multi-byte character
        try:
            (sample[: len(sample) - cut] if cut else sample).decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as error:
            if error.start < len(sample) - 4:
                break
    try:
        text = sample.decode("cp1251")
    except UnicodeDecodeError:
        text = ""
    letters = [c for c in text if c.isalpha()]
    cyrillic = [c for c in letters if "Ѐ" <= c <= "ӿ"]
    if letters and len(cyrillic) >= 0.3 * len(letters):
        foreign = sum(1 for c in cyrillic if c in _CP1251_FOREIGN)
        kazakh = sum(1 for c in sample.decode("kz1048", "replace") if c in _KAZAKH)
        if foreign and kazakh >= foreign:
            return "kz1048"
        return "cp1251"
    raise LoadRejected(
        "The file's encoding is not UTF-8, UTF-16 or Windows-1251; convert it to UTF-8 or say "
        "which encoding it uses.",
        code="unknown_encoding",
    )


def _csv_options(
    options: CsvOptions,
    encoding: str,
    column_types: Mapping[str, pa.DataType],
    handler: Callable[[Any], str] | None,
) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions, pacsv.ConvertOptions]:
    read = pacsv.ReadOptions(
        block_size=options.block_size,
        use_threads=options.use_threads,
        encoding="utf8" if encoding in {"utf-8", "utf-8-sig"} else encoding,
    )
    parse = pacsv.ParseOptions(
        delimiter=options.delimiter,
        quote_char=options.quote_char,
        newlines_in_values=options.newlines_in_values,
        invalid_row_handler=handler,
    )
    convert = pacsv.ConvertOptions(
        column_types=dict(column_types),
        null_values=list(options.null_values),
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    return read, parse, convert


def _detect_file_encoding(path: Path, options: CsvOptions) -> str:
    if options.encoding:
        return options.encoding.lower()
    with path.open("rb") as handle:
        return detect_encoding(handle.read(1 << 16))


def read_csv(
    path: Path,
    options: CsvOptions | None = None,
    *,
    personal: Iterable[str] = (),
    expected: pa.Schema | None = None,
    overrides: Mapping[str, pa.DataType] | None = None,
    lenient: Mapping[str, pa.DataType] | None = None,
) -> BatchStream:
    """Open a CSV file as a stream of batches (see the module's notes on policies).

    Columns named in ``personal`` are read as text (identifiers keep their leading zeros);
    with ``expected``, the header must have the same columns (else :class:`SchemaDrift`) and
    values are read as the expected types. ``overrides`` fixes more types; ``lenient`` columns
    are read as text and cast to their type here, leaving out the rows that do not cast.
    """
    options = options or CsvOptions()
    encoding = _detect_file_encoding(path, options)
    header = _csv_header(path, options, encoding)
    _check_header(header)
    if expected is not None:
        check_columns(header, expected.names)
    types: dict[str, pa.DataType] = {}
    if expected is not None:
        types.update({f.name: f.type for f in expected})
    types.update(options.column_types)
    types.update(overrides or {})
    for name in personal:
        types[name] = pa.string()
    lenient = dict(lenient or {})
    for name in lenient:
        types[name] = pa.string()

    raw = _HashingReader(path.open("rb"))
    stream_ref: list[BatchStream] = []

    def on_invalid(row: Any) -> str:
        stream = stream_ref[0]
        stream.note(
            RowProblem(
                line=row.number,
                kind="fields",
                message=f"expected {row.expected_columns} fields, found {row.actual_columns}",
            ),
            options.max_reported,
        )
        if options.malformed == "reject" and stream.problem_count >= options.max_reported:
            return "error"
        return "skip"

    read, parse, convert = _csv_options(options, encoding, types, on_invalid)

    def open_reader() -> pacsv.CSVStreamingReader:
        try:
            return pacsv.open_csv(
                io.BufferedReader(raw, buffer_size=1 << 20),
                read_options=read,
                parse_options=parse,
                convert_options=convert,
            )
        except pa.ArrowInvalid as error:
            raw.close()
            if _is_conversion_error(str(error)):
                declared = pa.schema([(n, types.get(n, pa.string())) for n in header])
                raise _ValueError(str(error), declared) from error
            raise LoadRejected(f"The CSV file cannot be read: {error}", code="bad_csv") from error
        except BaseException:
            raw.close()
            raise

    stream_ref.append(BatchStream(schema=pa.schema([]), batches=iter(()), format="csv"))
    reader = open_reader()
    empty = [f.name for f in reader.schema if pa.types.is_null(f.type)]
    if empty:  # all empty in the first block: text, until a schema decision says otherwise
        raw.close()
        raw = _HashingReader(path.open("rb"))
        types.update({name: pa.string() for name in empty})
        read, parse, convert = _csv_options(options, encoding, types, on_invalid)
        stream_ref.clear()
        stream_ref.append(BatchStream(schema=pa.schema([]), batches=iter(()), format="csv"))
        reader = open_reader()
    schema = reader.schema
    for name, kind in lenient.items():
        schema = schema.set(schema.get_field_index(name), pa.field(name, kind))
    stream = stream_ref[0]
    stream.schema = schema
    stream.encoding = encoding
    stream.total_bytes = path.stat().st_size
    stream.closers.append(raw.close)
    hashing = raw

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for batch in reader:
                stream.bytes_read = hashing.count
                if lenient:
                    batch = _cast_leniently(batch, lenient, schema)
                yield batch
        except pa.ArrowInvalid as error:
            message = str(error)
            if _is_conversion_error(message):
                raise _ValueError(message, schema) from error
            if options.malformed == "reject" and stream.problem_count:
                return
            raise LoadRejected(f"The CSV file cannot be read: {message}", code="bad_csv") from error
        stream.bytes_read = hashing.count
        stream.source_sha256 = hashing.hash.hexdigest()

    stream.batches = batches()
    return stream


class _ValueError(Exception):
    """A value did not convert to its column's type (pyarrow does not say where reliably)."""

    def __init__(self, message: str, schema: pa.Schema) -> None:
        super().__init__(message)
        self.schema = schema


def _is_conversion_error(message: str) -> bool:
    return "CSV conversion error" in message or "In CSV column" in message


def _cast_leniently(
    batch: pa.RecordBatch, lenient: Mapping[str, pa.DataType], schema: pa.Schema
) -> pa.RecordBatch:
    """Cast text columns to their types, leaving out the rows whose values do not cast."""
    bad: set[int] = set()
    for name, kind in lenient.items():
        bad.update(_failing(batch.column(batch.schema.get_field_index(name)), kind))
    if bad:
        keep = pa.array([i not in bad for i in range(batch.num_rows)])
        batch = batch.filter(keep)
    arrays = [
        pc.cast(batch.column(i), f.type) if f.name in lenient else batch.column(i)
        for i, f in enumerate(schema)
    ]
    return pa.record_batch(arrays, schema=schema)


def _csv_header(path: Path, options: CsvOptions, encoding: str) -> list[str]:
    codec = "utf-8-sig" if encoding in {"utf-8", "utf-8-sig"} else encoding
    with path.open("r", encoding=codec, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=options.delimiter, quotechar=options.quote_char)
        try:
            return next(reader)
        except StopIteration:
            raise LoadRejected("The CSV file is empty.", code="empty_file") from None
        except csv.Error as error:
            raise LoadRejected(f"The CSV header cannot be read: {error}", code="bad_csv") from error


@dataclass
class Diagnosis:
    """Lines whose values do not fit their column's type."""

    problems: list[RowProblem] = field(default_factory=list)
    count: int = 0
    columns: dict[str, int] = field(default_factory=dict)
    numeric: set[str] = field(default_factory=set)
    """Integer columns whose failing values are all decimal numbers (so float64 fits)."""


def diagnose_csv_values(
    path: Path,
    schema: pa.Schema,
    options: CsvOptions | None = None,
    *,
    personal: Iterable[str] = (),
) -> Diagnosis:
    """Find the lines whose values do not fit ``schema``, streaming the file once.

    Python's csv module counts physical lines exactly (blank lines and quoted line breaks too);
    rows with the wrong number of fields are skipped here, as the reader reports them.
    """
    options = options or CsvOptions()
    encoding = _detect_file_encoding(path, options)
    codec = "utf-8-sig" if encoding in {"utf-8", "utf-8-sig"} else encoding
    hidden = set(personal)
    typed = [(i, f) for i, f in enumerate(schema) if not pa.types.is_string(f.type)]
    nulls = set(options.null_values)
    result = Diagnosis()
    not_numeric: set[str] = set()
    pending: dict[int, list[tuple[int, str]]] = {i: [] for i, _ in typed}

    def flush() -> None:
        for index, f in typed:
            chunk = pending[index]
            if not chunk:
                continue
            values = pa.array([v for _, v in chunk], type=pa.string())
            failing = _failing(values, f.type)
            if (
                failing
                and pa.types.is_integer(f.type)
                and _failing(values.take(pa.array(failing)), pa.float64())
            ):
                not_numeric.add(f.name)
            for bad in failing:
                line, value = chunk[bad]
                result.count += 1
                result.columns[f.name] = result.columns.get(f.name, 0) + 1
                if len(result.problems) < options.max_reported:
                    shown = "" if f.name in hidden else f" ({value[:40]!r})"
                    result.problems.append(
                        RowProblem(line, "value", f"not a valid {f.type}{shown}", f.name)
                    )
            chunk.clear()

    with path.open("r", encoding=codec, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=options.delimiter, quotechar=options.quote_char)
        next(reader, None)
        width = len(schema)
        rows = 0
        for row in reader:
            if len(row) != width:
                continue
            line = reader.line_num
            for index, _f in typed:
                value = row[index]
                if value not in nulls:
                    pending[index].append((line, value))
            rows += 1
            if rows % 50_000 == 0:
                flush()
        flush()
    result.numeric = {
        name
        for name in result.columns
        if name not in not_numeric and pa.types.is_integer(schema.field(name).type)
    }
    return result


def malformed_rows(path: Path, width: int, options: CsvOptions | None = None) -> list[RowProblem]:
    """Rows that do not have ``width`` fields, by line (up to ``max_reported``).

    The parallel CSV reader cannot say where a malformed row was; this pass, run only when it
    found some, streams the file once more and reads it as pyarrow did: record by record when
    values may hold line breaks, else line by line.
    """
    options = options or CsvOptions()
    encoding = _detect_file_encoding(path, options)
    codec = "utf-8-sig" if encoding in {"utf-8", "utf-8-sig"} else encoding
    found: list[RowProblem] = []

    def note(line: int, fields: int) -> bool:
        found.append(RowProblem(line, "fields", f"expected {width} fields, found {fields}"))
        return len(found) >= options.max_reported

    with path.open("r", encoding=codec, errors="replace", newline="") as handle:
        if options.newlines_in_values:
            reader = csv.reader(handle, delimiter=options.delimiter, quotechar=options.quote_char)
            next(reader, None)
            for row in reader:
                if row and len(row) != width and note(reader.line_num, len(row)):
                    break
            return found
        next(handle, None)
        for number, line in enumerate(handle, start=2):
            text = line.rstrip("\r\n")
            if not text:
                continue
            fields = next(
                csv.reader([text], delimiter=options.delimiter, quotechar=options.quote_char), []
            )
            if len(fields) != width and note(number, len(fields)):
                break
    return found


def _failing(values: pa.Array, target: pa.DataType) -> list[int]:
    """Indices of values that do not cast to ``target`` (bisecting, so few casts are needed)."""
    try:
        pc.cast(values, target)
        return []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if len(values) == 1:
        return [0]
    middle = len(values) // 2
    left = _failing(values.slice(0, middle), target)
    right = _failing(values.slice(middle), target)
    return left + [middle + i for i in right]
