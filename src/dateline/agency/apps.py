from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "dateline.agency"
    label = "agency"
    verbose_name = _("The agency")

    def ready(self) -> None:
        from dateline.agency.selectors import page_holding
        from dateline.content.models.paths import claim_top_level_slugs

        # A page's slug is a top-level path, like a section's: keep sections
        # off the pages' slugs (the pages keep off the sections' themselves).
        claim_top_level_slugs("agency-pages", page_holding)
