"""TOP STORIES: the slots editors order on the home page and section fronts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dateline.content.models.articles import Article
from dateline.content.models.taxonomy import Section


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
