"""Website actions and who may take them (within an organization and beneath it).

Page, image and document rights inside Wagtail come from groups that `egov.websites.access`
keeps in step with these roles; the actions here guard the platform's own website views.
"""

from __future__ import annotations

from enum import StrEnum

from egov.core.choices import Role
from egov.core.permissions import register_rules


class WebsiteAction(StrEnum):
    EDIT_PAGES = "websites.edit_pages"  # draft pages, upload images and documents
    MODERATE_PAGES = "websites.moderate_pages"  # approve and publish
    ANSWER_APPEAL = "websites.answer_appeal"
    VIEW_APPEALS = "websites.view_appeals"
    MANAGE_CHANGE_REQUESTS = "websites.manage_change_requests"
    VIEW_COMPLIANCE = "websites.view_compliance"


A = WebsiteAction
EDITORS = frozenset({Role.ORG_ADMIN, Role.EDITOR, Role.MODERATOR})
MODERATORS = frozenset({Role.ORG_ADMIN, Role.MODERATOR})

register_rules(
    {
        A.EDIT_PAGES: EDITORS,
        A.MODERATE_PAGES: MODERATORS,
        A.VIEW_APPEALS: EDITORS,
        A.ANSWER_APPEAL: EDITORS,
        A.MANAGE_CHANGE_REQUESTS: EDITORS,
        A.VIEW_COMPLIANCE: EDITORS,
    }
)
