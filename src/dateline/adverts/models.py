"""Advertising: named placements on the public pages, and the adverts in them."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dateline.adverts.images import validate_advert_image
from dateline.adverts.sanitize import sanitize_snippet
from dateline.core.uploads import SafeImageField, UploadTo

MAX_AFTER_PARAGRAPH = 20
SNIPPET_MAX_CHARS = 20_000

http_url = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a full web address starting with https:// or http://."),
)


class Placement(models.Model):
    """A place on the pages where one advert may show. The set is fixed by
    the templates; the newsroom adjusts a placement's settings only."""

    class Key(models.TextChoices):
        HEADER = "header", _("Header")
        SIDEBAR = "sidebar", _("Article sidebar")
        ARTICLE = "article", _("Inside the article")
        HOME = "home", _("Home page sidebar")

    key = models.CharField(_("placement"), max_length=20, choices=Key, unique=True)
    after_paragraph = models.PositiveSmallIntegerField(
        _("after paragraph"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_AFTER_PARAGRAPH)],
        help_text=_(
            "Inside the article only: the advert follows this paragraph of each "
            "page of the body (or ends a shorter page)."
        ),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(after_paragraph__gte=1)
                & Q(after_paragraph__lte=MAX_AFTER_PARAGRAPH),
                name="adverts_placement_after_paragraph_in_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_key_display())

    @property
    def where(self) -> str:
        return str(WHERE[Placement.Key(self.key)])


WHERE = {
    Placement.Key.HEADER: _("Every public page, under the navigation bar."),
    Placement.Key.SIDEBAR: _("Article pages, after the article, above Most read."),
    Placement.Key.ARTICLE: _("Article pages, inside the body after a paragraph."),
    Placement.Key.HOME: _("The home page, in the news feed column."),
}


class AdvertQuerySet(models.QuerySet["Advert"]):
    def not_over(self, *, now: object) -> AdvertQuerySet:
        """Switched on and not yet ended: live now, or scheduled for later."""
        return self.filter(is_active=True).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )


class Advert(models.Model):
    """An image with a link, or a sanitized HTML snippet, shown in a placement
    between two moments. Where several are live in a placement, the highest
    priority shows, then the one that started last: every reader sees the same
    advert, so pages stay cacheable."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image with a link")
        SNIPPET = "snippet", _("HTML snippet")

    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("For the newsroom only, e.g. the advertiser and campaign."),
    )
    placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        related_name="adverts",
        verbose_name=_("placement"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.IMAGE)
    image = SafeImageField(
        _("image"),
        upload_to=UploadTo("adverts"),
        width_field="width",
        height_field="height",
        blank=True,
        validators=[validate_advert_image],
        help_text=_(
            "JPEG, PNG, WebP, AVIF or GIF; at most 2 MB and 4000 pixels a side."
        ),
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        blank=True,
        help_text=_("What the image says and shows, for readers who cannot see it."),
    )
    target_url = models.URLField(
        _("link"),
        max_length=2000,
        blank=True,
        validators=[http_url],
        help_text=_("Where the image leads: an https:// or http:// address."),
    )
    html = models.TextField(
        _("HTML snippet"),
        max_length=SNIPPET_MAX_CHARS,
        blank=True,
        help_text=_(
            "Text, links and images only (p, a, img, strong, em, b, i, small, "
            "span, br). Scripts, styles, frames, forms and event handlers are "
            'removed when saved; links get rel="sponsored noopener".'
        ),
    )
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("ends at"),
        null=True,
        blank=True,
        help_text=_("Empty: runs until switched off."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=0,
        help_text=_(
            "When several adverts are live in a placement, the highest priority "
            "shows; on a tie, the one that started last."
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AdvertQuerySet.as_manager()

    class Meta:
        ordering = ["placement_id", "-priority", "-starts_at", "-id"]
        verbose_name = _("advert")
        verbose_name_plural = _("adverts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="adverts_advert_ends_after_start",
                violation_error_message=_("The end must come after the start."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="image")
                | (~Q(image="") & ~Q(alt_text="") & ~Q(target_url="")),
                name="adverts_advert_image_has_alt_and_link",
            ),
            models.CheckConstraint(
                condition=~Q(kind="snippet") | ~Q(html=""),
                name="adverts_advert_snippet_has_html",
            ),
            models.CheckConstraint(
                condition=Q(target_url="")
                | Q(target_url__startswith="http://")
                | Q(target_url__startswith="https://"),
                name="adverts_advert_link_is_http",
                violation_error_message=_(
                    "The link must be an https:// or http:// address."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # The stored snippet is always the sanitized one, whoever saves it.
        self.html = (
            sanitize_snippet(self.html) if self.kind == self.Kind.SNIPPET else ""
        )
        self.alt_text = self.alt_text.strip()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, Any] = {}
        scheme, sep, rest = self.target_url.partition("://")
        if sep and scheme.lower() in {"http", "https"}:
            self.target_url = f"{scheme.lower()}://{rest}"
        if self.kind == self.Kind.IMAGE:
            if not self.image:
                errors["image"] = _("An image advert needs an image.")
            if not self.alt_text.strip():
                errors["alt_text"] = _("An image advert needs alternative text.")
            if not self.target_url:
                errors["target_url"] = _("An image advert needs a link.")
        elif not sanitize_snippet(self.html):
            errors["html"] = _(
                "Nothing is left of this snippet once scripts, styles and "
                "unsupported markup are removed."
            )
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must come after the start.")
        if errors:
            raise ValidationError(errors)
