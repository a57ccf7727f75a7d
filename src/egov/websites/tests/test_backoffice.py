"""The back-office through its real pages: isolation, workflow, gates, revisions, redirects."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html

from egov.core.models import Membership, Organization
from egov.core.worker import run_due_jobs
from egov.testing.auth import log_in
from egov.websites import skeleton
from egov.websites.a11y import AccessibilityError
from egov.websites.models import AboutPage, Appeal, NewsIndexPage, NewsPage
from egov.websites.tests.factories import PASSWORD, document, image, make_site, staff

pytestmark = pytest.mark.django_db


def login(client: Client, username: str) -> Client:
    log_in(client, username, PASSWORD)
    return client


def news_data(client: Client, parent: Page, **fields: Any) -> Any:
    """The editor's form as the browser would send it (the body holds no blocks)."""
    url = reverse("wagtailadmin_pages:add", args=["websites", "newspage", parent.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update({"body-count": "0", **fields})
    return data


def edit_data(client: Client, page: Page, **fields: Any) -> Any:
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update(fields)
    return data


def test_editors_see_and_touch_only_their_agencys_pages(sites, client) -> None:
    login(client, "justice_editor")
    explorer = client.get(reverse("wagtailadmin_explore", args=[sites.portal.pk]))
    assert explorer.status_code == 200
    listing = explorer.content.decode()
    assert sites.justice.title in listing
    assert sites.digital.title not in listing
    their_about = AboutPage.objects.child_of(sites.digital).get()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[their_about.pk])).status_code != 200
    # Opening their site in the explorer lists none of its pages.
    theirs = client.get(reverse("wagtailadmin_explore", args=[sites.digital.pk])).content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[their_about.pk]) not in theirs
    new_under_theirs = reverse(
        "wagtailadmin_pages:add", args=["websites", "contentpage", sites.digital.pk]
    )
    assert client.get(new_under_theirs).status_code != 200
    own_about = AboutPage.objects.child_of(sites.justice).get()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[own_about.pk])).status_code == 200
    found = client.get(reverse("wagtailadmin_pages:search"), {"q": sites.digital.title})
    assert reverse("wagtailadmin_pages:edit", args=[sites.digital.pk]) not in found.content.decode()
    found = client.get(reverse("wagtailadmin_pages:search"), {"q": sites.justice.title})
    assert reverse("wagtailadmin_pages:edit", args=[sites.justice.pk]) in found.content.decode()


def test_images_and_documents_are_fenced_per_agency(sites, client) -> None:
    justice = sites.justice.organization.website_workspace.collection
    digital = sites.digital.organization.website_workspace.collection
    image("Justice building", justice)
    image("Digital building", digital)
    document("justice-order", justice)
    document("digital-order", digital)
    login(client, "justice_editor")
    for url in (reverse("wagtailimages:index"), reverse("wagtailimages_chooser:choose")):
        html = client.get(url).content.decode()
        assert "Justice building" in html and "Digital building" not in html, url
    for url in (reverse("wagtaildocs:index"), reverse("wagtaildocs_chooser:choose")):
        html = client.get(url).content.decode()
        assert "justice-order" in html and "digital-order" not in html, url
    theirs = (
        __import__("wagtail.images", fromlist=["x"])
        .get_image_model()
        .objects.get(title="Digital building")
    )
    assert client.get(reverse("wagtailimages:edit", args=[theirs.pk])).status_code != 200
    upload = client.get(reverse("wagtailimages:add")).content.decode()
    assert f'value="{justice.pk}"' in upload or "collection" not in upload
    assert f'value="{digital.pk}"' not in upload


def test_images_need_alt_text(sites, client) -> None:
    from egov.websites.tests.factories import png

    login(client, "justice_editor")
    collection = sites.justice.organization.website_workspace.collection
    response = client.post(
        reverse("wagtailimages:add"),
        {"title": "No alt", "file": png(), "collection": collection.pk, "description": ""},
    )
    assert response.status_code == 200
    assert "description" in response.context["form"].errors
    response = client.post(
        reverse("wagtailimages:add"),
        {"title": "Alt", "file": png(), "collection": collection.pk, "description": "A map"},
    )
    assert response.status_code == 302


