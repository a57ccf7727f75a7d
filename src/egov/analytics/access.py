"""Who may read and change what in Smart Data, and the row-level rules of each reader.

Visibility: *public* objects anyone may read (datasets also as open data); *internal* ones every
member of an organization on the platform; *restricted* ones the owner organization (and the
organizations beneath it) and, for datasets, the organizations it is shared with. Row-level
rules: a reader outside the owner sees only the rows whose row-level column holds the code of one
of their organizations — enforced in the engine query (``RowRule``), never in a template.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from egov.analytics.choices import Visibility
from egov.analytics.engines import RowRule
from egov.analytics.models import Dashboard, Dataset, Indicator
from egov.analytics.permissions import AnalyticsAction
from egov.core.choices import Role
from egov.core.models import Organization
from egov.core.permissions import has_permission, is_operator, memberships_of, organizations_for


def _is_member(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(org and role != Role.CITIZEN for org, role in memberships_of(user))


def _visible(queryset: QuerySet[Any], user: Any, *, shared: bool = False) -> QuerySet[Any]:
    if is_operator(user):
        return queryset
    rule = Q(visibility=Visibility.PUBLIC)
    if _is_member(user):
        rule |= Q(visibility=Visibility.INTERNAL)
        reach = organizations_for(user, AnalyticsAction.VIEW_DATA) or []
        rule |= Q(organization_id__in=reach)
        if shared:
            rule |= Q(shared_with__in=reach)
    return queryset.filter(rule).distinct()


def visible_datasets(user: Any) -> QuerySet[Dataset]:
    return _visible(Dataset.objects.select_related("organization"), user, shared=True)


def visible_indicators(user: Any) -> QuerySet[Indicator]:
    return _visible(Indicator.objects.select_related("organization"), user)


def visible_dashboards(user: Any) -> QuerySet[Dashboard]:
    return _visible(Dashboard.objects.select_related("organization"), user)


def may_manage(user: Any, action: AnalyticsAction, organization: Organization) -> bool:
    return has_permission(user, action, organization)


def _reader_codes(user: Any) -> list[str]:
    """Codes of the organizations a reader belongs to, with those beneath them."""
    reach = organizations_for(user, AnalyticsAction.VIEW_DATA) or []
    return list(Organization.objects.filter(pk__in=reach).values_list("code", flat=True))


def row_rules(user: Any, datasets: Iterable[Dataset]) -> list[RowRule]:
    """Row-level rules for ``user`` reading ``datasets`` (none for the owner or the operator)."""
    rules: list[RowRule] = []
    codes: list[str] | None = None
    operator = is_operator(user)
    for dataset in datasets:
        if not dataset.row_column or operator:
            continue
        if has_permission(user, AnalyticsAction.VIEW_DATA, dataset.organization):
            continue  # the owner organization sees all of its rows
        if codes is None:
            codes = _reader_codes(user)
        rules.append(RowRule(dataset.name, dataset.row_column, tuple(codes)))
    return rules


def rules_key(rules: Iterable[RowRule]) -> str:
    """A stable text of the rules, for cache keys."""
    return ";".join(
        f"{r.dataset}.{r.column}={','.join(sorted(map(str, r.values)))}"
        for r in sorted(rules, key=lambda r: (r.dataset, r.column))
    )
