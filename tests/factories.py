"""factory_boy factories for content; published items go through the services."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from dateline.content import services
from dateline.content.models import Article, Person, Photo, Section, Topic

if TYPE_CHECKING:
    from datetime import datetime


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")
    position = factory.Sequence(lambda n: n)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    role = "Minister of Examples"


def jpeg_bytes(width: int = 800, height: int = 450) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 140)).save(out, format="JPEG")
    return out.getvalue()


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    image = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="photo.jpg"))
    caption = "Ships wait outside the harbour of Port Seline."
    credit = "© Test Agency/Ola Fotograf"
    alt_text = "Three cargo ships on a grey sea."


class ArticleFactory(factory.django.DjangoModelFactory):
    """A draft by default; use ``published_article`` for a public one."""

    class Meta:
        model = Article

    headline = factory.Sequence(lambda n: f"Headline number {n} about the harbour")
    lead = "A one-sentence lead that says what happened."
    body = "<p>First paragraph.</p><p>Second paragraph.</p><p>Third paragraph.</p>"
    dateline_place = "Port Seline"
    section = factory.SubFactory(SectionFactory)


def published_article(*, ago: timedelta = timedelta(hours=1), **fields: Any) -> Article:
    """A public item, made the way the newsroom makes one."""
    article = ArticleFactory.build(**fields)
    if article.section_id is None or article.section.pk is None:
        article.section.save()
        article.section_id = article.section.pk
    services.save_article(article=article, actor=None)
    services.publish_article(article=article, actor=None, at=timezone.now() - ago)
    return article


def public_row(section: Section, at: datetime, **fields: Any) -> Article:
    """A public item written straight to the table: for volume and exact times."""
    return ArticleFactory(
        section=section,
        status=Article.Status.PUBLISHED,
        version=1,
        published_at=at,
        **fields,
    )
