"""A synthetic archive for benchmarks: ``dateline generate --articles N``.

Appends N items with the shape of a wire agency's archive to whatever the
database holds:

- The eight sections (the existing ones if there are any), with different
  volumes: World, Politics and Economy carry most of the file, Press Review the
  least.
- About N/3,000 new topics and N/800 new persons with Zipf-like popularity.
  A topic is in the news for a period of weeks to months, a person for longer.
- Publication times at ITEMS_PER_DAY items a day whatever N is, so 1,000,000
  items span about five years and 500 items about a day; the newest item is
  published now. Fewer items at night in the newsroom's time zone and at the
  weekend; some items share the same second, as on a real wire.
- Urgency, body length (log-normal, with a long tail and some items in pages),
  dateline city, byline, lead photo from a small pool drawn once, 0-3 topics
  and persons, "Read also" links, updates and corrections in the proportions
  of a real file.
- A few items that must never be public: drafts, withheld and withdrawn
  (canceled) items, and items scheduled hours or days ahead.

The words come from ``data/generate.toml``, in the demo's fictional world. The
same seed gives the same items (headlines, bodies, tags, statuses) on the same
sections; their publication times follow the moment of the run.

Rows go in with ``bulk_create``, one transaction per batch, so ``save()`` is
not called and no history rows are written: the generator fills the derived
fields (``slug``, ``page_count``) itself and writes bodies that the sanitizer
leaves as they are.
"""

from __future__ import annotations

import functools
import math
import random
import time
import tomllib
import zoneinfo
from array import array
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from dateline.content.bodytext import count_pages
from dateline.content.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    Correction,
    Person,
    Photo,
    RelatedArticle,
    Section,
    Topic,
)
from dateline.demo import loader
from dateline.demo.pictures import draw_picture

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from django.db.backends.utils import CursorWrapper
    from django.db.models import Model

WORDS_FILE = Path(__file__).parent / "data" / "generate.toml"
MAX_ARTICLES = 20_000_000
ITEMS_PER_DAY = 550
BATCH_SIZE = 2_000  # items per transaction
MIN_FOR_UNPUBLISHED = 20  # below this many items, every item is public

Progress = Callable[[int], object]  # told the number of items in each written batch

# The newsroom's hours (local time) and days: relative volume of items.
HOUR_PROFILE = (
    0.25, 0.15, 0.1, 0.1, 0.12, 0.25, 0.55, 0.9, 1.2, 1.45, 1.55, 1.6,
    1.55, 1.5, 1.5, 1.45, 1.4, 1.3, 1.15, 1.0, 0.85, 0.7, 0.55, 0.4,
)  # fmt: skip
WEEKDAY_PROFILE = (1.05, 1.05, 1.05, 1.05, 1.0, 0.6, 0.55)

# IPTC urgency: 0.3 % flashes, 5 % urgent (2-3), the rest 4-6, mostly 5.
URGENCY_CUMULATIVE = ((1, 0.003), (2, 0.018), (3, 0.053), (4, 0.153), (5, 0.933))
TOPICS_PER_ITEM = {0: 25, 1: 35, 2: 25, 3: 15}  # relative frequencies
PERSONS_PER_ITEM = {0: 35, 1: 35, 2: 20, 3: 10}

# Shares of all items (the unpublished kinds: at least one each).
DRAFT_RATE = 0.003
WITHHELD_RATE = 0.001
CANCELED_RATE = 0.001
SCHEDULED_RATE = 0.00005
# Shares of the items concerned.
LEAD_PHOTO_RATE = 0.6
READ_ALSO_RATE = 0.1
UPDATED_RATE = 0.08
CORRECTED_RATE = 0.06  # of the updated ones
PAGED_RATE = 0.02
SAME_SECOND_RATE = 0.02
BYLINE_RATE = 0.75

OTHER_SECTION_DESK = "world"  # how sections that are not one of the eight write
OTHER_SECTION_WEIGHT = 8.0

# The figures that fill {n}, {big}, {pct} and {score}.
NUMBER_SLOTS: dict[str, tuple[str, ...]] = {
    "n": tuple(str(n) for n in range(2, 60)),
    "big": tuple(f"{n:,}" for n in (120, 340, 800, 1200, 2600, 4500, 12_000, 38_000)),
    "pct": tuple(f"{n / 10:.1f}" for n in range(3, 99, 4)),
    "score": ("1-0", "2-0", "2-1", "3-1", "3-2", "1-1", "2-2", "0-0", "4-1"),
}


# --- Words ---------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    """What one section's items are made of (see ``data/generate.toml``)."""

    slug: str
    name: str
    weight: float
    places: tuple[str, ...]
    things: tuple[str, ...]
    headlines: tuple[str, ...]
    person_headlines: tuple[str, ...]
    subjects: tuple[str, ...]
    predicates: tuple[str, ...]
    facts: tuple[str, ...]
    quotes: tuple[str, ...]
    topics: tuple[str, ...]
    roles: tuple[str, ...]
    pictures: tuple[str, ...]


