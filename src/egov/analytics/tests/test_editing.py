"""The page forms: describing a dataset and defining or editing an indicator — who may, what is
saved, what is audited and how each mistake is named on its field in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from egov.analytics import demo
from egov.analytics.models import Dataset, Indicator, Revision
from egov.core.models import AuditRecord
from egov.testing.auth import log_in_demo

pytestmark = pytest.mark.django_db

TRADE = "/analytics/datasets/bilateral_trade/edit/"
NEW = "/analytics/indicators/new/"


@pytest.fixture
def content(registry: Any) -> None:
    demo.load()


def as_user(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    log_in_demo(client, username)
    return client


def _initial(client: Client, url: str) -> dict[str, Any]:
    """What the form shows, as a browser would post it back."""
    response = client.get(url)
    assert response.status_code == 200
    data: dict[str, Any] = {}
    forms = [response.context["form"], *response.context.get("columns", [])]
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or field.field.disabled:
                continue
            data[field.html_name] = value
    return data


def test_only_analysts_of_the_owner_reach_the_forms(client: Client, content: None) -> None:
    # A second factor is used once: each person logs in once.
    outsiders = {name: as_user(name) for name in ("citizen", "orgadmin")}  # orgadmin: MINJUST
    for url in (TRADE, NEW, "/analytics/indicators/kz-tj-turnover/edit/"):
        assert client.get(url).status_code == 302  # to the login page
        for username, outsider in outsiders.items():
            allowed = url == NEW and username == "orgadmin"  # for MINJUST's own indicators
            assert outsider.get(url).status_code == (200 if allowed else 403), (url, username)
    owners = outsiders["orgadmin"].get(NEW).context["form"].fields["organization"].queryset
    assert "MDDIAI" not in {o.code for o in owners}
    denied = AuditRecord.objects.filter(action="permission_denied").count()
    assert denied >= 4
    page = as_user("analyst").get("/analytics/datasets/bilateral_trade/")
    assert TRADE.encode() in page.content


def test_describe_a_dataset_and_its_columns(content: None) -> None:
    analyst = as_user("analyst")
    data = _initial(analyst, TRADE)
    dataset = Dataset.objects.get(name="bilateral_trade")
    column = dataset.columns.get(name="region")
    prefix = f"column-{column.position}"
    data.update(
        {
            "title_en": "Kazakhstan–Tajikistan trade, monthly",
            "description_ru": "Товарооборот по месяцам и товарным группам.",
            "tags": "trade, Tajikistan , ",
            "licence": "CC-BY-4.0",
            "frequency": "monthly",
            f"{prefix}-classification": "public",
            f"{prefix}-description_en": "The region of Kazakhstan the goods cross.",
        }
    )
    before = AuditRecord.objects.count()
    response = analyst.post(TRADE, data)
    assert response.status_code == 302, response.context["form"].errors
    dataset.refresh_from_db()
    column.refresh_from_db()
    assert dataset.title_en == "Kazakhstan–Tajikistan trade, monthly"
    assert dataset.description_ru.startswith("Товарооборот")
    assert dataset.tags == ["trade", "Tajikistan"]
    assert column.classification == "public"
    assert column.description_en.startswith("The region")
    changes = AuditRecord.objects.filter(seq__gt=before)
    assert {r.object_type for r in changes} >= {"analytics.dataset", "analytics.column"}
    assert all(r.actor_name == "analyst" for r in changes)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_dataset_mistakes_are_named_on_their_fields(content: None, language: str) -> None:
    analyst = as_user("analyst", language)
    data = _initial(analyst, TRADE)
    dataset = Dataset.objects.get(name="bilateral_trade")
    loaded = dataset.columns.get(name="region")
    data.update({"title_kk": "", f"column-{loaded.position}-classification": "identifier"})
    response = analyst.post(TRADE, data)
    assert response.status_code == 200
    form = response.context["form"]
    with translation.override(language):
        required = gettext("Enter this in the default language (%(language)s).") % {
            "language": "kk"
        }
    assert form.errors["title_kk"] == [required]
    dataset.refresh_from_db()
    assert dataset.title_kk  # nothing saved


def _indicator_data(**changes: Any) -> dict[str, Any]:
    data = {
        "code": "kz-tj-imports",
        "organization": "MDDIAI",
        "name_kk": "Тәжікстаннан импорт",
        "name_en": "Imports from Tajikistan",
        "unit": "USD",
        "frequency": "monthly",
        "sql": "SELECT month, region, value_usd FROM bilateral_trade WHERE flow = 'import'",
        "value": "value_usd",
        "aggregation": "sum",
        "visibility": "internal",
        "target_series": "rolling_year",
        "targets": "2030-12-31 900000000\n2027-12-31 500000000 2024-12-31 300000000\n",
        "dimension_period": "month",
        "dimension_region": "region",
        "methodology_en": "Customs declarations, by month of crossing.",
    }
    return {**data, **changes}


def test_define_then_edit_an_indicator(
    content: None, django_capture_on_commit_callbacks: Any
) -> None:
    analyst = as_user("analyst")
    assert NEW.encode() in analyst.get("/analytics/indicators/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst.post(NEW, _indicator_data())
    assert response.status_code == 302, response.context["form"].errors
    indicator = Indicator.objects.get(code="kz-tj-imports")
    assert indicator.name_en == "Imports from Tajikistan" and indicator.kind == "sql"
    assert indicator.dimensions == {"period": "month", "region": "region"}
    assert [(str(t.date), t.value, t.baseline_value) for t in indicator.targets.all()] == [
        ("2027-12-31", 5e8, 3e8),
        ("2030-12-31", 9e8, None),
    ]
    assert list(indicator.datasets.values_list("name", flat=True)) == ["bilateral_trade"]
    assert Revision.objects.filter(kind="indicator", key="kz-tj-imports").count() == 1
    assert indicator.status_detail["status"] == indicator.status  # assessed after the save
    assert AuditRecord.objects.filter(
        object_type="analytics.indicator", object_id=str(indicator.pk), actor_name="analyst"
    ).exists()

    edit = f"/analytics/indicators/{indicator.code}/edit/"
    data = _initial(analyst, edit)
    assert data["targets"].splitlines()[0] == "2027-12-31 5e+08 2024-12-31 3e+08"
    data.update({"unit": "USD million", "code": "renamed"})  # the code cannot change
    assert analyst.post(edit, data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.unit == "USD million" and indicator.code == "kz-tj-imports"
    assert indicator.targets.count() == 2
    assert Revision.objects.filter(kind="indicator", key="kz-tj-imports").count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sql": "DELETE FROM bilateral_trade"}, "sql"),
        ({"sql": "SELECT * FROM pg_catalog.pg_authid"}, "sql"),
        ({"sql": "SELECT 1 AS value; DROP TABLE bilateral_trade"}, "sql"),
        ({"targets": "2030-12-31 900000000\nsoon lots"}, "targets"),
        ({"name_kk": ""}, "name_kk"),
        ({"code": "kz-tj-turnover"}, "code"),  # another indicator's code
        ({"aggregation": "ratio"}, "denominator"),
        ({"organization": "MINJUST"}, "organization"),  # not an organization the analyst manages
    ],
)
def test_indicator_mistakes_are_named_on_their_fields(
    content: None, changes: dict[str, str], field: str
) -> None:
    analyst = as_user("analyst", "ru")
    turnover = Indicator.objects.get(code="kz-tj-turnover").name_en
    response = analyst.post(NEW, _indicator_data(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert Indicator.objects.filter(code="kz-tj-imports").count() == 0
    assert Indicator.objects.get(code="kz-tj-turnover").name_en == turnover
    assert 'class="field has-error"' in response.content.decode()
