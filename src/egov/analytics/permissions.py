"""Smart Data actions and who may take them, within the owner organization and beneath it."""

from __future__ import annotations

from enum import StrEnum

from egov.core.choices import Role
from egov.core.permissions import ANY_MEMBER, register_rules


class AnalyticsAction(StrEnum):
    VIEW_DATA = "analytics.view_data"  # datasets, indicators and dashboards of the organization
    MANAGE_DATASET = "analytics.manage_dataset"  # declare datasets, columns, rules; load data
    MANAGE_INDICATOR = "analytics.manage_indicator"  # indicators and their targets
    MANAGE_DASHBOARD = "analytics.manage_dashboard"
    RUN_SQL = "analytics.run_sql"  # ad-hoc read-only SQL over the catalog


A = AnalyticsAction
ANALYSTS = frozenset({Role.ORG_ADMIN, Role.ANALYST})
register_rules(
    {
        A.VIEW_DATA: ANY_MEMBER,
        A.MANAGE_DATASET: ANALYSTS,
        A.MANAGE_INDICATOR: ANALYSTS,
        A.MANAGE_DASHBOARD: ANALYSTS,
        A.RUN_SQL: ANALYSTS,
    }
)
