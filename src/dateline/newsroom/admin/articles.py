"""Articles with their workflow buttons, TOP STORIES slots and corrections.

Every change to an article goes through content.services; this module only
decides which buttons a person sees and which service a button calls, and
starts every read of articles from content.access.visible_articles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from dateline.content import access, services
from dateline.content.models import Article, Correction, RelatedArticle, TopStory
from dateline.newsroom.admin._common import staff_user
from dateline.newsroom.forms import ArticleForm

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.forms import ModelForm
    from django.http import HttpRequest, HttpResponse

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
        qs: QuerySet[Article] = super().get_queryset(request)
        return qs.select_related("section", "created_by")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(super().has_change_permission(request))
        return access.can_edit(request.user, obj)

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
        if PUBLISH in request.POST:
            services.publish_article(
                article=obj,
                actor=actor,
                at=data.get("published_at"),
                expected_revision=expected,
            )
            verb = _("scheduled") if obj.is_scheduled() else _("published")
            self.message_user(
                request, _("The item was %(verb)s.") % {"verb": verb}, messages.SUCCESS
            )
        elif SUBMIT in request.POST:
            services.submit_article(
                article=obj, actor=actor, expected_revision=expected
            )
        elif WITHDRAW in request.POST:
            services.withdraw_article(
                article=obj,
                actor=actor,
                reason=data.get("withdraw_reason", ""),
                expected_revision=expected,
            )
            self.message_user(
                request,
                _("The item was withdrawn from every public page."),
                messages.WARNING,
            )
        else:
            services.save_article(
                article=obj,
                actor=actor,
                expected_revision=expected,
                correction_note=data.get("correction_note", ""),
            )

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

        class WorkflowArticleForm(form_class):  # type: ignore[misc, valid-type]
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
