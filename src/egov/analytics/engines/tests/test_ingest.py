"""Ingestion: streaming CSV → Parquet, other readers, encodings, bad rows, checksums."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from egov.analytics.engines import CsvOptions, LoadRejected, SchemaDrift, convert, detect_encoding
from egov.analytics.engines.ingest import (
    diagnose_csv_values,
    infer_schema,
    read_csv,
    read_json,
    read_xlsx,
)

SRC = Path(__file__).resolve().parents[4]

ROWS_CYRILLIC = "region,name,amount\nKZ-ALA,Алматы,10\nKZ-AST,Астана,20\n"


def parquet_rows(path: Path) -> list[dict[str, object]]:
    return pq.read_table(path).to_pylist()


# -- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("cp1251", b"", "cp1251"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ],
)
def test_encodings_are_detected_and_read(
    tmp_path: Path, encoding: str, prefix: bytes, detected: str
) -> None:
    source = tmp_path / "regions.csv"
    source.write_bytes(prefix + ROWS_CYRILLIC.encode(encoding))
    result = convert(source, tmp_path / "out.parquet")
    assert result.encoding == detected
    assert parquet_rows(tmp_path / "out.parquet") == [
        {"region": "KZ-ALA", "name": "Алматы", "amount": 10},
        {"region": "KZ-AST", "name": "Астана", "amount": 20},
    ]


def test_kazakh_in_kz1048_is_told_from_cp1251() -> None:
    text = "облыс,атауы\nҚарағанды,Өскемен қаласы\nАқтөбе,Шығыс Қазақстан\n"
    assert detect_encoding(text.encode("kz1048")) == "kz1048"
    assert detect_encoding("город,название\nМосква,Центр\n".encode("cp1251")) == "cp1251"


def test_a_sample_cut_inside_a_character_is_still_utf8() -> None:
    sample = ROWS_CYRILLIC.encode("utf-8")
    assert detect_encoding(sample[: sample.index("Алматы".encode()) + 1]) == "utf-8"


def test_binary_garbage_is_rejected_with_a_reason(tmp_path: Path) -> None:
    source = tmp_path / "x.csv"
    source.write_bytes(bytes(range(128, 256)) * 10)
    with pytest.raises(LoadRejected) as caught:
        convert(source, tmp_path / "out.parquet")
    assert caught.value.code == "unknown_encoding"


# -- malformed rows and bad values ---------------------------------------------------------------

MALFORMED = "a,b\n1,x\n2,y,extra\n3,z\n4\n5,w\n"


@pytest.mark.parametrize("threads", [True, False])
def test_malformed_rows_reject_the_load_with_line_numbers(tmp_path: Path, threads: bool) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(MALFORMED)
    with pytest.raises(LoadRejected) as caught:
        convert(source, tmp_path / "out.parquet", csv_options=CsvOptions(use_threads=threads))
    error = caught.value
    assert error.code == "malformed_rows"
    assert [p["line"] for p in error.details["problems"]] == [3, 5]
    assert error.details["problems"][0]["message"] == "expected 2 fields, found 3"
    assert "extra" not in json.dumps(error.to_dict())  # reports never carry row contents


def test_malformed_rows_can_be_quarantined(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(MALFORMED)
    result = convert(
        source, tmp_path / "out.parquet", csv_options=CsvOptions(malformed="quarantine")
    )
    assert result.problem_count == 2 and [p.line for p in result.problems] == [3, 5]
    assert [r["a"] for r in parquet_rows(tmp_path / "out.parquet")] == [1, 3, 5]


@pytest.mark.parametrize("threads", [True, False])
def test_malformed_rows_are_found_across_blocks(tmp_path: Path, threads: bool) -> None:
    source = tmp_path / "long.csv"
    lines = ["a,b"] + [f"{i},x" for i in range(20_000)]
    lines[7_001] = "7000,x,extra"
    lines[15_001] = "15000"
    source.write_text("\n".join(lines) + "\n")
    options = CsvOptions(block_size=8_192, use_threads=threads, malformed="quarantine")
    result = convert(source, tmp_path / "out.parquet", csv_options=options)
    assert [(p.line, p.message) for p in result.problems] == [
        (7_002, "expected 2 fields, found 3"),
        (15_002, "expected 2 fields, found 1"),
    ]
    assert result.write.rows == 19_998


def test_values_of_the_wrong_type_are_found_by_line(tmp_path: Path) -> None:
    source = tmp_path / "values.csv"
    source.write_text('id,amount,day\n1,10,2024-01-01\n\n2,"x\ny",2024-01-02\n3,30,2024-13-01\n')
    options = CsvOptions(
        column_types={"amount": pa.int64(), "day": pa.date32()}, newlines_in_values=True
    )
    with pytest.raises(LoadRejected) as caught:
        convert(source, tmp_path / "out.parquet", csv_options=options)
    problems = caught.value.details["problems"]
    assert caught.value.code == "bad_values"
    # Line 4-5 holds a quoted line break; the blank line 3 still counts.
    assert [(p["line"], p["column"]) for p in problems] == [(5, "amount"), (6, "day")]

    quarantined = CsvOptions(
        column_types={"amount": pa.int64(), "day": pa.date32()},
        newlines_in_values=True,
        malformed="quarantine",
    )
    result = convert(source, tmp_path / "out.parquet", csv_options=quarantined)
    assert result.problem_count == 2
    assert parquet_rows(tmp_path / "out.parquet") == [
        {"id": 1, "amount": 10, "day": dt.date(2024, 1, 1)}
    ]


def test_an_integer_column_that_turns_decimal_is_widened(tmp_path: Path) -> None:
    source = tmp_path / "wide.csv"
    lines = ["n,label"] + [f"{i},x" for i in range(3000)] + ["2.5,y"]
    source.write_text("\n".join(lines) + "\n")
    result = convert(source, tmp_path / "out.parquet", csv_options=CsvOptions(block_size=4096))
    assert result.widened == {"n": "float64"}
    assert result.write.schema.field("n").type == pa.float64()
    assert result.write.rows == 3001


def test_diagnosis_hides_values_of_personal_columns(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("iin,n\n950101300123,1\nabc,2\n")
    schema = pa.schema([("iin", pa.int64()), ("n", pa.int64())])
    diagnosis = diagnose_csv_values(source, schema, personal=["iin"])
    assert diagnosis.count == 1 and "abc" not in diagnosis.problems[0].message


def test_header_problems(tmp_path: Path) -> None:
    source = tmp_path / "h.csv"
    source.write_text("a,,c\n1,2,3\n")
    with pytest.raises(LoadRejected) as caught:
        convert(source, tmp_path / "out.parquet")
    assert caught.value.code == "bad_header"
    source.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(LoadRejected) as caught:
        convert(source, tmp_path / "out.parquet")
    assert caught.value.details["duplicates"] == ["a"]
    source.write_text("")
    with pytest.raises(LoadRejected) as caught:
        convert(source, tmp_path / "out.parquet")
    assert caught.value.code == "empty_file"


def test_schema_drift_names_the_columns(tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_text("region,amount,extra\nKZ-ALA,1,x\n")
    expected = pa.schema([("region", pa.string()), ("amount", pa.int64()), ("year", pa.int64())])
    with pytest.raises(SchemaDrift) as caught:
        read_csv(source, expected=expected)
    assert caught.value.details == {"added": ["extra"], "missing": ["year"]}


def test_columns_empty_in_the_first_block_are_text(tmp_path: Path) -> None:
    source = tmp_path / "e.csv"
    source.write_text("a,b\n" + "1,\n" * 3000 + "2,late value\n")
    result = convert(source, tmp_path / "out.parquet", csv_options=CsvOptions(block_size=4096))
    assert result.write.schema.field("b").type == pa.string()
    assert parquet_rows(tmp_path / "out.parquet")[-1] == {"a": 2, "b": "late value"}


# -- checksums, progress, streaming --------------------------------------------------------------


def test_checksums_row_count_and_progress(tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    source.write_text("a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(20_000)))
    seen: list[tuple[int, int | None]] = []
    result = convert(
        source,
        tmp_path / "out.parquet",
        csv_options=CsvOptions(block_size=16_384),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result.source_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert (
        result.write.sha256 == hashlib.sha256((tmp_path / "out.parquet").read_bytes()).hexdigest()
    )
    assert result.write.rows == 20_000
    assert len(seen) > 5 and seen[-1] == (source.stat().st_size, source.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# Runs in a fresh interpreter. Peak memory is the kernel's high-water mark (VmHWM), reset just
# before the conversion; ru_maxrss would not do, as it survives exec from the (large) test process.
MEASURE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    import pyarrow as pa
    from egov.analytics.engines.ingest import CsvOptions, convert

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    before = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    options = CsvOptions(block_size=1 << 20)
    result = convert(Path(sys.argv[1]), Path(sys.argv[2]), csv_options=options)
    growth = status("VmHWM") - before
    pool = pa.default_memory_pool().max_memory() / 2**20
    print(json.dumps({"rows": result.write.rows, "growth_mb": growth, "pool_mb": pool}))
    """
)


