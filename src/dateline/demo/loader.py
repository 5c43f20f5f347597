"""Load the demo agency from the TOML files in ``data/`` through the services.

The demo is written the way a newsroom would write it: a reporter creates each
item, an editor publishes or schedules it, corrections go through the
correction service. Publication times are relative to the moment of loading.
"""

from __future__ import annotations

import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from dateline.content import renditions, services
from dateline.content.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    Correction,
    Gallery,
    Infographic,
    Person,
    Photo,
    RelatedArticle,
    Section,
    Topic,
    TopStory,
    VisualStatus,
)
from dateline.demo.pictures import draw_bar_chart, draw_picture, draw_portrait

if TYPE_CHECKING:
    from datetime import datetime

DATA_DIR = Path(__file__).parent / "data"

# Demo newsroom accounts: (username, group, what they may do).
ACCOUNTS = (
    ("chief", "Chief", "everything, including withdrawing items and managing staff"),
    ("editor", "Editor", "edits, publishes, schedules and corrects"),
    ("reporter", "Reporter", "writes drafts and submits them"),
)


@dataclass
class DemoSummary:
    created: bool
    articles: int = 0
    published: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _read(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


def read_taxonomy(kind: str) -> list[dict[str, Any]]:
    """The entries of ``sections.toml``, ``topics.toml`` or ``persons.toml``."""
    entries: list[dict[str, Any]] = _read(f"{kind}s.toml")[kind]
    return entries


def read_articles() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in sorted(DATA_DIR.glob("articles_*.toml")):
        items.extend(_read(path.name)["article"])
    return items


def body_html(text: str) -> str:
    """The demo's plain-text bodies as the editor's HTML."""
    blocks = []
    for chunk in text.strip().split("\n\n"):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk == "---":
            blocks.append("<hr>")
        elif chunk.startswith("## "):
            blocks.append(f"<h2>{escape(chunk[3:].strip())}</h2>")
        else:
            blocks.append(f"<p>{escape(' '.join(chunk.split()))}</p>")
    return "".join(blocks)


def has_content() -> bool:
    return Article.objects.exists() or Section.objects.exists()


def ensure_accounts() -> list[tuple[str, str, str]]:
    """The demo's newsroom logins, with fresh passwords printed each time."""
    logins = []
    for username, group_name, role in ACCOUNTS:
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = True
        user.is_active = True
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=group_name)])
        logins.append((username, password, role))
    return logins


class NotDemoContentError(Exception):
    """The database holds items the demo did not write; reset refuses."""


def foreign_items() -> int:
    """How many items were written by someone other than the demo accounts."""
    demo_users = [username for username, _, _ in ACCOUNTS]
    return Article.objects.exclude(created_by__username__in=demo_users).count()


def reset() -> None:
    """Remove all content, its pictures and the demo accounts.

    Refuses when the database holds items that the demo accounts did not write,
    so that ``--reset`` cannot wipe a real newsroom's archive by mistake.
    """
    with transaction.atomic():
        foreign = foreign_items()
        if foreign:
            raise NotDemoContentError(
                f"{foreign} item(s) in this database were not written by the demo "
                "accounts; refusing to delete them. Point DATELINE_DATABASE_URL or "
                "DATELINE_DATA_DIR at a demo database instead."
            )
        Gallery.objects.all().delete()
        for infographic in Infographic.objects.all():
            services.delete_picture(picture=infographic)
        for photo in Photo.objects.all():
            services.delete_picture(picture=photo)
        Correction.objects.all().delete()
        TopStory.objects.all().delete()
        RelatedArticle.objects.all().delete()
        ArticleTopic.objects.all().delete()
        ArticlePerson.objects.all().delete()
        Article.history.all().delete()
        Article.objects.all().delete()
        Photo.objects.all().delete()
        Section.objects.all().delete()
        Topic.objects.all().delete()
        Person.objects.all().delete()
        User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).delete()


def load(*, now: datetime | None = None) -> DemoSummary:
    """Load the demo agency unless the database already has content."""
    now = now or timezone.now()
    with transaction.atomic():
        if has_content():
            return DemoSummary(created=False, logins=ensure_accounts())
        logins = ensure_accounts()
        reporter = User.objects.get(username="reporter")
        editor = User.objects.get(username="editor")
        sections = {
            s["slug"]: Section.objects.create(
                slug=s["slug"], name=s["name"], description=s["description"], position=i
            )
            for i, s in enumerate(read_taxonomy("section"))
        }
        topics = {
            t["slug"]: Topic.objects.create(
                slug=t["slug"],
                name=t["name"],
                description=t.get("description", ""),
                iptc_code=t.get("iptc", ""),
            )
            for t in read_taxonomy("topic")
        }
        persons = {
            p["slug"]: Person.objects.create(
                slug=p["slug"],
                name=p["name"],
                role=p["role"],
                description=p.get("description", ""),
                photo=_create_portrait(p) if "photo" in p else None,
            )
            for p in read_taxonomy("person")
        }
        items = read_articles()
        articles: dict[str, Article] = {}
        # Oldest first, so ids grow with publication time as on a real wire.
        for item in sorted(items, key=lambda i: -float(i["hours_ago"])):
            articles[item["key"]] = _create_item(
                item,
                now=now,
                sections=sections,
                topics=topics,
                persons=persons,
                reporter=reporter,
                editor=editor,
            )
        for item in items:
            related = [articles[key] for key in item.get("read_also", [])]
            if related:
                services.set_read_also(article=articles[item["key"]], related=related)
        for front in _read("fronts.toml")["front"]:
            section = sections[front["section"]] if front["section"] else None
            for position, key in enumerate(front["items"]):
                TopStory.objects.create(
                    section=section, article=articles[key], position=position
                )
        published = sum(1 for a in articles.values() if a.is_public(now=now))
        return DemoSummary(
            created=True, articles=len(articles), published=published, logins=logins
        )