@dataclass(frozen=True)
class Words:
    """Everything in ``data/generate.toml``, typed."""

    slots: dict[str, tuple[str, ...]]
    first_names: tuple[str, ...]
    surname_heads: tuple[str, ...]
    surname_tails: tuple[str, ...]
    photographers: tuple[str, ...]
    tails: tuple[str, ...]
    predicates: tuple[str, ...]
    quotes: tuple[str, ...]
    speakers: tuple[str, ...]
    subheads: tuple[str, ...]
    corrections: tuple[str, ...]
    pictures: dict[str, tuple[str, str]]
    desks: dict[str, Desk]


@functools.cache
def words() -> Words:
    with WORDS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    world = {key: tuple(values) for key, values in data["world"].items()}
    shared = {key: tuple(values) for key, values in data["shared"].items()}
    slot_lists = {
        "home": "home_cities",
        "abroad": "foreign_cities",
        "country": "countries",
        "adj": "adjectives",
        "company": "companies",
        "paper": "papers",
        "party": "parties",
        "team": "teams",
        "competition": "competitions",
        "institute": "institutes",
    }
    return Words(
        slots={slot: world[key] for slot, key in slot_lists.items()} | NUMBER_SLOTS,
        first_names=world["first_names"],
        surname_heads=world["surname_heads"],
        surname_tails=world["surname_tails"],
        photographers=world["photographers"],
        tails=shared["tails"],
        predicates=shared["predicates"],
        quotes=shared["quotes"],
        speakers=shared["speakers"],
        subheads=shared["subheads"],
        corrections=shared["corrections"],
        pictures={kind: (text[0], text[1]) for kind, text in data["pictures"].items()},
        desks={
            slug: Desk(
                slug=slug,
                name=desk["name"],
                weight=float(desk["weight"]),
                **{
                    key: tuple(value)
                    for key, value in desk.items()
                    if key not in {"name", "weight"}
                },
            )
            for slug, desk in data["desk"].items()
        },
    )


class Fill(dict[str, str]):
    """Slot values for one piece of text, each drawn once, when first used.

    ``{country2}`` is a second country, different from ``{country}``.
    """

    def __init__(
        self,
        rng: random.Random,
        options: Mapping[str, Sequence[str]],
        fixed: Mapping[str, str],
    ) -> None:
        super().__init__(fixed)
        self.rng = rng
        self.options = options

    def __missing__(self, key: str) -> str:
        base = key.rstrip("2")
        choices = self.options[base]
        taken = {self.get(base), self.get(base + "2")}
        value = self.rng.choice(choices)
        for _ in range(8):
            if value not in taken:
                break
            value = self.rng.choice(choices)
        self[key] = value
        return value


def fill(
    template: str,
    rng: random.Random,
    options: Mapping[str, Sequence[str]],
    **fixed: str,
) -> str:
    return template.format_map(Fill(rng, options, fixed))


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def expand(
    templates: Sequence[str],
    rng: random.Random,
    options: Mapping[str, Sequence[str]],
    *,
    each: int,
) -> tuple[str, ...]:
    """Each template filled ``each`` times (once if it has no slot), deduplicated."""
    texts: dict[str, None] = {}
    for template in templates:
        for _ in range(each if "{" in template else 1):
            texts[fill(template, rng, options)] = None
    return tuple(texts)


@dataclass(frozen=True)
class Phrases:
    """A desk's phrases with their slots filled, ready to be strung together.

    A sentence is a fact, or a subject, a predicate and a tail.
    """

    subjects: tuple[str, ...]
    predicates: tuple[str, ...]
    tails: tuple[str, ...]  # each with its leading space or comma, or empty
    facts: tuple[str, ...]
    quotes: tuple[str, ...]
    speakers: tuple[str, ...]
    words: dict[str, int]  # words per phrase


def desk_phrases(desk: Desk, rng: random.Random, agency: str) -> Phrases:
    vocabulary = words()
    options = vocabulary.slots | {"thing": desk.things, "agency": (agency,)}
    subjects = tuple(
        capitalize(s) for s in expand(desk.subjects, rng, options, each=12)
    )
    predicates = expand(desk.predicates + vocabulary.predicates, rng, options, each=25)
    tails = tuple(
        tail if tail.startswith(",") or not tail else f" {tail}"
        for tail in expand(vocabulary.tails, rng, options, each=6)
    )
    facts = tuple(
        f"{capitalize(fact)}." for fact in expand(desk.facts, rng, options, each=40)
    )
    quotes = expand(desk.quotes + vocabulary.quotes, rng, options, each=6)
    speakers = expand(vocabulary.speakers, rng, options, each=4)
    counts = {
        phrase: len(phrase.split())
        for phrase in (*subjects, *predicates, *tails, *facts, *quotes, *speakers)
    }
    return Phrases(subjects, predicates, tails, facts, quotes, speakers, counts)


def person_name(rng: random.Random) -> str:
    vocabulary = words()
    first = rng.choice(vocabulary.first_names)
    surname = rng.choice(vocabulary.surname_heads) + rng.choice(
        vocabulary.surname_tails
    )
    return f"{first} {surname}"


