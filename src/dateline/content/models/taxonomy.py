"""What items are filed under: sections, topics and persons."""

from __future__ import annotations

from django.db import models
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dateline.content.models.paths import section_path, tag_path, validate_section_slug


class Section(models.Model):
    """A desk or service; the site's navigation lists sections by position."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"), max_length=60, unique=True, validators=[validate_section_slug]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return section_path(get_script_prefix(), self.slug)


class Topic(models.Model):
    """A subject running across sections (an event, a conflict, a theme)."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    description = models.TextField(_("description"), blank=True)
    iptc_code = models.CharField(
        _("IPTC Media Topic"),
        max_length=20,
        blank=True,
        help_text=_("The closest IPTC Media Topic, e.g. medtop:20000579."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return tag_path(get_script_prefix(), "site:topic-detail", self.slug)


class Person(models.Model):
    """A person in the news."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    role = models.CharField(
        _("role"), max_length=200, blank=True, help_text=_("E.g. “Foreign Minister”.")
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("A sentence or two on who they are, shown on their page."),
    )
    photo = models.ForeignKey(
        # By name: photos.py is registered after this module (see __init__).
        "Photo",
        on_delete=models.SET_NULL,  # losing a picture must not lose the person
        null=True,
        blank=True,
        related_name="persons",
        verbose_name=_("photo"),
        help_text=_("A portrait, shown on their page."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return tag_path(get_script_prefix(), "site:person-detail", self.slug)
