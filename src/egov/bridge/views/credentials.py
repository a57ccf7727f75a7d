"""Credentials pages of a consumer system: issue, rotate and revoke; a secret is shown once."""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.bridge import issuing
from egov.bridge.forms import CertificateForm, NameForm
from egov.bridge.models import ClientCertificate
from egov.bridge.queries import credential_systems


@login_required
def system_list(request: HttpRequest) -> HttpResponse:
    return render(request, "bridge/systems.html", {"systems": credential_systems(request.user)})


@login_required
def credentials(request: HttpRequest, organization: str, subsystem: str) -> HttpResponse:
    system = (
        credential_systems(request.user)
        .filter(organization__code=organization.upper(), subsystem_code=subsystem)
        .first()
    )
    if system is None:
        raise Http404
    key_form = NameForm(request.POST if request.POST.get("op") == "key" else None)
    cert_form = CertificateForm(request.POST if request.POST.get("op") == "certificate" else None)
    issued: issuing.IssuedSecret | None = None
    op = request.POST.get("op")
    if op == "key" and key_form.is_valid():
        issued = issuing.issue_api_key(system, key_form.cleaned_data["name"])
    elif op == "rotate":
        old = system.api_keys.filter(
            prefix=request.POST.get("prefix"), revoked_at__isnull=True
        ).first()
        if old is None:
            raise Http404
        issued = issuing.rotate_api_key(old, datetime.timedelta(hours=24))
    elif op == "revoke":
        key = system.api_keys.filter(prefix=request.POST.get("prefix")).first()
        if key is None:
            raise Http404
        issuing.revoke(key)
        messages.success(request, _("The key is revoked."))
        return HttpResponseRedirect(request.path)
    elif op == "client":
        issued = issuing.issue_oauth_client(system)
    elif op == "revoke_client":
        client = system.oauth_clients.filter(client_id=request.POST.get("client_id")).first()
        if client is None:
            raise Http404
        issuing.revoke(client)
        return HttpResponseRedirect(request.path)
    elif op == "certificate" and cert_form.is_valid():
        fingerprint = re.sub(r"[^0-9a-f]", "", cert_form.cleaned_data["fingerprint"].lower())
        try:
            ClientCertificate.objects.create(
                system=system, fingerprint=fingerprint, subject=cert_form.cleaned_data["subject"]
            )
            return HttpResponseRedirect(request.path)
        except IntegrityError:
            cert_form.add_error("fingerprint", _("This certificate is already registered."))
    context = {
        "system": system,
        "key_form": key_form,
        "cert_form": cert_form,
        "issued": issued,
        "api_keys": system.api_keys.all(),
        "clients": system.oauth_clients.all(),
        "certificates": system.certificates.all(),
    }
    response = render(request, "bridge/credentials.html", context)
    response["Cache-Control"] = "no-store"  # a page showing a secret must not be cached
    return response
