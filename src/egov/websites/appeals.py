"""Citizens' appeals: registering a question, answering it, publishing the answer."""

from __future__ import annotations

import logging
from functools import partial

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.core.models import Organization, User
from egov.core.notify import notify, people_with_roles
from egov.websites.choices import AppealStatus
from egov.websites.forms import AppealForm
from egov.websites.models import Appeal
from egov.websites.permissions import EDITORS

log = logging.getLogger(__name__)


def _next_number(organization: Organization) -> str:
    count = Appeal.objects.filter(organization=organization).count()
    return f"{organization.code}-A-{count + 1:04d}"


def submit(organization: Organization, form: AppealForm, language: str) -> Appeal:
    data = form.cleaned_data
    for _attempt in range(5):
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    organization=organization,
                    number=_next_number(organization),
                    language=language,
                    name=data["name"],
                    email=data["email"],
                    subject=data["subject"],
                    question=data["question"],
                    may_publish=data["may_publish"],
                )
                break
        except IntegrityError:  # two appeals at once took the same number: take the next
            continue
    else:
        raise RuntimeError("could not number the appeal")
    notify(
        people_with_roles(organization, EDITORS),
        gettext_lazy("A new appeal to answer"),
        appeal.subject,
        reverse("appeal:edit", args=[appeal.pk]),
    )
    return appeal


def answer(appeal: Appeal, user: User, text: str, published: bool) -> Appeal:
    appeal.answer = text
    appeal.status = AppealStatus.ANSWERED
    appeal.answered_by = user
    appeal.answered_at = timezone.now()
    appeal.published = published and appeal.may_publish
    appeal.save()
    transaction.on_commit(partial(_mail_answer, appeal))
    return appeal


def _mail_answer(appeal: Appeal) -> None:
    with translation.override(appeal.language):
        subject = _("Answer to your appeal %(number)s") % {"number": appeal.number}
        body = f"{appeal.subject}\n\n{appeal.answer}"
    try:
        send_mail(subject, body, None, [appeal.email])
    except OSError:
        log.warning("could not e-mail the answer to appeal %s", appeal.number)


def published_for(organization: Organization) -> QuerySet[Appeal]:
    return Appeal.objects.filter(
        organization=organization,
        status=AppealStatus.ANSWERED,
        published=True,
        may_publish=True,
    ).order_by("-answered_at")[:20]
