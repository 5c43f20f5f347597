"""Partner feeds and links for tests (example.* addresses only)."""

from __future__ import annotations

from pathlib import Path

import factory

from dateline.partners.models import Block, PartnerFeed, PartnerLink

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "partners"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class PartnerFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerFeed

    name = factory.Sequence(lambda n: f"Outlet {n}")
    url = factory.Sequence(lambda n: f"https://www.example.com/outlet-{n}/feed.xml")
    block = Block.OTHER_MEDIA


class PartnerLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerLink

    block = Block.OTHER_MEDIA
    title = factory.Sequence(lambda n: f"Outside story {n}")
    url = factory.Sequence(lambda n: f"https://www.example.net/story-{n}")
    outlet = "Example Times"
