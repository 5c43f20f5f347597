"""The archive's busiest section, topic and person: what the benchmarks of
per-subject pages, feeds and API calls ask for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Busiest:
    section: str
    topic: str
    person: str


def busiest() -> Busiest:
    from django.db.models import Count

    from dateline.content.models import ArticlePerson, ArticleTopic, Section

    section = Section.objects.annotate(n=Count("articles")).order_by("-n").first()
    topic = (
        ArticleTopic.objects.values("topic__slug")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    person = (
        ArticlePerson.objects.values("person__slug")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if section is None or topic is None or person is None:
        raise SystemExit("bench: the archive has no section, topic or person")
    return Busiest(section.slug, topic["topic__slug"], person["person__slug"])
