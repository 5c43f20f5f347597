"""The agency's own pages: About, Contact, Editorial standards…

Kept by the newsroom's Chief and answered at the top level (``/about/``),
where sections are answered too: a page's slug can be neither a section's
nor a path the site uses itself, and a section's cannot be a page's
(``dateline.content.models.paths``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import get_script_prefix
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from dateline.content.bodytext import EDITOR_EXTENSIONS, sanitize_body
from dateline.content.models import Section
from dateline.content.models.paths import section_path, validate_reserved_slug


def validate_page_slug(value: str) -> None:
    """Not a path the site uses, nor a section's."""
    validate_reserved_slug(value)
    section = Section.objects.filter(slug=value).only("name").first()
    if section is not None:
        raise ValidationError(
            _(
                "“%(slug)s” is already the address of the section “%(section)s”; "
                "choose another slug."
            ),
            params={"slug": value, "section": section.name},
            code="taken",
        )


class AgencyPageQuerySet(models.QuerySet["AgencyPage"]):
    def in_footer(self) -> AgencyPageQuerySet:
        return self.filter(is_in_footer=True)


class AgencyPage(models.Model):
    """One of the agency's own pages, e.g. About or Contact."""

    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        validators=[validate_page_slug],
        help_text=_("Its address: “about” is /about/."),
    )
    body = ProseEditorField(
        _("text"), blank=True, extensions=EDITOR_EXTENSIONS, sanitize=True
    )
    is_in_footer = models.BooleanField(
        _("show in footer"),
        default=True,
        help_text=_("Link the page from every page's footer."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("The footer lists pages by position.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgencyPageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The same markup as an article's body, whoever saves it.
        self.body = sanitize_body(self.body)
        self.title = " ".join(self.title.split())
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # The top-level route answers pages as well as sections (site/urls.py).
        return section_path(get_script_prefix(), self.slug)