@lru_cache(maxsize=256)
def drawn_picture(
    subject: str, *, seed: str
) -> tuple[bytes, tuple[renditions.EncodedRendition, ...]]:
    """A demo picture and its renditions, drawn and encoded once per process
    (the same seed always gives the same picture): a reload is quick."""
    picture = draw_picture(subject, seed=seed)
    return picture, tuple(renditions.encode_renditions(picture))


@lru_cache(maxsize=32)
def drawn_portrait(
    *, hair: str, jacket: str, seed: str
) -> tuple[bytes, tuple[renditions.EncodedRendition, ...]]:
    """A demo portrait and its renditions, made once per process."""
    portrait = draw_portrait(hair=hair, jacket=jacket, seed=seed)
    return portrait, tuple(renditions.encode_renditions(portrait))


def _create_portrait(person: dict[str, Any]) -> Photo:
    """A person's portrait from ``persons.toml``, through the photo service."""
    spec = person["photo"]
    picture, encoded = drawn_portrait(
        hair=spec["hair"], jacket=spec["jacket"], seed=person["slug"]
    )
    return services.create_photo(
        data=picture,
        name=f"{person['slug']}.jpg",
        caption=f"{person['name']}, {person['role']}.",
        credit=f"© {settings.DATELINE_AGENCY_NAME}/{spec['photographer']}",
        alt_text=spec["alt"],
        encoded=encoded,
    )


def _create_item(
    item: dict[str, Any],
    *,
    now: datetime,
    sections: dict[str, Section],
    topics: dict[str, Topic],
    persons: dict[str, Person],
    reporter: User,
    editor: User,
) -> Article:
    photo = None
    if "photo" in item:
        spec = item["photo"]
        picture, encoded = drawn_picture(spec["subject"], seed=item["key"])
        photo = services.create_photo(
            data=picture,
            name=f"{item['key']}.jpg",
            caption=spec["caption"],
            credit=f"© {settings.DATELINE_AGENCY_NAME}/{spec['photographer']}",
            alt_text=spec["alt"],
            encoded=encoded,
        )
    article = Article(
        headline=item["headline"],
        lead=item["lead"],
        body=body_html(item["body"]),
        dateline_place=item["dateline"],
        byline=item.get("byline", ""),
        section=sections[item["section"]],
        lead_photo=photo,
        urgency=item["urgency"],
    )
    services.save_article(article=article, actor=reporter)
    when = now - timedelta(hours=float(item["hours_ago"]))
    status = item.get("status", "published")
    if status == "published" or status == "scheduled":
        services.publish_article(article=article, actor=editor, at=when)
    services.set_article_tags(
        article=article,
        topics=[topics[slug] for slug in item["topics"]],
        persons=[persons[slug] for slug in item["persons"]],
    )
    if item.get("correction"):
        services.save_article(
            article=article, actor=editor, correction_note=item["correction"]
        )
        # The correction came a while after publication, not at loading time.
        corrected_at = min(when + timedelta(hours=2), now)
        Correction.objects.filter(article=article).update(created_at=corrected_at)
        Article.objects.filter(pk=article.pk).update(updated_at=corrected_at)
        article.refresh_from_db()
    return article


def load_rates(*, now: datetime | None = None) -> int:
    """Demo exchange rates through the real importers, dated to the last two
    days and marked as demo figures (invented, in the banks' formats)."""
    import dataclasses

    from dateline.markets.importers import import_sheet, parse_cbr, parse_ecb

    today = timezone.localdate(now or timezone.now())
    count = 0
    for name, parse, day in [
        ("ecb-daily.xml", parse_ecb, today - timedelta(days=1)),
        ("cbr-daily.xml", parse_cbr, today),
    ]:
        sheet = parse((DATA_DIR / "rates" / name).read_bytes())
        count += import_sheet(
            dataclasses.replace(sheet, effective_on=day), is_demo=True
        )
    return count


