"""Background jobs for exchange rates: thin adapters over the importers."""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks import task

from dateline.core.fetch import FetchError
from dateline.markets.importers import RatesFileError, import_from_url
from dateline.markets.models import Rate

logger = logging.getLogger(__name__)


def rates_url(source: str) -> str | None:
    """The configured address of a source's daily file, or None (no job)."""
    urls: dict[str, str | None] = {
        Rate.Source.ECB: settings.DATELINE_ECB_RATES_URL,
        Rate.Source.CBR: settings.DATELINE_CBR_RATES_URL,
    }
    return urls.get(source)


@task()
def import_rates_task(source: str) -> int:
    """Import today's file from ``source``; on a bad file log and keep the last rates."""
    url = rates_url(source)
    if not url:
        logger.info("Rates from %s: no address configured; nothing to do.", source)
        return 0
    try:
        sheet = import_from_url(source, url)
    except (FetchError, RatesFileError) as error:
        logger.error(
            "Rates from %s not imported, the last good rates stay: %s", source, error
        )
        raise
    logger.info(
        "Rates from %s: %d rates of %s imported.",
        source,
        len(sheet.rates),
        sheet.effective_on,
    )
    return len(sheet.rates)
