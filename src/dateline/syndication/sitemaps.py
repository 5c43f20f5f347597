"""Sitemaps for search engines: an index, monthly archives, Google News.

Written as text: a month of a busy wire is tens of thousands of URLs, and
Django's sitemap framework renders each through a template. The view reads
a file whole before it answers (a failing database is a 503, never a 200
cut off), then streams it from memory. Every
list starts from ``Article.objects.public()``, so a withdrawn item leaves
every sitemap with its next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from dateline.agency.models import AgencyPage
from dateline.content.models import Article, Person, Section, Topic, section_path
from dateline.core.blockcache import shared
from dateline.syndication.feeds import xml_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from django.db.models import QuerySet

    from dateline.content.models import ArticleQuerySet

# The protocol's limits: 50,000 URLs a file.
URLS_PER_FILE = 50_000
# Google News: items of the last two days, a thousand at most.
NEWS_WITHIN = timedelta(hours=48)
NEWS_AT_MOST = 1000
EPSILON = timedelta(microseconds=1)
# How long the item count of a month before the last two is remembered.
SETTLED_MONTH_COUNT_SECONDS = 30 * 24 * 3600

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
ROW_FIELDS = ("id", "section__slug", "published_at", "updated_at", "lead_photo__image")


def escape(text: str) -> str:
    """Text for XML character data and attribute values."""
    return xml_escape(xml_text(text), {'"': "&quot;"})


def w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class MonthFile:
    """One file of a month's archive."""

    month: date  # its first day
    page: int

    @property
    def name(self) -> str:
        suffix = f"-{self.page}" if self.page > 1 else ""
        return f"items-{self.month:%Y-%m}{suffix}"


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime(following.year, following.month, 1, tzinfo=tz)


def archive_files(*, now: datetime | None = None) -> list[MonthFile]:
    """Every monthly file, newest first: the months that hold public items.

    The months are found by skipping from one to the next on the publication
    index (one short query per month with items). A month's file count needs
    its item count: on SQLite at 1M items that costs some 60 ms a month, so
    the counts of months before the last two are remembered for a month.
    """
    now = now or timezone.now()
    files: list[MonthFile] = []
    newest = _newest_public(before=now)
    while newest is not None:
        local = timezone.localtime(newest)
        month = date(local.year, local.month, 1)
        pages = max(1, month_pages(month, now=now))
        files += [MonthFile(month, page) for page in range(1, pages + 1)]
        start, _ = month_bounds(month)
        newest = _newest_public(before=start - EPSILON)
    return files


def _newest_public(*, before: datetime) -> datetime | None:
    # The publishing rule at ``before`` is "published by then": one bound on
    # the index, so the newest such item is one seek. (A second upper bound
    # beside it makes SQLite scan down from the first.)
    public = Article.objects.public(now=before).order_by("-published_at", "-id")
    return public.values_list("published_at", flat=True).first()


def _month_items(start: datetime, end: datetime, now: datetime) -> ArticleQuerySet:
    """Items public now and published in [start, end), with one upper bound."""
    return Article.objects.public(now=min(now, end - EPSILON)).filter(
        published_at__gte=start
    )


def month_pages(month: date, *, now: datetime | None = None) -> int:
    """How many files a month's archive takes (0 when it has no items)."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    this_month = local_now.year * 12 + local_now.month
    settled = month.year * 12 + month.month < this_month - 1
    key = f"sitemaps:month-count:{month:%Y-%m}"
    found = shared.get(key, label="Sitemaps") if settled else None
    if found is None:
        start, end = month_bounds(month)
        found = _month_items(start, end, now).count()
        if settled:
            shared.set(key, found, SETTLED_MONTH_COUNT_SECONDS, label="Sitemaps")
    return -(-int(found) // URLS_PER_FILE)


def index_lines(
    absolute: Callable[[str], str], *, now: datetime | None = None
) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<sitemapindex xmlns="{SITEMAP_NS}">\n'
    for name in ["pages", "news"]:
        yield _sitemap_entry(absolute(reverse("sitemaps:section", args=[name])))
    for number in range(1, tag_files() + 1):
        yield _sitemap_entry(
            absolute(reverse("sitemaps:section", args=[f"tags-{number}"]))
        )
    for month_file in archive_files(now=now):
        yield _sitemap_entry(
            absolute(reverse("sitemaps:section", args=[month_file.name]))
        )
    yield "</sitemapindex>\n"


def _sitemap_entry(url: str) -> str:
    return f"  <sitemap><loc>{escape(url)}</loc></sitemap>\n"


def _urlset_open(*namespaces: tuple[str, str]) -> str:
    extra = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in namespaces)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}"{extra}>\n'


def _image_urls(absolute: Callable[[str], str]) -> Callable[[str | None], str]:
    """A function from a stored image's name to its image:image entry."""
    from django.core.files.storage import FileSystemStorage, default_storage
    from django.utils.encoding import filepath_to_uri

    if isinstance(default_storage, FileSystemStorage):
        # Local files: the URL is the media URL plus the quoted name.
        media = escape(absolute(default_storage.base_url))

        def local(name: str | None) -> str:
            if not name:
                return ""
            url = media + escape(filepath_to_uri(name))
            return f"<image:image><image:loc>{url}</image:loc></image:image>"

        return local

    def stored(name: str | None) -> str:
        if not name:
            return ""
        url = escape(absolute(default_storage.url(name)))
        return f"<image:image><image:loc>{url}</image:loc></image:image>"

    return stored


