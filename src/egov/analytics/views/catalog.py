"""Catalog pages: search, a dataset's page (columns, quality, lineage, versions), declaring a
dataset, uploading a file, a load's progress and report, the schema decision, restoring."""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.analytics import access, catalog, ingestion, store
from egov.analytics.api.data import run_sql, select_all
from egov.analytics.choices import LoadStatus, SourceKind
from egov.analytics.engines import AnalyticsError
from egov.analytics.forms import CatalogSearchForm, DatasetForm, SqlForm, UploadForm
from egov.analytics.models import Dataset, Load
from egov.analytics.permissions import AnalyticsAction
from egov.analytics.views.common import add_errors
from egov.core.auth import user_of
from egov.core.exceptions import EgovError
from egov.core.permissions import has_permission, organizations_for, require


def search(request: HttpRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET or None)
    datasets = access.visible_datasets(request.user)
    if form.is_valid():
        datasets = catalog.search(datasets, form.cleaned_data["q"], form.cleaned_data["tag"])
    page = Paginator(datasets.order_by("name"), 20).get_page(request.GET.get("page"))
    can_add = bool(organizations_for(request.user, AnalyticsAction.MANAGE_DATASET))
    return render(
        request, "analytics/catalog.html", {"form": form, "page": page, "can_add": can_add}
    )


def _dataset(request: HttpRequest, name: str) -> Dataset:
    found = access.visible_datasets(request.user).filter(name=name).first()
    if found is None:
        raise Http404
    return found


def _managed(request: HttpRequest, name: str) -> Dataset:
    dataset = _dataset(request, name)
    require(request.user, AnalyticsAction.MANAGE_DATASET, dataset.organization)
    return dataset


def detail(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _dataset(request, name)
    manage = has_permission(request.user, AnalyticsAction.MANAGE_DATASET, dataset.organization)
    preview: dict[str, object] = {"columns": [], "rows": []}
    if dataset.current_version is not None:
        with suppress(EgovError):  # the page still describes the dataset
            preview = run_sql(request, select_all(dataset.name), 20)
    context = {
        "dataset": dataset,
        "columns": dataset.columns.all(),
        "lineage": catalog.lineage(dataset),
        "quality": catalog.quality_history(dataset),
        "preview": preview,
        "manage": manage,
        "loads": dataset.loads.all()[:10] if manage else [],
        "versions": list(reversed(store.warehouse().versions(dataset.name))) if manage else [],
        "personal": dataset.personal_columns(),
    }
    return render(request, "analytics/dataset.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    require(request.user, AnalyticsAction.MANAGE_DATASET)
    form = DatasetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = catalog.create_dataset(
                form.cleaned_data["organization"], form.cleaned_data["name"], form.payload()
            )
        except EgovError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The dataset is declared; upload its first data."))
            return HttpResponseRedirect(f"/analytics/datasets/{dataset.name}/upload/")
    return render(request, "analytics/dataset_form.html", {"form": form})


@login_required
def upload(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _managed(request, name)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        staged = ingestion.stage_upload(upload.chunks(), upload.name)
        load = ingestion.request_load(
            dataset,
            user_of(request),
            kind=SourceKind.UPLOAD,
            upload=staged,
            source_info={"file": upload.name[:200]},
            accept_schema_change=form.cleaned_data["accept_schema_change"],
        )
        return HttpResponseRedirect(f"/analytics/loads/{load.pk}/")
    return render(request, "analytics/upload.html", {"dataset": dataset, "form": form})


def _load(request: HttpRequest, pk: int) -> Load:
    load = Load.objects.select_related("dataset__organization").filter(pk=pk).first()
    if load is None or not access.visible_datasets(request.user).filter(pk=load.dataset_id):
        raise Http404
    require(request.user, AnalyticsAction.MANAGE_DATASET, load.dataset.organization)
    return load


@login_required
def load_detail(request: HttpRequest, pk: int) -> HttpResponse:
    load = _load(request, pk)
    running = load.status in {LoadStatus.QUEUED, LoadStatus.RUNNING}
    response = render(request, "analytics/load.html", {"load": load, "running": running})
    if running:
        response["Refresh"] = "2"  # progress without JavaScript
    return response


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    load = _load(request, pk)
    if load.status != LoadStatus.NEEDS_DECISION:
        messages.error(request, _("This load is not waiting for a decision."))
        return HttpResponseRedirect(f"/analytics/loads/{load.pk}/")
    accept = request.POST.get("decision") == "accept"
    again = ingestion.decide_schema(load, user_of(request), accept)
    if again is None:
        messages.success(request, _("The load was discarded; the published version stays."))
        return HttpResponseRedirect(f"/analytics/datasets/{load.dataset.name}/")
    return HttpResponseRedirect(f"/analytics/loads/{again.pk}/")


@login_required
@require_POST
def restore(request: HttpRequest, name: str, number: int) -> HttpResponse:
    dataset = _managed(request, name)
    try:
        ingestion.restore(dataset, number, user_of(request))
    except AnalyticsError:
        messages.error(request, _("There is no such version."))
    else:
        messages.success(request, _("Version %(number)s is published again.") % {"number": number})
    return HttpResponseRedirect(f"/analytics/datasets/{dataset.name}/")


@login_required
def sql(request: HttpRequest) -> HttpResponse:
    require(request.user, AnalyticsAction.RUN_SQL)
    form = SqlForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = run_sql(request, form.cleaned_data["sql"], 200)
        except EgovError as error:
            reason = error.extra.get("reason")
            form.add_error("sql", f"{error.message}" + (f" ({reason})" if reason else ""))
    names = access.visible_datasets(request.user).exclude(current_version=None)
    return render(
        request, "analytics/sql.html", {"form": form, "result": result, "datasets": names}
    )