def test_editor_drafts_and_the_agencys_moderator_approves(sites) -> None:
    editor, other, moderator = Client(), Client(), Client()
    login(editor, "justice_editor")
    news_index = NewsIndexPage.objects.child_of(sites.justice).get()
    add = reverse("wagtailadmin_pages:add", args=["websites", "newspage", news_index.pk])
    # The editor's "publish" is not honoured: editors have no publish permission.
    response = editor.post(
        add, news_data(editor, news_index, title="Бір", slug="one", **{"action-publish": "1"})
    )
    assert response.status_code == 302
    assert not NewsPage.objects.get(slug="one", locale__language_code="kk").live
    response = editor.post(
        add, news_data(editor, news_index, title="Екі", slug="two", **{"action-submit": "1"})
    )
    assert response.status_code == 302
    page = NewsPage.objects.get(slug="two", locale__language_code="kk")
    state = page.current_workflow_state
    assert state is not None and not page.live
    task_state = state.current_task_state
    assert task_state.task.specific.groups.filter(name="MINJUST · website moderators").exists()
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]
    )
    login(other, "digital_moderator")
    other.post(approve)
    page.refresh_from_db()
    assert not page.live
    login(moderator, "justice_moderator")
    assert moderator.post(approve).status_code == 302
    page.refresh_from_db()
    assert page.live
    assert Client().get(page.url).status_code == 200


def test_publishing_refuses_inaccessible_content(sites, client) -> None:
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    login(client, "justice_moderator")
    news_index = NewsIndexPage.objects.child_of(sites.justice).get()
    add = reverse("wagtailadmin_pages:add", args=["websites", "newspage", news_index.pk])
    data = news_data(client, news_index, title="Үш", slug="three", **{"action-publish": "1"})
    body = '<h2>Басы</h2><h4>Секіру</h4><p><a href="https://example.org">мұнда</a></p>'
    data.update(nested_form_data({"body": streamfield([("paragraph", rich_text(body))])}), **{})
    response = client.post(add, data)
    assert response.status_code == 200
    errors = " ".join(str(error) for error in response.context["form"].non_field_errors())
    assert "Секіру" in errors and "мұнда" in errors  # the skipped heading and the vague link
    assert len(response.context["form"].non_field_errors()) == 3
    assert not NewsPage.objects.filter(slug="three", locale__language_code="kk").exists()
    # Saving a draft is allowed; publishing it from code is refused as well.
    data["action-publish"] = ""
    assert client.post(add, data).status_code == 302
    draft = NewsPage.objects.get(slug="three", locale__language_code="kk")
    with pytest.raises(AccessibilityError):
        draft.get_latest_revision().publish()


