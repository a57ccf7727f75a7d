"""The page editor's form: the accessibility gate on submitting for approval and on publishing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

# The buttons of Wagtail's page editor that send a page towards the public.
GATED_ACTIONS = ("action-publish", "action-submit", "action-restart-workflow")
APPROVALS = ("approve", "approve-with-comment")


class SitePageForm(WagtailAdminPageForm):  # type: ignore[misc]
    def _post_clean(self) -> None:
        super()._post_clean()
        if not self._is_going_public():
            return
        from egov.websites import a11y

        problems = a11y.check_page(self.instance, leaders=self._submitted_leaders())
        if problems:
            self.add_error(
                None, _("The page is not accessible yet. Fix these before it goes to the public:")
            )
            for problem in problems:
                self.add_error(None, problem)

    def _is_going_public(self) -> bool:
        data: Any = self.data
        if any(data.get(name) for name in GATED_ACTIONS):
            return True
        return bool(data.get("action-workflow-action")) and (
            data.get("workflow-action-name") in APPROVALS
        )

    def _submitted_leaders(self) -> list[tuple[str, Any, str]] | None:
        formset = self.formsets.get("leaders")
        if formset is None or not formset.is_bound:
            return None
        formset.is_valid()  # fills each row's cleaned_data
        leaders = []
        for form in formset.forms:
            cleaned = getattr(form, "cleaned_data", None) or {}
            if cleaned and not cleaned.get("DELETE"):
                leaders.append(
                    (
                        str(cleaned.get("name", "")),
                        cleaned.get("photo"),
                        str(cleaned.get("biography") or ""),
                    )
                )
        return leaders
