"""Links to other sites: "Partner News" and "In other media".

A link is kept by hand in the newsroom, or comes from a partner's RSS or Atom
feed, which the worker reads every few minutes (``services.refresh_partner_feeds``).
"""

from __future__ import annotations

from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Only web addresses: never javascript:, data:, ftp: or a relative path.
WEB_ADDRESS = URLValidator(schemes=["http", "https"])
IS_WEB_ADDRESS = models.Q(url__istartswith="http://") | models.Q(
    url__istartswith="https://"
)


class Block(models.TextChoices):
    PARTNER_NEWS = "partner-news", _("Partner News")
    OTHER_MEDIA = "other-media", _("In other media")


class PartnerFeed(models.Model):
    """A partner's RSS or Atom feed that fills one block."""

    name = models.CharField(
        _("outlet"),
        max_length=100,
        help_text=_("The outlet's name, shown beside each of its links."),
    )
    url = models.URLField(
        _("feed address"), max_length=500, unique=True, validators=[WEB_ADDRESS]
    )
    block = models.CharField(_("block"), max_length=16, choices=Block.choices)
    is_sponsored = models.BooleanField(
        _("sponsored"),
        default=False,
        help_text=_(
            "Tick for paid or exchanged placements: readers see them marked "
            "as sponsored, and search engines are told so (rel=sponsored)."
        ),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Untick to stop reading the feed and hide its links."),
    )
    last_fetched_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_error = models.TextField(_("last problem"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("partner feed")
        verbose_name_plural = _("partner feeds")
        ordering = ["block", "name"]
        constraints = [
            models.CheckConstraint(
                condition=IS_WEB_ADDRESS, name="partner_feed_url_is_web"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerLinkQuerySet(models.QuerySet["PartnerLink"]):
    def shown(self) -> PartnerLinkQuerySet:
        """Links readers see: active, and from an active feed if from one."""
        return self.filter(is_active=True).filter(
            models.Q(feed__isnull=True) | models.Q(feed__is_active=True)
        )


class PartnerLink(models.Model):
    """One link in a block: a story on another site."""

    class Origin(models.TextChoices):
        NEWSROOM = "newsroom", _("kept by hand")
        FEED = "feed", _("from a feed")

    block = models.CharField(_("block"), max_length=16, choices=Block.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address"), max_length=1000, validators=[WEB_ADDRESS])
    outlet = models.CharField(
        _("outlet"), max_length=100, help_text=_("Shown beside the link.")
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    is_sponsored = models.BooleanField(
        _("sponsored"),
        default=False,
        help_text=_("Paid or exchanged placement: marked for readers, rel=sponsored."),
    )
    feed = models.ForeignKey(
        PartnerFeed,
        # The feed's links go with it: they were only ever its copies.
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links",
        verbose_name=_("feed"),
    )
    # The feed's own id for the entry (or its link), to update, not duplicate.
    guid = models.CharField(_("feed entry id"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(
        _("pinned position"),
        null=True,
        blank=True,
        help_text=_("1 is first. Leave empty to order by date, after pinned links."),
    )
    is_active = models.BooleanField(
        _("shown"), default=True, help_text=_("Untick to hide the link.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PartnerLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner link")
        verbose_name_plural = _("partner links")
        ordering = ["block", models.F("position").asc(nulls_last=True), "-published_at"]
        constraints = [
            models.CheckConstraint(
                condition=IS_WEB_ADDRESS, name="partner_link_url_is_web"
            ),
            models.UniqueConstraint(
                fields=["feed", "guid"],
                condition=models.Q(feed__isnull=False),
                name="partner_link_unique_per_feed",
            ),
        ]
        indexes = [
            models.Index(fields=["feed", "-published_at"], name="partner_link_by_feed"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def origin(self) -> PartnerLink.Origin:
        return self.Origin.NEWSROOM if self.feed_id is None else self.Origin.FEED
