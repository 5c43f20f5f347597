"""{% picture %} builds its renditions' URLs from one storage call, with the
very URLs the storage would give for each."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage

from dateline.site.templatetags.pictures import rendition_urls

NAMES = [
    "renditions/2026/11/harbour-480.avif",
    "renditions/2026/11/harbour 960 été.webp",
    "renditions/2026/11/harbour(1)-1920.jpg",
]


def test_rendition_urls_are_the_storages_own() -> None:
    for base_url in ["/media/", "https://cdn.example.com/m/", "/prefix/media/"]:
        storage = FileSystemStorage(location="/nonexistent", base_url=base_url)
        names = [*NAMES, "../odd/name.jpg", "/rooted.jpg"]
        assert rendition_urls(storage, names) == {n: storage.url(n) for n in names}
        assert rendition_urls(storage, NAMES) == {n: storage.url(n) for n in NAMES}


class SignedStorage(FileSystemStorage):
    """A storage whose URLs carry a signature, as private buckets do."""

    def url(self, name: str | None) -> str:
        return f"https://bucket.example.com/{name}?signature={len(name or '')}"


def test_a_storage_with_signed_urls_gets_a_call_per_rendition() -> None:
    storage = SignedStorage(location="/nonexistent")
    assert rendition_urls(storage, NAMES) == {n: storage.url(n) for n in NAMES}
    assert rendition_urls(storage, []) == {}