def unique_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:150] or "tag"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


# --- The cast: sections, topics, persons, photos -------------------------------


@dataclass(frozen=True)
class Tag:
    """A new topic or person: desk, popularity and period in the news (in days)."""

    pk: int
    name: str
    desk: str
    popularity: float
    center: float  # days after the start of the archive
    width: float
    evergreen: bool

    def weight(self, day: float) -> float:
        bump = math.exp(-0.5 * ((day - self.center) / self.width) ** 2)
        return self.popularity * (0.3 + bump if self.evergreen else bump)


@dataclass(frozen=True)
class _TagPlan:
    name: str
    desk: str
    popularity: float
    center: float
    width: float
    evergreen: bool
    role: str = ""


def ensure_sections() -> tuple[list[Section], int]:
    """The existing sections, or the standard eight when there are none."""
    sections = list(Section.objects.order_by("position", "id"))
    if sections:
        return sections, 0
    descriptions = {
        s["slug"]: s["description"] for s in loader.read_taxonomy("section")
    }
    created = Section.objects.bulk_create(
        Section(
            slug=slug,
            name=desk.name,
            description=descriptions.get(slug, ""),
            position=position,
        )
        for position, (slug, desk) in enumerate(words().desks.items())
    )
    return created, len(created)


def _zipf(count: int, rng: random.Random) -> list[float]:
    """Popularity by a shuffled rank: the k-th most popular weighs 1/k."""
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    return [1.0 / rank for rank in ranks]


def _pick_desk(rng: random.Random) -> Desk:
    desks = list(words().desks.values())
    return rng.choices(desks, [d.weight for d in desks])[0]


def plan_topics(count: int, *, rng: random.Random, span_days: float) -> list[_TagPlan]:
    options = words().slots
    names: set[str] = set()
    plans = []
    for rank, popularity in enumerate(_zipf(count, rng)):
        for _ in range(20):  # another desk when one's names are used up
            desk = _pick_desk(rng)
            name = capitalize(
                fill(rng.choice(desk.topics), rng, options | {"thing": desk.things})
            )
            if name not in names:
                break
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.add(name)
        plans.append(
            _TagPlan(
                name=name,
                desk=desk.slug,
                popularity=popularity,
                center=rng.uniform(-0.1, 1.1) * span_days,
                width=min(max(rng.lognormvariate(math.log(75), 0.7), 10.0), 720.0),
                # The first topic is always in the news, so no period lacks one.
                evergreen=rank == 0 or rng.random() < 0.12,
            )
        )
    return plans


def plan_persons(count: int, *, rng: random.Random, span_days: float) -> list[_TagPlan]:
    options = words().slots
    names: set[str] = set()
    plans = []
    for popularity in _zipf(count, rng):
        desk = _pick_desk(rng)
        name = person_name(rng)
        while name in names:
            name = person_name(rng)
        names.add(name)
        role = fill(rng.choice(desk.roles), rng, options | {"thing": desk.things})
        plans.append(
            _TagPlan(
                name=name,
                desk=desk.slug,
                popularity=popularity,
                center=rng.uniform(-0.2, 1.2) * span_days,
                width=min(max(rng.lognormvariate(math.log(400), 0.8), 60.0), 3650.0),
                evergreen=rng.random() < 0.2,
                role=capitalize(role),
            )
        )
    return plans


def create_topics(
    plans: list[_TagPlan], *, start: datetime, now: datetime
) -> list[Tag]:
    taken = set(Topic.objects.values_list("slug", flat=True))
    topics = Topic.objects.bulk_create(
        Topic(
            name=plan.name,
            slug=unique_slug(plan.name, taken),
            created_at=_first_seen(plan, start=start, now=now),
        )
        for plan in plans
    )
    return [_tag(topic.pk, plan) for topic, plan in zip(topics, plans, strict=True)]


def create_persons(
    plans: list[_TagPlan], *, start: datetime, now: datetime
) -> list[Tag]:
    taken = set(Person.objects.values_list("slug", flat=True))
    persons = Person.objects.bulk_create(
        Person(
            name=plan.name,
            slug=unique_slug(plan.name, taken),
            role=plan.role,
            created_at=_first_seen(plan, start=start, now=now),
        )
        for plan in plans
    )
    return [_tag(person.pk, plan) for person, plan in zip(persons, plans, strict=True)]


def _tag(pk: int, plan: _TagPlan) -> Tag:
    return Tag(
        pk,
        plan.name,
        plan.desk,
        plan.popularity,
        plan.center,
        plan.width,
        plan.evergreen,
    )


def _first_seen(plan: _TagPlan, *, start: datetime, now: datetime) -> datetime:
    """When the tag was created: as it came into the news, never in the future."""
    return min(start + timedelta(days=max(plan.center - 2 * plan.width, 0.0)), now)


