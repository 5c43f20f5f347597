"""Partner links in the newsroom: links kept by hand, and partners' feeds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dateline.audit.admin import AuditedAdmin
from dateline.core import fetch
from dateline.partners import services
from dateline.partners.models import PartnerFeed, PartnerLink

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.db.models import QuerySet
    from django.forms import ModelForm
    from django.http import HttpRequest

# An address typed without a scheme is taken as https.
WEB_ADDRESS_FIELD: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}
# What a feed writes on its links; the newsroom changes it on the feed.
FROM_THE_FEED = ("block", "title", "url", "outlet", "published_at", "is_sponsored")


class PartnerFeedForm(forms.ModelForm):  # type: ignore[type-arg]
    """A feed's address may not point inside our network (each read checks
    again: a name may resolve elsewhere later). The admin supplies the model
    and fields (and the https default of ``WEB_ADDRESS_FIELD``)."""

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            fetch.check_url(url)
        except fetch.AddressNotAllowedError:
            raise ValidationError(
                _("This address is not allowed: it points inside the network."),
                code="inside",
            ) from None
        except fetch.FetchError:
            raise ValidationError(
                _("Enter a web address (http or https)."), code="invalid"
            ) from None
        return url


@admin.register(PartnerFeed)
class PartnerFeedAdmin(AuditedAdmin):
    form = PartnerFeedForm
    formfield_overrides = WEB_ADDRESS_FIELD
    list_display = [
        "name",
        "block",
        "is_sponsored",
        "is_active",
        "last_fetched_at",
        "status",
    ]
    list_filter = ["block", "is_active", "is_sponsored"]
    search_fields = ["name", "url"]
    fields = [
        "name",
        "url",
        "block",
        "is_sponsored",
        "is_active",
        "last_fetched_at",
        "last_error",
    ]
    readonly_fields = ["last_fetched_at", "last_error"]
    actions = ["refresh_now"]

    @admin.display(description=_("status"))
    def status(self, feed: PartnerFeed) -> str:
        if feed.last_fetched_at is None:
            return str(_("not read yet"))
        return feed.last_error or str(_("OK"))

    def save_model(
        self, request: HttpRequest, obj: PartnerFeed, form: ModelForm[Any], change: bool
    ) -> None:
        services.save_partner_feed(feed=obj)

    @admin.action(description=_("Read the selected feeds now"), permissions=["change"])
    def refresh_now(
        self, request: HttpRequest, queryset: QuerySet[PartnerFeed]
    ) -> None:
        for feed in queryset:
            result = services.refresh_partner_feed(feed=feed)
            if result.ok:
                self.message_user(
                    request,
                    ngettext(
                        "%(feed)s: %(new)d new link, %(updated)d updated.",
                        "%(feed)s: %(new)d new links, %(updated)d updated.",
                        result.created,
                    )
                    % {
                        "feed": feed.name,
                        "new": result.created,
                        "updated": result.updated,
                    },
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _("%(feed)s: %(error)s Its links were left as they were.")
                    % {"feed": feed.name, "error": result.error},
                    messages.ERROR,
                )


@admin.register(PartnerLink)
class PartnerLinkAdmin(AuditedAdmin):
    formfield_overrides = WEB_ADDRESS_FIELD
    list_display = [
        "title",
        "outlet",
        "block",
        "position",
        "is_sponsored",
        "is_active",
        "published_at",
        "source",
    ]
    list_display_links = ["title"]
    list_editable = ["position", "is_active"]
    list_filter = [
        "block",
        "is_active",
        "is_sponsored",
        ("feed", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["feed"]
    search_fields = ["title", "outlet", "url"]
    fields = [
        "block",
        "title",
        "url",
        "outlet",
        "published_at",
        "is_sponsored",
        "position",
        "is_active",
        "feed",
    ]
    date_hierarchy = "published_at"

    @admin.display(description=_("source"), ordering="feed__name")
    def source(self, link: PartnerLink) -> str:
        return link.feed.name if link.feed else str(link.Origin.NEWSROOM.label)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A feed's link is rewritten at each refresh: only hiding and pinning
        # it are the newsroom's. A link kept by hand never gets a feed.
        if obj is not None and obj.feed_id is not None:
            return [*FROM_THE_FEED, "feed"]
        return ["feed"]
