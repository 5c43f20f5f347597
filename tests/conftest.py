"""Shared fixtures: fast hashing, media in a temporary folder, the roles' users."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test.utils import override_settings

from tests import environment

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

STANDARDS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "standards")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    """Where CI requires every test to run, a skip for something the machine
    lacks is a failure, named as such (see tests/environment.py)."""
    report: pytest.TestReport = yield
    if environment.REQUIRE_ALL:
        environment.fail_if_missing(report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    media: Path = tmp_path_factory.mktemp("media")
    static: Path = tmp_path_factory.mktemp("static")
    with override_settings(
        STATIC_ROOT=str(static),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Pages are made afresh for every request; tests/pagecache turns the
        # page cache on.
        DATELINE_PAGE_CACHE=False,
        CACHES={
            **settings.CACHES,
            "pages": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "dateline-test-pages",
            },
        },
        # Jobs run where they are enqueued; tests of the worker use the queue.
        TASKS={
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        },
        # Off whatever the host names: tests/newsroom/test_twofactor.py turns
        # it on, and force_login alone keeps working for the rest.
        DATELINE_REQUIRE_TWO_FACTOR=False,
        MEDIA_ROOT=str(media),
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_view_counts() -> Iterator[None]:
    """Each test counts views afresh, in the database, flushing when it says."""
    from django.core.cache import cache, caches

    from dateline.popularity import services
    from dateline.popularity.counters import use_counter
    from dateline.popularity.counters.database import DatabaseViewCounter
    from dateline.popularity.selectors import forget_widget

    previous = use_counter(DatabaseViewCounter(flush_after=None))
    forget_outages()
    cache.clear()
    # The site's generation, which page fragments are kept under.
    caches["pages"].clear()
    forget_widget()
    services.public_items.clear()
    yield
    use_counter(previous)
    forget_widget()
    forget_outages()


def forget_outages() -> None:
    """No cache is taken for down, and no change is pending, from a test before."""
    from dateline.core.blockcache import breaker, shared
    from dateline.pagecache import store

    breaker.reset()
    shared.clear_local()
    store._unconfirmed = False


@pytest.fixture
def page_cache() -> Iterator[None]:
    """The page cache on (tests run with it off), empty before and after."""
    from django.core.cache import caches

    from dateline.pagecache import store

    with override_settings(DATELINE_PAGE_CACHE=True):
        caches["pages"].clear()
        store.hot_pages.clear()
        yield
        caches["pages"].clear()
        store.hot_pages.clear()


@pytest.fixture
def fetch_from_loopback() -> Iterator[None]:
    """Outbound fetches may reach 127.0.0.0/8, where tests/loopback.py serves.

    Fetches refuse addresses inside the network (core/fetch.py); a test that
    fetches from the loopback server trusts loopback, as an operator would with
    DATELINE_FETCH_ALLOWED_NETWORKS, and nothing more.
    """
    with override_settings(DATELINE_FETCH_ALLOWED_NETWORKS=["127.0.0.0/8"]):
        yield


def make_user(username: str, group: str | None) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(db: None) -> User:
    return make_user("reporter", "Reporter")


@pytest.fixture
def other_reporter(db: None) -> User:
    return make_user("reporter2", "Reporter")


@pytest.fixture
def editor(db: None) -> User:
    return make_user("editor", "Editor")


@pytest.fixture
def chief(db: None) -> User:
    return make_user("chief", "Chief")


@pytest.fixture
def standards_dir() -> str:
    """The shared standards folder, or a clear skip where it is absent."""
    path = os.path.abspath(STANDARDS)
    if not os.path.isdir(path):
        pytest.skip(
            environment.missing(
                "the shared standards folder", how=f"not found at {path}"
            )
        )
    return path
