"""StreamField blocks shared by the page types: one small, accessible vocabulary for all."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

# Headings start at h2: the page title is the one h1.
RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]
RICH_TEXT_WITH_IMAGES = [*RICH_TEXT_FEATURES, "image"]


class TableWithCaptionBlock(TableBlock):  # type: ignore[misc]
    """A table with a header row and a caption, which screen readers announce."""

    class Meta:
        template = "websites/blocks/table.html"
        icon = "table"
        label = _("Table")


class FigureBlock(ImageBlock):  # type: ignore[misc]
    """An image with its alt text (or marked decorative), served through the platform."""

    class Meta:
        template = "websites/blocks/image.html"
        icon = "image"
        label = _("Image")


class AttachmentBlock(blocks.StructBlock):  # type: ignore[misc]
    document = DocumentChooserBlock(label=_("File"))
    title = blocks.CharBlock(label=_("Link text"), required=False, max_length=200)

    class Meta:
        template = "websites/blocks/attachment.html"
        icon = "doc-full"
        label = _("Attachment")


class QuoteBlock(blocks.StructBlock):  # type: ignore[misc]
    text = blocks.TextBlock(label=_("Quote"))
    source = blocks.CharBlock(label=_("Who said it"), required=False, max_length=200)

    class Meta:
        template = "websites/blocks/quote.html"
        icon = "openquote"
        label = _("Quote")


class IndicatorBlock(blocks.StructBlock):  # type: ignore[misc]
    """A public indicator chart from analytics: embedded when the platform serves its embed view
    (`indicators.embed_url`), otherwise a link to the indicator."""

    title = blocks.CharBlock(label=_("Indicator"), max_length=200)
    code = blocks.RegexBlock(
        regex=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        label=_("Indicator code"),
        help_text=_(
            "The code of a public indicator in the analytics platform: its chart is shown."
        ),
        required=False,
        max_length=100,
        error_messages={"invalid": _("Use letters, digits, dots, dashes and underscores.")},
    )
    url = blocks.URLBlock(label=_("Indicator address"), required=False)

    class Meta:
        template = "websites/blocks/indicator.html"
        icon = "order"
        label = _("Indicator chart")

    def clean(self, value: Any) -> Any:
        from egov.websites.indicators import is_public

        cleaned = super().clean(value)
        if not cleaned.get("code") and not cleaned.get("url"):
            raise StructBlockValidationError(
                block_errors={"code": ValidationError(_("Give the indicator's code or address."))}
            )
        if cleaned.get("code") and is_public(cleaned["code"]) is False:
            raise StructBlockValidationError(
                block_errors={
                    "code": ValidationError(
                        _("The analytics platform has no public indicator with this code.")
                    )
                }
            )
        return cleaned

    def get_context(self, value: Any, parent_context: dict[str, Any] | None = None) -> Any:
        from egov.websites.indicators import embed_url

        context = super().get_context(value, parent_context)
        context["embed_url"] = embed_url(value.get("code") or "")
        return context


class BodyBlock(blocks.StreamBlock):  # type: ignore[misc]
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_WITH_IMAGES, label=_("Text"))
    image = FigureBlock()
    quote = QuoteBlock()
    table = TableWithCaptionBlock()
    attachment = AttachmentBlock()
    indicator = IndicatorBlock()


class ServiceLinkBlock(blocks.StructBlock):  # type: ignore[misc]
    title = blocks.CharBlock(label=_("Service"), max_length=200)
    description = blocks.TextBlock(label=_("What it is for"), required=False)
    url = blocks.URLBlock(label=_("Address in the e-government portal"))

    class Meta:
        template = "websites/blocks/service_link.html"
        icon = "link"
        label = _("Public service")


class QuestionBlock(blocks.StructBlock):  # type: ignore[misc]
    question = blocks.CharBlock(label=_("Question"), max_length=300)
    answer = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Answer"))

    class Meta:
        template = "websites/blocks/question.html"
        icon = "help"
        label = _("Question and answer")


class ContactBlock(blocks.StructBlock):  # type: ignore[misc]
    unit = blocks.CharBlock(label=_("Department"), max_length=200)
    phone = blocks.CharBlock(label=_("Phone"), max_length=64, required=False)
    email = blocks.EmailBlock(label=_("E-mail"), required=False)
    hours = blocks.CharBlock(label=_("Reception hours"), max_length=200, required=False)

    class Meta:
        template = "websites/blocks/contact.html"
        icon = "mail"
        label = _("Department contacts")


class UnitBlock(blocks.StructBlock):  # type: ignore[misc]
    name = blocks.CharBlock(label=_("Unit"), max_length=200)
    head = blocks.CharBlock(label=_("Head"), max_length=200, required=False)
    units = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("Subunits"), required=False)

    class Meta:
        icon = "group"
        label = _("Structural unit")


class BudgetBlock(blocks.StreamBlock):  # type: ignore[misc]
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))
    table = TableWithCaptionBlock()
    attachment = AttachmentBlock()
