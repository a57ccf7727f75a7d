"""Smart Data's built-in content: bilateral trade of Kazakhstan and Tajikistan, export potential
and Smart Bridge operations, with their indicators, targets and dashboards. Loading twice changes
nothing (datasets load once; indicators and dashboards are created when missing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings

from egov.analytics import documents, ingestion, operations, status, store
from egov.analytics.choices import ColumnClass, SourceKind, Visibility
from egov.analytics.demo_trade import TURNOVER_TARGET, potential_table, trade_table
from egov.analytics.models import Column, Dashboard, Dataset, Indicator
from egov.core.models import Organization

OWNER = "MDDIAI"


def _texts(en: str, ru: str, kk: str, tg: str) -> dict[str, str]:
    return {"en": en, "ru": ru, "kk": kk, "tg": tg}


DATASETS: list[dict[str, Any]] = [
    {
        "name": "bilateral_trade",
        "title": _texts(
            "Kazakhstan–Tajikistan trade by month and commodity group",
            "Торговля Казахстана и Таджикистана по месяцам и товарным группам",
            "Қазақстан мен Тәжікстан саудасы айлар және тауар топтары бойынша",
            "Савдои Қазоқистон ва Тоҷикистон аз рӯи моҳҳо ва гурӯҳҳои мол",
        ),
        "description": _texts(
            "Exports and imports (from Kazakhstan's side) in US dollars by month, commodity group "
            "and the trader's region. Synthetic demo data fitted to published totals.",
            "Экспорт и импорт (со стороны Казахстана) в долларах США по месяцам, товарным группам "
            "и регионам. Синтетические демонстрационные данные, согласованные с опубликованными "
            "итогами.",
            "Экспорт пен импорт (Қазақстан тарапынан) АҚШ долларымен айлар, тауар топтары және "
            "өңірлер бойынша. Жарияланған қорытындыларға келтірілген синтетикалық демо деректер.",
            "Содирот ва воридот (аз ҷониби Қазоқистон) бо доллари ИМА аз рӯи моҳҳо, гурӯҳҳои мол "
            "ва минтақаҳо. Маълумоти синтетикии намоишӣ.",
        ),
        "tags": ["trade", "tajikistan", "agriculture"],
        "frequency": "monthly",
        "quality_rules": [
            {"kind": "not_null", "column": "value_usd"},
            {"kind": "range", "column": "value_usd", "min": 0},
            {"kind": "allowed_values", "column": "flow", "values": ["export", "import"]},
        ],
        "columns": {
            "month": "Month",
            "flow": "Flow (export or import, from Kazakhstan)",
            "commodity_group": "Commodity group",
            "commodity_name": "Commodity group name",
            "agricultural": "Agricultural product",
            "region": "Region of the trader",
            "value_usd": "Value, USD",
        },
    },
    {
        "name": "export_potential",
        "title": _texts(
            "Export potential to Tajikistan: 85 commodity positions",
            "Экспортный потенциал в Таджикистан: 85 товарных позиций",
            "Тәжікстанға экспорттық әлеует: 85 тауар позициясы",
            "Иқтидори содирот ба Тоҷикистон: 85 мавқеи мол",
        ),
        "description": _texts(
            "Additional export potential (about $190 million a year) per commodity position, "
            "a twelfth each month, and the additional exports realised. Synthetic demo data.",
            "Дополнительный экспортный потенциал (около 190 млн долларов в год) по товарным "
            "позициям и реализованный дополнительный экспорт. Синтетические данные.",
            "Қосымша экспорттық әлеует (жылына шамамен 190 млн доллар) және іске асқан экспорт.",
            "Иқтидори иловагии содирот (тақрибан 190 млн доллар дар як сол) ва содироти амалишуда.",
        ),
        "tags": ["trade", "export", "tajikistan"],
        "frequency": "monthly",
        "quality_rules": [
            {"kind": "unique", "columns": ["month", "position"]},
            {"kind": "range", "column": "potential_usd", "min": 0},
        ],
        "columns": {
            "month": "Month",
            "position": "Commodity position (HS heading)",
            "commodity_group": "Commodity group",
            "potential_usd": "Additional export potential in the month, USD",
            "realised_usd": "Additional exports realised, USD",
        },
    },
]

TRADE = "SELECT month, region, commodity_group, value_usd FROM bilateral_trade"
INDICATORS: list[dict[str, Any]] = [
    {
        "kind": "indicator",
        "code": "kz-tj-turnover",
        "name": _texts(
            "Kazakhstan–Tajikistan trade turnover",
            "Товарооборот Казахстана и Таджикистана",
            "Қазақстан мен Тәжікстанның тауар айналымы",
            "Гардиши молии Қазоқистон ва Тоҷикистон",
        ),
        "description": _texts(
            "Exports plus imports, USD; assessed as rolling twelve-month totals against the "
            "target of doubling turnover to $2 billion.",
            "Экспорт плюс импорт, долл. США; оценивается по скользящим 12-месячным суммам "
            "относительно цели удвоить товарооборот до 2 млрд долларов.",
            "Экспорт пен импорт, АҚШ доллары; тауар айналымын 2 млрд долларға дейін екі есе "
            "арттыру мақсатына қарай бағаланады.",
            "Содирот ва воридот, доллари ИМА; нисбат ба ҳадафи ду баробар афзоиш то 2 млрд доллар.",
        ),
        "methodology": {"en": "Sum of value_usd over both flows and all commodity groups."},
        "unit": "USD",
        "frequency": "monthly",
        "definition": {"sql": TRADE},
        "value": "value_usd",
        "dimensions": {"period": "month", "region": "region", "category": "commodity_group"},
        "aggregation": "sum",
        "visibility": "public",
        "target_series": "rolling_year",
        "targets": [
            {
                "date": "2030-12-31",
                "value": TURNOVER_TARGET,
                "label": {"en": "Double turnover to $2 billion"},
            }
        ],
    },
    {
        "kind": "indicator",
        "code": "kz-tj-agri-trade",
        "name": _texts(
            "Agricultural trade with Tajikistan",
            "Торговля сельхозпродукцией с Таджикистаном",
            "Тәжікстанмен ауыл шаруашылығы өнімдерінің саудасы",
            "Савдои маҳсулоти кишоварзӣ бо Тоҷикистон",
        ),
        "description": _texts(
            "Exports plus imports of agricultural products, USD; compared year on year.",
            "Экспорт и импорт сельскохозяйственной продукции, долл. США; сравнение год к году.",
            "Ауыл шаруашылығы өнімдерінің экспорты мен импорты, АҚШ доллары.",
            "Содирот ва воридоти маҳсулоти кишоварзӣ, доллари ИМА.",
        ),
        "unit": "USD",
        "frequency": "monthly",
        "definition": {
            "expression": {
                "dataset": "bilateral_trade",
                "filters": [["agricultural", "eq", True]],
            }
        },
        "value": "value_usd",
        "dimensions": {"period": "month", "region": "region", "category": "commodity_group"},
        "aggregation": "sum",
        "visibility": "public",
        "target_series": "rolling_year",
        "targets": [{"date": "2026-12-31", "value": 700_000_000.0}],
    },
    {
        "kind": "indicator",
        "code": "kz-tj-export-potential",
        "name": _texts(
            "Export potential realised",
            "Реализация экспортного потенциала",
            "Экспорттық әлеуеттің іске асуы",
            "Амалисозии иқтидори содирот",
        ),
        "description": _texts(
            "Additional exports realised as a share of the additional export potential of the "
            "85 commodity positions, per cent.",
            "Реализованный дополнительный экспорт в процентах от потенциала 85 позиций.",
            "85 позицияның әлеуетінен іске асқан қосымша экспорт, пайызбен.",
            "Содироти иловагии амалишуда бо фоиз аз иқтидори 85 мавқеъ.",
        ),
        "unit": "%",
        "frequency": "monthly",
        "definition": {"expression": {"dataset": "export_potential"}},
        "value": "realised_usd",
        "dimensions": {"period": "month", "category": "commodity_group"},
        "aggregation": "ratio",
        "denominator": "potential_usd",
        "factor": 100.0,
        "visibility": "public",
        "targets": [{"date": "2027-12-31", "value": 100.0}],
    },
]

OPS = (
    "SELECT day, service, provider_organization, calls, failures, refusals, within_sla, "
    "latency_p95_ms FROM bridge_operations"
)
OPS_DIMS = {"period": "day", "organization": "provider_organization", "category": "service"}
OPS_INDICATORS: list[dict[str, Any]] = [
    {
        "code": "bridge-calls",
        "name": _texts(
            "Smart Bridge calls",
            "Вызовы Smart Bridge",
            "Smart Bridge шақырулары",
            "Даъватҳои Smart Bridge",
        ),
        "unit": "calls",
        "value": "calls",
        "aggregation": "sum",
    },
    {
        "code": "bridge-error-rate",
        "name": _texts(
            "Smart Bridge failure rate",
            "Доля сбоев Smart Bridge",
            "Smart Bridge ақау үлесі",
            "Ҳиссаи нокомиҳои Smart Bridge",
        ),
        "unit": "%",
        "value": "failures",
        "aggregation": "ratio",
        "denominator": "calls",
        "factor": 100.0,
    },
    {
        "code": "bridge-sla-compliance",
        "name": _texts(
            "Calls within the promised response time",
            "Вызовы в пределах SLA",
            "SLA шегіндегі шақырулар",
            "Даъватҳо дар доираи SLA",
        ),
        "unit": "%",
        "value": "within_sla",
        "aggregation": "ratio",
        "denominator": "calls",
        "factor": 100.0,
        "targets": [{"date": f"{dt.date.today().year}-12-31", "value": 99.0}],
    },
    {
        "code": "bridge-latency-p95",
        "name": _texts(
            "95th percentile latency (worst day)",
            "95-й перцентиль задержки",
            "Кідірістің 95-перцентилі",
            "Персентили 95-уми таъхир",
        ),
        "unit": "ms",
        "value": "latency_p95_ms",
        "aggregation": "max",
    },
]


def _tile(kind: str, indicator: str, by: str = "period", **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "indicator": indicator, "by": by, **extra}


DASHBOARDS: list[dict[str, Any]] = [
    {
        "kind": "dashboard",
        "slug": "kz-tj-trade",
        "title": _texts(
            "Bilateral trade: Kazakhstan – Tajikistan",
            "Двусторонняя торговля: Казахстан – Таджикистан",
            "Екіжақты сауда: Қазақстан – Тәжікстан",
            "Савдои дуҷониба: Қазоқистон – Тоҷикистон",
        ),
        "description": _texts(
            "Turnover against the $2 billion target, agricultural trade year on year, export "
            "potential realised — by month, region and commodity group.",
            "Товарооборот относительно цели в 2 млрд долларов, сельхозторговля год к году, "
            "реализация экспортного потенциала.",
            "2 млрд доллар мақсатына қатысты тауар айналымы, ауыл шаруашылығы саудасы.",
            "Гардиши мол нисбат ба ҳадафи 2 млрд доллар, савдои кишоварзӣ.",
        ),
        "visibility": "public",
        "tiles": [
            _tile(
                "kpi",
                "kz-tj-turnover",
                filters={"start": "2025-01-01", "end": "2025-12-31"},
                title={"en": "Turnover in 2025", "ru": "Товарооборот за 2025 год"},
            ),
            _tile(
                "kpi",
                "kz-tj-agri-trade",
                filters={"start": "2024-01-01", "end": "2024-02-29"},
                title={
                    "en": "Agricultural trade, January–February 2024",
                    "ru": "Сельхозторговля, январь–февраль 2024",
                },
            ),
            _tile("kpi", "kz-tj-export-potential", title={"en": "Export potential realised"}),
            _tile("line", "kz-tj-turnover", limit=57),
            _tile("bar", "kz-tj-turnover", by="region", limit=10),
            _tile("bar", "kz-tj-turnover", by="category", limit=12),
            _tile("line", "kz-tj-agri-trade", limit=57),
            _tile("bar", "kz-tj-agri-trade", by="category", limit=12),
            _tile("line", "kz-tj-export-potential", limit=33),
            _tile("bar", "kz-tj-export-potential", by="category", limit=12),
            _tile("table", "kz-tj-turnover", by="region", limit=20),
            _tile("table", "kz-tj-turnover", frequency="yearly", limit=10),
        ],
    },
    {
        "kind": "dashboard",
        "slug": "smart-bridge-operations",
        "title": _texts(
            "Smart Bridge operations",
            "Операции Smart Bridge",
            "Smart Bridge операциялары",
            "Амалиёти Smart Bridge",
        ),
        "description": _texts(
            "Calls per service and consumer per day, failure rates, p95 latency and SLA "
            "compliance, refreshed from the gateways' message logs every 15 minutes.",
            "Вызовы по сервисам и потребителям, доля сбоев, задержка p95 и соблюдение SLA.",
            "Қызметтер бойынша шақырулар, ақаулар, p95 кідіріс және SLA сақталуы.",
            "Даъватҳо аз рӯи хизматҳо, нокомиҳо, таъхири p95 ва риояи SLA.",
        ),
        "visibility": "internal",
        "tiles": [
            _tile("kpi", "bridge-calls", title={"en": "Calls, latest day"}),
            _tile("kpi", "bridge-error-rate", title={"en": "Failure rate, latest day"}),
            _tile("kpi", "bridge-sla-compliance", title={"en": "Within SLA, latest day"}),
            _tile("line", "bridge-calls", limit=60),
            _tile("bar", "bridge-calls", by="category", limit=15),
            _tile("line", "bridge-error-rate", limit=60),
            _tile("line", "bridge-latency-p95", limit=60),
            _tile("table", "bridge-sla-compliance", by="category", limit=30),
        ],
    },
]


def _region_codes() -> list[str]:
    return [r.code for r in settings.COUNTRY.regions][:8]


def _dataset(owner: Organization, spec: dict[str, Any]) -> Dataset:
    defaults = {
        "organization": owner,
        **{f"title_{k}": v for k, v in spec["title"].items()},
        **{f"description_{k}": v for k, v in spec["description"].items()},
        "tags": spec["tags"],
        "frequency": spec["frequency"],
        "visibility": Visibility.PUBLIC,
        "quality_rules": spec["quality_rules"],
    }
    dataset, created = Dataset.objects.get_or_create(name=spec["name"], defaults=defaults)
    if created:
        for position, (name, title) in enumerate(spec["columns"].items()):
            Column.objects.create(
                dataset=dataset,
                name=name,
                position=position,
                title_en=title,
                classification=ColumnClass.PUBLIC,
            )
    return dataset


def _load_generated(dataset: Dataset, table: Any) -> None:
    if dataset.current_version is not None:
        return
    path = store.uploads() / f"demo-{dataset.name}.parquet"
    pq.write_table(table, path)
    ingestion.request_load(
        dataset,
        None,
        kind=SourceKind.GENERATED,
        upload=path,
        source_info={"file": "generated by egov.analytics.demo_trade"},
        run_now=True,
    )


def _ops_indicator(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "indicator",
        "frequency": "daily",
        "definition": {"sql": OPS},
        "dimensions": OPS_DIMS,
        "visibility": "internal",
        "targets": [],
        **spec,
    }


def load() -> list[str]:
    owner = Organization.objects.get(code=OWNER)
    trade = _dataset(owner, DATASETS[0])
    potential = _dataset(owner, DATASETS[1])
    _load_generated(trade, trade_table(_region_codes()))
    _load_generated(potential, potential_table())
    ops = operations.ensure_dataset(owner)
    if ops.current_version is None:
        ingestion.request_load(ops, None, kind=SourceKind.CALL_RECORDS, run_now=True)
    for document in [*INDICATORS, *(_ops_indicator(s) for s in OPS_INDICATORS)]:
        if not Indicator.objects.filter(code=document["code"]).exists():
            indicator = documents.apply_indicator({**document, "organization": OWNER})
            documents.record(indicator, note="demo")
    for document in DASHBOARDS:
        if not Dashboard.objects.filter(slug=document["slug"]).exists():
            dashboard = documents.apply_dashboard({**document, "organization": OWNER})
            documents.record(dashboard, note="demo")
    for indicator in Indicator.objects.all():
        status.refresh(indicator)
    turnover = Indicator.objects.get(code="kz-tj-turnover")
    return [
        "Smart Data: /analytics/ (catalog), /analytics/dashboards/kz-tj-trade/, "
        "/analytics/opendata/",
        f"  turnover vs the $2 billion target: {turnover.get_status_display()}; embed: "
        "/analytics/embed/indicator/kz-tj-turnover/",
    ]
