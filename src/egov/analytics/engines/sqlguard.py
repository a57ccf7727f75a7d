"""Read-only SQL for indicators: one SELECT over catalog datasets, nothing else.

:func:`validate_sql` parses user SQL with SQLGlot and accepts it only if all of these hold:

* it is exactly one statement, a ``SELECT`` (CTEs, subqueries, ``UNION``/``INTERSECT``/``EXCEPT``
  of SELECTs allowed), not ``WITH RECURSIVE``;
* nothing anywhere in it writes, changes settings or reaches outside: no DDL/DML, ``COPY``,
  ``ATTACH``, ``INSTALL``/``LOAD``, ``PRAGMA``, ``SET``, ``SELECT … INTO``, ``FOR UPDATE`` …;
* every table it reads is a catalog dataset, named without a schema or database qualifier,
  or a CTE in scope — never a file path (DuckDB's ``FROM 'x.csv'``), a table function
  (``read_csv``, ``read_parquet``, ``glob``, ``iceberg_scan``, ``query`` …) or an attached database;
* every function is a standard one that SQLGlot knows, minus those that read files or URLs or
  reveal the environment (``getenv``, ``current_setting``, ``current_user`` …); functions SQLGlot
  does not know are refused unless listed in ``extra_functions``, and never when they read
  files or URLs.

The accepted query comes back as a :class:`ValidatedQuery`, rendered in any SQLGlot dialect, so a
query written for DuckDB runs on Spark too. :func:`apply_row_rules` rewrites it so that each
dataset is read through a filter (row-level security in the engine query, not the template).
Every refusal is a :class:`SqlRejected` whose ``reason`` is a stable code and whose message names
the problem.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import traverse_scope

from egov.analytics.engines.errors import SqlRejected

__all__ = [
    "DATASET_NAME",
    "MAX_SQL_LENGTH",
    "RowRule",
    "ValidatedQuery",
    "apply_row_rules",
    "is_dataset_name",
    "validate_sql",
]

MAX_SQL_LENGTH: Final = 20_000
DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

_FORBIDDEN_NAMES: Final = (
    "Insert Update Delete Merge Create Drop Alter Copy Command Set Pragma Use Transaction Commit "
    "Rollback Describe Summarize Attach Detach Install LoadData Kill Grant Revoke TruncateTable "
    "Analyze Cache Uncache Refresh Show Export Into Lock Comment Declare Execute Put Get"
)
_FORBIDDEN: Final[tuple[type[exp.Expression], ...]] = tuple(
    getattr(exp, name) for name in _FORBIDDEN_NAMES.split() if hasattr(exp, name)
)
_DENIED_FUNCTIONS: Final[tuple[type[exp.Expression], ...]] = tuple(
    getattr(exp, name)
    for name in ("ReadCSV", "ReadParquet", "ToFile", "NextValueFor")
    if hasattr(exp, name)
)
_ALLOWED_CURRENT: Final = frozenset(
    {"CurrentDate", "CurrentTime", "CurrentTimestamp", "CurrentDatetime", "CurrentTimestampLTZ"}
)
# Function names (lower case) that read files or URLs, reach other databases, reveal settings or
# the environment, or change state: refused even when listed in ``extra_functions``.
_OUTSIDE = re.compile(
    r"^(read_\w*|\w*_scan|scan_\w*|glob|getenv|query|query_table|sniff_csv|parquet_\w+|"
    r"pragma_\w*|duckdb_\w+|current_setting|set_\w+|load\w*|install\w*|http\w*|s3\w*|"
    r"(postgres|mysql|sqlite|iceberg|delta|json|csv|excel|arrow|spatial|st)_\w*read\w*|"
    r"postgres_\w+|mysql_\w+|sqlite_\w+|iceberg_\w+|delta_\w+|which_secret|"
    r"input_file_name|reflect|java_method|hash_file|file_\w+|\w*file\w*|url\w*|\w*_url|"
    r"system|shell|exec\w*|sleep\w*|pg_\w+|version|database|schema|user|session_user)$"
)
# Common analysis functions that SQLGlot parses as anonymous; harmless on DuckDB and Spark.
DEFAULT_EXTRA_FUNCTIONS: Final = frozenset(
    {
        "arg_max",
        "arg_min",
        "bool_and",
        "bool_or",
        "date_part",
        "datediff",
        "greatest",
        "least",
        "list_sum",
        "make_date",
        "nullif",
        "quantile",
        "round_even",
        "trunc",
        "width_bucket",
    }
)


def is_dataset_name(name: str) -> bool:
    """Dataset names are lower-case SQL identifiers: a letter, then letters, digits or ``_``."""
    return bool(DATASET_NAME.match(name))


@dataclass(frozen=True)
class ValidatedQuery:
    """A query that passed :func:`validate_sql`; ``tables`` are the datasets it reads."""

    source: str
    tables: frozenset[str]
    dialect: str
    ast: exp.Expression = field(repr=False, compare=False)

    def sql(self, dialect: str | None = None, *, pretty: bool = False) -> str:
        """The query rendered for ``dialect`` (default: the dialect it was written in)."""
        return self.ast.sql(dialect=dialect or self.dialect, pretty=pretty)

    def limited(self, rows: int) -> ValidatedQuery:
        """The same query wrapped so that it returns at most ``rows`` rows."""
        if rows < 0:
            raise ValueError("rows must not be negative")
        inner = self.ast.copy()
        assert isinstance(inner, exp.Query)
        wrapped = exp.select("*").from_(inner.subquery("limited")).limit(rows)
        return ValidatedQuery(self.source, self.tables, self.dialect, wrapped)


@dataclass(frozen=True)
class RowRule:
    """Row-level rule: ``dataset`` is read only where ``column`` is one of ``values``.

    Several rules on one dataset all apply (AND). No values means no rows.
    """

    dataset: str
    column: str
    values: tuple[Any, ...]

    def predicate(self) -> exp.Expression:
        if not self.values:
            return exp.false()
        return exp.column(self.column, quoted=True).isin(*(exp.convert(v) for v in self.values))


def _reject(reason: str, message: str, **details: Any) -> SqlRejected:
    return SqlRejected(message, reason=reason, **details)


def _statement_kind(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return node.key.upper()


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return str(node.sql_name()).lower()  # type: ignore[no-untyped-call]


def _check_function(node: exp.Func, extra: frozenset[str]) -> None:
    name = _function_name(node)
    cls = type(node)
    if isinstance(node, _DENIED_FUNCTIONS) or _OUTSIDE.match(name):
        raise _reject(
            "function_reads_outside",
            f"Function {name}() is not allowed: indicator SQL may read catalog datasets only, "
            "never files, URLs, other databases or settings.",
            function=name,
        )
    if cls.__name__.startswith("Current") and cls.__name__ not in _ALLOWED_CURRENT:
        raise _reject(
            "function_not_allowed",
            f"Function {name} is not allowed: it reveals the session or the server.",
            function=name,
        )
    if isinstance(node, exp.Anonymous) and name not in extra:
        raise _reject(
            "unknown_function",
            f"Function {name}() is not allowed in indicator SQL (it is not a standard function).",
            function=name,
        )


def _parse(sql: str, dialect: str) -> exp.Expression:
    if not isinstance(sql, str):
        raise _reject("not_text", "The query must be text.")
    if len(sql) > MAX_SQL_LENGTH:
        raise _reject(
            "too_long",
            f"The query has {len(sql)} characters; at most {MAX_SQL_LENGTH} are allowed.",
        )
    if "\x00" in sql:
        raise _reject("syntax", "The query contains a NUL character.")
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=dialect) if s is not None]
    except SqlglotError as error:
        raise _reject("syntax", f"The query cannot be parsed: {_first_line(error)}") from error
    except RecursionError as error:
        raise _reject("too_deep", "The query is nested too deeply.") from error
    except Exception as error:  # SQLGlot's tokenizer may raise plain errors on odd input
        raise _reject("syntax", f"The query cannot be parsed: {_first_line(error)}") from error
    if not statements:
        raise _reject("empty", "The query is empty.")
    if len(statements) > 1:
        kinds = ", ".join(_statement_kind(s) for s in statements)
        raise _reject(
            "multiple_statements",
            f"Only one statement is allowed; found {len(statements)} ({kinds}).",
            statements=len(statements),
        )
    return statements[0]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__


def validate_sql(
    sql: str,
    catalog: Collection[str],
    *,
    dialect: str = "duckdb",
    extra_functions: Iterable[str] = (),
) -> ValidatedQuery:
    """Accept ``sql`` if it is one read-only SELECT over ``catalog``, else raise SqlRejected."""
    known = {name.lower() for name in catalog}
    extra = DEFAULT_EXTRA_FUNCTIONS | {f.lower() for f in extra_functions}
    root = _parse(sql, dialect)
    try:
        tables = _check(root, known, extra)
    except RecursionError as error:
        raise _reject("too_deep", "The query is nested too deeply.") from error
    return ValidatedQuery(source=sql, tables=frozenset(tables), dialect=dialect, ast=root)


def _check(root: exp.Expression, known: set[str], extra: frozenset[str]) -> set[str]:
    if not isinstance(root, exp.Query):
        raise _reject(
            "not_select",
            f"Only a SELECT query is allowed; this is {_statement_kind(root)}.",
            statement=_statement_kind(root),
        )
    for node in root.walk():
        if isinstance(node, _FORBIDDEN):
            what = "SELECT … INTO" if isinstance(node, exp.Into) else _statement_kind(node)
            raise _reject(
                "not_read_only",
                f"{what} is not allowed: indicator SQL may only read.",
                statement=what,
            )
        if isinstance(node, exp.With) and node.args.get("recursive"):
            raise _reject("recursive", "WITH RECURSIVE is not allowed.")
        if isinstance(node, exp.Func):
            _check_function(node, extra)
    return _check_tables(root, known)


def _real_tables(root: exp.Expression) -> list[exp.Table]:
    """Table nodes that read a real table (not a CTE), found by SQLGlot's scope analysis."""
    try:
        scopes = list(traverse_scope(root))
    except SqlglotError as error:
        raise _reject("syntax", f"The query's structure is not understood: {error}") from error
    real: dict[int, exp.Table] = {}
    for scope in scopes:
        for source in scope.sources.values():
            if isinstance(source, exp.Table):
                real[id(source)] = source
    return list(real.values())


