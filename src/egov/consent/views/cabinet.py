"""The citizen's cabinet: consents and requests, decisions with a one-time code, the data tracker.

Every page belongs to the logged-in citizen: consents are looked up by id *and* the citizen's
identifier, so someone else's consent is a 404. The cabinet opens only after a one-time code has
been proven in this session (password + code, the demo's stand-in for the national identity
provider, which proves both at once).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from egov.consent import flow, otp, pdf, tracker
from egov.consent.choices import CodePurpose, ConsentStatus
from egov.consent.forms import CitizenSettingsForm, RevokeForm, TrackerFilterForm
from egov.consent.models import CitizenSettings, Consent
from egov.consent.permissions import CABINET_SESSION_KEY, cabinet_open, is_citizen
from egov.core.exceptions import EgovError
from egov.core.forms import TokenForm
from egov.core.models import User

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 25


def citizen_only(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_citizen(request.user):
            raise PermissionDenied
        if not cabinet_open(request):
            target = reverse("consent:unlock")
            return HttpResponseRedirect(f"{target}?next={request.get_full_path()}")
        response: HttpResponseBase = view(request, *args, **kwargs)
        return response

    return wrapper


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("consent:cabinet")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("consent:cabinet")


@login_required
def unlock(request: HttpRequest) -> HttpResponse:
    """Prove a one-time code (sent through the configured channel) to open the cabinet."""
    user = _user(request)
    if not is_citizen(user):
        raise PermissionDenied
    form = TokenForm(request.POST or None) if "token" in request.POST else TokenForm()
    if request.method == "POST" and "send" in request.POST:
        try:
            sent = otp.issue(user, CodePurpose.CABINET)
            messages.info(
                request, _("A code is on its way (%(channel)s).") % {"channel": sent.channel}
            )
        except EgovError as error:
            messages.error(request, str(error.message))
    elif request.method == "POST" and form.is_valid():
        if otp.verify(user, CodePurpose.CABINET, "", form.cleaned_data["token"]):
            request.session[CABINET_SESSION_KEY] = user.pk
            return HttpResponseRedirect(_next(request))
        form.add_error("token", _("This code is not valid or has expired; ask for a new one."))
    return render(request, "consent/unlock.html", {"form": form, "next": _next(request)})


@citizen_only
def cabinet(request: HttpRequest) -> HttpResponse:
    consents = (
        Consent.objects.filter(subject_id=_user(request).personal_id)
        .select_related("consumer__organization")
        .prefetch_related("services")
    )
    pending, active, past = [], [], []
    for consent in consents:
        status = consent.effective_status()
        if status == ConsentStatus.REQUESTED:
            pending.append(consent)
        elif status == ConsentStatus.GRANTED:
            active.append(consent)
        else:
            past.append(consent)
    return render(
        request, "consent/cabinet.html", {"pending": pending, "active": active, "past": past}
    )


@citizen_only
def consent_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    consent = flow.citizens_consent(user, public_id)
    if consent is None:
        raise Http404
    code_form = TokenForm(request.POST if "token" in request.POST else None)
    revoke_form = RevokeForm(request.POST if request.POST.get("action") == "revoke" else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "send_code":
                channel = flow.send_decision_code(user, consent)
                messages.info(
                    request, _("A code is on its way (%(channel)s).") % {"channel": channel}
                )
                return HttpResponseRedirect(request.path)
            if action in ("grant", "refuse") and code_form.is_valid():
                flow.decide(user, consent, action, code_form.cleaned_data["token"])
                messages.success(
                    request,
                    _("You granted the consent.")
                    if action == "grant"
                    else _("You refused the request."),
                )
                return HttpResponseRedirect(request.path)
            if action == "revoke" and revoke_form.is_valid():
                flow.revoke(user, consent, revoke_form.cleaned_data["reason"])
                messages.success(
                    request, _("The consent is revoked; access stops within a second.")
                )
                return HttpResponseRedirect(request.path)
        except EgovError as error:
            for item in error.extra.get("errors", []):
                if item.get("field") == "code":
                    code_form.add_error("token", item["message"])
                    break
            else:
                messages.error(request, str(error.message))
    context = {
        "consent": consent,
        "status": consent.effective_status(),
        "actions": consent.citizen_actions(),
        "code_form": code_form,
        "revoke_form": revoke_form,
        "revisions": consent.revisions.order_by("number"),
        "services": consent.services.select_related("provider__organization"),
    }
    return render(request, "consent/consent.html", context)


def _filter_form(request: HttpRequest) -> TrackerFilterForm:
    services, consumers = tracker.filter_choices(str(_user(request).personal_id))
    return TrackerFilterForm(
        request.GET or None,
        [(address, address) for address in services],
        [(address, address) for address in consumers],
    )


@citizen_only
def tracker_page(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    records = tracker.accesses_of(str(_user(request).personal_id), form.filters())
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": tracker.rows(page.object_list),
        "query": query.urlencode(),
    }
    return render(request, "consent/tracker.html", context)


@citizen_only
def tracker_csv(request: HttpRequest) -> StreamingHttpResponse:
    form = _filter_form(request)
    records = tracker.accesses_of(str(_user(request).personal_id), form.filters())
    response = StreamingHttpResponse(
        tracker.csv_lines(records), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-data-accesses.csv"'
    return response


@citizen_only
def tracker_pdf(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    user = _user(request)
    records = tracker.accesses_of(str(user.personal_id), form.filters())
    document = pdf.tracker_pdf(user, records)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-data-accesses.pdf"'
    return response


@citizen_only
def preferences(request: HttpRequest) -> HttpResponse:
    current, _created = CitizenSettings.objects.get_or_create(user=_user(request))
    form = CitizenSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your choices are saved."))
        return HttpResponseRedirect(request.path)
    heading = _("Notifications and phone")
    return render(request, "core/form_page.html", {"form": form, "heading": heading})