def test_scheduled_publishing_and_expiry_run_in_the_worker(sites) -> None:
    news_index = NewsIndexPage.objects.child_of(sites.justice).get()
    go_live = timezone.now() + datetime.timedelta(seconds=1)
    soon = NewsPage(title="Кейін", slug="later", go_live_at=go_live)
    news_index.add_child(instance=soon)
    soon.save_revision().publish()
    soon.refresh_from_db()
    assert not soon.live and soon.revisions.filter(approved_go_live_at=go_live).exists()
    expiring = NewsPage(title="Өтеді", slug="expiring")
    news_index.add_child(instance=expiring)
    skeleton.publish(expiring)
    NewsPage.objects.filter(pk=expiring.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    time.sleep(1.2)
    ran = run_due_jobs(timezone.now())
    assert "egov.websites.jobs.publish_scheduled" in ran
    soon.refresh_from_db()
    expiring.refresh_from_db()
    assert soon.live
    assert not expiring.live and expiring.expired


def test_revisions_can_be_compared_and_reverted(sites, client) -> None:
    about = AboutPage.objects.child_of(sites.justice).get()
    about.mission = "<p>Бірінші</p>"
    first = about.save_revision()
    about.mission = "<p>Екінші</p>"
    second = about.save_revision()
    login(client, "justice_editor")
    history = client.get(reverse("wagtailadmin_pages:history", args=[about.pk]))
    assert history.status_code == 200
    compare = client.get(
        reverse("wagtailadmin_pages:revisions_compare", args=[about.pk, first.pk, second.pk])
    )
    assert compare.status_code == 200
    assert "Бірінші" in compare.content.decode() and "Екінші" in compare.content.decode()
    revert = client.get(reverse("wagtailadmin_pages:revisions_revert", args=[about.pk, first.pk]))
    assert revert.status_code == 200
    outsider = Client()
    login(outsider, "digital_editor")
    assert outsider.get(reverse("wagtailadmin_pages:history", args=[about.pk])).status_code != 200


def test_concurrent_editing_is_announced(sites) -> None:
    about = AboutPage.objects.child_of(sites.justice).get()
    ping = lambda session: reverse(  # noqa: E731
        "wagtailadmin_editing_sessions:ping", args=["wagtailcore", "page", about.pk, session]
    )
    first, second = Client(), Client()
    login(first, "justice_editor")
    login(second, "justice_moderator")
    first.post(ping(0), {"is_editing": "1"})
    answer = json.loads(second.post(ping(0)).content)
    names = json.dumps(answer)
    assert "justice_editor" in names or answer.get("html")
    outsider = Client()
    login(outsider, "digital_editor")
    assert outsider.post(ping(0)).status_code == 404


def test_renaming_a_page_leaves_a_redirect(
    sites, client, django_capture_on_commit_callbacks
) -> None:
    news_index = NewsIndexPage.objects.child_of(sites.justice).get()
    news = NewsPage(title="Ескі", slug="old-name")
    news_index.add_child(instance=news)
    skeleton.publish(news)
    old_url = news.url
    news.slug = "new-name"
    with django_capture_on_commit_callbacks(execute=True):
        skeleton.publish(news)
    assert Redirect.objects.filter(redirect_page=news).exists()
    response = client.get(old_url)
    assert response.status_code in (301, 302)
    assert response["Location"].endswith("/gov/minjust/news/new-name/")


def test_roles_decide_group_membership(sites) -> None:
    editor = sites.users["justice_editor"]
    assert editor.groups.filter(name="MINJUST · website editors").exists()
    committee = Organization.objects.get(code="MINJUST-REG")
    make_site(sites.portal, committee)
    # A ministry's editor also edits its committee's site (roles reach subordinate bodies).
    assert editor.groups.filter(name="MINJUST-REG · website editors").exists()
    Membership.objects.filter(user=editor).delete()
    assert not editor.groups.exists()
    operator = sites.users["web_operator"]
    assert operator.groups.filter(name="Websites · operators").exists()


def test_appeals_are_answered_in_the_back_office(
    sites, client, django_capture_on_commit_callbacks
) -> None:
    ours = Appeal.objects.create(
        organization=sites.justice.organization,
        number="MINJUST-A-0001",
        language="kk",
        name="Асель",
        email="asel@example.org",
        subject="Апостиль",
        question="Қашан?",
        may_publish=True,
    )
    theirs = Appeal.objects.create(
        organization=sites.digital.organization,
        number="MDDIAI-A-0001",
        language="kk",
        name="Болат",
        email="bolat@example.org",
        subject="ЭЦҚ",
        question="Қалай?",
    )
    login(client, "justice_editor")
    listing = client.get(reverse("appeal:index")).content.decode()
    assert "MINJUST-A-0001" in listing and "MDDIAI-A-0001" not in listing
    assert client.get(reverse("appeal:edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("appeal:edit", args=[ours.pk])).status_code == 200
    data = {
        "answer": "Үш жұмыс күнінде.",
        "status": "received",
        "published": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("appeal:edit", args=[ours.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ours.refresh_from_db()
    assert (
        ours.status == "answered"
        and ours.published
        and ours.answered_by == sites.users["justice_editor"]
    )
    assert ours.question == "Қашан?"  # the citizen's words cannot be edited
    assert mail.outbox[-1].to == ["asel@example.org"]


def test_compliance_and_translations_reports_are_scoped(sites, client) -> None:
    login(client, "justice_editor")
    dashboard = client.get(reverse("websites_compliance:index")).content.decode()
    assert sites.justice.title in dashboard and sites.digital.title not in dashboard
    assert client.get(reverse("websites_compliance:detail", args=["MINJUST"])).status_code == 200
    assert client.get(reverse("websites_compliance:detail", args=["MDDIAI"])).status_code == 404
    matrix = client.get(reverse("websites_compliance:translations", args=["MINJUST"]))
    assert matrix.status_code == 200
    operator = Client()
    login(operator, "web_operator")
    dashboard = operator.get(reverse("websites_compliance:index")).content.decode()
    assert sites.justice.title in dashboard and sites.digital.title in dashboard
    citizen = Client()
    staff("someone", "citizen", None)
    log_in(citizen, "someone", PASSWORD)
    assert citizen.get(reverse("websites_compliance:index")).status_code != 200


def test_a_site_created_in_the_back_office_gets_the_skeleton_and_its_fence(sites, client) -> None:
    from egov.websites.models import AgencySite

    login(client, "web_operator")
    akimat = Organization.objects.get(code="AKIMAT-ALA")
    url = reverse("wagtailadmin_pages:add", args=["websites", "agencysite", sites.portal.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update(
        {
            "title": "Алматы қаласының әкімдігі",
            "slug": "almaty",
            "organization": str(akimat.pk),
            "action-publish": "1",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    site = AgencySite.objects.get(organization=akimat, locale__language_code="kk")
    assert site.live
    assert site.get_children().count() == 9
    assert site.organization.website_workspace.editors.name == "AKIMAT-ALA · website editors"
    assert Client().get("/gov/almaty/about/").status_code in (200, 404)  # sections start as drafts
    taken = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    taken.update({"title": "Again", "slug": "search", "organization": str(akimat.pk)})
    again = client.post(url, taken)
    assert again.status_code == 200
    assert {"slug", "organization"} & set(again.context["form"].errors)


def test_reference_index_updates_survive_replaced_child_rows(sites) -> None:
    from wagtail import signal_handlers
    from wagtail.models import ReferenceIndex

    from egov.websites import references
    from egov.websites.models import Leader

    assert signal_handlers.update_reference_index_task is references.update_reference_index
    about = AboutPage.objects.child_of(sites.justice).get()
    photo = image("Портрет", sites.justice.organization.website_workspace.collection)
    about.leaders = [Leader(name="Министр", position="Министр", photo=photo)]
    skeleton.publish(about)  # publishing replaces the leader rows
    gone = Leader.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    references.update_reference_index.call("websites", "leader", str(gone))  # no DoesNotExist
    used = ReferenceIndex.get_references_to(photo).values_list("object_id", flat=True)
    assert str(about.pk) in set(used)


def test_translators_edit_only_their_language_of_their_agency(sites, client) -> None:
    from django.core.exceptions import ValidationError
    from wagtail.models import Locale

    from egov.core.models import Membership

    russian = Locale.objects.get(language_code="ru")
    translator = staff("justice_translator", "translator", sites.justice.organization, "ru")
    login(client, "justice_translator")
    kazakh_about = AboutPage.objects.child_of(sites.justice).get()
    russian_about = kazakh_about.get_translation(russian)
    their_russian = AboutPage.objects.child_of(sites.digital).get().get_translation(russian)

    def edit(page: Page) -> int:
        return client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code

    assert edit(russian_about) == 200
    assert edit(kazakh_about) != 200 and edit(their_russian) != 200
    assert not russian_about.permissions_for_user(translator).can_publish()
    with pytest.raises(ValidationError):  # a translator needs a language, others must not have one
        Membership(
            user=translator, organization=sites.justice.organization, role="translator"
        ).full_clean()
    with pytest.raises(ValidationError):
        Membership(
            user=translator, organization=sites.justice.organization, role="editor", language="ru"
        ).full_clean()
