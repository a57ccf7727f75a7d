"""The consent API, mounted at /api/consent/: consumers ask and poll, citizens decide and revoke,
auditors verify. Gateways use the token-authenticated endpoints of `egov.consent.feed`."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from egov.consent import audit_report, flow, otp, revisions, tracker
from egov.consent.models import Consent, ConsentRevision
from egov.consent.permissions import ConsentAction, cabinet_open, can_audit
from egov.consent.queries import visible_consents
from egov.consent.schemas import (
    AccessOut,
    ChainCheckOut,
    CodeOut,
    ConsentIn,
    ConsentOut,
    DecisionIn,
    ReportOut,
    RevisionOut,
    RevokeIn,
)
from egov.core.api_auth import token_or_session
from egov.core.auth import user_of
from egov.core.exceptions import Forbidden, NotFound
from egov.core.lookups import information_system
from egov.core.models import User
from egov.core.pagination import Pagination
from egov.core.permissions import require

router = Router(auth=token_or_session)
public = Router(tags=["consent: keys"])


def _citizen(request: HttpRequest) -> User:
    user = user_of(request)
    if not cabinet_open(request):
        raise Forbidden(
            _("Open your cabinet with a one-time code first."), code="cabinet_code_required"
        )
    return user


def _own(user: User, public_id: str) -> Consent:
    consent = flow.citizens_consent(user, public_id)
    if consent is None:
        raise NotFound(code="consent_not_found")
    return consent


def _visible(request: HttpRequest, public_id: str) -> Consent:
    found = visible_consents(request.user).filter(public_id=public_id).first()
    if found is None:
        raise NotFound(code="consent_not_found")
    return found


# ----------------------------------------------------------------------------- consumers


@router.post(
    "/consents", response={201: ConsentOut}, tags=["consent: consumers"], summary="Ask for consent"
)
def request_consent(request: HttpRequest, payload: ConsentIn) -> Status[Consent]:
    consumer = information_system(payload.consumer_organization, payload.consumer_subsystem)
    require(request.user, ConsentAction.REQUEST, consumer.organization)
    data = flow.ConsentRequest(
        consumer=consumer,
        subject_id=payload.subject_id,
        services=payload.services,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        days=payload.days,
        webhook_url=payload.webhook_url,
    )
    consent = flow.request_consent(user_of(request), data)
    return Status(201, _visible(request, consent.public_id))


@router.get(
    "/consents",
    response=list[ConsentOut],
    tags=["consent: consumers"],
    summary="Consents I may see (my organizations', my own)",
)
@paginate(Pagination)
def list_consents(request: HttpRequest, status: str = "", subject_id: str = "") -> Any:
    consents = visible_consents(request.user)
    if status:
        consents = consents.filter(status=status)
    if subject_id:
        consents = consents.filter(subject_id=subject_id)
    return consents


@router.get(
    "/consents/{public_id}",
    response=ConsentOut,
    tags=["consent: consumers"],
    summary="One consent and its status",
)
def consent_status(request: HttpRequest, public_id: str) -> Consent:
    return _visible(request, public_id)


@router.get(
    "/consents/{public_id}/revisions",
    response=list[RevisionOut],
    tags=["consent: consumers"],
    summary="The consent's signed revisions",
)
def consent_revisions(request: HttpRequest, public_id: str) -> list[ConsentRevision]:
    return list(_visible(request, public_id).revisions.order_by("number"))


# ----------------------------------------------------------------------------- citizens


@router.get(
    "/my/consents",
    response=list[ConsentOut],
    tags=["consent: citizens"],
    summary="My consents and pending requests",
)
@paginate(Pagination)
def my_consents(request: HttpRequest, status: str = "") -> Any:
    user = _citizen(request)
    consents = visible_consents(user).filter(subject_id=user.personal_id)
    return consents.filter(status=status) if status else consents


@router.post(
    "/my/consents/{public_id}/code",
    response={202: CodeOut},
    tags=["consent: citizens"],
    summary="Send me a one-time code to confirm a decision",
)
def send_code(request: HttpRequest, public_id: str) -> Status[dict[str, Any]]:
    user = _citizen(request)
    consent = _own(user, public_id)
    channel = flow.send_decision_code(user, consent)
    return Status(202, {"channel": channel, "expires_in": otp.CODE_SECONDS})


@router.post(
    "/my/consents/{public_id}/decision",
    response=ConsentOut,
    tags=["consent: citizens"],
    summary="Grant or refuse a request (with the one-time code)",
)
def decide(request: HttpRequest, public_id: str, payload: DecisionIn) -> Consent:
    user = _citizen(request)
    consent = _own(user, public_id)
    flow.decide(user, consent, payload.action, payload.code)
    return _visible(request, public_id)


@router.post(
    "/my/consents/{public_id}/revoke",
    response=ConsentOut,
    tags=["consent: citizens"],
    summary="Revoke a consent I granted",
)
def revoke(request: HttpRequest, public_id: str, payload: RevokeIn) -> Consent:
    user = _citizen(request)
    consent = _own(user, public_id)
    flow.revoke(user, consent, payload.reason)
    return _visible(request, public_id)


@router.get(
    "/my/accesses",
    response=list[AccessOut],
    tags=["consent: citizens"],
    summary="My data tracker: every call that named me",
)
@paginate(Pagination)
def my_accesses(
    request: HttpRequest,
    service: str = "",
    consumer: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    outcome: str = "",
) -> Any:
    user = _citizen(request)
    filters = tracker.Filters(service, consumer, since, until, outcome)
    return _AccessPage(tracker.accesses_of(str(user.personal_id), filters))


class _AccessPage:
    """A sliceable view that turns each page of records into readable rows."""

    def __init__(self, records: Any) -> None:
        self.records = records

    def __len__(self) -> int:
        return int(self.records.count())

    def __getitem__(self, window: slice) -> list[tracker.Access]:
        return tracker.rows(self.records[window])


# ----------------------------------------------------------------------------- auditors


def _auditor(request: HttpRequest) -> None:
    if not can_audit(request.user):
        raise Forbidden(code="not_an_auditor")


@router.get(
    "/audit/consents/{public_id}/verify",
    response=ChainCheckOut,
    tags=["consent: auditors"],
    summary="Verify a consent's revision chain",
)
def verify_chain(request: HttpRequest, public_id: str) -> dict[str, Any]:
    _auditor(request)
    consent = Consent.objects.filter(public_id=public_id).first()
    if consent is None:
        raise NotFound(code="consent_not_found")
    check = revisions.verify(consent)
    return {**check.__dict__, "ok": check.ok}


@router.get(
    "/audit/report",
    response=ReportOut,
    tags=["consent: auditors"],
    summary="Accesses without consent, after revocation, outside validity; broken chains",
)
def report(
    request: HttpRequest,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> dict[str, Any]:
    _auditor(request)
    return audit_report.build(since, until).as_dict()


# ----------------------------------------------------------------------------- public


@public.get("/keys", auth=None, summary="Keys that sign consent revisions and webhooks")
def keys(request: HttpRequest) -> dict[str, Any]:
    return {
        "keys": [
            {"kid": kid, "public_key": key, "alg": "Ed25519"}
            for kid, key in sorted(revisions.public_keys().items())
        ]
    }


router.add_router("", public)