def load_partners(*, now: datetime | None = None) -> tuple[int, int]:
    """Demo partner feeds through the real importer, and hand-kept links.

    The feed files mark each date as ``HOURS_AGO:n``; those become dates
    relative to ``now`` before the importer reads the bytes. Running it again
    updates the same feeds and links. Returns (feeds, links shown).
    """
    import re
    from email.utils import format_datetime

    from dateline.partners.models import PartnerFeed, PartnerLink
    from dateline.partners.services import refresh_partner_feed

    now = now or timezone.now()
    folder = DATA_DIR / "partners"
    with (folder / "feeds.toml").open("rb") as handle:
        data = tomllib.load(handle)

    def dated(text: str, *, atom: bool) -> bytes:
        def when(match: re.Match[str]) -> str:
            moment = now - timedelta(hours=int(match.group(1)))
            return moment.isoformat() if atom else format_datetime(moment)

        return re.sub(r"HOURS_AGO:(\d+)", when, text).encode()

    for spec in data["feed"]:
        feed, _ = PartnerFeed.objects.update_or_create(
            url=spec["url"],
            defaults={
                "name": spec["name"],
                "block": spec["block"],
                "is_sponsored": spec["is_sponsored"],
            },
        )
        text = (folder / spec["file"]).read_text(encoding="utf-8")
        result = refresh_partner_feed(
            feed=feed, data=dated(text, atom="<feed" in text), now=now
        )
        if not result.ok:
            raise ValueError(f"Demo feed {spec['file']}: {result.error}")
    for spec in data["link"]:
        PartnerLink.objects.update_or_create(
            feed=None,
            url=spec["url"],
            defaults={
                "block": spec["block"],
                "outlet": spec["outlet"],
                "title": spec["title"],
                "published_at": now - timedelta(hours=spec["hours_ago"]),
                "is_sponsored": spec.get("is_sponsored", False),
                "position": spec.get("position"),
            },
        )
    return len(data["feed"]), PartnerLink.objects.shown().count()


def load_cities() -> int:
    """The header's cities (real places, facts), through the service; a city
    the database already has is left as the newsroom keeps it."""
    from decimal import Decimal

    from dateline.places.models import City
    from dateline.places.services import add_city

    count = 0
    for position, city in enumerate(_read("cities.toml")["city"]):
        if City.objects.filter(slug=city["slug"]).exists():
            continue
        add_city(
            slug=city["slug"],
            name=city["name"],
            country=city["country"],
            time_zone=city["time_zone"],
            latitude=Decimal(city["latitude"]),
            longitude=Decimal(city["longitude"]),
            position=position,
        )
        count += 1
    return count


def load_galleries(*, now: datetime | None = None) -> int:
    """The demo's photo galleries (data/galleries.toml), their pictures drawn
    and given renditions like any upload. Returns how many are public."""
    now = now or timezone.now()
    public = 0
    with transaction.atomic():
        for spec in _read("galleries.toml")["gallery"]:
            credit = f"© {settings.DATELINE_AGENCY_NAME}/{spec['photographer']}"
            photos = []
            for index, shot in enumerate(spec["photos"]):
                seed = f"{spec['slug']}-{index}"
                picture, encoded = drawn_picture(shot["subject"], seed=seed)
                photo = services.create_photo(
                    data=picture,
                    name=f"{seed}.jpg",
                    caption=shot["caption"],
                    credit=credit,
                    alt_text=shot["alt"],
                    encoded=encoded,
                )
                photos.append((photo, ""))
            gallery = Gallery(
                slug=spec["slug"], title=spec["title"], description=spec["description"]
            )
            if spec.get("status", "published") == "published":
                gallery.status = VisualStatus.PUBLISHED
                gallery.published_at = now - timedelta(hours=float(spec["hours_ago"]))
            services.save_visual(item=gallery)
            services.set_gallery_photos(gallery=gallery, photos=photos)
            public += gallery.is_public(now=now)
    return public


@lru_cache(maxsize=32)
def drawn_chart(
    title: str, rows: tuple[tuple[str, float], ...], *, unit: str, seed: str
) -> tuple[bytes, tuple[renditions.EncodedRendition, ...]]:
    """A demo chart and its renditions, made once per process."""
    chart = draw_bar_chart(title, list(rows), unit=unit, seed=seed)
    return chart, tuple(renditions.encode_renditions(chart))


def load_infographics(*, now: datetime | None = None) -> int:
    """The demo's infographics (data/infographics.toml): bar charts drawn from
    the same rows that make their data tables. Returns how many there are."""
    now = now or timezone.now()
    specs = _read("infographics.toml")["infographic"]
    with transaction.atomic():
        for spec in specs:
            rows = [(str(name), float(value)) for name, value in spec["rows"]]
            chart, encoded = drawn_chart(
                spec["title"], tuple(rows), unit=spec["unit"], seed=spec["slug"]
            )
            infographic = Infographic(
                slug=spec["slug"],
                title=spec["title"],
                description=spec["description"],
                image=ContentFile(chart, name=f"{spec['slug']}.png"),
                alt_text=spec["alt"],
                long_description=spec.get("long_description", ""),
                credit=f"© {settings.DATELINE_AGENCY_NAME}",
                data_table=[
                    list(spec["columns"]),
                    *([name, f"{value:g}"] for name, value in rows),
                ],
                status=VisualStatus.PUBLISHED,
                published_at=now - timedelta(hours=float(spec["hours_ago"])),
            )
            services.save_infographic(infographic=infographic, encoded=encoded)
    return len(specs)
