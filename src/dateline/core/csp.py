"""A strict Content-Security-Policy for the public pages.

The site runs no inline script and no inline style: scripts and stylesheets
come from our own origin only, pictures from our origin (and the media or
static origin when that is another host, such as a CDN). JSON-LD blocks
(``<script type="application/ld+json">``) are data, not script, and are not
affected. A newsroom that adds an ad network extends the policy with
``DATELINE_CSP_EXTRA`` rather than loosening it here.

The newsroom (Django's admin) and the API's Swagger page use inline styles and
scripts of their own; they get a policy that still forbids framing, plugins
and a foreign ``<base>``, without restricting scripts and styles.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

Directives = dict[str, list[str]]

STRICT: Directives = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# For the newsroom and the API docs.
RELAXED: Directives = {
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
KNOWN_DIRECTIVES = frozenset(
    {
        *STRICT,
        "child-src", "frame-src", "media-src", "manifest-src", "worker-src",
        "script-src-elem", "script-src-attr", "style-src-elem", "style-src-attr",
        "report-uri", "report-to", "upgrade-insecure-requests",
    }
)  # fmt: skip
# A host or scheme source, a keyword in quotes, or a report address.
_SOURCE = re.compile(r"(?:'[A-Za-z0-9+/=_-]+'|[^\s;,']+)")


class CSPConfigError(ValueError):
    """DATELINE_CSP_EXTRA cannot be read; the message says where."""


def parse_extra(text: str) -> Directives:
    """``"img-src https://ads.example; frame-src https://ads.example"`` →
    directives to add. Raises CSPConfigError on anything else."""
    extra: Directives = {}
    for part in text.split(";"):
        words = part.split()
        if not words:
            continue
        name, sources = words[0].lower(), words[1:]
        if name not in KNOWN_DIRECTIVES:
            raise CSPConfigError(
                f"{name!r} is not a Content-Security-Policy directive Dateline knows "
                f"(known: {', '.join(sorted(KNOWN_DIRECTIVES))})."
            )
        bad = [source for source in sources if not _SOURCE.fullmatch(source)]
        if bad:
            raise CSPConfigError(f"{name}: {' '.join(bad)} is not a source expression.")
        extra.setdefault(name, []).extend(sources)
    return extra


def origin_of(url: str) -> str | None:
    """``https://cdn.example/media/`` → ``https://cdn.example``; None if relative."""
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    if not parts.scheme and url.startswith("//") and parts.netloc:
        return parts.netloc
    return None


def combine(base: Directives, extra: Directives) -> Directives:
    """The base policy with the extra sources added; 'none' gives way to them."""
    combined = {name: list(sources) for name, sources in base.items()}
    for name, sources in extra.items():
        if name in combined:
            current = combined[name]
            if sources:
                current = [source for source in current if source != "'none'"]
        elif name.endswith("-src"):
            # A new fetch directive replaces default-src for its kind: keep 'self'.
            current = list(combined.get("default-src", []))
        else:
            current = []
        current += [source for source in sources if source not in current]
        combined[name] = current
    return combined


def serialize(directives: Directives) -> str:
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def own_directives() -> Directives:
    """STRICT, with the media and static origins where they are another host."""
    directives = {name: list(sources) for name, sources in STRICT.items()}
    for url, kinds in [
        (settings.MEDIA_URL, ["img-src", "media-src"]),
        (settings.STATIC_URL, ["img-src", "script-src", "style-src", "font-src"]),
    ]:
        origin = origin_of(str(url or ""))
        if origin:
            directives = combine(directives, {kind: [origin] for kind in kinds})
    return directives


def site_policy() -> str:
    """The public pages' policy, from the settings."""
    return serialize(combine(own_directives(), settings.DATELINE_CSP_EXTRA))


def own_policy() -> str:
    """The strict policy without DATELINE_CSP_EXTRA's sources: for the newsroom
    pages that run no inline script or style (the two-factor pages, whose
    passkey scripts are our own static files)."""
    return serialize(own_directives())


def exempt_prefixes() -> tuple[str, ...]:
    """Paths with a relaxed policy: the newsroom and the API's docs page."""
    prefixes = []
    for name in ("admin:index", "api-v1:openapi-view"):
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            continue
    return tuple(prefixes)


class ContentSecurityPolicyMiddleware:
    header = "Content-Security-Policy"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        if settings.DATELINE_CSP_REPORT_ONLY:
            self.header = "Content-Security-Policy-Report-Only"
        self.strict = site_policy()
        self.relaxed = serialize(RELAXED)
        self._exempt: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header in response:  # a view that set its own policy keeps it
            return response
        if self._exempt is None:  # the URLconf is loaded by now
            self._exempt = exempt_prefixes()
        relaxed = request.path_info.startswith(self._exempt)
        response[self.header] = self.relaxed if relaxed else self.strict
        return response
