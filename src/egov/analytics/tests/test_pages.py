"""Smart Data pages, driven like a person would: forms with field errors, loads, decisions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.analytics.models import Dataset, Load
from egov.testing.auth import log_in

pytestmark = pytest.mark.django_db


def _client(world, who: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    TOTPDevice.objects.get_or_create(user=world.users[who], name="t", defaults={"confirmed": True})
    log_in(client, who, "a-long-test-password")
    return client


def _declare(client: Client, **changes: str):  # type: ignore[no-untyped-def]
    from egov.core.models import Organization

    data = {
        "name": "grants",
        "organization": Organization.objects.get(code="STAT").pk,
        "title_kk": "Гранттар",
        "title_en": "Grants",
        "visibility": "internal",
        "frequency": "monthly",
        "licence": "CC-BY-4.0",
        "tags": "money, grants",
        "personal_columns": "iin",
        "malformed_policy": "reject",
        "quality_rules": "- {kind: not_null, column: amount}",
        **changes,
    }
    return client.post("/analytics/datasets/new/", data)


def test_declaring_a_dataset_names_the_wrong_fields(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "analyst")
    assert client.get("/analytics/datasets/new/").status_code == 200
    bad = _declare(client, name="Bad Name", quality_rules="- {kind: [", title_kk="")
    assert bad.status_code == 200
    assert {"name", "quality_rules"} <= set(bad.context["form"].errors)
    unknown_rule = _declare(client, quality_rules="- {kind: nonsense}")
    assert "quality_rules" in unknown_rule.context["form"].errors
    missing_language = _declare(client, title_kk="")
    assert "title_kk" in missing_language.context["form"].errors
    good = _declare(client)
    assert good.status_code == 302 and good["Location"] == "/analytics/datasets/grants/upload/"
    dataset = Dataset.objects.get(name="grants")
    assert dataset.tags == ["money", "grants"] and dataset.personal_columns() == ["iin"]
    assert _client(world, "other_editor").get("/analytics/datasets/new/").status_code == 403


def test_upload_form_load_page_and_schema_decision(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "analyst")
    _declare(client)
    url = "/analytics/datasets/grants/upload/"
    wrong = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert wrong.status_code == 200 and "file" in wrong.context["form"].errors
    good = "iin,amount\n950101300123,10\n870512400456,20\n"
    response = client.post(url, {"file": SimpleUploadedFile("g.csv", good.encode("cp1251"))})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Published" in page and "2 rows" in page
    empty_amount = "iin,amount\n950101300123,\n870512400456,20\n"
    response = client.post(url, {"file": SimpleUploadedFile("g.csv", empty_amount.encode())})
    page = client.get(response["Location"]).content.decode()
    assert "Quarantined" in page and "amount is not null" in page and "1 / 2" in page
    assert "950101300123" not in page
    broken = good + "1,2,3\n"
    response = client.post(url, {"file": SimpleUploadedFile("g.csv", broken.encode())})
    page = client.get(response["Location"]).content.decode()
    assert "wrong number of fields" in page and "<td>4</td>" in page
    drifted = "iin,amount,note\n950101300123,10,x\n"
    response = client.post(url, {"file": SimpleUploadedFile("g.csv", drifted.encode())})
    load = Load.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert load.status == "needs_decision"
    page = client.get(response["Location"]).content.decode()
    assert "note" in page and "Accept the new schema" in page
    decided = client.post(f"/analytics/loads/{load.pk}/decision/", {"decision": "accept"})
    assert decided.status_code == 302
    assert Dataset.objects.get(name="grants").current_version == 2
    detail = client.get("/analytics/datasets/grants/").content.decode()
    assert "note" in detail and "Personal identifier" in detail
    assert "950101300123" not in detail  # the preview shows pseudonyms
    restored = client.post("/analytics/datasets/grants/versions/1/restore/")
    assert restored.status_code == 302
    assert Dataset.objects.get(name="grants").current_version == 1


def test_catalog_search_and_visibility(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "analyst")
    _declare(client)
    assert "grants" in client.get("/analytics/", {"q": "Grant"}).content.decode()
    assert (
        "<code>grants</code>"
        not in client.get("/analytics/", {"q": "nothing-like-it"}).content.decode()
    )
    assert "grants" in client.get("/analytics/", {"tag": "money"}).content.decode()
    anonymous = Client()
    assert "<code>grants</code>" not in anonymous.get("/analytics/").content.decode()
    assert anonymous.get("/analytics/datasets/grants/").status_code == 404
    other = _client(world, "other_editor")
    assert other.get("/analytics/datasets/grants/").status_code == 200  # internal
    assert other.get("/analytics/datasets/grants/upload/").status_code == 403


def test_sql_page_says_why_a_query_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "analyst")
    response = client.post("/analytics/sql/", {"sql": "DELETE FROM grants"})
    assert response.status_code == 200
    assert "not_select" in str(response.context["form"].errors["sql"])


def test_sources_in_the_back_office(world) -> None:  # type: ignore[no-untyped-def]
    from egov.analytics.models import Source
    from egov.core.models import Organization

    client = _client(world, "analyst")
    assert client.get("/admin/analytics_sources/").status_code == 200
    owner = Organization.objects.get(code="STAT").pk
    form = {"organization": owner, "name": "stats", "kind": "postgres", "schedule_minutes": 60}
    bad = client.post("/admin/analytics_sources/new/", {**form, "config": '{"dsn_env": "PGURL"}'})
    assert bad.status_code == 200 and not Source.objects.exists()
    assert "config" in bad.context["form"].errors
    good = client.post(
        "/admin/analytics_sources/new/",
        {**form, "config": '{"dsn_env": "EGOV_ANALYTICS_SOURCE_STATS", "query": "SELECT 1"}'},
    )
    assert good.status_code == 302 and Source.objects.get().schedule_minutes == 60
    other = _client(world, "other_analyst")
    response = other.get(f"/admin/analytics_sources/edit/{Source.objects.get().pk}/")
    assert response.status_code == 404  # beyond its reach, the source does not exist for it
