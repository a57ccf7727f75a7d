"""The accessibility check a page must pass before it is submitted for approval or published.

It reads what authors control — rich text, StreamField blocks, images chosen for the page — and
reports each problem in words an editor can act on: headings that skip a level or use the page
title's level, links whose text says nothing out of context, images without alt text, tables
without a caption or header row. Wagtail's own axe-based checker in the editor complements it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock, ImageChooserBlock
from wagtail.images.models import AbstractImage
from wagtail.rich_text import RichText

# Link texts that mean nothing out of context, in the platform's languages (compared lowercased).
VAGUE_LINK_TEXTS = frozenset(
    {
        "click here",
        "here",
        "more",
        "read more",
        "link",
        "this link",
        "здесь",
        "тут",
        "подробнее",
        "далее",
        "ссылка",
        "нажмите здесь",
        "мұнда",
        "осында",
        "осы жерде",
        "толығырақ",
        "сілтеме",
        "ин ҷо",
        "бештар",
        "муфассал",
        "пайванд",
    }
)


class AccessibilityError(ValidationError):
    """The page cannot be published until these problems are fixed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems)


@dataclass
class _Outline:
    """Headings met so far in one field, in reading order."""

    base: int
    last: int = 0
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.last = self.base - 1


class _RichTextScanner(HTMLParser):
    def __init__(self, where: str, outline: _Outline) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.outline = outline
        self.problems = outline.problems
        self.heading: int | None = None
        self.heading_text = ""
        self.link: bool = False
        self.link_text = ""
        self.link_has_image = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.heading, self.heading_text = int(tag[1]), ""
        elif tag == "a":
            self.link, self.link_text, self.link_has_image = True, "", False
        elif tag in ("img", "embed") and (tag == "img" or values.get("embedtype") == "image"):
            alt = (values.get("alt") or "").strip()
            if not alt:
                self.problems.append(
                    _("%(where)s: an image has no alt text; describe what it shows.")
                    % {"where": self.where}
                )
            elif self.link:
                self.link_has_image = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading_text += data
        if self.link:
            self.link_text += data

    def handle_endtag(self, tag: str) -> None:
        if self.heading is not None and tag == f"h{self.heading}":
            self._check_heading(self.heading, " ".join(self.heading_text.split()))
            self.heading = None
        elif tag == "a" and self.link:
            self._check_link(" ".join(self.link_text.split()))
            self.link = False

    def _check_heading(self, level: int, text: str) -> None:
        outline = self.outline
        if not text:
            self.problems.append(
                _("%(where)s: a heading is empty; remove it or give it text.")
                % {"where": self.where}
            )
        if level == 1:
            self.problems.append(
                _("%(where)s: heading “%(text)s” uses level 1, which is kept for the page title.")
                % {"where": self.where, "text": text}
            )
        elif level > outline.last + 1:
            self.problems.append(
                _(
                    "%(where)s: heading “%(text)s” jumps to level %(level)s after level "
                    "%(last)s; use level %(expected)s."
                )
                % {
                    "where": self.where,
                    "text": text,
                    "level": level,
                    "last": outline.last,
                    "expected": outline.last + 1,
                }
            )
        outline.last = level

    def _check_link(self, text: str) -> None:
        if not text and not self.link_has_image:
            self.problems.append(
                _("%(where)s: a link has no text; say where it leads.") % {"where": self.where}
            )
        elif text.lower().strip(" .:!»>") in VAGUE_LINK_TEXTS:
            self.problems.append(
                _("%(where)s: link text “%(text)s” means nothing on its own; say where it leads.")
                % {"where": self.where, "text": text}
            )


def check_html(html: str, where: str, outline: _Outline | None = None) -> list[str]:
    outline = outline or _Outline(base=2)
    before = len(outline.problems)
    scanner = _RichTextScanner(where, outline)
    scanner.feed(html)
    scanner.close()
    return outline.problems[before:]


def _check_image(image: Any, where: str, contextual: bool = False) -> list[str]:
    if image is None:
        return []
    if contextual:
        if getattr(image, "decorative", False) or (getattr(image, "contextual_alt_text", "") or ""):
            return []
    elif (getattr(image, "description", "") or "").strip():
        return []
    return [
        _("%(where)s: image “%(title)s” has no alt text; describe what it shows.")
        % {"where": where, "title": getattr(image, "title", "")}
    ]


def _check_table(value: Any, where: str) -> list[str]:
    problems = []
    if not (value or {}).get("table_caption"):
        problems.append(
            _("%(where)s: a table needs a caption that says what it shows.") % {"where": where}
        )
    if not (value or {}).get("first_row_is_table_header"):
        problems.append(
            _("%(where)s: a table needs a header row (tick “Header row”).") % {"where": where}
        )
    return problems


def _walk(block: blocks.Block, value: Any, where: str, outline: _Outline) -> Iterator[str]:
    if value is None:
        return
    if isinstance(block, ImageBlock):
        yield from _check_image(value, where, contextual=True)
    elif isinstance(block, ImageChooserBlock):
        yield from _check_image(value, where)
    elif isinstance(block, TableBlock):
        yield from _check_table(value, where)
    elif isinstance(block, blocks.RichTextBlock):
        source = value.source if isinstance(value, RichText) else str(value)
        yield from check_html(source, where, outline)
    elif isinstance(block, blocks.StructBlock):
        label = str(block.label or where)
        # A block that renders its own heading (a question) puts its rich text one level deeper.
        inner = outline
        if "question" in block.child_blocks:
            inner = _Outline(base=outline.base + 1, problems=outline.problems)
        for name, child in block.child_blocks.items():
            yield from _walk(child, value.get(name), f"{where} › {label}", inner)
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            yield from _walk(block.child_block, item, where, outline)
    elif isinstance(block, blocks.StreamBlock):
        for child in value:
            yield from _walk(child.block, child.value, where, outline)


def check_page(page: models.Model, leaders: list[tuple[str, Any, str]] | None = None) -> list[str]:
    """Every problem on the page, in reading order; empty when it may be published.

    `leaders` (name, photo, biography) replaces the page's saved leaders, for a form being sent.
    """
    from egov.websites.models.pages import SitePage

    problems: list[str] = []
    bases = page.heading_base if isinstance(page, SitePage) else {}
    decorative = page.decorative_images if isinstance(page, SitePage) else frozenset()
    for model_field in page._meta.get_fields():
        if not isinstance(model_field, models.Field) or model_field.name == "search_description":
            continue
        where = str(getattr(model_field, "verbose_name", model_field.name)).capitalize()
        outline = _Outline(base=bases.get(model_field.name, 2))
        if isinstance(model_field, RichTextField):
            problems += check_html(getattr(page, model_field.name) or "", where, outline)
        elif isinstance(model_field, StreamField):
            value = getattr(page, model_field.name)
            problems += list(_walk(model_field.stream_block, value, where, outline))
        elif (
            isinstance(model_field, models.ForeignKey)
            and isinstance(model_field.related_model, type)
            and issubclass(model_field.related_model, AbstractImage)
            and model_field.name not in decorative
        ):
            problems += _check_image(getattr(page, model_field.name), where)
    if leaders is None and hasattr(page, "leaders") and page.pk:
        leaders = [(item.name, item.photo, item.biography) for item in page.leaders.all()]
    for name, photo, biography in leaders or []:
        problems += _check_image(photo, str(name))
        problems += check_html(biography or "", str(name), _Outline(base=3))
    return problems


def refuse_inaccessible(page: models.Model) -> None:
    problems = check_page(page)
    if problems:
        raise AccessibilityError(problems)
