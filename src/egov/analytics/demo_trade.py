"""Synthetic but consistent Kazakhstan–Tajikistan trade for the demo (deterministic, no network).

Months January 2022 – September 2026, both flows (export and import, seen from Kazakhstan), by
commodity group and by the region of the trader. Totals are fitted to the published figures:

* agricultural trade of $84.9 million in January–February 2024, 8.9% above January–February 2023
  (so $77.96 million then), to the cent;
* yearly turnover about $1 billion, growing slowly — against the governments' target of doubling
  it to $2 billion;
* 85 commodity positions with about $190 million a year of additional export potential, and
  monthly exports realised against it.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyarrow as pa

START, END = (2022, 1), (2026, 9)
AGRI_2024 = Decimal("84900000.00")  # January–February 2024
AGRI_GROWTH = Decimal("0.089")
AGRI_2023 = (AGRI_2024 / (1 + AGRI_GROWTH)).quantize(Decimal("0.01"), ROUND_HALF_UP)
POTENTIAL_TOTAL = Decimal("190000000.00")
POSITIONS = 85
TURNOVER_TARGET = 2_000_000_000.0

# code, names (en, ru, kk, tg), agricultural, share of yearly turnover, export share, seasonality
GROUPS: list[tuple[str, tuple[str, str, str, str], bool, float, float, float]] = [
    (
        "grain",
        ("Wheat and flour", "Пшеница и мука", "Бидай және ұн", "Гандум ва орд"),
        True,
        0.32,
        0.98,
        0.1,
    ),
    (
        "fruit_veg",
        ("Fruit and vegetables", "Фрукты и овощи", "Жемістер мен көкөністер", "Меваю сабзавот"),
        True,
        0.15,
        0.15,
        0.3,
    ),
    (
        "meat_dairy",
        (
            "Meat and dairy",
            "Мясо и молочная продукция",
            "Ет және сүт өнімдері",
            "Гӯшту маҳсулоти ширӣ",
        ),
        True,
        0.04,
        0.8,
        0.1,
    ),
    (
        "oil_fats",
        (
            "Oilseeds and fats",
            "Масличные и жиры",
            "Майлы дақылдар мен майлар",
            "Тухмиҳои равғанӣ ва равған",
        ),
        True,
        0.03,
        0.9,
        0.2,
    ),
    ("cotton", ("Raw cotton", "Хлопок-сырец", "Шикі мақта", "Пахтаи хом"), True, 0.02, 0.02, 0.5),
    (
        "fuel",
        ("Mineral fuels", "Минеральное топливо", "Минералдық отын", "Сӯзишвории минералӣ"),
        False,
        0.17,
        0.97,
        0.2,
    ),
    (
        "metals",
        ("Ferrous metals", "Чёрные металлы", "Қара металдар", "Металлҳои сиёҳ"),
        False,
        0.085,
        0.9,
        0.1,
    ),
    ("aluminium", ("Aluminium", "Алюминий", "Алюминий", "Алюминий"), False, 0.055, 0.05, 0.05),
    (
        "ores",
        (
            "Ores and concentrates",
            "Руды и концентраты",
            "Кендер мен концентраттар",
            "Маъдан ва консентратҳо",
        ),
        False,
        0.045,
        0.03,
        0.05,
    ),
    (
        "machinery",
        (
            "Machinery and vehicles",
            "Машины и транспорт",
            "Машиналар мен көлік",
            "Мошинҳо ва нақлиёт",
        ),
        False,
        0.05,
        0.85,
        0.1,
    ),
    (
        "chemicals",
        ("Chemicals", "Химическая продукция", "Химия өнімдері", "Маҳсулоти кимиёвӣ"),
        False,
        0.035,
        0.8,
        0.1,
    ),
]
TURNOVER_2022 = 930_000_000.0
GROWTH_PER_YEAR = 0.06


def months() -> list[dt.date]:
    out, (year, month) = [], START
    while (year, month) <= END:
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _cents(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def trade_rows(regions: Sequence[str]) -> list[dict[str, Any]]:
    rng = random.Random(20240229)  # noqa: S311  (reproducible demo data, not secrets)
    weights = [1.0 / (i + 1) for i in range(len(regions))]
    region_share = [w / sum(weights) for w in weights]
    rows: list[dict[str, Any]] = []
    for month in months():
        years = (month.year - 2022) + (month.month - 1) / 12
        yearly = TURNOVER_2022 * (1 + GROWTH_PER_YEAR) ** years
        for code, names, agri, share, export_share, season in GROUPS:
            wave = 1 + season * math.sin((month.month - 4) / 12 * 2 * math.pi)
            group_total = yearly / 12 * share * wave * rng.uniform(0.93, 1.07)
            for flow, flow_share in (("export", export_share), ("import", 1 - export_share)):
                for region, part in zip(regions, region_share, strict=True):
                    value = group_total * flow_share * part
                    if value < 1:
                        continue
                    rows.append(
                        {
                            "month": month,
                            "flow": flow,
                            "commodity_group": code,
                            "commodity_name": names[0],
                            "agricultural": agri,
                            "region": region,
                            "value_usd": _cents(value),
                        }
                    )
    _fit(rows, (dt.date(2024, 1, 1), dt.date(2024, 2, 1)), AGRI_2024)
    _fit(rows, (dt.date(2023, 1, 1), dt.date(2023, 2, 1)), AGRI_2023)
    for row in rows:
        row["value_usd"] = float(row["value_usd"])
    return rows


def _fit(rows: list[dict[str, Any]], period: tuple[dt.date, dt.date], total: Decimal) -> None:
    """Scale the agricultural rows of the period to the published total, exact to the cent."""
    chosen = [r for r in rows if r["agricultural"] and r["month"] in period]
    current = sum((r["value_usd"] for r in chosen), Decimal(0))
    factor = total / current
    for row in chosen:
        row["value_usd"] = _cents(row["value_usd"] * factor)
    rest = total - sum((r["value_usd"] for r in chosen), Decimal(0))
    chosen[0]["value_usd"] += rest  # the rounding remainder, a few cents


def trade_table(regions: Sequence[str]) -> pa.Table:
    schema = pa.schema(
        [
            ("month", pa.date32()),
            ("flow", pa.string()),
            ("commodity_group", pa.string()),
            ("commodity_name", pa.string()),
            ("agricultural", pa.bool_()),
            ("region", pa.string()),
            ("value_usd", pa.float64()),
        ]
    )
    return pa.Table.from_pylist(trade_rows(regions), schema=schema)


def potential_table() -> pa.Table:
    """85 positions × months from 2024: monthly potential (a twelfth of the yearly) and realised."""
    rng = random.Random(85190)  # noqa: S311  (reproducible demo data, not secrets)
    raw = [rng.uniform(0.3, 3.0) for _ in range(POSITIONS)]
    yearly = [_cents(POTENTIAL_TOTAL * Decimal(str(w / sum(raw)))) for w in raw]
    yearly[0] += POTENTIAL_TOTAL - sum(yearly, Decimal(0))
    groups = [g for g in GROUPS if g[4] > 0.5]  # what Kazakhstan mostly exports
    rows = []
    for index, potential in enumerate(yearly):
        group = groups[index % len(groups)]
        hs = f"{(index * 97) % 9000 + 1000:04d}"
        for month in months():
            if month < dt.date(2024, 1, 1):
                continue
            elapsed = (month.year - 2024) * 12 + month.month
            share = min(1.0, 0.25 + 0.012 * elapsed) * rng.uniform(0.7, 1.3)
            monthly = float(potential) / 12
            rows.append(
                {
                    "month": month,
                    "position": hs,
                    "commodity_group": group[0],
                    "potential_usd": round(monthly, 2),
                    "realised_usd": round(monthly * share, 2),
                }
            )
    return pa.Table.from_pylist(rows)
