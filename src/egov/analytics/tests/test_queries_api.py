"""Read-only SQL, row-level rules in the engine query, indicators, targets and notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from django.utils.translation import gettext

from egov.analytics import documents, status
from egov.analytics.choices import TargetStatus
from egov.analytics.models import Indicator
from egov.analytics.tests.helpers import declare, upload
from egov.core.models import Membership, Notification
from egov.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SALES = (
    "day,organization,region,amount\n"
    "2024-01-15,STAT,KZ-75,10\n"
    "2024-02-15,STAT,KZ-71,20\n"
    "2024-02-20,MINFIN,KZ-75,5\n"
    "2024-03-10,MINFIN,KZ-71,7\n"
)


@pytest.fixture
def sales(world):  # type: ignore[no-untyped-def]
    response = declare(
        world.client("analyst"), "sales", visibility="internal", row_column="organization"
    )
    assert response.status_code == 201, response.content
    assert upload(world.client("analyst"), "sales", SALES.encode()).json()["status"] == "published"
    return response.json()


def _sql(client, text: str):  # type: ignore[no-untyped-def]
    return client.post("/api/analytics/sql", {"sql": text}, content_type="application/json")


def test_sql_outside_the_catalog_is_refused_with_the_reason(world, sales) -> None:  # type: ignore[no-untyped-def]
    client = world.client("analyst")
    ok = _sql(client, "SELECT region, SUM(amount) AS total FROM sales GROUP BY region ORDER BY 1")
    assert ok.status_code == 200
    assert ok.json()["rows"] == [{"region": "KZ-71", "total": 27}, {"region": "KZ-75", "total": 15}]
    cases = {
        "DROP TABLE sales": "not_select",
        "SELECT 1; DELETE FROM sales": "multiple_statements",
        "SELECT * FROM read_csv('/etc/passwd')": "function_reads_outside",
        "SELECT * FROM core_user": "unknown_dataset",
        "SELECT * FROM main.sales": "qualified_name",
        "SELECT (1 FROM sales": "syntax",
    }
    for text, reason in cases.items():
        response = _sql(client, text)
        assert response.status_code == 422, text
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["code"] == "sql_rejected" and body["reason"] == reason, (text, body)
        assert body["detail"]
    russian = client.post(
        "/api/analytics/sql",
        {"sql": "DROP TABLE sales"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert russian.json()["reason"] == "not_select"
    assert _sql(world.client("other_editor"), "SELECT 1 FROM sales").status_code == 403


def test_row_level_rules_are_in_the_engine_query(world, sales) -> None:  # type: ignore[no-untyped-def]
    total = "SELECT organization, SUM(amount) AS total FROM sales GROUP BY 1 ORDER BY 1"
    owner = _sql(world.client("analyst"), total).json()["rows"]
    assert [r["organization"] for r in owner] == ["MINFIN", "STAT"]
    other = _sql(world.client("other_analyst"), total).json()["rows"]
    assert other == [{"organization": "MINFIN", "total": 12}]
    # A subquery, a CTE or a self-join cannot escape the rule: every read of the dataset is wrapped.
    sneaky = _sql(
        world.client("other_analyst"),
        "WITH s AS (SELECT * FROM sales) SELECT COUNT(*) AS n FROM s, sales AS t",
    ).json()["rows"]
    assert sneaky == [{"n": 4}]  # 2 × 2 of its own rows, not 4 × 4
    preview = world.client("other_analyst").get("/api/analytics/datasets/sales/rows").json()
    assert {r["organization"] for r in preview["rows"]} == {"MINFIN"}
    # Anonymous readers do not see an internal dataset at all.
    assert world.client("anonymous").get("/api/analytics/datasets/sales/rows").status_code == 404


def _indicator_yaml(visibility: str = "internal", target: float = 100.0) -> str:
    return f"""
kind: indicator
code: sales-total
organization: STAT
name: {{kk: Сатылым, en: Sales}}
unit: KZT
frequency: monthly
definition:
  sql: SELECT day, organization, region, amount FROM sales
value: amount
dimensions: {{period: day, organization: organization, region: region}}
visibility: {visibility}
target_series: cumulative
targets:
  - {{date: "2024-12-31", value: {target}}}