def month_lines(
    absolute: Callable[[str], str],
    month_file: MonthFile,
    *,
    now: datetime | None = None,
) -> Iterator[str]:
    """A month's items, oldest first, with their lead photos."""
    start, end = month_bounds(month_file.month)
    return items_lines(
        absolute,
        start=start,
        end=end,
        offset=(month_file.page - 1) * URLS_PER_FILE,
        now=now,
    )


def items_lines(
    absolute: Callable[[str], str],
    *,
    start: datetime,
    end: datetime,
    offset: int = 0,
    now: datetime | None = None,
) -> Iterator[str]:
    """The items published in [start, end), oldest first, URLS_PER_FILE at
    most from ``offset``, as a urlset with image entries."""
    rows = (
        _month_items(start, end, now or timezone.now())
        .order_by("published_at", "id")
        .values_list(*ROW_FIELDS)[offset : offset + URLS_PER_FILE]
    )
    prefix = get_script_prefix()
    # Item paths are slugs and digits: only the host part needs escaping.
    base = escape(absolute("/")[:-1])
    image = _image_urls(absolute)
    yield _urlset_open(("image", IMAGE_NS))
    for pk, section_slug, published_at, updated_at, photo in rows.iterator(
        chunk_size=2000
    ):
        yield (
            f"  <url><loc>{base}{section_path(prefix, section_slug)}{pk}/</loc>"
            f"<lastmod>{w3c(updated_at or published_at)}</lastmod>{image(photo)}</url>\n"
        )
    yield "</urlset>\n"


def news_lines(
    absolute: Callable[[str], str], *, now: datetime | None = None
) -> Iterator[str]:
    """Google News: the last 48 hours' items, newest first, a thousand at most."""
    now = now or timezone.now()
    rows = (
        Article.objects.public(now=now)
        .filter(published_at__gte=now - NEWS_WITHIN)
        .order_by("-published_at", "-id")
        .values_list(*ROW_FIELDS, "headline")[:NEWS_AT_MOST]
    )
    prefix = get_script_prefix()
    base = escape(absolute("/")[:-1])
    image_entry = _image_urls(absolute)
    name = escape(settings.DATELINE_AGENCY_NAME)
    language = escape(_news_language(settings.LANGUAGE_CODE))
    yield _urlset_open(("news", NEWS_NS), ("image", IMAGE_NS))
    for pk, section_slug, published_at, _updated, image, headline in rows:
        loc = f"{base}{section_path(prefix, section_slug)}{pk}/"
        yield (
            f"  <url><loc>{loc}</loc><news:news><news:publication>"
            f"<news:name>{name}</news:name><news:language>{language}</news:language>"
            f"</news:publication><news:publication_date>{w3c(published_at)}"
            f"</news:publication_date><news:title>{escape(headline)}</news:title>"
            f"</news:news>{image_entry(image)}</url>\n"
        )
    yield "</urlset>\n"


def _news_language(code: str) -> str:
    """Google News wants ISO 639 ("en"), or zh-cn / zh-tw."""
    code = code.lower()
    return code if code in {"zh-cn", "zh-tw"} else code.split("-")[0]


def pages_lines(absolute: Callable[[str], str]) -> Iterator[str]:
    """The fronts: home, all news, the topic and person indexes, the
    sections, then the agency's own pages (about, contact …)."""
    yield _urlset_open()
    paths = [
        reverse("site:home"),
        reverse("site:news-feed"),
        reverse("site:topic-list"),
        reverse("site:person-list"),
    ]
    paths += [
        section.get_absolute_url() for section in Section.objects.order_by("position")
    ]
    paths += [page.get_absolute_url() for page in AgencyPage.objects.only("slug")]
    for path in paths:
        yield f"  <url><loc>{escape(absolute(path))}</loc></url>\n"
    yield "</urlset>\n"


def tag_files() -> int:
    """How many files the topic and person pages fill."""
    count = Topic.objects.count() + Person.objects.count()
    return max(1, -(-count // URLS_PER_FILE))


def tags_lines(absolute: Callable[[str], str], number: int) -> Iterator[str]:
    """Topic pages, then person pages, URLS_PER_FILE a file."""
    skip = (number - 1) * URLS_PER_FILE
    room = URLS_PER_FILE
    yield _urlset_open()
    tags: list[tuple[QuerySet[Topic] | QuerySet[Person], str]] = [
        (Topic.objects.all(), "site:topic-detail"),
        (Person.objects.all(), "site:person-detail"),
    ]
    for names, route in tags:
        total = names.count()
        if skip >= total:
            skip -= total
            continue
        slugs = names.order_by("id").values_list("slug", flat=True)[skip : skip + room]
        skip = 0
        # One reverse() for the lot: the slug is the path's last part.
        pattern = absolute(reverse(route, args=["slug"]))
        for slug in slugs.iterator(chunk_size=2000):
            room -= 1
            yield f"  <url><loc>{escape(pattern.replace('/slug/', f'/{slug}/'))}</loc></url>\n"
        if room <= 0:
            break
    yield "</urlset>\n"
