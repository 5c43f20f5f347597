"""The static files' storage: whitenoise's, with each file's URL remembered.

A page links its stylesheet, scripts and logo by their hashed names, and the
manifest storage works each one out again on every call (splitting, quoting,
looking the name up, joining it to STATIC_URL): about 20 µs a link, a few
percent of an article page with the page cache off. The hashed names cannot
change while the storage lives (it reads the manifest once, when made), so
the answer is kept per name. A name the manifest lacks still raises each time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from whitenoise.storage import CompressedManifestStaticFilesStorage

if TYPE_CHECKING:
    from collections.abc import Iterator

# More than the site has files; a bound all the same, as names come from
# templates and code only.
REMEMBERED_URLS = 1024


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if name is None:
            return str(super().url(name, force))
        # DEBUG is read per call by the parent (unhashed names while on).
        key = (name, force, settings.DEBUG)
        found = self._urls.get(key)
        if found is None:
            found = str(super().url(name, force))
            if len(self._urls) < REMEMBERED_URLS:
                self._urls[key] = found
        return found

    def post_process(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        # collectstatic writes a new manifest into this same storage.
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()


def static_url(path: str) -> str:
    """The URL of a static file, as ``{% static %}`` gives it: Django's
    ``static()`` first asks the app registry whether staticfiles is installed,
    a walk over every app on each call (a few µs, nine links a page)."""
    return staticfiles_storage.url(path)
