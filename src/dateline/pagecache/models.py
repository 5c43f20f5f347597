"""The page cache's outbox: changes it could not be told of yet."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingChange(models.Model):
    """A change to what pages show, committed while the page cache (Redis)
    could not be reached: no new generation was written, so kept pages made
    before it may still be served elsewhere. Written on commit by the process
    that failed; deleted once a generation written after it is confirmed
    (by that process, by any process that saw the outage, or by
    ``dateline worker``, which looks twice a second)."""

    reason = models.CharField(_("reason"), max_length=100)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("pending page-cache change")
        verbose_name_plural = _("pending page-cache changes")

    def __str__(self) -> str:
        return f"{self.reason} ({self.created_at:%Y-%m-%d %H:%M:%S})"
