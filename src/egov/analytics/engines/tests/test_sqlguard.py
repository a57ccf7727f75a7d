"""Read-only SQL: only one SELECT over catalog datasets gets through."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov.analytics.engines import RowRule, SqlRejected, apply_row_rules, validate_sql

CATALOG = {"trade", "regions", "calls"}


def reason(sql: str, **kwargs: object) -> str:
    with pytest.raises(SqlRejected) as caught:
        validate_sql(sql, CATALOG, **kwargs)  # type: ignore[arg-type]
    return str(caught.value.details["reason"])


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT region, SUM(amount) AS total FROM trade GROUP BY region",
        "select * from trade t join regions r on t.region = r.code where r.name like 'A%'",
        "WITH m AS (SELECT date_trunc('month', day) AS month, amount FROM trade) "
        "SELECT month, SUM(amount) FROM m GROUP BY month ORDER BY month",
        "SELECT region FROM trade UNION ALL SELECT code FROM regions",
        "SELECT * FROM trade WHERE region IN (SELECT code FROM regions WHERE active)",
        "SELECT (SELECT MAX(amount) FROM trade) AS top",
        "SELECT median(amount), quantile_cont(amount, 0.95), count(DISTINCT region) FROM trade",
        "SELECT * FROM TRADE",  # identifiers are case-insensitive
        "SELECT 1;",
        "-- a comment\nSELECT region FROM trade /* and another */",
    ],
)
def test_accepts_read_only_selects(sql: str) -> None:
    query = validate_sql(sql, CATALOG)
    assert query.tables <= CATALOG


def test_reports_the_datasets_read() -> None:
    query = validate_sql(
        "WITH x AS (SELECT * FROM trade) SELECT * FROM x JOIN regions USING (region)", CATALOG
    )
    assert query.tables == {"trade", "regions"}


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("DROP TABLE trade", "not_select"),
        ("DELETE FROM trade", "not_select"),
        ("INSERT INTO trade SELECT * FROM trade", "not_select"),
        ("UPDATE trade SET amount = 0", "not_select"),
        ("CREATE TABLE x AS SELECT * FROM trade", "not_select"),
        ("ALTER TABLE trade ADD COLUMN x INT", "not_select"),
        ("COPY trade TO '/tmp/out.csv'", "not_select"),
        ("ATTACH 'other.db' AS other", "not_select"),
        ("INSTALL httpfs", "not_select"),
        ("LOAD httpfs", "not_select"),
        ("PRAGMA database_list", "not_select"),
        ("SET threads = 1", "not_select"),
        ("DESCRIBE trade", "not_select"),
        ("SELECT * INTO copy FROM trade", "not_read_only"),
        ("SELECT 1; DROP TABLE trade", "multiple_statements"),
        ("SELECT 1; SELECT 2", "multiple_statements"),
        ("SELECT * FROM read_csv('/etc/passwd')", "function_reads_outside"),
        ("SELECT * FROM read_parquet('s3://bucket/x.parquet')", "function_reads_outside"),
        ("SELECT * FROM read_csv_auto('http://example.org/x.csv')", "function_reads_outside"),
        ("SELECT * FROM glob('/home/*')", "function_reads_outside"),
        ("SELECT * FROM iceberg_scan('s3://x')", "function_reads_outside"),
        ("SELECT * FROM query('SELECT 1')", "function_reads_outside"),
        ("SELECT * FROM range(10)", "table_function"),
        ("SELECT read_text('/etc/passwd')", "function_reads_outside"),
        ("SELECT getenv('EGOV_SECRET_KEY')", "function_reads_outside"),
        ("SELECT current_setting('threads')", "function_reads_outside"),
        ("SELECT CURRENT_USER", "function_not_allowed"),
        ("SELECT my_udf(amount) FROM trade", "unknown_function"),
        ("SELECT * FROM 'data/x.csv'", "unknown_dataset"),
        ('SELECT * FROM "/etc/passwd"', "unknown_dataset"),
        ("SELECT * FROM secrets", "unknown_dataset"),
        ("SELECT * FROM main.trade", "qualified_name"),
        ("SELECT * FROM other.public.users", "qualified_name"),
        (
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
            "recursive",
        ),
        ("SELECT * FROM trade FOR UPDATE", "not_read_only"),
        ("", "empty"),
        ("   ;  ", "empty"),
        ("SELEC * FROM trade", "syntax"),
    ],
)
def test_rejects_with_a_reason(sql: str, expected: str) -> None:
    assert reason(sql) == expected


def test_spark_path_tables_are_rejected() -> None:
    assert reason("SELECT * FROM csv.`/etc/passwd`", dialect="spark") == "qualified_name"
    assert reason("SELECT * FROM parquet.`s3://bucket/x`", dialect="spark") == "qualified_name"


def test_a_cte_does_not_hide_a_real_table_outside_its_scope() -> None:
    # The inner CTE named "secrets" is out of scope where the outer query reads "secrets".
    sql = "SELECT * FROM (WITH secrets AS (SELECT 1 AS a) SELECT a FROM secrets) x, secrets"
    assert reason(sql) == "unknown_dataset"


def test_messages_name_the_problem() -> None:
    with pytest.raises(SqlRejected) as caught:
        validate_sql("SELECT * FROM trades", CATALOG)
    assert "'trades' is not a dataset in the catalog" in caught.value.message
    assert "Did you mean trade?" in caught.value.message
    with pytest.raises(SqlRejected) as caught:
        validate_sql("SELECT 1; DELETE FROM trade", CATALOG)
    assert "found 2 (SELECT, DELETE)" in caught.value.message
    with pytest.raises(SqlRejected) as caught:
        validate_sql("SELECT * FROM read_csv('x')", CATALOG)
    assert "read_csv() is not allowed" in caught.value.message


def test_extra_functions_never_unlock_file_readers() -> None:
    assert validate_sql("SELECT my_udf(amount) FROM trade", CATALOG, extra_functions=["my_udf"])
    assert reason("SELECT read_text('x')", extra_functions=["read_text"]) == (
        "function_reads_outside"
    )


def test_transpiles_to_spark() -> None:
    query = validate_sql("SELECT region, amount::DOUBLE AS a FROM trade LIMIT 3", CATALOG)
    assert query.sql("spark") == "SELECT region, CAST(amount AS DOUBLE) AS a FROM trade LIMIT 3"


def test_row_rules_filter_every_read_of_the_dataset() -> None:
    query = validate_sql(
        "SELECT t.region, SUM(amount) FROM trade AS t WHERE amount > 0 GROUP BY 1 "
        "UNION ALL SELECT region, 0 FROM trade",
        CATALOG,
    )
    ruled = apply_row_rules(query, [RowRule("trade", "organization", ("ORG1", "ORG2"))])
    text = ruled.sql()
    assert text.count("\"organization\" IN ('ORG1', 'ORG2')") == 2
    assert "(SELECT * FROM trade WHERE" in text
    # The rewritten query still passes validation.
    assert validate_sql(text, CATALOG).tables == {"trade"}


def test_a_rule_without_values_sees_nothing() -> None:
    query = validate_sql("SELECT * FROM trade", CATALOG)
    assert "WHERE FALSE" in apply_row_rules(query, [RowRule("trade", "organization", ())]).sql()


def test_limited_wraps_the_query() -> None:
    query = validate_sql("SELECT * FROM trade", CATALOG).limited(10)
    assert query.sql().endswith("LIMIT 10")


# -- properties on nasty input --------------------------------------------------------------------

DANGEROUS = [
    "DROP TABLE trade",
    "DELETE FROM trade",
    "COPY trade TO 'x.csv'",
    "ATTACH 'x.db'",
    "INSTALL httpfs",
    "CREATE TABLE x (a INT)",
    "PRAGMA version",
    "SET memory_limit='1GB'",
    "CALL pragma_version()",
    "EXPORT DATABASE 'x'",
]
NASTY_TEXT = st.text(
    alphabet=st.sampled_from(
        list("SELECTFROMWHERE*;'\"`()-/,. \n\t0123456789abcdefxyz_$@\\[]{}|:")
    ),
    max_size=120,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NASTY_TEXT)
def test_any_text_is_accepted_or_rejected_cleanly(sql: str) -> None:
    try:
        query = validate_sql(sql, CATALOG)
    except SqlRejected as error:
        assert error.details["reason"]
        assert error.message
    else:
        assert query.tables <= CATALOG


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_escapes_as_another_error(sql: str) -> None:
    with contextlib.suppress(SqlRejected):
        validate_sql(sql, CATALOG)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["SELECT * FROM trade", "SELECT 1", "WITH a AS (SELECT 1) SELECT * FROM a"]),
    st.sampled_from(DANGEROUS),
    st.sampled_from([";", "; ", ";\n", " ;-- x\n", ";/* c */"]),
    st.booleans(),
)
def test_a_dangerous_statement_never_rides_along(
    select: str, dangerous: str, separator: str, first: bool
) -> None:
    sql = f"{dangerous}{separator}{select}" if first else f"{select}{separator}{dangerous}"
    with pytest.raises(SqlRejected):
        validate_sql(sql, CATALOG)


@settings(max_examples=150, deadline=None)
@given(st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True))
def test_unknown_tables_are_rejected(name: str) -> None:
    if name in CATALOG:
        return
    with pytest.raises(SqlRejected):
        validate_sql(f"SELECT * FROM {name}", CATALOG)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(
        ["read_csv", "read_parquet", "read_json", "read_text", "read_blob", "glob", "getenv"]
    ),
    st.sampled_from(["'/etc/passwd'", "'http://x/y'", "'s3://b/k'", "'~/.ssh/id_rsa'"]),
    st.sampled_from(
        [
            "SELECT * FROM {f}({a})",
            "SELECT {f}({a})",
            "SELECT * FROM trade, {f}({a})",
            "SELECT * FROM trade WHERE region IN (SELECT * FROM {f}({a}))",
            "WITH x AS (SELECT * FROM {f}({a})) SELECT * FROM x",
        ]
    ),
    st.sampled_from(["lower", "upper"]),
)
def test_file_and_url_readers_are_rejected_anywhere(
    function: str, argument: str, template: str, case: str
) -> None:
    name = getattr(function, case)()
    with pytest.raises(SqlRejected):
        validate_sql(template.format(f=name, a=argument), CATALOG)


def test_huge_or_deep_queries_are_rejected() -> None:
    assert reason("SELECT " + "1 + " * 10_000 + "1") == "too_long"
    deep = "SELECT " + "(" * 3000 + "1" + ")" * 3000
    assert reason(deep) in {"too_deep", "syntax"}
