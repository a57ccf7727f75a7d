"""Request inbox and outbox, one request with its thread and decisions, grants."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.bridge import workflow
from egov.bridge.forms import ACTION_LABELS, CommentForm, DecisionForm
from egov.bridge.models.requests import CONSUMER_ACTIONS, PROVIDER_ACTIONS
from egov.bridge.permissions import BridgeAction
from egov.bridge.queries import visible_grants, visible_requests
from egov.core.auth import user_of
from egov.core.exceptions import EgovError
from egov.core.permissions import has_permission, organizations_for


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    requests_ = visible_requests(user).order_by("due_on", "-created_at")
    status = request.GET.get("status", "")
    if status:
        requests_ = requests_.filter(status=status)
    provider_ids = organizations_for(user, BridgeAction.VIEW_PROVIDER_REQUESTS)
    inbox = (
        requests_
        if provider_ids is None
        else requests_.filter(version__service__provider__organization_id__in=provider_ids)
    )
    outbox = requests_.exclude(pk__in=inbox.values("pk"))
    context = {
        "inbox": Paginator(inbox, 25).get_page(request.GET.get("page")),
        "outbox": outbox[:100],
        "status": status,
        "overdue": workflow.overdue_requests()
        if has_permission(user, BridgeAction.VIEW_OVERDUE)
        else None,
    }
    return render(request, "bridge/requests.html", context)


def _decision_actions(request: HttpRequest, found: object) -> list[tuple[str, str]]:
    user = request.user
    actions = []
    for action in found.allowed_actions():  # type: ignore[attr-defined]
        if action in PROVIDER_ACTIONS and has_permission(
            user,
            BridgeAction.DECIDE_REQUEST,
            found.provider_organization,  # type: ignore[attr-defined]
        ):
            actions.append((action, str(ACTION_LABELS[action])))
        if action in CONSUMER_ACTIONS and has_permission(
            user,
            BridgeAction.FILE_REQUEST,
            found.consumer_organization,  # type: ignore[attr-defined]
        ):
            actions.append((action, str(ACTION_LABELS[action])))
    return actions


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = visible_requests(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    actions = _decision_actions(request, found)
    endpoints = [
        (f"{e['method']} {e['path']}", f"{e['method']} {e['path']}") for e in found.endpoints
    ]
    decision = DecisionForm(
        request.POST if "decide" in request.POST else None,
        actions=actions,
        endpoints=endpoints,
        initial={"endpoints": [value for value, _label in endpoints]},
    )
    comment_form = CommentForm(request.POST if "comment" in request.POST else None)
    if request.method == "POST":
        try:
            if "decide" in request.POST and decision.is_valid():
                data = decision.cleaned_data
                until = data["valid_until"]
                approval = workflow.Approval(
                    endpoints=[
                        {"method": e.split(" ", 1)[0], "path": e.split(" ", 1)[1]}
                        for e in data["endpoints"]
                    ]
                    or None,
                    quota_per_day=data["quota_per_day"],
                    valid_until=timezone.make_aware(
                        datetime.datetime.combine(until, datetime.time.max)
                    )
                    if until
                    else None,
                )
                workflow.decide(found, user_of(request), data["action"], data["reason"], approval)
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(request.path)
            if "comment" in request.POST and comment_form.is_valid():
                workflow.comment(found, user_of(request), comment_form.cleaned_data["body"])
                return HttpResponseRedirect(request.path + "#comments")
        except EgovError as error:
            target = decision if "decide" in request.POST else comment_form
            for item in error.extra.get("errors", []):
                target.add_error(
                    item["field"] if item["field"] in target.fields else None, item["message"]
                )
            if not error.extra.get("errors"):
                target.add_error(None, str(error.message))
    return render(
        request,
        "bridge/request_detail.html",
        {
            "item": found,
            "decision": decision if actions else None,
            "comment_form": comment_form,
            "comments": found.comments.select_related("author"),
        },
    )


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    grants = visible_grants(request.user).order_by("-created_at")
    if request.method == "POST":
        grant = grants.filter(pk=request.POST.get("grant", "0")).first()
        if grant is None:
            raise Http404
        try:
            workflow.change_grant(
                grant,
                user_of(request),
                request.POST.get("action", ""),
                request.POST.get("reason", ""),
            )
            messages.success(request, _("Saved."))
        except EgovError as error:
            messages.error(request, str(error.message))
        return HttpResponseRedirect(request.path)
    rows = [
        (
            grant,
            [(a, ACTION_LABELS[a]) for a in sorted(workflow.GRANT_TRANSITIONS[grant.status])]
            if has_permission(request.user, BridgeAction.MANAGE_GRANT, grant.provider_organization)
            else [],
        )
        for grant in grants[:200]
    ]
    return render(request, "bridge/grants.html", {"rows": rows})