def create_photos(
    count: int, *, rng: random.Random, seed: int
) -> list[tuple[str, Photo]]:
    """A pool of drawn pictures that the items share: (kind, photo)."""
    vocabulary = words()
    kinds = list(vocabulary.pictures)
    rng.shuffle(kinds)
    signature = settings.DATELINE_AGENCY_SIGNATURE.title()
    photos = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        caption, alt_text = vocabulary.pictures[kind]
        picture = draw_picture(kind, seed=f"generate-{seed}-{index}")
        photo = Photo.objects.create(
            image=ContentFile(picture, name=f"generated-{index:02d}.jpg"),
            caption=fill(caption, rng, vocabulary.slots),
            credit=f"© {signature} Photo/{rng.choice(vocabulary.photographers)}",
            alt_text=alt_text,
        )
        photos.append((kind, photo))
    return photos


# --- Publication times -----------------------------------------------------------


def publication_times(
    count: int, *, now: datetime, rng: random.Random
) -> Iterator[datetime]:
    """``count`` whole-second times, oldest first, the last one no later than now.

    The span (count / ITEMS_PER_DAY days) is cut into hours; each hour gets its
    share of the items by the newsroom's hour of day, the day of the week and a
    random factor per news day, rounded so that the total is exact.
    """
    if count <= 0:
        return
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    end = now.timestamp()
    start = end - count / ITEMS_PER_DAY * 86_400
    hours = max(1, math.ceil((end - start) / 3600))
    weights = array("d")
    day_factor: dict[int, float] = {}
    for hour in range(hours):
        begins = start + hour * 3600
        length = min(3600.0, end - begins)
        local = datetime.fromtimestamp(begins + length / 2, tz)
        day = local.toordinal()
        if day not in day_factor:
            day_factor[day] = rng.lognormvariate(0, 0.15)
        weights.append(
            HOUR_PROFILE[local.hour]
            * WEEKDAY_PROFILE[local.weekday()]
            * day_factor[day]
            * length
        )
    total = sum(weights)
    done = 0
    cumulative = 0.0
    previous = math.floor(start)
    for hour, weight in enumerate(weights):
        cumulative += weight
        upto = (
            count
            if hour == hours - 1
            else min(count, round(cumulative / total * count))
        )
        begins = start + hour * 3600
        length = min(3600.0, end - begins)
        for offset in sorted(rng.random() * length for _ in range(upto - done)):
            moment = math.floor(begins + offset)
            # Now and then in the same second as the one before, as when an
            # urgent item and its first update go out together.
            if rng.random() < SAME_SECOND_RATE:
                moment = previous
            previous = moment
            yield datetime.fromtimestamp(moment, UTC)
        done = upto


def scheduled_times(count: int, *, now: datetime, rng: random.Random) -> list[datetime]:
    """Release times in the coming hours and days, earliest first."""
    offsets = sorted(rng.uniform(1_800, 4 * 86_400) for _ in range(count))
    now = now.replace(microsecond=0)
    return [now + timedelta(seconds=round(offset)) for offset in offsets]


# --- Items -----------------------------------------------------------------------

PUBLIC, DRAFT, WITHHELD, CANCELED, SCHEDULED = range(5)


def unpublished_counts(articles: int) -> dict[int, int]:
    """How many items of each kind that must not be public."""
    rates = {
        DRAFT: DRAFT_RATE,
        WITHHELD: WITHHELD_RATE,
        CANCELED: CANCELED_RATE,
        SCHEDULED: SCHEDULED_RATE,
    }
    if articles < MIN_FOR_UNPUBLISHED:
        return dict.fromkeys(rates, 0)
    return {kind: max(1, round(articles * rate)) for kind, rate in rates.items()}


@dataclass(slots=True)
class Planned:
    """One item before it is written: its row's values and what points to it.

    The fields named like Article's columns (ARTICLE_COLUMNS) are its row.
    """

    kind: int
    headline: str
    slug: str
    lead: str
    body: str
    page_count: int
    dateline_place: str
    byline: str
    section_id: int
    lead_photo_id: int | None
    urgency: int
    topics: list[int]
    persons: list[int]
    read_also: bool
    correction: str
    updated: bool
    status: str = Article.Status.DRAFT
    pubstatus: str = Article.PubStatus.USABLE
    published_at: datetime | None = None
    updated_at: datetime | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    version: int = 0
    revision: int = 1


