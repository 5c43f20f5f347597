"""Background jobs for the link blocks: a thin adapter over the services."""

from __future__ import annotations

from django_tasks import task

from dateline.partners.models import PartnerFeed
from dateline.partners.services import refresh_partner_feeds


def has_active_feeds() -> bool:
    return PartnerFeed.objects.filter(is_active=True).exists()


@task()
def refresh_partner_feeds_task() -> dict[str, int]:
    """Read every active partner feed; each failure is logged and kept beside
    its feed, whose links stay as they were."""
    results = refresh_partner_feeds()
    return {
        "feeds": len(results),
        "failed": sum(1 for result in results if not result.ok),
        "created": sum(result.created for result in results),
    }
