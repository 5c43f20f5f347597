"""The worker: periodic jobs survive restarts and catch up, one run per due
time however many workers look, and the queue runs them (rates as the case)."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from dateline.markets.models import Rate
from dateline.worker import schedule
from dateline.worker.models import PeriodicJob
from dateline.worker.schedule import enqueue_due
from tests.loopback import serve

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.test import Client

    from tests.loopback import Site

RATES = Path(__file__).resolve().parents[1] / "fixtures" / "rates"
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def bank(fetch_from_loopback: None) -> Iterator[Site]:
    """The banks (and feeds, and weather) on loopback, which fetches trust."""
    with serve(
        {
            "/ecb.xml": (RATES / "ecb-daily.xml").read_bytes(),
            "/cbr.xml": (RATES / "cbr-daily.xml").read_bytes(),
        }
    ) as site:
        yield site


@pytest.fixture
def queue(bank: Site) -> Iterator[Site]:
    """The database queue, with both banks' addresses configured."""
    with override_settings(
        TASKS=DATABASE_QUEUE,
        DATELINE_ECB_RATES_URL=bank.url("/ecb.xml"),
        DATELINE_CBR_RATES_URL=bank.url("/cbr.xml"),
    ):
        yield bank


def run_worker() -> str:
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_worker_imports_both_banks_rates_and_records_the_runs(queue: Site) -> None:
    with time_machine.travel(START, tick=False):
        output = run_worker()
    assert "import-rates-ecb" in output
    assert "import-rates-cbr" in output
    assert set(Rate.objects.values_list("source", flat=True)) == {"ecb", "cbr"}
    assert sorted(queue.requests) == ["/cbr.xml", "/ecb.xml"]
    results = DBTaskResult.objects.filter(task_path__endswith="import_rates_task")
    assert [r.status for r in results] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert PeriodicJob.objects.get(
        name="import-rates-ecb"
    ).next_run_at == START + timedelta(hours=6)


@pytest.mark.django_db(transaction=True)
def test_a_job_is_not_run_again_before_its_time_and_catches_up_once_after_downtime(
    queue: Site,
) -> None:
    with time_machine.travel(START, tick=False):
        run_worker()
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        assert "none" in run_worker()
    # A worker restarted three days later runs each missed job once, not twelve times.
    later = START + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        run_worker()
    assert queue.requests.count("/ecb.xml") == 2
    assert PeriodicJob.objects.get(
        name="import-rates-ecb"
    ).next_run_at == later + timedelta(hours=6)


