"""Articles with their workflow buttons, TOP STORIES slots and corrections.

Every change to an article goes through content.services; this module only
decides which buttons a person sees and which service a button calls, and
starts every read of articles from content.access.visible_articles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from dateline.audit.services import Origin
from dateline.content import access, services
from dateline.content.models import Article, Correction, RelatedArticle, TopStory
from dateline.newsroom.admin._common import staff_user
from dateline.newsroom.forms import ArticleForm
from dateline.pagecache.store import change_is_pending

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.forms import ModelForm
    from django.http import HttpRequest, HttpResponse
    from django_stubs_ext import StrOrPromise

# The article as stored, on a request for one of its past revisions.
REVERT_OF = "newsroom_revert_of"

# The buttons of the article form, by the name they post.
PUBLISH, SUBMIT, WITHDRAW = "_publish", "_submit", "_withdraw"


class ReadAlsoInline(admin.TabularInline):  # type: ignore[type-arg]
    """The editor's "Read also" picks, shown inside the body in this order."""

    model = RelatedArticle
    fk_name = "article"
    autocomplete_fields = ["related"]
    fields = ["related", "position"]
    extra = 0
    max_num = 6
    verbose_name = _("“Read also” item")
    verbose_name_plural = _("“Read also” (3–6 items, shown inside the body)")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("content.view_article")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return request.user.has_perm("content.add_article")
        return access.can_edit(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        # A forged id of an item this person may not see is "not a valid
        # choice", as a missing one is.
        if db_field.name == "related":
            kwargs["queryset"] = access.visible_articles(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleForm
    inlines = [ReadAlsoInline]
    list_display = [
        "headline", "section", "state", "published_at", "urgency", "created_by",
    ]  # fmt: skip
    list_filter = ["status", "pubstatus", "section", "urgency"]
    list_select_related = ["section", "created_by"]
    search_fields = ["headline"]
    ordering = ["-id"]
    show_full_result_count = False
    autocomplete_fields = ["lead_photo"]
    readonly_fields = ["status_summary", "preview_link"]
    history_list_display = ["status", "pubstatus", "version"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        text = [
            "headline", "lead", "body", "dateline_place", "byline", "section",
            "urgency",
        ]  # fmt: skip
        fieldsets: list[tuple[Any, dict[str, Any]]] = [
            (None, {"fields": text}),
            (
                _("Photo and tags"),
                {"fields": ["lead_photo", "topic_tags", "person_tags"]},
            ),
        ]
        workflow = ["opened_revision"]
        if obj is not None:
            workflow[:0] = ["status_summary", "preview_link"]
        if access.can_publish(request.user):
            workflow.append("published_at")
            if obj is not None and obj.is_public():
                workflow.append("correction_note")
        if (
            obj is not None
            and access.can_withdraw(request.user)
            and obj.status == Article.Status.PUBLISHED
            and obj.pubstatus != Article.PubStatus.CANCELED
        ):
            workflow.append("withdraw_reason")
        fieldsets.append((_("Publication"), {"fields": workflow}))
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        """Every view of articles here (the list, its search, filters and
        counts, the change, delete and history pages, autocomplete) starts
        from the items this person may see."""
        qs: QuerySet[Article] = super().get_queryset(request)
        return access.visible_articles(request.user, qs).select_related(
            "section", "created_by"
        )

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        # Missing and "not yours" give the same 404: an id of someone else's
        # draft must not be told apart from an unused one.
        raise Http404

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None or not isinstance(obj, Article):
            return bool(super().has_view_permission(request, obj))
        return access.can_view(request.user, self._as_stored(request, obj))

    def history_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)  # type: ignore[no-any-return]

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """One past revision, and its "revert": checked here, not left to the
        service alone. Only someone who may change the item as it is stored
        now may revert it, and the revert is a save through
        ``services.save_article`` (revision check, workflow state kept)."""
        with transaction.atomic():
            current = self.get_object(request, unquote(object_id))
            if (
                current is None
                or not (version_id.isascii() and version_id.isdigit())
                or len(version_id) > 18
                or not current.history.filter(history_id=int(version_id)).exists()
            ):
                raise Http404
            if request.method == "POST" and not access.can_edit(request.user, current):
                raise PermissionDenied
            setattr(request, REVERT_OF, current)
            return super().history_form_view(  # type: ignore[no-any-return]
                request, object_id, version_id, extra_context
            )

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        article = getattr(request, REVERT_OF, obj)
        return article is None or not access.can_edit(request.user, article)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(super().has_change_permission(request))
        return access.can_edit(request.user, self._as_stored(request, obj))

    @staticmethod
    def _as_stored(request: HttpRequest, obj: Article) -> Article:
        """On a past revision's page, permissions follow the item as stored
        now, not the old state the revision shows."""
        stored = getattr(request, REVERT_OF, None)
        return stored if stored is not None and stored.pk == obj.pk else obj

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Items are withdrawn, never deleted: ids stay stable for partners.
        return bool(request.user.is_superuser)

    @admin.display(description=_("state"))
    def status_summary(self, article: Article) -> str:
        return (
            f"{self.state(article)} · version {article.version}"
            f" · revision {article.revision}"
        )

    @admin.display(description=_("state"), ordering="status")
    def state(self, article: Article) -> str:
        """One word or phrase a desk reads at a glance: a scheduled item is not
        "Published" yet, and a withdrawn one is not live."""
        label = str(article.get_status_display())
        if article.pubstatus != Article.PubStatus.USABLE:
            return f"{label}, {article.get_pubstatus_display()}"
        if article.is_scheduled():
            local = timezone.localtime(article.published_at)
            return f"{_('Scheduled for')} {local:%Y-%m-%d %H:%M %Z}"
        return label

    @admin.display(description=_("preview"))
    def preview_link(self, article: Article) -> str:
        url = reverse("site:article-preview", kwargs={"pk": article.pk})
        return format_html(
            '<a href="{}" target="_blank">{}</a>', url, _("Open preview")
        )

    def workflow_buttons(
        self, request: HttpRequest, obj: Article | None
    ) -> list[tuple[str, str]]:
        """(name, label) of the buttons this person may press on this item."""
        user = request.user
        buttons: list[tuple[str, str]] = []
        if obj is not None and not access.can_edit(user, obj):
            return buttons
        published = obj is not None and obj.status == Article.Status.PUBLISHED
        if published:
            buttons.append(("_save", str(_("Save changes"))))
        else:
            buttons.append(("_continue", str(_("Save draft"))))
            if not access.can_publish(user) and (
                obj is None or obj.status == Article.Status.DRAFT
            ):
                buttons.append((SUBMIT, str(_("Submit to editors"))))
        if access.can_publish(user) and not published:
            buttons.append((PUBLISH, str(_("Publish or schedule"))))
        if (
            published
            and access.can_withdraw(user)
            and obj is not None
            and obj.pubstatus != Article.PubStatus.CANCELED
        ):
            buttons.append((WITHDRAW, str(_("Withdraw"))))
        return buttons

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        context["workflow_buttons"] = self.workflow_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[no-any-return]

    def save_model(
        self, request: HttpRequest, obj: Article, form: ModelForm[Article], change: bool
    ) -> None:
        data = form.cleaned_data
        expected = data.get("opened_revision") if change else None
        actor = staff_user(request)
        origin = Origin.of(request)
        if PUBLISH in request.POST:
            services.publish_article(
                article=obj,
                actor=actor,
                at=data.get("published_at"),
                expected_revision=expected,
                origin=origin,
            )
            verb = _("scheduled") if obj.is_scheduled() else _("published")
            self._report_on_commit(
                request,
                _("The item was %(verb)s.") % {"verb": verb},
                messages.SUCCESS,
                not_told=_(
                    "The item was %(verb)s, but cached copies of pages could "
                    "not be cleared yet: the cache is unreachable. They are "
                    "retried every second; until then some readers may not "
                    "see the change."
                )
                % {"verb": verb},
            )
        elif SUBMIT in request.POST:
            services.submit_article(
                article=obj, actor=actor, expected_revision=expected, origin=origin
            )
        elif WITHDRAW in request.POST:
            services.withdraw_article(
                article=obj,
                actor=actor,
                reason=data.get("withdraw_reason", ""),
                expected_revision=expected,
                origin=origin,
            )
            self._report_on_commit(
                request,
                _("The item was withdrawn from every public page."),
                messages.WARNING,
                not_told=_(
                    "The item was withdrawn, but cached copies of pages could "
                    "not be cleared yet: the cache is unreachable. They are "
                    "retried every second; until then the item may still "
                    "show on cached pages."
                ),
            )
        else:
            services.save_article(
                article=obj,
                actor=actor,
                expected_revision=expected,
                correction_note=data.get("correction_note", ""),
                origin=origin,
            )
            self._report_on_commit(
                request,
                None,
                messages.SUCCESS,
                not_told=_(
                    "Saved, but cached copies of pages could not be cleared "
                    "yet: the cache is unreachable. They are retried every "
                    "second; until then some readers may not see the change."
                ),
            )

    def _report_on_commit(
        self,
        request: HttpRequest,
        told: StrOrPromise | None,
        level: int,
        *,
        not_told: StrOrPromise,
    ) -> None:
        """Once the act has committed and the page cache has been told of it
        (or not: Redis unreachable), say which: never "everywhere" when the
        cached pages could not be cleared."""

        def report() -> None:
            if change_is_pending():
                self.message_user(request, not_told, messages.ERROR)
            elif told is not None:
                self.message_user(request, told, level)

        transaction.on_commit(report)

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        services.set_article_tags(
            article=form.instance,
            topics=form.cleaned_data.get("topic_tags", []),
            persons=form.cleaned_data.get("person_tags", []),
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        user = request.user

        revert_of = getattr(request, REVERT_OF, None)

        class WorkflowArticleForm(form_class):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                if revert_of is not None:
                    # A revert starts from the stored revision, not the old one.
                    self.fields["opened_revision"].initial = revert_of.revision

            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                post = self.data
                if WITHDRAW in post and not cleaned.get("withdraw_reason", "").strip():
                    self.add_error(
                        "withdraw_reason", _("Say why the item is withdrawn.")
                    )
                if (
                    PUBLISH in post or cleaned.get("correction_note")
                ) and not access.can_publish(user):
                    raise PermissionDenied
                # A revert is a plain save of the old text: the workflow
                # buttons act on the item as it is stored, never on a revision.
                if revert_of is not None and any(
                    button in post for button in (PUBLISH, SUBMIT, WITHDRAW)
                ):
                    self.add_error(
                        None,
                        _(
                            "A revert only restores the text; use the item's own page to publish, submit or withdraw it."
                        ),
                    )
                # The services refuse these too; here they are a message
                # on the form (a forged button), not a server error.
                if (
                    PUBLISH in post
                    and obj is not None
                    and obj.pubstatus == Article.PubStatus.CANCELED
                ):
                    self.add_error(
                        None, _("A withdrawn item cannot be published again.")
                    )
                if (
                    SUBMIT in post
                    and obj is not None
                    and obj.status == Article.Status.PUBLISHED
                ):
                    self.add_error(
                        None, _("A published item cannot be submitted again.")
                    )
                if cleaned.get("correction_note") and (
                    obj is None or not obj.is_public()
                ):
                    self.add_error(
                        "correction_note", _("Only a published item can be corrected.")
                    )
                return cleaned

        return WorkflowArticleForm


@admin.register(TopStory)
class TopStoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """TOP STORIES: editors put items on the home page or a section front."""

    list_display = ["headline", "front", "position", "live"]
    list_display_links = ["headline"]
    list_editable = ["position"]
    list_filter = [("section", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article", "section"]
    autocomplete_fields = ["article"]
    fields = ["section", "article", "position"]
    ordering = ["section__position", "position", "id"]

    @admin.display(description=_("article"), ordering="article__headline")
    def headline(self, slot: TopStory) -> str:
        return slot.article.headline

    @admin.display(description=_("front"), ordering="section__position")
    def front(self, slot: TopStory) -> str:
        return slot.front_name

    @admin.display(description=_("shown to readers"), boolean=True)
    def live(self, slot: TopStory) -> bool:
        # A slot whose item is not public stays dark until it is.
        return slot.article.is_public()


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Corrections are read here; they are made from the article form."""

    list_display = ["article", "note", "created_at", "created_by"]
    list_select_related = ["article", "created_by"]
    readonly_fields = ["article", "note", "created_at", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
