"""Galleries and infographics: visuals with a page and a publishing rule of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dateline.content.datatable import validate_data_table
from dateline.content.models.photos import Photo
from dateline.core.uploads import SafeImageField, UploadTo

if TYPE_CHECKING:
    from datetime import datetime


class VisualQuerySet(models.QuerySet[Any]):
    def public(self, *, now: datetime | None = None) -> VisualQuerySet:
        """The publishing rule for galleries and infographics: published, and
        not in the future. Drafts, scheduled and withdrawn ones never show."""
        return self.filter(
            status=VisualStatus.PUBLISHED, published_at__lte=now or timezone.now()
        )

    def newest_first(self) -> VisualQuerySet:
        return self.order_by("-published_at", "-id")


class VisualStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Visual(models.Model):
    """What a gallery and an infographic share: a title, a page, a state."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VisualStatus, default=VisualStatus.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("A future time schedules it; empty means now on publishing."),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    objects = VisualQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="%(class)s_published_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="%(class)s_public",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_public(self, *, now: datetime | None = None) -> bool:
        return (
            self.status == VisualStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )


class Gallery(Visual):
    """Photos in the editor's order, with a page of their own."""

    photos: models.ManyToManyField[Photo, GalleryPhoto] = models.ManyToManyField(
        Photo,
        through="GalleryPhoto",
        related_name="galleries",
        blank=True,
        verbose_name=_("photos"),
    )
    cover = models.ForeignKey(
        Photo,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover photo"),
        help_text=_(
            "The thumbnail in lists: one of its photos; empty means the first."
        ),
    )

    class Meta(Visual.Meta):
        verbose_name = _("gallery")
        verbose_name_plural = _("galleries")

    def get_absolute_url(self) -> str:
        return reverse("site:gallery-detail", kwargs={"slug": self.slug})


class GalleryPhoto(models.Model):
    """A photo in a gallery, at its position, with an optional caption of its own."""

    gallery = models.ForeignKey(
        Gallery, on_delete=models.CASCADE, related_name="gallery_photos"
    )
    photo = models.ForeignKey(
        Photo,
        on_delete=models.PROTECT,  # a published gallery must not lose pictures
        related_name="gallery_links",
        verbose_name=_("photo"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    caption = models.TextField(
        _("caption in this gallery"),
        blank=True,
        help_text=_("Empty means the photo's own caption."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("gallery photo")
        verbose_name_plural = _("gallery photos")
        constraints = [
            models.UniqueConstraint(
                fields=["gallery", "photo"], name="gallery_photo_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.gallery_id} → {self.photo_id}"

    @property
    def shown_caption(self) -> str:
        return self.caption or self.photo.caption


class Infographic(Visual):
    """A chart or diagram, with words and figures for readers who cannot see it."""

    image = SafeImageField(
        _("image"),
        upload_to=UploadTo("infographics"),
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the picture shows, in a sentence."),
    )
    long_description = models.TextField(
        _("long description"),
        blank=True,
        help_text=_("Everything the picture says, for readers who cannot see it."),
    )
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    data_table = models.JSONField(
        _("data table"),
        default=list,
        blank=True,
        validators=[validate_data_table],
        help_text=_("Rows of text, the first row the header."),
    )
    renditions = models.JSONField(_("renditions"), default=list, editable=False)

    class Meta(Visual.Meta):
        verbose_name = _("infographic")
        verbose_name_plural = _("infographics")

    def get_absolute_url(self) -> str:
        return reverse("site:infographic-detail", kwargs={"slug": self.slug})

    @property
    def table_header(self) -> list[str]:
        header: list[str] = self.data_table[0] if self.data_table else []
        return header

    @property
    def table_rows(self) -> list[list[str]]:
        rows: list[list[str]] = self.data_table[1:]
        return rows