def _check_tables(root: exp.Expression, known: set[str]) -> set[str]:
    all_tables = list(root.find_all(exp.Table))
    for table in all_tables:
        if not isinstance(table.this, exp.Identifier):
            raise _reject(
                "table_function",
                f"Reading from {table.this.sql()[:80]} is not allowed: "
                "FROM may name catalog datasets only.",
            )
    real = _real_tables(root)
    real_ids = {id(t) for t in real}
    cte_names = {str(cte.alias).lower() for cte in root.find_all(exp.CTE)}
    used: set[str] = set()
    for table in all_tables:
        name = table.name.lower()
        if id(table) not in real_ids and name in cte_names:
            continue  # a CTE in scope; anything else unresolved is treated as a real table
        if table.args.get("db") or table.args.get("catalog"):
            raise _reject(
                "qualified_name",
                f"Table {table.sql()} is qualified; name the catalog dataset alone.",
                table=table.sql(),
            )
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise _reject(
                "unknown_dataset",
                f"{table.name!r} is not a dataset in the catalog.{hint}",
                table=table.name,
            )
        used.add(name)
    return used


def apply_row_rules(query: ValidatedQuery, rules: Sequence[RowRule]) -> ValidatedQuery:
    """Read each dataset through its rules: ``t`` becomes ``(SELECT * FROM t WHERE …) AS t``."""
    by_dataset: Mapping[str, list[RowRule]] = _group(rules)
    if not by_dataset:
        return query
    root = query.ast.copy()
    targets = [
        t
        for t in _real_tables(root)
        if t.name.lower() in by_dataset and isinstance(t.this, exp.Identifier)
    ]
    for table in targets:
        name = table.name.lower()
        predicate: exp.Expression | None = None
        for rule in by_dataset[name]:
            clause = rule.predicate()
            predicate = clause if predicate is None else exp.and_(predicate, clause)
        inner = exp.select("*").from_(exp.to_table(name)).where(predicate)
        table.replace(inner.subquery(table.alias_or_name))
    return ValidatedQuery(query.source, query.tables, query.dialect, root)


def _group(rules: Sequence[RowRule]) -> dict[str, list[RowRule]]:
    grouped: dict[str, list[RowRule]] = {}
    for rule in rules:
        grouped.setdefault(rule.dataset.lower(), []).append(rule)
    return grouped