class Writer:
    """Writes the items' words from one seeded generator; one per run."""

    def __init__(
        self,
        *,
        rng: random.Random,
        sections: list[Section],
        topics: list[Tag],
        persons: list[Tag],
        photos: list[tuple[str, Photo]],
        agency: str,
    ) -> None:
        vocabulary = words()
        self.rng = rng
        self.sections = sections
        self.desks = [
            vocabulary.desks.get(s.slug) or vocabulary.desks[OTHER_SECTION_DESK]
            for s in sections
        ]
        self.section_weights = list(
            accumulate(
                desk.weight if section.slug == desk.slug else OTHER_SECTION_WEIGHT
                for section, desk in zip(sections, self.desks, strict=True)
            )
        )
        self.phrases = {
            slug: desk_phrases(desk, rng, agency)
            for slug, desk in vocabulary.desks.items()
        }
        self.options = vocabulary.slots | {"agency": (agency,)}
        self.subheads = vocabulary.subheads
        self.corrections = vocabulary.corrections
        self.topics = topics
        self.persons = persons
        self.names = {("topic", t.pk): t.name for t in topics} | {
            ("person", p.pk): p.name for p in persons
        }
        self.topic_desks = {t.pk: t.desk for t in topics}
        self.photos = [photo for _, photo in photos]
        self.photos_by_kind: dict[str, list[Photo]] = {}
        for kind, photo in photos:
            self.photos_by_kind.setdefault(kind, []).append(photo)
        self.bylines = tuple(person_name(rng) for _ in range(80))
        self._bucket = -1
        self._topic_tables: list[tuple[list[int], list[float]]] = []
        self._person_tables: list[tuple[list[int], list[float]]] = []

    def _tables(
        self, tags: list[Tag], day: float
    ) -> list[tuple[list[int], list[float]]]:
        """Per section: the tags in the news on ``day``, with cumulative weights.

        A tag turns up mostly in its own desk's section.
        """
        tables = []
        for desk in self.desks:
            ids, weights = [], []
            for tag in tags:
                weight = tag.weight(day)
                if weight < 1e-4:
                    continue
                ids.append(tag.pk)
                weights.append(weight if tag.desk == desk.slug else weight * 0.08)
            tables.append((ids, list(accumulate(weights))))
        return tables

    def _pick(
        self, table: tuple[list[int], list[float]], counts: dict[int, int]
    ) -> list[int]:
        ids, cumulative = table
        count = self.rng.choices(list(counts), list(counts.values()))[0]
        if not ids or not count:
            return []
        return list(
            dict.fromkeys(self.rng.choices(ids, cum_weights=cumulative, k=count))
        )

    def item(self, *, kind: int, bucket: int, day: float) -> Planned:
        """The next item, in the news period ``bucket`` (centred on ``day``)."""
        rng = self.rng
        if bucket != self._bucket:
            self._bucket = bucket
            self._topic_tables = self._tables(self.topics, day)
            self._person_tables = self._tables(self.persons, day)
        index = rng.choices(
            range(len(self.sections)), cum_weights=self.section_weights
        )[0]
        section, desk = self.sections[index], self.desks[index]
        phrases = self.phrases[desk.slug]
        options = self.options | {"thing": desk.things}
        roll = rng.random()
        urgency = next((u for u, share in URGENCY_CUMULATIVE if roll < share), 6)
        topics = self._pick(self._topic_tables[index], TOPICS_PER_ITEM)
        persons = self._pick(self._person_tables[index], PERSONS_PER_ITEM)
        place = fill(rng.choice(desk.places), rng, options)
        if persons and rng.random() < 0.35:
            surname = self.names["person", persons[0]].rsplit(" ", 1)[-1]
            template = rng.choice(desk.person_headlines)
            headline = capitalize(fill(template, rng, options, surname=surname))
        else:
            template = rng.choice(desk.headlines)
            headline = capitalize(fill(template, rng, options, home=place))
        if topics and self.topic_desks[topics[0]] == desk.slug and rng.random() < 0.1:
            headline = f"{self.names['topic', topics[0]]}: {headline}"
        if urgency <= 2:  # flashes and urgent items are short
            length = rng.lognormvariate(math.log(90), 0.4)
            target = round(min(max(length, 30), 300))
        else:
            length = rng.lognormvariate(math.log(420), 0.5)
            target = round(min(max(length, 60), 4000))
        pages = 1
        if rng.random() < PAGED_RATE:
            pages = rng.choice((2, 2, 3, 4))
            target = target * 2 + 300
        speakers = [self.names["person", p] for p in persons]
        body = self.body(phrases, words=target, pages=pages, speakers=speakers)
        photo = None
        if self.photos and rng.random() < LEAD_PHOTO_RATE:
            photo = rng.choice(
                self.photos_by_kind.get(rng.choice(desk.pictures)) or self.photos
            )
        byline = ""
        if desk.slug != "press-review" and rng.random() < BYLINE_RATE:
            byline = rng.choice(self.bylines)
        read_also = rng.random() < READ_ALSO_RATE
        updated = rng.random() < UPDATED_RATE
        correction = ""
        if updated and rng.random() < CORRECTED_RATE:
            correction = fill(rng.choice(self.corrections), rng, options)
        return Planned(
            kind=kind,
            headline=headline,
            slug=slugify(headline, allow_unicode=True)[:200],
            lead=self.sentence(phrases),
            body=body,
            page_count=count_pages(body) if pages > 1 else 1,
            dateline_place=place,
            byline=byline,
            section_id=section.pk,
            lead_photo_id=photo.pk if photo is not None else None,
            urgency=urgency,
            topics=topics,
            persons=persons,
            read_also=read_also,
            correction=correction,
            updated=updated,
        )

    def sentence(self, phrases: Phrases) -> str:
        rnd = self.rng.random
        subject = phrases.subjects[int(rnd() * len(phrases.subjects))]
        predicate = phrases.predicates[int(rnd() * len(phrases.predicates))]
        tail = phrases.tails[int(rnd() * len(phrases.tails))]
        return f"{subject} {predicate}{tail}."

    def body(
        self, phrases: Phrases, *, words: int, pages: int, speakers: list[str]
    ) -> str:
        """Clean HTML of about ``words`` words: paragraphs, quotes, subheads, pages."""
        rnd = self.rng.random
        counts = phrases.words
        subjects, predicates, tails = (
            phrases.subjects,
            phrases.predicates,
            phrases.tails,
        )
        facts = phrases.facts
        blocks: list[str] = []
        written = 0
        quoted = False
        subheads = words >= 600 and rnd() < 0.35
        while written < words:
            if subheads and len(blocks) in (6, 12) and words - written > 80:
                blocks.append(f"<h2>{self.rng.choice(self.subheads)}</h2>")
            elif len(blocks) > 1 and rnd() < 0.12:
                quote = phrases.quotes[int(rnd() * len(phrases.quotes))]
                if speakers and rnd() < 0.7:
                    speaker = speakers[int(rnd() * len(speakers))]
                else:
                    speaker = phrases.speakers[int(rnd() * len(phrases.speakers))]
                text = f"“{quote},” {speaker} said."
                if not quoted and rnd() < 0.1:
                    blocks.append(f"<blockquote><p>{text}</p></blockquote>")
                    quoted = True
                else:
                    blocks.append(f"<p>{text}</p>")
                written += counts[quote] + len(speaker.split()) + 1
                continue
            sentences = []
            for _ in range(1 + int(rnd() * 3) if blocks else 1):
                if blocks and rnd() < 0.35:
                    fact = facts[int(rnd() * len(facts))]
                    sentences.append(fact)
                    written += counts[fact]
                    continue
                subject = subjects[int(rnd() * len(subjects))]
                predicate = predicates[int(rnd() * len(predicates))]
                tail = tails[int(rnd() * len(tails))]
                sentences.append(f"{subject} {predicate}{tail}.")
                written += counts[subject] + counts[predicate] + counts[tail]
            blocks.append(f"<p>{' '.join(sentences)}</p>")
        if pages > 1 and len(blocks) >= 2 * pages:
            step = len(blocks) // pages
            for page in range(pages - 1, 0, -1):
                at = page * step
                if blocks[at - 1].startswith("<h2>"):  # no page ends on a subhead
                    at -= 1
                blocks.insert(at, "<hr>")
        return "".join(blocks)


