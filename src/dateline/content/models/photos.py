"""Photos: a picture with its caption, credit and alternative text."""

from __future__ import annotations

import mimetypes

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dateline.core.uploads import SafeImageField, UploadTo


class Photo(models.Model):
    """A picture with the words that must travel with it."""

    image = SafeImageField(
        _("image"),
        upload_to=UploadTo("photos"),
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    caption = models.TextField(_("caption"), blank=True)
    credit = models.CharField(
        _("credit"),
        max_length=200,
        help_text=_("E.g. “© Agency Photo/Photographer Name”."),
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    # Smaller sizes in AVIF, WebP and the fallback format, made once on upload
    # (see content.renditions); empty until they are made.
    renditions = models.JSONField(_("renditions"), default=list, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption[:80] or self.alt_text[:80] or f"Photo {self.pk}"

    @property
    def media_type(self) -> str:
        """The image file's media type (for feeds and the API), from its name."""
        return mimetypes.guess_type(self.image.name)[0] or "image/jpeg"
