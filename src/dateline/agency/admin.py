"""The agency's pages in the newsroom: the Chief keeps them (the permissions
are given to the Chief's group only, agency/migrations/0002)."""

from __future__ import annotations

from django.contrib import admin

from dateline.agency.models import AgencyPage
from dateline.audit.admin import AuditedAdmin


@admin.register(AgencyPage)
class AgencyPageAdmin(AuditedAdmin):
    list_display = ["title", "slug", "is_in_footer", "position", "updated_at"]
    list_editable = ["is_in_footer", "position"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "slug"]
    fields = ["title", "slug", "body", "is_in_footer", "position", "updated_at"]
    readonly_fields = ["updated_at"]
    view_on_site = True