# --- The run ---------------------------------------------------------------------


@dataclass(frozen=True)
class GenerateSummary:
    articles: int
    public: int
    topics: int
    persons: int
    photos: int
    sections_created: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


class GenerateError(ValueError):
    """The request cannot be carried out; nothing was written."""


def check_count(articles: object) -> int:
    """The number of items asked for, or GenerateError saying what is wrong."""
    if isinstance(articles, str):
        try:
            articles = int(articles.strip().replace("_", "").replace(",", ""))
        except ValueError:
            raise GenerateError(
                f"--articles must be a whole number, not {articles!r}."
            ) from None
    if isinstance(articles, bool) or not isinstance(articles, int):
        raise GenerateError(f"--articles must be a whole number, not {articles!r}.")
    if articles < 1:
        raise GenerateError(f"--articles must be at least 1, not {articles:,}.")
    if articles > MAX_ARTICLES:
        raise GenerateError(
            f"--articles {articles:,} is more than the {MAX_ARTICLES:,} items "
            "one run may add."
        )
    return articles


def generate_archive(
    *,
    articles: int,
    seed: int,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> GenerateSummary:
    """Append ``articles`` synthetic items, with new topics and persons.

    ``progress`` is called after each batch with the number of items in it.
    Batches are committed one by one, oldest first, so an interrupted run
    leaves the older part of its archive behind.
    """
    articles = check_count(articles)
    started = time.perf_counter()
    now = now or timezone.now()
    unpublished = unpublished_counts(articles)
    past = articles - unpublished[SCHEDULED]
    span_days = past / ITEMS_PER_DAY
    start = now - timedelta(days=span_days)

    def stream(name: str) -> random.Random:
        # One generator per concern, so that the words do not depend on the clock.
        return random.Random(f"dateline-generate:{seed}:{name}")  # noqa: S311 - not crypto

    inserter = Inserter()
    cast = stream("cast")
    topic_plans = plan_topics(
        min(max(round(articles / 3000), 30), 400), rng=cast, span_days=span_days
    )
    person_plans = plan_persons(
        min(max(round(articles / 800), 40), 1500), rng=cast, span_days=span_days
    )
    with transaction.atomic():
        sections, sections_created = ensure_sections()
        topics = create_topics(topic_plans, start=start, now=now)
        persons = create_persons(person_plans, start=start, now=now)
        photos = create_photos(
            min(max(articles // 100, 4), 40), rng=stream("photos"), seed=seed
        )
    writer = Writer(
        rng=stream("items"),
        sections=sections,
        topics=topics,
        persons=persons,
        photos=photos,
        agency=settings.DATELINE_AGENCY_NAME,
    )
    kinds = _unpublished_positions(past, unpublished, stream("status"))
    clock = stream("times")
    moments = publication_times(past, now=now, rng=clock)
    future = iter(scheduled_times(unpublished[SCHEDULED], now=now, rng=clock))
    links = stream("links")
    recent: dict[int, deque[int]] = {}
    buckets = max(1, math.ceil(span_days / 7))  # a week per news period
    public = 0
    batch: list[Planned] = []
    with _sqlite_bulk_loading():
        for index in range(articles):
            if index < past:
                kind = kinds.get(index, PUBLIC)
                moment = next(moments)
                bucket = index * buckets // past
            else:
                kind, moment, bucket = SCHEDULED, next(future), buckets - 1
            planned = writer.item(
                kind=kind, bucket=bucket, day=(bucket + 0.5) * span_days / buckets
            )
            _set_times(planned, moment, now=now, rng=clock)
            public += kind == PUBLIC
            batch.append(planned)
            if len(batch) == BATCH_SIZE or index == articles - 1:
                _write(inserter, batch, recent=recent, rng=links)
                if progress is not None:
                    progress(len(batch))
                batch = []
    _analyze()
    return GenerateSummary(
        articles=articles,
        public=public,
        topics=len(topics),
        persons=len(persons),
        photos=len(photos),
        sections_created=sections_created,
        seconds=time.perf_counter() - started,
    )


def _unpublished_positions(
    past: int, counts: dict[int, int], rng: random.Random
) -> dict[int, int]:
    """Index → kind of the drafts, withheld and withdrawn items among the past ones."""
    kinds = [DRAFT] * counts[DRAFT] + [WITHHELD] * counts[WITHHELD]
    kinds += [CANCELED] * counts[CANCELED]
    positions = rng.sample(range(past), min(len(kinds), past))
    return dict(zip(positions, kinds, strict=False))


def _set_times(
    item: Planned, moment: datetime, *, now: datetime, rng: random.Random
) -> None:
    """Status, times, version and revision as the newsroom's services leave them."""
    writing = min(rng.lognormvariate(math.log(1500), 0.8), 86_400)
    item.created_at = min(moment, now) - timedelta(seconds=round(writing))
    if item.kind == DRAFT:
        item.modified_at = item.created_at
        item.correction = ""
        return
    item.status = Article.Status.PUBLISHED
    item.published_at = moment
    item.version = 1
    if item.kind == WITHHELD:
        item.pubstatus = Article.PubStatus.WITHHELD
    elif item.kind == CANCELED:
        item.pubstatus = Article.PubStatus.CANCELED
    if item.updated and item.kind in (PUBLIC, CANCELED):
        delay = min(max(rng.lognormvariate(math.log(2700), 1.0), 120), 3 * 86_400)
        updated = min(moment + timedelta(seconds=round(delay)), now)
        if updated > moment:  # not published a moment ago
            item.updated_at = updated
            item.version += 1 + (rng.random() < 0.25)
    if item.updated_at is None:
        item.correction = ""
    item.modified_at = item.updated_at or (moment if moment <= now else item.created_at)
    if item.kind == CANCELED:  # the withdrawal is a version of its own, later on
        item.version += 1
        item.modified_at = min(item.modified_at + timedelta(hours=1), now)
    item.revision = item.version + 1


# The article columns the generator sets; the others get their field's default.
ARTICLE_COLUMNS = (
    "headline", "slug", "lead", "body", "page_count", "dateline_place", "byline",
    "section_id", "lead_photo_id", "urgency", "status", "pubstatus", "published_at",
    "updated_at", "version", "revision", "created_at", "modified_at",
)  # fmt: skip
DATETIME_COLUMNS = ("published_at", "updated_at", "created_at", "modified_at")


Row = tuple[Any, ...]


class Inserter:
    """Multi-row inserts into the content tables, prepared once per run.

    Django's bulk_create prepares every value of every row through its field,
    which took three quarters of the run's time at this volume. The
    generator's values are already what the columns hold (datetimes adapted by
    the backend's own function), so they go straight to the driver:
    ``executemany`` on SQLite, ``COPY`` on PostgreSQL, where one statement per
    row costs a round trip and a parse each.
    """

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql"
        self.adapt = connection.ops.adapt_datetimefield_value
        self.constants: dict[str, object] = {}
        for field in Article._meta.concrete_fields:
            if field.primary_key or field.attname in ARTICLE_COLUMNS:
                continue
            if not field.has_default() and not field.null:
                raise GenerateError(
                    f"The generator does not know how to fill Article.{field.name}."
                )
            self.constants[field.column] = field.get_db_prep_save(
                field.get_default(), connection
            )
        column = {f.attname: f.column for f in Article._meta.concrete_fields}
        # PostgreSQL: the ids are drawn from the sequence and written with the row.
        pk = [column["id"]] if self.copy else []
        self.article_sql = self._sql(
            Article, [*pk, *(column[name] for name in ARTICLE_COLUMNS), *self.constants]
        )
        self.dated_positions = [ARTICLE_COLUMNS.index(c) for c in DATETIME_COLUMNS]
        self.topic_sql = self._sql(
            ArticleTopic, ["article_id", "topic_id", "published_at"]
        )
        self.person_sql = self._sql(
            ArticlePerson, ["article_id", "person_id", "published_at"]
        )
        self.related_sql = self._sql(
            RelatedArticle, ["article_id", "related_id", "position"]
        )
        self.correction_sql = self._sql(
            Correction, ["article_id", "note", "created_at", "created_by_id"]
        )

    def _sql(self, model: type[Model], columns: list[str]) -> str:
        # Table and column names come from the models, quoted by the backend.
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        names = ", ".join(quote(c) for c in columns)
        if self.copy:
            return f"COPY {table} ({names}) FROM STDIN"
        values = ", ".join(["%s"] * len(columns))
        return f"INSERT INTO {table} ({names}) VALUES ({values})"  # noqa: S608

    def insert(self, cursor: CursorWrapper, sql: str, rows: list[Row]) -> None:
        if not rows:
            return
        if self.copy:
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, rows)

    def articles(self, cursor: CursorWrapper, items: list[Planned]) -> list[int]:
        """Insert the items in order; their ids, in the same order."""
        constants = tuple(self.constants.values())
        rows = []
        for item in items:
            row = [getattr(item, name) for name in ARTICLE_COLUMNS]
            for position in self.dated_positions:
                row[position] = self.adapt(row[position])
            rows.append((*row, *constants))
        if self.copy:
            # Reserved from the sequence, so that concurrent writers never
            # collide with them.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                "FROM generate_series(1, %s)",
                [Article._meta.db_table, "id", len(rows)],
            )
            ids = sorted(int(row[0]) for row in cursor.fetchall())
            self.insert(
                cursor,
                self.article_sql,
                [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
            )
            return ids
        # SQLite: the batch's transaction holds the write lock, so the rowids
        # are consecutive and end at the last one inserted.
        self.insert(cursor, self.article_sql, rows)
        cursor.execute("SELECT last_insert_rowid()")
        last = int(cursor.fetchone()[0])
        return list(range(last - len(rows) + 1, last + 1))


def _write(
    inserter: Inserter,
    batch: list[Planned],
    *,
    recent: dict[int, deque[int]],
    rng: random.Random,
) -> None:
    """One transaction: the items, their tags, "Read also" links, corrections."""
    adapt = inserter.adapt
    topic_rows: list[Row] = []
    person_rows: list[Row] = []
    related_rows: list[Row] = []
    correction_rows: list[Row] = []
    with transaction.atomic(), connection.cursor() as cursor:
        ids = inserter.articles(cursor, batch)
        for pk, item in zip(ids, batch, strict=True):
            published_at = adapt(item.published_at)
            topic_rows += ((pk, topic, published_at) for topic in item.topics)
            person_rows += ((pk, person, published_at) for person in item.persons)
            if item.kind != PUBLIC:
                continue
            earlier = recent.setdefault(item.section_id, deque(maxlen=60))
            if item.read_also and len(earlier) >= 3:
                picks = sorted(rng.sample(range(len(earlier)), 3), reverse=True)
                related_rows += ((pk, earlier[i], n) for n, i in enumerate(picks))
            earlier.append(pk)
            if item.correction:
                correction_rows.append(
                    (pk, item.correction, adapt(item.updated_at), None)
                )
        inserter.insert(cursor, inserter.topic_sql, topic_rows)
        inserter.insert(cursor, inserter.person_sql, person_rows)
        inserter.insert(cursor, inserter.related_sql, related_rows)
        inserter.insert(cursor, inserter.correction_sql, correction_rows)


@contextmanager
def _sqlite_bulk_loading() -> Iterator[None]:
    """Trade SQLite's durability for speed during the run, and restore it after.

    Every batch still commits and WAL keeps the file consistent if the process
    dies; only a power cut could lose the last batches, which is acceptable for
    a synthetic archive that the same command rebuilds, and saves the fsync of
    every checkpoint. A larger page cache keeps the indexes' hot pages in
    memory.
    """
    # SQLite refuses to change the safety level inside a transaction.
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    saved = []
    with connection.cursor() as cursor:
        for pragma, value in (("synchronous", 0), ("cache_size", -200_000)):
            cursor.execute(f"PRAGMA {pragma}")
            saved.append((pragma, int(cursor.fetchone()[0])))
            cursor.execute(f"PRAGMA {pragma} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for pragma, previous in saved:
                cursor.execute(f"PRAGMA {pragma} = {previous}")


def _analyze() -> None:
    """Fresh planner statistics for the content tables.

    A full ANALYZE: sampled statistics (SQLite's analysis_limit) misjudge the
    low-cardinality status columns badly enough that the feed skips its
    partial index. At 1,000,000 items it takes a few seconds.
    """
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for model in (
            Article,
            ArticleTopic,
            ArticlePerson,
            RelatedArticle,
            Topic,
            Person,
        )
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
        elif connection.in_atomic_block:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            # PostgreSQL: VACUUM too, so that the visibility map covers the
            # new rows and the feeds' index-only scans skip the heap (a bulk
            # load leaves that to autovacuum, which may come much later).
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
