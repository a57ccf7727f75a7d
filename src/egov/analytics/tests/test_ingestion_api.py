"""Ingestion through the API: uploads publish versions or change nothing, and say why."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from egov.analytics import store
from egov.analytics.models import Dataset, Load
from egov.analytics.tests.helpers import declare, upload

pytestmark = pytest.mark.django_db

IINS = ["950101300123", "870512400456", "010203500789"]
GOOD = (
    "iin,region,amount,status\n"
    f"{IINS[0]},KZ-75,100.5,paid\n"
    f"{IINS[1]},KZ-71,20,paid\n"
    f"{IINS[2]},KZ-75,0,void\n"
)


def _payments(world, **fields):  # type: ignore[no-untyped-def]
    response = declare(
        world.client("analyst"),
        "payments",
        columns=[{"name": "iin", "classification": "identifier"}],
        quality_rules=[
            {"kind": "not_null", "column": "amount"},
            {"kind": "range", "column": "amount", "min": 0},
        ],
        **fields,
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_an_upload_becomes_a_version_with_its_snapshot(world) -> None:  # type: ignore[no-untyped-def]
    _payments(world)
    response = upload(world.client("analyst"), "payments", GOOD.encode())
    assert response.status_code == 202, response.content
    load = response.json()
    assert load["status"] == "published"
    assert load["version"] == 1 and load["rows"] == 3
    assert len(load["sha256"]) == 64
    assert load["source_sha256"] == hashlib.sha256(GOOD.encode()).hexdigest()
    assert {c["name"] for c in load["columns"]} == {"iin", "region", "amount", "status"}
    assert load["quality_score"] == 1.0
    dataset = world.client("analyst").get("/api/analytics/datasets/payments").json()
    assert dataset["current_version"] == 1 and dataset["rows"] == 3
    assert {c["name"]: c["classification"] for c in dataset["columns"]}["iin"] == "identifier"


def test_personal_identifiers_never_reach_the_warehouse(world) -> None:  # type: ignore[no-untyped-def]
    _payments(world)
    upload(world.client("analyst"), "payments", GOOD.encode())
    written = b"".join(p.read_bytes() for p in Path(store.root()).rglob("*") if p.is_file())
    for iin in IINS:
        assert iin.encode() not in written
        assert iin.encode("utf-16-le") not in written
        assert hashlib.sha256(iin.encode()).hexdigest().encode() not in written
        assert hashlib.sha256(iin.encode()).digest() not in written
    rows = world.client("analyst").get("/api/analytics/datasets/payments/rows").json()["rows"]
    keyring = store.keyring()
    assert keyring is not None
    expected = set(keyring.pseudonymise_array(__import__("pyarrow").array(IINS)).to_pylist())
    assert {r["iin"] for r in rows} == expected
    assert all(len(r["iin"]) == 64 for r in rows)


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("utf-8-sig", b""), ("cp1251", b""), ("utf-8", b"\xef\xbb\xbf")]
)
def test_cp1251_and_bom_files_are_read(world, encoding: str, prefix: bytes) -> None:  # type: ignore[no-untyped-def]
    declare(world.client("analyst"), "regions")
    text = "code,name\nKZ-75,Алматы\nKZ-71,Астана\n"
    body = prefix + text.encode(encoding)
    load = upload(world.client("analyst"), "regions", body).json()
    assert load["status"] == "published", load
    rows = world.client("analyst").get("/api/analytics/datasets/regions/rows").json()["rows"]
    assert [r["code"] for r in rows] == ["KZ-75", "KZ-71"]  # no BOM glued to the first header
    assert {r["name"] for r in rows} == {"Алматы", "Астана"}


def test_malformed_rows_are_reported_by_line_and_nothing_is_published(world) -> None:  # type: ignore[no-untyped-def]
    _payments(world)
    upload(world.client("analyst"), "payments", GOOD.encode())
    broken = GOOD + "870512400456,KZ-75\n" + f"{IINS[0]},KZ-75,1,paid\n" + "1,2,3,4,5\n"
    load = upload(world.client("analyst"), "payments", broken.encode()).json()
    assert load["status"] == "rejected"
    assert load["error_code"] == "malformed_rows"
    assert [p["line"] for p in load["problems"]] == [5, 7]
    assert "wrong number of fields" in load["error_message"]
    dataset = Dataset.objects.get(name="payments")
    assert dataset.current_version == 1 and dataset.rows == 3
    assert len(store.warehouse().versions("payments")) == 1


def test_quarantine_policy_leaves_bad_rows_out(world) -> None:  # type: ignore[no-untyped-def]
    _payments(world, malformed_policy="quarantine")
    broken = GOOD + "870512400456,KZ-75\n"
    load = upload(world.client("analyst"), "payments", broken.encode()).json()
    assert load["status"] == "published" and load["rows"] == 3
    assert load["problem_count"] == 1 and load["problems"][0]["line"] == 5


def test_schema_drift_stops_the_load_until_someone_decides(world) -> None:  # type: ignore[no-untyped-def]
    _payments(world)
    client = world.client("analyst")
    upload(client, "payments", GOOD.encode())
    drifted = "iin,region,amount,currency\n950101300123,KZ-75,5,KZT\n"
    load = upload(client, "payments", drifted.encode()).json()
    assert load["status"] == "needs_decision"
    assert load["error_code"] == "schema_drift"
    assert load["error_details"]["added"] == ["currency"]
    assert load["error_details"]["missing"] == ["status"]
    assert Dataset.objects.get(name="payments").current_version == 1
    again = client.post(
        f"/api/analytics/loads/{load['id']}/decision",
        {"accept": True},
        content_type="application/json",
    )
    assert again.status_code == 202, again.content
    assert again.json()["status"] == "published" and again.json()["version"] == 2
    names = [c["name"] for c in client.get("/api/analytics/datasets/payments").json()["columns"]]
    assert "currency" in names and "status" not in names
    repeat = client.post(
        f"/api/analytics/loads/{load['id']}/decision",
        {"accept": True},
        content_type="application/json",
    )
    assert repeat.status_code == 409
    assert repeat["Content-Type"] == "application/problem+json"


def test_a_failed_blocking_gate_quarantines_the_load(world) -> None:  # type: ignore[no-untyped-def]
    _payments(world)
    client = world.client("analyst")
    upload(client, "payments", GOOD.encode())
    negative = GOOD.replace("KZ-71,20,paid", "KZ-71,-20,paid")
    load = upload(client, "payments", negative.encode()).json()
    assert load["status"] == "quarantined"
    assert load["error_code"] == "quality_gate_failed"
    assert load["quarantine_id"]
    failed = [r for r in load["quality"]["results"] if not r["passed"]]
    assert failed[0]["gate"]["kind"] == "range" and failed[0]["failing_rows"] == 1
    assert IINS[1] not in str(load)  # the report carries pseudonyms, never the raw identifier
    assert Dataset.objects.get(name="payments").current_version == 1
    assert store.warehouse().quarantined("payments")


def test_restore_publishes_an_earlier_version(world) -> None:  # type: ignore[no-untyped-def]
    _payments(world)
    client = world.client("analyst")
    upload(client, "payments", GOOD.encode())
    upload(client, "payments", (GOOD + f"{IINS[0]},KZ-75,7,paid\n").encode())
    assert Dataset.objects.get(name="payments").rows == 4
    versions = client.get("/api/analytics/datasets/payments/versions").json()
    assert [v["version"] for v in versions] == [2, 1] and versions[0]["published"]
    restored = client.post("/api/analytics/datasets/payments/versions/1/restore")
    assert restored.status_code == 200
    assert restored.json()["current_version"] == 1 and restored.json()["rows"] == 3
    missing = client.post("/api/analytics/datasets/payments/versions/9/restore")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_dataset"


def test_bad_requests_are_problems_not_errors(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("analyst")
    bad_name = declare(client, "Bad-Name")
    assert bad_name.status_code == 422
    assert bad_name["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in bad_name.json()["errors"]} == {"name"}
    bad_rule = declare(client, "ok_name", quality_rules=[{"kind": "nonsense"}])
    assert bad_rule.status_code == 422
    assert bad_rule.json()["errors"][0]["field"] == "quality_rules"
    declare(client, "files")
    wrong = upload(client, "files", b"MZ\x90\x00", filename="tool.exe")
    assert wrong.status_code == 422 and wrong.json()["code"] == "unknown_format"
    garbage = upload(client, "files", b"\x81\x00\xff\xfe\x00garbage\x00", filename="x.csv")
    assert garbage.status_code == 202
    assert garbage.json()["status"] == "rejected" and garbage.json()["error_code"]
    empty = upload(client, "files", b"", filename="x.csv").json()
    assert empty["status"] == "rejected"
    assert Load.objects.filter(dataset__name="files", status="published").count() == 0


def test_permissions_and_visibility(world) -> None:  # type: ignore[no-untyped-def]
    _payments(world)
    assert upload(world.client("other_analyst"), "payments", GOOD.encode()).status_code == 404
    assert world.client("anonymous").get("/api/analytics/datasets/payments").status_code == 404
    # Roles reach downwards: the territorial office does not see the ministry's restricted data,
    # the ministry's analyst manages the territorial office's.
    assert world.client("child_analyst").get("/api/analytics/datasets/payments").status_code == 404
    assert declare(world.client("analyst"), "local", organization="STAT-ALA").status_code == 201
    assert upload(world.client("analyst"), "local", b"a\n1\n").json()["status"] == "published"
    refused = declare(world.client("other_editor"), "mine", organization="MINFIN")
    assert refused.status_code == 403
    assert (
        world.client("anonymous")
        .post("/api/analytics/datasets", {}, content_type="application/json")
        .status_code
        == 401
    )
    listing = world.client("anonymous").get("/api/analytics/datasets").json()
    assert listing["count"] == 0
