"""An outage of the database, or a full disk, is a 503 in the caller's form:
never a 500, never a partial write; a bug in a query stays a 500."""

from __future__ import annotations

import contextlib
import errno
import json
import sqlite3
from typing import TYPE_CHECKING, Any
from unittest import mock

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import IntegrityError, OperationalError, ProgrammingError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from dateline.api.errors import DOCUMENTED_STATUSES
from dateline.core import outage
from tests.factories import published_article

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from django.contrib.auth.models import User


def wrapped(driver_error: Exception) -> OperationalError:
    """As Django raises a driver's error: its own, from the driver's."""
    try:
        raise OperationalError(str(driver_error)) from driver_error
    except OperationalError as error:
        return error


def sqlite_error(sql: str, path: str = ":memory:") -> sqlite3.Error:
    try:
        sqlite3.connect(path).execute(sql)
    except sqlite3.Error as error:
        return error
    raise AssertionError("no error")


def locked_error(tmp_path: Path) -> sqlite3.Error:
    path = str(tmp_path / "locked.sqlite3")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        sqlite3.connect(path, timeout=0).execute("INSERT INTO t VALUES (1)")
    except sqlite3.Error as error:
        return error
    finally:
        holder.execute("ROLLBACK")
    raise AssertionError("no error")


def test_sqlites_errors_about_the_file_are_an_outage_and_its_others_a_bug(
    tmp_path: Path,
) -> None:
    cannot_open = sqlite_error("SELECT 1", str(tmp_path / "gone" / "x.sqlite3"))
    assert outage.is_unavailable(wrapped(cannot_open))
    assert outage.is_unavailable(wrapped(locked_error(tmp_path)))
    assert not outage.is_unavailable(wrapped(sqlite_error("SELECT * FROM nowhere")))
    assert not outage.is_unavailable(wrapped(sqlite_error("SELEKT 1")))


@pytest.mark.parametrize(
    ("error", "unavailable", "disk_full"),
    [
        (wrapped(psycopg.OperationalError("connection refused")), True, False),
        (wrapped(psycopg.errors.AdminShutdown("terminating connection")), True, False),
        (wrapped(psycopg.errors.DiskFull("could not extend file")), True, True),
        (psycopg.OperationalError("server closed the connection"), True, False),
        (OperationalError("database or disk is full"), True, True),
        (OperationalError("unable to open database file"), True, False),
        (OSError(errno.ENOSPC, "No space left on device"), True, True),
        (OSError(errno.ENOENT, "No such file or directory"), False, False),
        (ProgrammingError("syntax error at or near"), False, False),
        (IntegrityError("duplicate key value"), False, False),
        (ValueError("not the database's"), False, False),
    ],
)
def test_what_counts_as_the_database_or_its_disk_being_unavailable(
    error: Exception, unavailable: bool, disk_full: bool
) -> None:
    assert outage.is_unavailable(error) is unavailable
    assert outage.is_disk_full(error) is disk_full


@pytest.mark.django_db
def test_the_sites_503_page_is_made_without_a_query(
    django_assert_num_queries: Any,
) -> None:
    request = RequestFactory().get("/world/")
    with django_assert_num_queries(0):
        response = outage.unavailable_answer(
            request, OperationalError("unable to open database file")
        )
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "temporarily unavailable" in page
    assert 'class="logo"' in page
    assert "sections-nav" not in page  # no navigation read from the database


def test_the_api_documents_its_503() -> None:
    assert 503 in DOCUMENTED_STATUSES
    response = Client().get("/api/v1/openapi.json")
    operation = json.loads(response.content)["paths"]["/api/v1/items"]["get"]
    assert "503" in operation["responses"]


@contextlib.contextmanager
def writes_failing(error: Exception) -> Iterator[None]:
    """Reads answer; every write fails with ``error`` (a full disk)."""

    def fail_writes(execute: Any, sql: str, *args: Any) -> Any:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise error
        return execute(sql, *args)

    with connection.execute_wrapper(fail_writes):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        OperationalError("database or disk is full"),
        wrapped(psycopg.errors.DiskFull('could not extend file "base/16384/2619"')),
    ],
    ids=["sqlite", "postgresql"],
)
def test_the_newsroom_login_on_a_full_disk_is_a_503_and_writes_nothing(
    chief: User, error: Exception
) -> None:
    client = Client()
    with writes_failing(error):
        response = client.post(
            reverse("admin:login"), {"username": "chief", "password": "pw"}
        )
    assert response.status_code == 503
    assert response["Retry-After"]
    assert b"The disk is full" in response.content
    chief.refresh_from_db()
    assert chief.last_login is None
    assert not Session.objects.exists()
    assert client.get(reverse("admin:index")).status_code == 302  # not signed in


@pytest.mark.django_db
def test_a_session_the_middleware_cannot_save_on_a_full_disk_is_a_503(
    chief: User,
) -> None:
    client = Client(raise_request_exception=False)
    full = OSError(errno.ENOSPC, "No space left on device")
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_response",
        side_effect=full,
    ):
        response = client.post(
            reverse("admin:login"), {"username": "chief", "password": "pw"}
        )
    assert response.status_code == 503
    assert b"The disk is full" in response.content


@pytest.mark.django_db
def test_a_failure_outside_any_view_on_the_site_is_the_sites_503_page() -> None:
    article = published_article()
    client = Client(raise_request_exception=False)
    with mock.patch(
        "dateline.core.csp.ContentSecurityPolicyMiddleware.__call__",
        side_effect=OperationalError("database is locked"),
    ):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert b"temporarily unavailable" in response.content
    with mock.patch(
        "dateline.core.csp.ContentSecurityPolicyMiddleware.__call__",
        side_effect=ProgrammingError("a bug"),
    ):
        assert client.get(article.get_absolute_url()).status_code == 500


@pytest.mark.django_db
def test_the_api_answers_a_503_problem_document_when_the_database_is_down() -> None:
    published_article()

    def refuse(*args: Any) -> Any:
        raise OperationalError("unable to open database file")

    with connection.execute_wrapper(refuse):
        response = Client().get("/api/v1/items")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    problem = json.loads(response.content)
    assert problem["status"] == 503
    assert problem["title"] == "Service Unavailable"
    assert "try again" in problem["detail"]


@pytest.mark.django_db
def test_a_photo_upload_on_a_full_disk_is_a_503_and_leaves_no_photo(
    client: Client, editor: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dateline.content.models import Photo
    from tests.factories import jpeg_bytes

    client.force_login(editor)
    upload = SimpleUploadedFile("harbour.jpg", jpeg_bytes(640, 360), "image/jpeg")
    with mock.patch(
        "django.core.files.storage.FileSystemStorage._save",
        side_effect=OSError(errno.ENOSPC, "No space left on device"),
    ):
        response = client.post(
            "/newsroom/content/photo/add/",
            {
                "image": upload,
                "caption": "Cranes over the container quay.",
                "credit": "© Test Agency/Ola Fotograf",
                "alt_text": "Four cranes against a grey sky.",
            },
        )
    assert response.status_code == 503
    assert b"The disk is full" in response.content
    assert not Photo.objects.exists()
