"""Pages that describe a dataset and define or edit an indicator (the API and YAML do the same).

Only analysts and administrators of the owner organization (and those above it) reach them;
every save is audited by the models' signals and an indicator's also becomes a revision.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.analytics import catalog, documents
from egov.analytics.editing import FIELD_NAMES, ColumnForm, DatasetMetadataForm, IndicatorForm
from egov.analytics.models import Indicator
from egov.analytics.permissions import AnalyticsAction
from egov.analytics.views.catalog import _managed
from egov.analytics.views.common import add_errors
from egov.analytics.views.reporting import _indicator
from egov.core.exceptions import EgovError, InvalidInput
from egov.core.permissions import require


@login_required
def edit_dataset(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _managed(request, name)
    data = request.POST if request.method == "POST" else None
    form = DatasetMetadataForm(data, dataset=dataset)
    columns = [ColumnForm(data, column=c) for c in dataset.columns.all()]
    if data is not None and form.is_valid() and all(c.is_valid() for c in columns):
        by_position = {str(i): c for i, c in enumerate(columns)}
        try:
            catalog.update_dataset(
                dataset, {**form.cleaned_data, "columns": [c.item() for c in columns]}
            )
        except EgovError as error:
            for item in error.extra.get("errors") or []:
                parts = str(item.get("field", "")).split(".")
                if parts[0] == "columns" and len(parts) > 1 and parts[1] in by_position:
                    target = by_position[parts[1]]
                    target.add_error("classification", str(item.get("message")))
                else:
                    form.add_error(parts[0] if parts[0] in form.fields else None, item["message"])
            if not error.extra.get("errors"):
                form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The description of the dataset is saved."))
            return HttpResponseRedirect(f"/analytics/datasets/{dataset.name}/")
    return render(
        request,
        "analytics/dataset_edit.html",
        {"dataset": dataset, "form": form, "columns": columns},
    )


@login_required
def indicator_form(request: HttpRequest, code: str = "") -> HttpResponse:
    indicator = _indicator(request, code) if code else None
    if indicator is not None:
        require(request.user, AnalyticsAction.MANAGE_INDICATOR, indicator.organization)
    else:
        require(request.user, AnalyticsAction.MANAGE_INDICATOR)
    form = IndicatorForm(request.POST or None, user=request.user, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        document = form.document()
        require(request.user, AnalyticsAction.MANAGE_INDICATOR, form.cleaned_data["organization"])
        try:
            saved = _save_indicator(document, request, creating=indicator is None)
        except EgovError as error:
            add_errors(form, error, FIELD_NAMES)
        else:
            messages.success(request, _("The indicator is saved."))
            return HttpResponseRedirect(f"/analytics/indicators/{saved.code}/")
    return render(request, "analytics/indicator_form.html", {"form": form, "indicator": indicator})


@transaction.atomic
def _save_indicator(document: dict[str, object], request: HttpRequest, creating: bool) -> Indicator:
    if creating and Indicator.objects.filter(code=document["code"]).exists():
        raise InvalidInput(
            code="indicator_exists",
            errors=[{"field": "code", "message": _("An indicator with this code exists.")}],
        )
    indicator = documents.apply_indicator(document)
    documents.record(indicator, request.user, _("Edited on the page"))
    transaction.on_commit(partial(documents.refresh_status, indicator.pk))
    return indicator
