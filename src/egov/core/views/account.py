"""Log-in, log-out and the second factor (TOTP) that staff must prove after their password."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import cast

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.core import audit
from egov.core.choices import AuditAction
from egov.core.forms import ProfileForm, TokenForm
from egov.core.models import User


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Verify a code from an enrolled authenticator, or enrol one on first use."""
    user = cast(User, request.user)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record(AuditAction.SECOND_FACTOR, obj=user, detail={"result": "verified"})
            messages.success(request, _("Second factor confirmed."))
            return HttpResponseRedirect(_safe_next(request))
        audit.record(AuditAction.SECOND_FACTOR, obj=user, detail={"result": "rejected"})
        form.add_error(
            "token", _("This code is not valid. Check your device's clock and try again.")
        )
    context = {"form": form, "enrolling": not device.confirmed, "next": _safe_next(request)}
    if not device.confirmed:
        context["qr_svg"] = mark_safe(_qr_svg(device.config_url))  # noqa: S308 (generated SVG)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "core/second_factor.html", context)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's in-app notifications, newest first; opening the page marks them read."""
    user = cast(User, request.user)
    items = list(user.notifications.all()[:100])
    user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "core/notifications.html", {"items": items})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own choices (the language of their notifications); saving the user audits it."""
    user = cast(User, request.user)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save(commit=False).save(update_fields=["preferred_language"])
        messages.success(request, _("Your profile is saved."))
        return HttpResponseRedirect(request.path)
    return render(request, "core/form_page.html", {"form": form, "heading": _("My profile")})