"""


def test_indicators_compute_with_row_rules_and_filters(world, sales) -> None:  # type: ignore[no-untyped-def]
    imported = world.client("analyst").post(
        "/api/analytics/import", _indicator_yaml(), content_type="application/yaml"
    )
    assert imported.status_code == 200, imported.content
    assert imported.json()["indicators"] == ["sales-total"]
    owner = world.client("analyst").get("/api/analytics/indicators/sales-total/data").json()
    assert [(r["period"], r["value"]) for r in owner["rows"]] == [
        ("2024-01-01", 10),
        ("2024-02-01", 25),
        ("2024-03-01", 7),
    ]
    other = world.client("other_analyst").get("/api/analytics/indicators/sales-total/data")
    assert [r["value"] for r in other.json()["rows"]] == [5, 7]
    by_region = (
        world.client("analyst")
        .get("/api/analytics/indicators/sales-total/data", {"by": "region", "region": "KZ-75"})
        .json()
    )
    assert by_region["rows"] == [{"region": "KZ-75", "value": 15}]
    quarterly = (
        world.client("analyst")
        .get("/api/analytics/indicators/sales-total/data", {"frequency": "quarterly"})
        .json()
    )
    assert quarterly["rows"] == [{"period": "2024-01-01", "value": 42}]
    bad = world.client("analyst").get(
        "/api/analytics/indicators/sales-total/data", {"by": "category"}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_dimension"
    bad_date = world.client("analyst").get(
        "/api/analytics/indicators/sales-total/data", {"start": "yesterday"}
    )
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["field"] == "start"
    bad_frequency = world.client("analyst").get(
        "/api/analytics/indicators/sales-total/data", {"frequency": "hourly"}
    )
    assert bad_frequency.json()["errors"][0]["field"] == "frequency"
    too_fine = world.client("analyst").get(
        "/api/analytics/indicators/sales-total/data", {"frequency": "daily"}
    )
    assert too_fine.status_code == 422 and too_fine.json()["code"] == "frequency_too_fine"
    assert world.client("anonymous").get("/api/analytics/indicators/sales-total").status_code == 404


def test_indicator_sql_outside_the_catalog_is_refused_on_import(world, sales) -> None:  # type: ignore[no-untyped-def]
    text = _indicator_yaml().replace("FROM sales", "FROM core_user")
    response = world.client("analyst").post(
        "/api/analytics/import", text, content_type="application/yaml"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sql"
    broken = world.client("analyst").post(
        "/api/analytics/import", "kind: [unclosed", content_type="application/yaml"
    )
    assert broken.status_code == 422 and broken.json()["code"] == "bad_yaml"
    assert broken.json()["line"] == 1
    foreign = world.client("other_analyst").post(
        "/api/analytics/import", _indicator_yaml(), content_type="application/yaml"
    )
    assert foreign.status_code == 403
    assert not Indicator.objects.exists()


def test_status_changes_notify_the_owner(world, sales, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = world.client("analyst")
    client.post(
        "/api/analytics/import", _indicator_yaml(target=30.0), content_type="application/yaml"
    )
    indicator = Indicator.objects.get(code="sales-total")
    march = dt.date(2024, 3, 31)
    with django_capture_on_commit_callbacks(execute=True):
        assert status.refresh(indicator, today=march) == "on_track"
    assert Notification.objects.filter(user=world.users["analyst"]).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        status.refresh(indicator, today=march)  # unchanged: no second notice
    assert Notification.objects.filter(user=world.users["analyst"]).count() == 1
    indicator.targets.update(value=1000.0)
    with django_capture_on_commit_callbacks(execute=True):
        assert status.refresh(indicator, today=march) == "off_track"
    notices = Notification.objects.filter(user=world.users["analyst"]).order_by("pk")
    assert notices.count() == 2 and "sales-total" in notices.last().subject
    assert not Notification.objects.filter(user=world.users["other_analyst"]).exists()


def test_yaml_round_trip_and_version_history(world, sales) -> None:  # type: ignore[no-untyped-def]
    client = world.client("analyst")
    client.post("/api/analytics/import", _indicator_yaml(), content_type="application/yaml")
    first = client.get("/api/analytics/export", {"indicator": "sales-total"}).content.decode()
    assert "code: sales-total" in first and "Сатылым" in first
    client.post(
        "/api/analytics/import",
        first.replace("unit: KZT", "unit: USD"),
        content_type="application/yaml",
    )
    assert Indicator.objects.get(code="sales-total").unit == "USD"
    history = client.get("/api/analytics/revisions/indicator/sales-total").json()
    assert [r["number"] for r in history] == [2, 1]
    restored = client.post("/api/analytics/revisions/indicator/sales-total/1/restore")
    assert restored.status_code == 200 and restored.json()["number"] == 3
    assert Indicator.objects.get(code="sales-total").unit == "KZT"
    again = client.get("/api/analytics/export", {"indicator": "sales-total"}).content.decode()
    assert documents.parse(again)[0] == documents.parse(first)[0]
    # Another organization reads the internal indicator but not its history.
    assert (
        world.client("other_analyst")
        .get("/api/analytics/revisions/indicator/sales-total")
        .status_code
        == 403
    )


def test_status_notices_are_in_each_recipients_language(
    world, sales, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    world.client("analyst").post(
        "/api/analytics/import", _indicator_yaml(target=30.0), content_type="application/yaml"
    )
    world.users["analyst"].preferred_language = "kk"
    world.users["analyst"].save()
    english = UserFactory(username="english", preferred_language="en")
    Membership.objects.create(user=english, role="org_admin", organization=world.owner)
    indicator = Indicator.objects.get(code="sales-total")
    # The change happens in whatever language the worker runs in; each reader gets theirs.
    with translation.override("ru"), django_capture_on_commit_callbacks(execute=True):
        assert status.refresh(indicator, today=dt.date(2024, 3, 31)) == "on_track"
    for user, language, name in (
        (world.users["analyst"], "kk", "Сатылым"),
        (english, "en", "Sales"),
    ):
        notice = Notification.objects.get(user=user)
        with translation.override(language):
            on_track = str(TargetStatus.ON_TRACK.label)
            subject = gettext("Indicator %(code)s is now: %(status)s") % {
                "code": "sales-total",
                "status": on_track,
            }
            body = gettext("The target status of %(name)s changed from %(before)s to %(after)s.")
            body %= {"name": name, "before": str(TargetStatus.NO_DATA.label), "after": on_track}
        assert (notice.subject, notice.body) == (subject, body)
        assert name in notice.body