def _write_big_csv(path: Path, megabytes: int) -> int:
    """A CSV of about ``megabytes`` MiB, written in chunks (never held whole)."""
    rows_per_chunk = 10_000
    chunk = "".join(
        f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d},KZ-{i % 17:02d},ORG{i % 500:04d},"
        f"{(i * 7919) % 100_000 / 100:.2f},{i % 1000},{950101300000 + i}\n"
        for i in range(rows_per_chunk)
    ).encode()
    count = 0
    with path.open("wb") as handle:
        handle.write(b"day,region,organization,amount,qty,iin\n")
        while handle.tell() < megabytes << 20:
            handle.write(chunk)
            count += rows_per_chunk
    return count


def _measure(source: Path, tmp_path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(source), str(tmp_path / "out.parquet"), str(SRC)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_large_csv_streams_in_bounded_memory(tmp_path: Path) -> None:
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    _write_big_csv(small, 16)
    rows = _write_big_csv(large, 256)
    first = _measure(small, tmp_path)
    second = _measure(large, tmp_path)
    large.unlink()
    assert second["rows"] == rows
    # Sixteen times the data, about the same memory: it streams, block by block. (The fixed part,
    # about 100 MB, is Arrow's thread pools and allocator arenas, whatever the file's size.)
    assert second["pool_mb"] < 64, second
    assert second["growth_mb"] < first["growth_mb"] + 40, (first, second)
    assert second["growth_mb"] < 0.5 * 256, second


# -- other formats --------------------------------------------------------------------------------


def test_ndjson_streams_and_arrays_are_read(tmp_path: Path) -> None:
    lines = tmp_path / "rows.ndjson"
    lines.write_text('{"iin": "010101500124", "n": 1}\n{"iin": "950101300123", "n": 2}\n')
    stream = read_json(lines, personal=["iin"])
    assert stream.schema.field("iin").type == pa.string()
    assert pa.Table.from_batches(list(stream.batches)).num_rows == 2
    assert stream.source_sha256 == hashlib.sha256(lines.read_bytes()).hexdigest()

    array = tmp_path / "rows.json"
    array.write_text(json.dumps([{"a": 1, "b": "x"}, {"a": 2.5, "c": True}]))
    result = convert(array, tmp_path / "out.parquet")
    assert parquet_rows(tmp_path / "out.parquet") == [
        {"a": 1.0, "b": "x", "c": None},
        {"a": 2.5, "b": None, "c": True},
    ]
    assert result.format == "json"

    array.write_text('{"not": "a list"')
    with pytest.raises(LoadRejected):
        convert(array, tmp_path / "out.parquet")


def _workbook(path: Path, rows: list[list[object]]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_xlsx_is_read_in_batches_with_types(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    rows: list[list[object]] = [[None], ["region", "amount", "day", "iin"]]
    rows += [["KZ-ALA", i, dt.datetime(2024, 1, 1 + i % 28), 950101300000 + i] for i in range(25)]
    _workbook(path, rows)
    stream = read_xlsx(path, batch_rows=10, personal=["iin"])
    assert stream.schema == pa.schema(
        [
            ("region", pa.string()),
            ("amount", pa.int64()),
            ("day", pa.timestamp("us")),
            ("iin", pa.string()),
        ]
    )
    batches = list(stream.batches)
    assert [b.num_rows for b in batches] == [10, 10, 5]
    assert batches[0].column(3)[0].as_py() == "950101300000"
    assert infer_schema(path).names == ["region", "amount", "day", "iin"]


def test_xlsx_wrong_types_are_reported_by_row(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _workbook(path, [["region", "amount"], ["KZ-ALA", 1], ["KZ-AST", 2], ["KZ-SHY", "many"]])
    with pytest.raises(LoadRejected) as caught:
        list(read_xlsx(path, batch_rows=2).batches)
    assert caught.value.details["problems"] == [
        {"line": 4, "kind": "value", "column": "amount", "message": "not a valid int64"}
    ]
    stream = read_xlsx(path, batch_rows=2, malformed="quarantine")
    assert sum(b.num_rows for b in stream.batches) == 2
    assert stream.problem_count == 1 and stream.problems[0].line == 4


def test_parquet_and_arrow_sources(tmp_path: Path) -> None:
    table = pa.table({"a": list(range(100_000)), "b": ["x"] * 100_000})
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=30_000)
    result = convert(tmp_path / "in.parquet", tmp_path / "out.parquet")
    assert result.write.rows == 100_000
    assert (
        result.source_sha256 == hashlib.sha256((tmp_path / "in.parquet").read_bytes()).hexdigest()
    )
    result = convert(table, tmp_path / "out2.parquet")
    assert result.write.rows == 100_000 and result.source_sha256 is None


def test_unknown_formats_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    path.write_text("x")
    with pytest.raises(LoadRejected) as caught:
        convert(path, tmp_path / "out.parquet")
    assert caught.value.code == "unknown_format"
