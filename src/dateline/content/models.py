"""The newsroom's content: sections, topics, persons, photos and articles.

Publication state is one ``status`` plus IPTC ``pubstatus`` and timestamps. The
one publishing rule is ``ArticleQuerySet.public()``; every public path uses it.
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from simple_history.models import HistoricalRecords

from dateline.content.bodytext import EDITOR_EXTENSIONS, count_pages, sanitize_body
from dateline.content.datatable import validate_data_table

if TYPE_CHECKING:
    from datetime import datetime

# Top-level paths the site uses itself; a section slug may not take one.
RESERVED_SLUGS = frozenset(
    {
        "admin", "all", "api", "feeds", "galleries", "infographics", "media", "news",
        "newsroom", "persons", "preview",
        "rates", "robots.txt", "rss", "search", "sitemap.xml", "sitemaps", "static",
        "topics", "views", "favicon.ico",
        "cities",
    }
)  # fmt: skip


@lru_cache(maxsize=512)
def section_path(script_prefix: str, slug: str) -> str:
    """A section's path, remembered per script prefix and slug.

    The prefix is part of the key so that a site mounted under a sub-path
    (SCRIPT_NAME) still gets right links.
    """
    return reverse("site:section-detail", kwargs={"slug": slug})


def article_path(script_prefix: str, section_slug: str, pk: int) -> str:
    """An article's path: its section's (remembered) path and its id.

    A feed page links dozens of items: this spares resolving the URLconf for
    each. tests/content/test_urls.py holds it equal to reverse().
    """
    return f"{section_path(script_prefix, section_slug)}{pk}/"


@lru_cache(maxsize=8192)
def tag_path(script_prefix: str, route: str, slug: str) -> str:
    """A topic's or person's path (``route`` names which), remembered like
    ``section_path``: an article page links several of each."""
    return reverse(route, kwargs={"slug": slug})


def validate_section_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the site itself; choose another slug."),
            params={"slug": value},
        )


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
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return tag_path(get_script_prefix(), "site:person-detail", self.slug)


class Photo(models.Model):
    """A picture with the words that must travel with it."""

    image = models.ImageField(
        _("image"),
        upload_to="photos/%Y/%m/",
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


class ArticleQuerySet(models.QuerySet["Article"]):
    def public(self, *, now: datetime | None = None) -> ArticleQuerySet:
        """THE publishing rule: published, usable, and not in the future.

        ``content.article_sql.PUBLIC_RULE`` states it in SQL for the article
        page; tests/content/test_article_sql.py holds the two equal.

        Scheduling is a future ``published_at``: nothing has to run to release
        an item, so a release cannot be missed.
        """
        return self.filter(
            status=Article.Status.PUBLISHED,
            pubstatus=Article.PubStatus.USABLE,
            published_at__lte=now or timezone.now(),
        )

    def scheduled(self, *, now: datetime | None = None) -> ArticleQuerySet:
        return self.filter(
            status=Article.Status.PUBLISHED,
            pubstatus=Article.PubStatus.USABLE,
            published_at__gt=now or timezone.now(),
        )

    def newest_first(self) -> ArticleQuerySet:
        return self.order_by("-published_at", "-id")

    def in_section(self, section: Section) -> ArticleQuerySet:
        return self.filter(section=section)


class Article(models.Model):
    """One news item. Its identity is the numeric id; it is versioned."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")

    class PubStatus(models.TextChoices):
        """IPTC pubStatus."""

        USABLE = "usable", _("Usable")
        WITHHELD = "withheld", _("Withheld")
        CANCELED = "canceled", _("Canceled (withdrawn)")

    headline = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, blank=True, allow_unicode=True)
    lead = models.TextField(
        _("lead"), blank=True, help_text=_("One sentence under the headline.")
    )
    body = ProseEditorField(
        _("body"),
        blank=True,
        extensions=EDITOR_EXTENSIONS,
        sanitize=True,
        help_text=_("A horizontal rule starts a new page of the article."),
    )
    page_count = models.PositiveSmallIntegerField(_("pages"), default=1, editable=False)
    dateline_place = models.CharField(
        _("dateline city"),
        max_length=100,
        blank=True,
        help_text=_("Where the story was filed from, e.g. “Arvenna”."),
    )
    byline = models.CharField(_("byline"), max_length=200, blank=True)
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,  # a section with items cannot vanish from under them
        related_name="articles",
        verbose_name=_("section"),
    )
    topics: models.ManyToManyField[Topic, ArticleTopic] = models.ManyToManyField(
        Topic,
        through="ArticleTopic",
        related_name="articles",
        blank=True,
        verbose_name=_("topics"),
    )
    persons: models.ManyToManyField[Person, ArticlePerson] = models.ManyToManyField(
        Person,
        through="ArticlePerson",
        related_name="articles",
        blank=True,
        verbose_name=_("persons"),
    )
    lead_photo = models.ForeignKey(
        Photo,
        on_delete=models.SET_NULL,  # losing a picture must not lose the story
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("lead photo"),
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("IPTC urgency: 1 is a flash, 9 the lowest."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    pubstatus = models.CharField(
        _("publication status"),
        max_length=10,
        choices=PubStatus,
        default=PubStatus.USABLE,
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("A future time schedules the item; empty means now."),
    )
    updated_at = models.DateTimeField(
        _("last updated"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the public text last changed after publication."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        editable=False,
        help_text=_("Published versions: 1 on publication, one more per change."),
    )
    revision = models.PositiveIntegerField(
        _("revision"),
        default=0,
        editable=False,
        help_text=_("Every save; guards against two editors overwriting each other."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # staff leave; their stories stay
        null=True,
        blank=True,
        related_name="created_articles",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["modified_at", "page_count"],
        cascade_delete_history=True,
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can publish and schedule articles")),
            ("withdraw_article", _("Can withdraw (kill) articles")),
            ("preview_article", _("Can preview unpublished articles")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(urgency__gte=1, urgency__lte=9),
                name="article_urgency_1_to_9",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(version__gte=1),
                name="article_published_has_version",
            ),
        ]
        indexes = [
            # Keyset feeds over public items: all news, and per section.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published", pubstatus="usable"),
                name="article_public_feed",
            ),
            models.Index(
                fields=["section", "-published_at", "-id"],
                condition=Q(status="published", pubstatus="usable"),
                name="article_public_section_feed",
            ),
            models.Index(fields=["status", "-modified_at"], name="article_desk"),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived from the row's own fields only; side effects live in services.
        self.body = sanitize_body(self.body)
        self.page_count = count_pages(self.body)
        self.headline = " ".join(self.headline.split())
        self.lead = " ".join(self.lead.split())
        if not self.slug:
            self.slug = slugify(self.headline, allow_unicode=True)[:200]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return article_path(get_script_prefix(), self.section.slug, self.pk)

    def is_public(self, *, now: datetime | None = None) -> bool:
        """The publishing rule for one loaded row, the same as ``public()``."""
        return (
            self.status == self.Status.PUBLISHED
            and self.pubstatus == self.PubStatus.USABLE
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )

    def is_scheduled(self, *, now: datetime | None = None) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > (now or timezone.now())
        )

    @property
    def is_updated(self) -> bool:
        return bool(
            self.updated_at
            and self.published_at
            and self.updated_at > self.published_at
        )


# django-simple-history names the historical model's module after the app's
# package ("dateline.content") when the app label is shorter than the package
# path, yet defines the class here; say where it really lives so that tools
# which import models by module path (``dateline shell``) find it.
Article.history.model.__module__ = __name__


class ArticleTopic(models.Model):
    """An article tagged with a topic; carries the publication time for keyset feeds."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="topic_links"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="article_links"
    )
    # A copy of article.published_at, kept by content.services.
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "topic"], name="article_topic_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["topic", "-published_at", "-article"], name="topic_feed"
            ),
            # The topics in this week's news, without reading the whole archive.
            models.Index(fields=["-published_at"], name="topic_link_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.topic_id}"


class ArticlePerson(models.Model):
    """An article about a person; carries the publication time for keyset feeds."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="person_links"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="article_links"
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "person"], name="article_person_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["person", "-published_at", "-article"], name="person_feed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.person_id}"


class RelatedArticle(models.Model):
    """An editor's “Read also” link, in the editor's order."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="read_also_links"
    )
    related = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="read_also_backlinks",
        verbose_name=_("related article"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("“Read also” link")
        verbose_name_plural = _("“Read also” links")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "related"], name="read_also_once"
            ),
            models.CheckConstraint(
                condition=~Q(article=models.F("related")), name="read_also_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.related_id}"


class Correction(models.Model):
    """A correction note, shown with its time on the public article."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections"
    )
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return self.note[:80]


class TopStory(models.Model):
    """A slot in TOP STORIES, on the home page or at the head of a section.

    Editors order the slots; only public items are shown, so a slot whose item
    is withdrawn or not yet released simply stays dark.
    """

    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="top_stories",
        verbose_name=_("section front"),
        help_text=_("Empty for the home page."),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="top_story_slots",
        verbose_name=_("article"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["section__position", "position", "id"]
        verbose_name = _("top story")
        verbose_name_plural = _("top stories")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "article"],
                condition=Q(section__isnull=False),
                name="top_story_once_per_section",
            ),
            models.UniqueConstraint(
                fields=["article"],
                condition=Q(section__isnull=True),
                name="top_story_once_on_home",
            ),
        ]
        indexes = [
            models.Index(fields=["section", "position"], name="top_story_front"),
        ]

    def __str__(self) -> str:
        return f"{self.front_name}: {self.article_id}"

    @property
    def front_name(self) -> str:
        return self.section.name if self.section is not None else str(_("Home page"))


# --- Galleries and infographics ---------------------------------------------------


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

    image = models.ImageField(
        _("image"),
        upload_to="infographics/%Y/%m/",
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