@pytest.mark.django_db(transaction=True)
def test_two_workers_looking_at_once_enqueue_a_due_run_once(
    queue: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(START, tick=False):
        # The second worker reads every job's clock before the first moves it on.
        read_by_second = {
            name: schedule._state(name, now=START)
            for name in ("import-rates-ecb", "import-rates-cbr", "prune-task-results")
        }
        first = enqueue_due()
        monkeypatch.setattr(schedule, "_state", lambda name, now: read_by_second[name])
        second = enqueue_due()
    assert sorted(first) == sorted(read_by_second)
    assert second == []
    assert DBTaskResult.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_jobs_without_an_address_are_not_scheduled(bank: Site) -> None:
    with override_settings(
        TASKS=DATABASE_QUEUE, DATELINE_ECB_RATES_URL=None, DATELINE_CBR_RATES_URL=None
    ):
        names = enqueue_due(now=START)
    assert names == ["prune-task-results"]
    assert not PeriodicJob.objects.filter(name__startswith="import-rates").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "body",
    [b"<html><body>Service unavailable</body></html>", b"not xml at all", b""],
)
def test_a_bad_rates_file_is_logged_and_the_last_good_rates_stay(
    queue: Site, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with time_machine.travel(START, tick=False):
        run_worker()
    before = list(Rate.objects.order_by("pk").values_list("pk", "rate"))
    queue.pages["/ecb.xml"] = body
    queue.pages.pop("/cbr.xml")
    with (
        time_machine.travel(START + timedelta(hours=7), tick=False),
        caplog.at_level(logging.ERROR),
    ):
        run_worker()
    assert list(Rate.objects.order_by("pk").values_list("pk", "rate")) == before
    messages = [
        r.getMessage() for r in caplog.records if r.name == "dateline.markets.tasks"
    ]
    assert any(
        "Rates from ecb not imported, the last good rates stay" in m for m in messages
    )
    assert any("answered 404" in m for m in messages)
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert failed.count() == 2


@pytest.mark.django_db(transaction=True)
def test_old_finished_results_are_pruned(queue: Site) -> None:
    with time_machine.travel(START, tick=False):
        run_worker()
    assert DBTaskResult.objects.count() == 3
    with time_machine.travel(START + timedelta(days=15), tick=False):
        run_worker()
    # The old runs are gone; the new ones (two imports, one prune) are kept.
    assert DBTaskResult.objects.count() == 3
    assert not DBTaskResult.objects.filter(
        enqueued_at__lt=START + timedelta(days=1)
    ).exists()


def test_the_worker_refuses_the_immediate_backend() -> None:
    with pytest.raises(CommandError, match="nothing to run"):
        call_command("worker", "--once")


@pytest.mark.parametrize("value", ["0", "-5", "abc", "99999"])
def test_a_bad_schedule_interval_is_a_clear_error(value: str) -> None:
    with pytest.raises(CommandError, match="--schedule-every"):
        call_command("worker", "--schedule-every", value)


@pytest.mark.django_db
def test_the_newsroom_sees_the_job_clocks_and_the_task_results(
    admin_client: Client,
) -> None:
    PeriodicJob.objects.create(name="import-rates-ecb", next_run_at=START)
    page = admin_client.get("/newsroom/worker/periodicjob/")
    assert page.status_code == 200
    assert b"import-rates-ecb" in page.content
    assert admin_client.get("/newsroom/worker/periodicjob/add/").status_code == 403
    assert (
        admin_client.get("/newsroom/django_tasks_database/dbtaskresult/").status_code
        == 200
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_reads_partner_feeds_and_the_weather_from_their_addresses(
    bank: Site,
) -> None:
    from dateline.partners.models import PartnerLink
    from dateline.places.models import WeatherObservation
    from tests.partners.factories import PartnerFeedFactory, fixture
    from tests.places.factories import three_cities

    weather = (RATES.parent / "weather" / "open-meteo-current.json").read_bytes()
    bank.pages["/feed.rss"] = fixture("rss2.xml")
    bank.pages["/forecast"] = weather
    feed = PartnerFeedFactory(url=bank.url("/feed.rss"))
    three_cities()
    with (
        override_settings(
            TASKS=DATABASE_QUEUE,
            DATELINE_WEATHER_PROVIDER="open-meteo",
            DATELINE_WEATHER_URL=bank.url("/forecast"),
        ),
        time_machine.travel(datetime(2026, 1, 15, 10, 0, tzinfo=UTC), tick=False),
    ):
        output = run_worker()
    assert "refresh-partner-feeds" in output
    assert "refresh-weather" in output
    assert PartnerLink.objects.filter(feed=feed).count() == 3
    # The answer is Helsinki's: the other two cities refuse it as another place's.
    assert list(WeatherObservation.objects.values_list("city__slug", flat=True)) == [
        "helsinki"
    ]
    assert PeriodicJob.objects.get(name="refresh-weather").next_run_at == datetime(
        2026, 1, 15, 10, 30, tzinfo=UTC
    )


@pytest.mark.django_db(transaction=True)
def test_no_partner_feed_and_weather_off_schedule_nothing_for_them(
    bank: Site,
) -> None:
    with override_settings(TASKS=DATABASE_QUEUE, DATELINE_WEATHER_PROVIDER=""):
        names = enqueue_due(now=START)
    assert "refresh-partner-feeds" not in names
    assert "refresh-weather" not in names


REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL")


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="DATELINE_TEST_REDIS_URL is not set")
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_redis_queue_when_configured(bank: Site) -> None:
    import django_rq

    # Jobs go to the "default" queue, on the test server's own database.
    queue_name = "default"
    with (
        override_settings(
            INSTALLED_APPS=[*settings.INSTALLED_APPS, "django_rq"],
            TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend"}},
            RQ_QUEUES={queue_name: {"URL": REDIS_URL}},
            DATELINE_ECB_RATES_URL=bank.url("/ecb.xml"),
            DATELINE_CBR_RATES_URL=None,
        ),
        time_machine.travel(START, tick=False),
    ):
        from dateline.markets.tasks import import_rates_task

        try:
            output = run_worker()
            queue = django_rq.get_queue(queue_name)
            assert queue.count == 0
        finally:
            django_rq.get_queue(queue_name).empty()
    assert "import-rates-ecb" in output
    assert "prune-task-results" not in output  # the database queue's own job
    assert set(Rate.objects.values_list("source", flat=True)) == {"ecb"}
    assert import_rates_task.backend == "default"


@pytest.mark.django_db(transaction=True)
def test_the_worker_empties_the_page_caches_outbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import redis

    from dateline.pagecache import store
    from dateline.pagecache.models import PendingChange
    from dateline.worker.management.commands.worker import catch_up_pages

    before = store.current_generation()
    PendingChange.objects.create(reason="a withdrawal while Redis was down")

    def refused(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(store, "_write_generation", refused)
        assert not catch_up_pages()  # still down: it waits, and says so
    assert PendingChange.objects.count() == 1
    with override_settings(TASKS=DATABASE_QUEUE):
        output = run_worker()
    assert not PendingChange.objects.exists()
    after = store.current_generation()
    assert before is not None
    assert after is not None
    assert after.token != before.token
    assert "The queue is empty." in output
