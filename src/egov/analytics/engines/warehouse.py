"""The warehouse: datasets as numbered, immutable Parquet versions, published atomically.

Layout under the warehouse root, one folder per dataset::

    trade/
      CURRENT                  the published version's name, e.g. "v000003" (replaced atomically)
      versions/v000003/        data.parquet + manifest.json (never changed once published)
      staging/<id>/            a load in progress (removed when it fails)
      quarantine/<id>/         a load that failed a blocking quality gate: data + report.json
      .lock                    held by the one writer of this dataset

A load (:meth:`Warehouse.load`) converts the source into ``staging/<id>/data.parquet`` (streaming,
pseudonymising personal columns), checks the columns against the published version (a change is
:class:`~egov.analytics.engines.errors.SchemaDrift` unless ``accept_schema_change``), evaluates the
quality gates on the staged file, then renames the folder to ``versions/vNNNNNN`` and replaces
``CURRENT``. Any failure before the last step leaves ``CURRENT`` — the published version — as it
was; a blocking gate failure moves the staged folder to ``quarantine/`` with its report.

Readers never see a half-written version: they read ``CURRENT`` and then an immutable folder.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from egov.analytics.engines.engine import DuckDBEngine, Engine
from egov.analytics.engines.errors import (
    AnalyticsError,
    LoadRejected,
    QualityGateFailed,
    UnknownDataset,
)
from egov.analytics.engines.ingest import (
    Conversion,
    CsvOptions,
    FileFormat,
    Progress,
    convert,
    sha256_file,
)
from egov.analytics.engines.pseudonym import CHAIN_METADATA, KeyRing, PersonalColumn
from egov.analytics.engines.quality import Gate, QualityReport, evaluate
from egov.analytics.engines.sqlguard import is_dataset_name

__all__ = ["DATA_FILE", "MANIFEST_FILE", "DatasetVersion", "LoadResult", "Warehouse"]

DATA_FILE: Final = "data.parquet"
MANIFEST_FILE: Final = "manifest.json"
REPORT_FILE: Final = "report.json"
VERSION_PREFIX: Final = "v"


@dataclass(frozen=True)
class DatasetVersion:
    """One published snapshot of a dataset, as its manifest describes it."""

    dataset: str
    version: int
    path: Path
    rows: int
    sha256: str
    schema: tuple[tuple[str, str], ...]
    created_at: dt.datetime
    loaded_by: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)
    source_sha256: str | None = None
    source_bytes: int | None = None
    encoding: str | None = None
    pseudonymised: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    problems: tuple[Mapping[str, Any], ...] = ()
    problem_count: int = 0
    quality: Mapping[str, Any] | None = None
    widened: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return _version_name(self.version)

    @property
    def data_path(self) -> Path:
        return self.path / DATA_FILE

    def arrow_schema(self) -> pa.Schema:
        return pq.read_schema(self.data_path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "version": self.version,
            "rows": self.rows,
            "sha256": self.sha256,
            "schema": [{"name": n, "type": t} for n, t in self.schema],
            "created_at": self.created_at.isoformat(),
            "loaded_by": self.loaded_by,
            "source": dict(self.source),
            "source_sha256": self.source_sha256,
            "source_bytes": self.source_bytes,
            "encoding": self.encoding,
            "pseudonymised": {k: list(v) for k, v in self.pseudonymised.items()},
            "problems": [dict(p) for p in self.problems],
            "problem_count": self.problem_count,
            "quality": self.quality,
            "widened": dict(self.widened),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: Path) -> DatasetVersion:
        return cls(
            dataset=str(data["dataset"]),
            version=int(data["version"]),
            path=path,
            rows=int(data["rows"]),
            sha256=str(data["sha256"]),
            schema=tuple((str(c["name"]), str(c["type"])) for c in data["schema"]),
            created_at=dt.datetime.fromisoformat(str(data["created_at"])),
            loaded_by=str(data.get("loaded_by", "")),
            source=dict(data.get("source") or {}),
            source_sha256=data.get("source_sha256"),
            source_bytes=data.get("source_bytes"),
            encoding=data.get("encoding"),
            pseudonymised={k: tuple(v) for k, v in (data.get("pseudonymised") or {}).items()},
            problems=tuple(data.get("problems") or ()),
            problem_count=int(data.get("problem_count") or 0),
            quality=data.get("quality"),
            widened=dict(data.get("widened") or {}),
        )


@dataclass(frozen=True)
class LoadResult:
    """A published load: the new version and its quality report (warnings may be in it)."""

    version: DatasetVersion
    report: QualityReport | None
    conversion: Conversion | None = None


class Warehouse:
    """Versioned datasets under one root folder (local disk; a mounted volume in production)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    # -- reading ---------------------------------------------------------------------------------

    def datasets(self) -> list[str]:
        return sorted(
            p.name
            for p in self.root.iterdir()
            if (p / "CURRENT").is_file() and is_dataset_name(p.name)
        )

    def current(self, dataset: str) -> DatasetVersion | None:
        """The published version, or None if the dataset has none."""
        folder = self._folder(dataset)
        try:
            name = (folder / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return self._read_version(dataset, folder / "versions" / name)

    def version(self, dataset: str, number: int) -> DatasetVersion:
        path = self._folder(dataset) / "versions" / _version_name(number)
        if not (path / MANIFEST_FILE).is_file():
            raise UnknownDataset(
                f"Dataset {dataset!r} has no version {number}.", dataset=dataset, version=number
            )
        return self._read_version(dataset, path)

    def versions(self, dataset: str) -> list[DatasetVersion]:
        folder = self._folder(dataset) / "versions"
        if not folder.is_dir():
            return []
        return [
            self._read_version(dataset, p)
            for p in sorted(folder.iterdir())
            if (p / MANIFEST_FILE).is_file()
        ]

    def quarantined(self, dataset: str) -> list[dict[str, Any]]:
        """Reports of the quarantined loads, newest last."""
        folder = self._folder(dataset) / "quarantine"
        if not folder.is_dir():
            return []
        reports = []
        for path in sorted(folder.iterdir()):
            report = path / REPORT_FILE
            if report.is_file():
                reports.append({"id": path.name, **json.loads(report.read_text(encoding="utf-8"))})
        return reports

    def register(self, engine: Engine, datasets: Sequence[str] | None = None) -> list[str]:
        """Register the published version of each dataset (default: all) in ``engine``."""
        names = list(datasets) if datasets is not None else self.datasets()
        done = []
        for name in names:
            current = self.current(name)
            if current is None:
                raise UnknownDataset(f"Dataset {name!r} has no published version.", dataset=name)
            engine.register(name, current.data_path, format="parquet")
            done.append(name)
        return done

    # -- writing ---------------------------------------------------------------------------------

    def load(
        self,
        dataset: str,
        source: str | Path | pa.Table | pa.RecordBatchReader,
        *,
        format: FileFormat | None = None,
        csv_options: CsvOptions | None = None,
        sheet: str | None = None,
        personal: Sequence[PersonalColumn] = (),
        keyring: KeyRing | None = None,
        gates: Sequence[Gate] = (),
        engine: Engine | None = None,
        accept_schema_change: bool = False,
        loaded_by: str = "",
        source_info: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
        now: dt.datetime | None = None,
    ) -> LoadResult:
        """Load ``source`` as the next version of ``dataset`` and publish it, or change nothing.

        Raises :class:`LoadRejected` (bad input), :class:`SchemaDrift` (columns changed) or
        :class:`QualityGateFailed` (a blocking gate failed; the load is in ``quarantine/``).
        """
        self._check_name(dataset)
        folder = self._folder(dataset)
        folder.mkdir(parents=True, exist_ok=True)
        now = now or dt.datetime.now(dt.UTC)
        with self._writer(dataset):
            previous = self.current(dataset)
            expected = None
            chains: dict[str, tuple[str, ...]] = {}
            if previous is not None and not accept_schema_change:
                expected = previous.arrow_schema()
                chains = _published_chains(previous, personal, keyring)
            staging = self._staging(folder)
            try:
                conversion = convert(
                    source if isinstance(source, pa.Table | pa.RecordBatchReader) else Path(source),
                    staging / DATA_FILE,
                    format=format,
                    csv_options=csv_options,
                    personal=personal,
                    keyring=keyring,
                    expected=expected,
                    sheet=sheet,
                    progress=progress,
                    chains=chains,
                )
                report = self._check_quality(dataset, staging, gates, engine, now)
                manifest = self._manifest(
                    dataset,
                    staging,
                    conversion,
                    report,
                    loaded_by=loaded_by,
                    source=source,
                    source_info=source_info,
                    now=now,
                )
                if report is not None and not report.passed:
                    quarantine = self._quarantine(folder, staging, manifest, report)
                    failed = ", ".join(r.gate.label for r in report.blocking_failures)
                    raise QualityGateFailed(
                        f"Blocking quality gates failed ({failed}); the load is quarantined and "
                        "the published version is unchanged.",
                        report=report.to_dict(),
                        quarantine=quarantine.name,
                    )
                version = self._publish(dataset, folder, staging, manifest)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return LoadResult(version=version, report=report, conversion=conversion)

    def restore(self, dataset: str, number: int) -> DatasetVersion:
        """Publish an earlier version again (the versions themselves never change)."""
        with self._writer(dataset):
            version = self.version(dataset, number)
            _replace_text(self._folder(dataset) / "CURRENT", version.name)
        return version

    def rekey(
        self,
        dataset: str,
        keyring: KeyRing,
        *,
        to_key_id: str | None = None,
        loaded_by: str = "",
        now: dt.datetime | None = None,
    ) -> DatasetVersion:
        """Publish a new version whose pseudonymised columns carry one more key (rotation)."""
        self._check_name(dataset)
        folder = self._folder(dataset)
        now = now or dt.datetime.now(dt.UTC)
        key_id = to_key_id or keyring.current_id
        keyring.check_chain([key_id])
        with self._writer(dataset):
            current = self.current(dataset)
            if current is None:
                raise UnknownDataset(f"Dataset {dataset!r} has no published version.")
            if not current.pseudonymised:
                raise AnalyticsError(
                    f"Dataset {dataset!r} has no pseudonymised columns.", code="nothing_to_rekey"
                )
            staging = self._staging(folder)
            try:
                source = pq.ParquetFile(current.data_path)
                chains = {c: (*chain, key_id) for c, chain in current.pseudonymised.items()}
                schema = _with_chains(source.schema_arrow, chains)
                rows = 0
                with pq.ParquetWriter(staging / DATA_FILE, schema, compression="snappy") as out:
                    for batch in source.iter_batches(batch_size=65_536):
                        arrays = [
                            keyring.rekey_array(batch.column(i), to_key_id=key_id)
                            if f.name in chains
                            else batch.column(i)
                            for i, f in enumerate(schema)
                        ]
                        out.write_batch(pa.record_batch(arrays, schema=schema))
                        rows += batch.num_rows
                source.close()
                manifest = current.to_dict()
                manifest.update(
                    {
                        "rows": rows,
                        "sha256": sha256_file(staging / DATA_FILE),
                        "created_at": now.isoformat(),
                        "loaded_by": loaded_by,
                        "source": {"kind": "rekey", "from_version": current.version},
                        "pseudonymised": {k: list(v) for k, v in chains.items()},
                    }
                )
                return self._publish(dataset, folder, staging, manifest)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise

    def prune(self, dataset: str, *, keep: int) -> list[int]:
        """Delete all but the newest ``keep`` versions (never the published one)."""
        with self._writer(dataset):
            current = self.current(dataset)
            versions = self.versions(dataset)
            removable = [v for v in versions[: max(0, len(versions) - keep)]]
            removed = []
            for version in removable:
                if current is not None and version.version == current.version:
                    continue
                shutil.rmtree(version.path)
                removed.append(version.version)
        return removed

    # -- internals -------------------------------------------------------------------------------

    def _folder(self, dataset: str) -> Path:
        self._check_name(dataset)
        return self.root / dataset

    @staticmethod
    def _check_name(dataset: str) -> None:
        if not is_dataset_name(dataset):
            raise AnalyticsError(
                f"{dataset!r} is not a valid dataset name: use lower-case letters, digits and '_'.",
                code="bad_dataset_name",
            )

    @contextmanager
    def _writer(self, dataset: str) -> Iterator[None]:
        folder = self._folder(dataset)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _staging(folder: Path) -> Path:
        staging = folder / "staging" / uuid.uuid4().hex
        staging.mkdir(parents=True)
        return staging

    def _read_version(self, dataset: str, path: Path) -> DatasetVersion:
        try:
            data = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UnknownDataset(
                f"Dataset {dataset!r} points at a missing version {path.name}.", dataset=dataset
            ) from None
        return DatasetVersion.from_dict(data, path)

    def _check_quality(
        self,
        dataset: str,
        staging: Path,
        gates: Sequence[Gate],
        engine: Engine | None,
        now: dt.datetime,
    ) -> QualityReport | None:
        if not gates:
            return None
        own = engine is None
        runner: Engine = DuckDBEngine() if engine is None else engine
        staged = f"staging_{uuid.uuid4().hex[:12]}"
        try:
            for gate in gates:
                other = getattr(gate, "dataset", None)
                if other and other not in runner.datasets:
                    if other == dataset:
                        continue
                    if self.current(other) is not None:
                        self.register(runner, [other])
            runner.register(staged, staging / DATA_FILE, format="parquet")
            return evaluate(runner, staged, gates, now=now)
        finally:
            if staged in runner.datasets:
                runner.unregister(staged)
            if own:
                runner.close()

    def _manifest(
        self,
        dataset: str,
        staging: Path,
        conversion: Conversion,
        report: QualityReport | None,
        *,
        loaded_by: str,
        source: object,
        source_info: Mapping[str, Any] | None,
        now: dt.datetime,
    ) -> dict[str, Any]:
        write = conversion.write
        info: dict[str, Any] = {"format": conversion.format}
        if isinstance(source, str | Path):
            info["file"] = Path(source).name
        info.update(source_info or {})
        return {
            "dataset": dataset,
            "version": 0,
            "rows": write.rows,
            "sha256": write.sha256,
            "schema": [{"name": f.name, "type": str(f.type)} for f in write.schema],
            "created_at": now.isoformat(),
            "loaded_by": loaded_by,
            "source": info,
            "source_sha256": conversion.source_sha256,
            "source_bytes": conversion.source_bytes,
            "encoding": conversion.encoding,
            "pseudonymised": {k: list(v) for k, v in write.pseudonymised.items()},
            "problems": [p.to_dict() for p in conversion.problems],
            "problem_count": conversion.problem_count,
            "quality": report.to_dict() if report is not None else None,
            "widened": dict(conversion.widened),
        }

    def _quarantine(
        self, folder: Path, staging: Path, manifest: Mapping[str, Any], report: QualityReport
    ) -> Path:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = folder / "quarantine" / f"{stamp}-{staging.name[:8]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_json(staging / MANIFEST_FILE, manifest)
        _write_json(staging / REPORT_FILE, {"manifest": manifest, "quality": report.to_dict()})
        os.rename(staging, target)
        return target

    def _publish(
        self, dataset: str, folder: Path, staging: Path, manifest: dict[str, Any]
    ) -> DatasetVersion:
        versions = folder / "versions"
        versions.mkdir(exist_ok=True)
        numbers = [
            int(p.name[len(VERSION_PREFIX) :])
            for p in versions.iterdir()
            if p.name.startswith(VERSION_PREFIX) and p.name[len(VERSION_PREFIX) :].isdigit()
        ]
        number = max(numbers, default=0) + 1
        manifest = {**manifest, "version": number}
        _write_json(staging / MANIFEST_FILE, manifest)
        _fsync_dir(staging)
        target = versions / _version_name(number)
        os.rename(staging, target)
        _fsync_dir(versions)
        _replace_text(folder / "CURRENT", target.name)
        return DatasetVersion.from_dict(manifest, target)


def _published_chains(
    previous: DatasetVersion, personal: Sequence[PersonalColumn], keyring: KeyRing | None
) -> dict[str, tuple[str, ...]]:
    """New loads pseudonymise along the chain already published, so that they join with it."""
    chains: dict[str, tuple[str, ...]] = {}
    for column in personal:
        chain = tuple(previous.pseudonymised.get(column.name, ()))
        if not chain:
            continue
        if keyring is None:
            raise LoadRejected(
                "Personal columns are declared but no pseudonymisation key is configured.",
                code="no_key",
            )
        keyring.check_chain(chain)
        chains[column.name] = chain
    return chains


def _with_chains(schema: pa.Schema, chains: Mapping[str, Sequence[str]]) -> pa.Schema:
    fields = []
    for f in schema:
        if f.name in chains:
            f = f.with_metadata({CHAIN_METADATA: ",".join(chains[f.name]).encode()})
        fields.append(f)
    return pa.schema(fields)


def _version_name(number: int) -> str:
    return f"{VERSION_PREFIX}{number:06d}"


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=True, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _replace_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
