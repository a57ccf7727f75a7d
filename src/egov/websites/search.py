"""Search across every body's pages, or one body's, with filters by type, body and date.

The index is Wagtail's (the database backend: PostgreSQL full-text in production, SQLite here).
A Kazakh reader may type in Latin script: the query is also searched in Cyrillic, which is how
the pages are written. Results are ranked by relevance; a query so broad that more than `BROAD`
pages match lists the newest first instead, because ranking every match of a common word over
100,000 pages takes seconds (bench/websites/search.py), and the reader is told to add words.
"""

from __future__ import annotations

import datetime
import functools
import json
import operator
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail.search.query import PlainText

from egov.core import script

MAX_RESULTS = 200
BROAD = 2_000
LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ]")


def _types() -> dict[str, tuple[Any, type[Page]]]:
    from egov.websites import models

    return {
        "news": (_("News"), models.NewsPage),
        "documents": (_("Documents"), models.LegalActPage),
        "vacancies": (_("Vacancies"), models.VacancyPage),
        "sites": (_("Websites of bodies"), models.AgencySite),
    }


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    agency = forms.ChoiceField(label=_("Body"), required=False)
    since = forms.DateField(
        label=_("Published from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Published until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, portal: Page, data: Any = None) -> None:
        from egov.websites.models import AgencySite

        super().__init__(data)
        kind: Any = self.fields["kind"]
        kind.choices = [("", _("Everything"))] + [
            (key, label) for key, (label, _model) in _types().items()
        ]
        agency: Any = self.fields["agency"]
        sites = AgencySite.objects.live().child_of(portal).order_by("title")
        agency.choices = [("", _("All bodies"))] + [(site.slug, site.title) for site in sites]
        self.sites = {site.slug: site for site in sites}


def queries(text: str) -> list[str]:
    """The query as typed, and its Cyrillic form when a Kazakh reader typed Latin letters."""
    text = " ".join(text.split())
    found = [text]
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language == "kk" and LATIN_WORD.search(text):
        for alphabet in ("2021", "2018"):
            cyrillic = script.to_cyrillic(text, alphabet)
            if cyrillic not in found:
                found.append(cyrillic)
    return found


def matches(portal: Page, form: SearchForm, newest_first: bool = False) -> Any:
    """Every live page under ``portal`` that the form's words and filters find, the best (or the
    newest) first, as a lazy search result; None when there is nothing to search for."""
    if not form.is_bound or not form.is_valid() or not form.cleaned_data["q"].strip():
        return None
    data = form.cleaned_data
    pages = Page.objects.live().descendant_of(portal, inclusive=True)
    if data["agency"] and data["agency"] in form.sites:
        pages = pages.descendant_of(form.sites[data["agency"]], inclusive=True)
    if data["kind"]:
        pages = pages.type(_types()[data["kind"]][1])
    zone = timezone.get_current_timezone()
    if data["since"]:
        start = datetime.datetime.combine(data["since"], datetime.time.min, zone)
        pages = pages.filter(first_published_at__gte=start)
    if data["until"]:
        end = datetime.datetime.combine(data["until"], datetime.time.max, zone)
        pages = pages.filter(first_published_at__lte=end)
    # Every spelling in one search, not one each: a search costs a pass over the index.
    spellings = [PlainText(query, operator="and") for query in queries(data["q"])]
    query = functools.reduce(operator.or_, spellings)
    if newest_first:
        return pages.order_by("-first_published_at").search(query, order_by_relevance=False)
    return pages.search(query)


def estimated_matches(texts: list[str]) -> int | None:
    """How many index entries hold the words, as PostgreSQL's planner estimates it from the
    index's word statistics (about a millisecond; counting them would recompute every entry's
    vector, half a second for a common word); None on other databases."""
    if connection.vendor != "postgresql":
        return None
    config = settings.WAGTAILSEARCH_BACKENDS["default"].get("SEARCH_CONFIG")
    one = "plainto_tsquery(%s::regconfig, %s)" if config else "plainto_tsquery(%s)"
    params: list[str] = []
    for text in texts:
        params += [config, text] if config else [text]
    table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    query = " || ".join([one] * len(texts))
    # Only the table's name and placeholders are spliced in; the words are parameters.
    sql = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} WHERE (title || body) @@ ({query})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def _broad(results: Any, texts: list[str]) -> bool:
    """More than BROAD matches: estimated on PostgreSQL; elsewhere (the embedded database, with
    few pages) counted up to BROAD + 1."""
    estimate = estimated_matches(texts)
    if estimate is not None:
        return estimate > BROAD
    return bool(results.get_queryset().order_by().values("pk")[: BROAD + 1].count() > BROAD)


@dataclass
class Found:
    ids: list[int]  # at most MAX_RESULTS, in the order shown
    newest_first: bool = False


def run(portal: Page, form: SearchForm) -> Found:
    results = matches(portal, form)
    if results is None:
        return Found([])
    newest_first = _broad(results, queries(form.cleaned_data["q"]))
    if newest_first:
        results = matches(portal, form, newest_first=True)
    return Found([page.pk for page in results[:MAX_RESULTS]], newest_first)


def load(ids: list[int]) -> list[Page]:
    """The pages of one result page, each as its own type, in the order given."""
    specific = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
    return [specific[pk] for pk in ids if pk in specific]
