"""CI runs every test: a skip for a missing program or service fails the run."""

from __future__ import annotations

import pytest

from tests import environment


def _skipped(reason: str) -> pytest.TestReport:
    return pytest.TestReport(
        nodeid="tests/x.py::test_x",
        location=("tests/x.py", 1, "test_x"),
        keywords={},
        outcome="skipped",
        longrepr=("tests/x.py", 1, f"Skipped: {reason}"),
        when="setup",
    )


@pytest.mark.parametrize(
    "reason",
    [
        environment.missing("nginx", how="make tools"),
        "nginx is not installed (apt-get install nginx)",
        "DATELINE_TEST_REDIS_URL is not set",
        "shared standards folder not found at /x",
    ],
)
def test_a_skip_for_something_the_machine_lacks_becomes_a_failure(
    reason: str,
) -> None:
    report = _skipped(reason)
    environment.fail_if_missing(report)
    assert report.failed
    assert "DATELINE_TEST_REQUIRE_ALL=1" in str(report.longrepr)


def test_a_skip_for_the_other_database_engine_stays_a_skip() -> None:
    report = _skipped("runs its own SQLite site; covered by the suite's SQLite pass")
    environment.fail_if_missing(report)
    assert report.skipped


def test_the_programs_ci_needs_are_installed_where_ci_requires_them() -> None:
    if not environment.REQUIRE_ALL:
        pytest.skip("only where DATELINE_TEST_REQUIRE_ALL=1 (.ci/run)")
    assert environment.NGINX, "make tools installs nginx"
    assert environment.REDIS_SERVER, "make tools installs redis-server"
    assert environment.PG_DUMP, "make tools installs postgresql-client"
    assert environment.program("chromium"), "make tools installs chromium"
