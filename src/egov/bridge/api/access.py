"""Access requests, decisions, comments and grants."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from egov.bridge import workflow
from egov.bridge.api.schemas import (
    CommentIn,
    DecisionIn,
    GrantActionIn,
    GrantOut,
    RequestIn,
    RequestOut,
)
from egov.bridge.models import AccessRequest, Grant
from egov.bridge.permissions import BridgeAction
from egov.bridge.queries import visible_grants, visible_requests, visible_versions
from egov.core.api_auth import token_or_session
from egov.core.auth import user_of
from egov.core.exceptions import InvalidInput, NotFound
from egov.core.lookups import information_system
from egov.core.pagination import Pagination
from egov.core.permissions import require

router = Router(tags=["bridge: access"], auth=token_or_session)


def _request(request: HttpRequest, pk: int) -> AccessRequest:
    found = visible_requests(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(code="request_not_found")
    return found


@router.post("/requests", response={201: RequestOut}, summary="File an access request")
def file_request(request: HttpRequest, payload: RequestIn) -> Status[AccessRequest]:
    consumer = information_system(payload.consumer_organization, payload.consumer_subsystem)
    require(request.user, BridgeAction.FILE_REQUEST, consumer.organization)
    version = (
        visible_versions(request.user)
        .filter(service__passport_id=payload.service.upper(), version=payload.version)
        .select_related("service__provider__organization")
        .first()
    )
    if version is None:
        raise NotFound(code="version_not_found")
    try:
        validate_email(payload.technical_contact)
    except ValidationError as error:
        message = _("Enter a valid e-mail address.")
        raise InvalidInput(
            message, errors=[{"field": "technical_contact", "message": message}]
        ) from error
    data = workflow.RequestInput(
        endpoints=[e.dict() for e in payload.endpoints],
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        expected_calls_per_day=payload.expected_calls_per_day,
        ip_ranges=payload.ip_ranges,
        technical_contact=payload.technical_contact,
    )
    created = workflow.file_request(user_of(request), consumer, version, data)
    return Status(201, created)


@router.get("/requests", response=list[RequestOut], summary="Requests to and from my organizations")
@paginate(Pagination)
def list_requests(request: HttpRequest, status: str = "", side: str = "") -> Any:
    queryset = visible_requests(request.user).prefetch_related("comments__author")
    if status:
        queryset = queryset.filter(status=status)
    if side == "overdue":
        require(request.user, BridgeAction.VIEW_OVERDUE)
        queryset = workflow.overdue_requests()
    return queryset


@router.get("/requests/{pk}", response=RequestOut, summary="One access request with its thread")
def request_detail(request: HttpRequest, pk: int) -> AccessRequest:
    return _request(request, pk)


@router.post("/requests/{pk}/decision", response=RequestOut, summary="Decide or act on a request")
def decide(request: HttpRequest, pk: int, payload: DecisionIn) -> AccessRequest:
    found = _request(request, pk)
    approval = workflow.Approval(
        endpoints=[e.dict() for e in payload.endpoints] if payload.endpoints is not None else None,
        rate_per_minute=payload.rate_per_minute,
        quota_per_day=payload.quota_per_day,
        valid_until=payload.valid_until,
    )
    return workflow.decide(found, user_of(request), payload.action, payload.reason, approval)


@router.post("/requests/{pk}/comments", response={201: RequestOut}, summary="Comment on a request")
def add_comment(request: HttpRequest, pk: int, payload: CommentIn) -> Status[AccessRequest]:
    found = _request(request, pk)
    workflow.comment(found, user_of(request), payload.body)
    return Status(201, found)


@router.get("/grants", response=list[GrantOut], summary="Grants of my organizations")
@paginate(Pagination)
def list_grants(request: HttpRequest, status: str = "") -> Any:
    queryset = visible_grants(request.user)
    return queryset.filter(status=status) if status else queryset


@router.post("/grants/{pk}/status", response=GrantOut, summary="Suspend, resume or revoke")
def change_grant(request: HttpRequest, pk: int, payload: GrantActionIn) -> Grant:
    found = visible_grants(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(code="grant_not_found")
    return workflow.change_grant(found, user_of(request), payload.action, payload.reason)
