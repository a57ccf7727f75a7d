"""StreamField blocks shared by the page types: one small, accessible vocabulary for all."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
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
    """A public indicator chart from analytics; until analytics lands it renders a link."""

    title = blocks.CharBlock(label=_("Indicator"), max_length=200)
    url = blocks.URLBlock(label=_("Indicator address"))

    class Meta:
        template = "websites/blocks/indicator.html"
        icon = "order"
        label = _("Indicator chart")


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
