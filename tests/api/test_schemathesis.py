"""schemathesis against our OpenAPI document: every operation, generated
inputs good and bad, every default check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from dateline.wsgi import application

if TYPE_CHECKING:
    from collections.abc import Iterator

# Every default check runs. One is told what "accepted" means here: a request
# that fits the schema may still name a section, topic or person that does
# not exist, or carry a cursor we did not sign; those are a 400 problem
# document by design (no JSON Schema can tell a signed cursor from a forged one).
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404"]
            }
        }
    }
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", application, config=CONFIG
)


@pytest.fixture(autouse=True)
def _archive(db: None) -> Iterator[None]:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from tests.factories import published_article

    published_article(headline="An item for the API to serve")
    # The WSGI app is called directly, inside the test's transaction: keep it
    # from closing the connection after each request, as Django's own test
    # client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_honours_its_openapi_document(case: schemathesis.Case) -> None:
    from django.core.cache import cache

    cache.clear()  # the anonymous rate limit is not under test here
    # The WSGI client does not undo gzip, which answers get when asked for it.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
