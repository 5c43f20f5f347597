"""Articles and what hangs off one: topic and person links, “Read also”, corrections.

The one publishing rule is ``ArticleQuerySet.public()``; every public path uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from simple_history.models import HistoricalRecords

from dateline.content.bodytext import EDITOR_EXTENSIONS, count_pages, sanitize_body
from dateline.content.models.paths import article_path
from dateline.content.models.photos import Photo
from dateline.content.models.taxonomy import Person, Section, Topic

if TYPE_CHECKING:
    from datetime import datetime


class ArticleQuerySet(models.QuerySet["Article"]):
    def public(self, *, now: datetime | None = None) -> ArticleQuerySet:
        """THE publishing rule: published, usable, and not in the future.

        ``content.article_sql.PUBLIC_RULE`` states it in SQL for the article
        page; tests/content/test_article_sql.py holds the two equal.

        Scheduling is a future ``published_at``: nothing has to run to release
        an item, so a release cannot be missed.
        """
        # The states are written into the SQL, not bound (core/lookups.py).
        return self.filter(
            status__state=Article.Status.PUBLISHED,
            pubstatus__state=Article.PubStatus.USABLE,
            published_at__lte=now or timezone.now(),
        )

    def scheduled(self, *, now: datetime | None = None) -> ArticleQuerySet:
        return self.filter(
            status__state=Article.Status.PUBLISHED,
            pubstatus__state=Article.PubStatus.USABLE,
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
            ),
            # The persons in this week's news, without reading the whole archive.
            models.Index(fields=["-published_at"], name="person_link_recent"),
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
