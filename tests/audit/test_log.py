"""The audit log: one entry per privileged act, with who, what, when and
from where, written in the act's transaction; the Chief alone reads it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from dateline.api.models import ApiKey
from dateline.audit.models import AuditEntry
from dateline.audit.services import Origin
from dateline.content import services
from dateline.content.models import Article
from dateline.partners.models import PartnerLink
from tests.adverts.test_admin import form_data as advert_form
from tests.factories import ArticleFactory, published_article
from tests.newsroom.test_admin import form_data as article_form
from tests.partners.test_admin import link_form

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db

ADDRESS, AGENT = "203.0.113.9", "Mozilla/5.0 (Newsroom test)"
FROM_THERE = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT}
ARTICLES = "/newsroom/content/article"
LOG = "/newsroom/audit/auditentry/"


def only_entry(act: str) -> AuditEntry:
    (entry,) = AuditEntry.objects.filter(act=act)
    return entry


def assert_from_there(entry: AuditEntry, actor: User) -> None:
    assert entry.actor == actor
    assert entry.actor_name == actor.username
    assert entry.address == ADDRESS
    assert entry.user_agent == AGENT


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("boss", "boss@example.org", "pw")


# --- Editorial acts, from the newsroom's form ---------------------------------------


def test_publishing_from_the_form_is_logged_with_who_and_where(
    client: Client, editor: User
) -> None:
    client.force_login(editor)
    response = client.post(
        f"{ARTICLES}/add/", article_form(_publish="Publish"), **FROM_THERE
    )
    assert response.status_code == 302
    article = Article.objects.get()
    entry = only_entry("publish")
    assert_from_there(entry, editor)
    assert entry.object_type == "content.article"
    assert entry.object_id == str(article.pk)
    assert article.headline in entry.summary
    assert entry.at is not None


def test_scheduling_submitting_correcting_and_withdrawing_are_logged(
    client: Client, reporter: User, editor: User, chief: User
) -> None:
    client.force_login(reporter)
    client.post(f"{ARTICLES}/add/", article_form(_submit="Submit"), **FROM_THERE)
    article = Article.objects.get()
    assert_from_there(only_entry("submit"), reporter)

    client.force_login(editor)
    later = timezone.localtime() + timedelta(hours=5)
    client.post(
        f"{ARTICLES}/{article.pk}/change/",
        article_form(
            article,
            _publish="Publish",
            published_at_0=f"{later:%Y-%m-%d}",
            published_at_1=f"{later:%H:%M:%S}",
        ),
        **FROM_THERE,
    )
    assert_from_there(only_entry("schedule"), editor)
    assert "Scheduled" in only_entry("schedule").summary

    live = published_article(headline="Dam report")
    client.post(
        f"{ARTICLES}/{live.pk}/change/",
        article_form(live, correction_note="The dam is 40 m high.", _save="Save"),
        **FROM_THERE,
    )
    corrected = only_entry("correct")
    assert_from_there(corrected, editor)
    assert "40 m" in corrected.summary

    live.refresh_from_db()
    client.force_login(chief)
    client.post(
        f"{ARTICLES}/{live.pk}/change/",
        article_form(live, withdraw_reason="Legal", _withdraw="Withdraw"),
        **FROM_THERE,
    )
    withdrawn = only_entry("withdraw")
    assert_from_there(withdrawn, chief)
    assert "Legal" in withdrawn.summary
    # Plain edits are in the article's history, not in the audit log.
    assert AuditEntry.objects.exclude(act__in=["login"]).count() == 4


def test_a_rolled_back_act_leaves_no_entry(editor: User, chief: User) -> None:
    article = ArticleFactory()

    def publish_then_fail() -> None:
        with transaction.atomic():
            services.publish_article(
                article=article, actor=editor, origin=Origin(ADDRESS)
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert not AuditEntry.objects.exists()
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT

    live = published_article()
    with pytest.raises(services.StaleArticleError):
        services.withdraw_article(
            article=live,
            actor=chief,
            reason="legal",
            expected_revision=live.revision - 1,
        )
    assert not AuditEntry.objects.exists()


def test_acts_of_the_system_itself_are_not_logged() -> None:
    published_article()
    assert not AuditEntry.objects.exists()


# --- Accounts, roles, keys, adverts and partners ----------------------------------------


def test_account_changes_are_logged_with_the_roles_they_leave(
    client: Client, chief: User, reporter: User
) -> None:
    client.force_login(chief)
    response = client.post(
        "/newsroom/auth/user/add/",
        {
            "username": "newhire",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
            "usable_password": "true",
        },
        **FROM_THERE,
    )
    assert response.status_code == 302
    added = only_entry("add")
    assert_from_there(added, chief)
    assert added.object_repr == "newhire"

    editors = Group.objects.get(name="Editor")
    page = client.get(f"/newsroom/auth/user/{reporter.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key not in {"groups", "user_permissions"}
    }
    data.update(
        {
            "username": "reporter",
            "is_active": "on",
            "is_staff": "on",
            "groups": [editors.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(
        f"/newsroom/auth/user/{reporter.pk}/change/", data, **FROM_THERE
    )
    assert response.status_code == 302, response.content[:2000]
    changed = only_entry("change")
    assert_from_there(changed, chief)
    assert "Roles now: Editor" in changed.summary


def test_a_role_change_and_a_deletion_are_logged(
    client: Client, superuser: User, reporter: User
) -> None:
    client.force_login(superuser)
    group = Group.objects.get(name="Reporter")
    response = client.post(
        f"/newsroom/auth/group/{group.pk}/change/",
        {"name": "Reporter", "permissions": []},
        **FROM_THERE,
    )
    assert response.status_code == 302
    assert_from_there(only_entry("change"), superuser)
    assert only_entry("change").object_repr == "Reporter"

    response = client.post(
        f"/newsroom/auth/user/{reporter.pk}/delete/", {"post": "yes"}, **FROM_THERE
    )
    assert response.status_code == 302
    deleted = only_entry("delete")
    assert_from_there(deleted, superuser)
    assert deleted.object_repr == "reporter"


def test_making_and_revoking_an_api_key_are_logged(
    client: Client, superuser: User
) -> None:
    client.force_login(superuser)
    client.post(
        "/newsroom/api/apikey/add/",
        {"name": "Wire partner", "requests_per_minute": "120", "is_active": "on"},
        **FROM_THERE,
    )
    key = ApiKey.objects.get()
    assert_from_there(only_entry("add"), superuser)
    client.post(
        f"/newsroom/api/apikey/{key.pk}/change/",
        {"name": "Wire partner", "requests_per_minute": "120"},
        **FROM_THERE,
    )
    revoked = only_entry("change")
    assert_from_there(revoked, superuser)
    assert "revoked" in revoked.summary


def test_advert_and_partner_link_changes_are_logged(
    client: Client, chief: User
) -> None:
    client.force_login(chief)
    response = client.post("/newsroom/adverts/advert/add/", advert_form(), **FROM_THERE)
    assert response.status_code == 302
    assert_from_there(only_entry("add"), chief)
    AuditEntry.objects.all().delete()
    response = client.post(
        "/newsroom/partners/partnerlink/add/", link_form(), **FROM_THERE
    )
    assert response.status_code == 302
    link = PartnerLink.objects.get()
    entry = only_entry("add")
    assert_from_there(entry, chief)
    assert entry.object_id == str(link.pk)
    response = client.post(
        "/newsroom/partners/partnerlink/",
        {"action": "delete_selected", "_selected_action": [link.pk], "post": "yes"},
        **FROM_THERE,
    )
    assert response.status_code == 302
    assert_from_there(only_entry("delete"), chief)


# --- Logins ----------------------------------------------------------------------


def test_logins_failures_and_lockouts_are_logged_with_the_address(
    client: Client, reporter: User
) -> None:
    def attempt(password: str) -> Any:
        return client.post(
            "/newsroom/login/",
            {"username": "reporter", "password": password, "next": "/newsroom/"},
            **FROM_THERE,
        )

    assert attempt("pw").status_code == 302
    assert_from_there(only_entry("login"), reporter)
    client.logout()
    attempt("wrong")
    failed = only_entry("login_failed")
    assert failed.actor is None
    assert failed.actor_name == "reporter"
    assert failed.address == ADDRESS
    for _ in range(9):
        attempt("wrong")
    locked = AuditEntry.objects.filter(act="lockout")
    assert locked.count() == 1
    assert locked.get().address == ADDRESS


# --- Who reads it -------------------------------------------------------------------


def test_the_chief_reads_filters_and_searches_the_log(
    client: Client, chief: User, editor: User
) -> None:
    with time_machine.travel(timezone.now(), tick=False):
        services.publish_article(
            article=ArticleFactory(headline="Dam report"),
            actor=editor,
            origin=Origin(ADDRESS, AGENT),
        )
    client.force_login(chief)
    for query in [
        {},
        {"act__exact": "publish"},
        {"actor__id__exact": editor.pk},
        {"q": "Dam report"},
        {"q": ADDRESS},
        {"at__year": timezone.localtime().year},
    ]:
        response = client.get(LOG, query)
        assert response.status_code == 200, query
        assert "Dam report" in response.content.decode(), query
    response = client.get(LOG, {"act__exact": "withdraw"})
    assert "Dam report" not in response.content.decode()


def test_reporters_and_editors_cannot_read_the_log(
    client: Client, reporter: User, editor: User
) -> None:
    services.publish_article(article=ArticleFactory(), actor=editor)
    entry_id = AuditEntry.objects.get(act="publish").pk
    for user in [reporter, editor]:
        client.force_login(user)
        assert client.get(LOG).status_code == 403
        assert client.get(f"{LOG}{entry_id}/change/").status_code == 403
        assert b"/newsroom/audit/" not in client.get("/newsroom/").content


def test_nobody_changes_or_deletes_an_entry_not_even_a_superuser(
    client: Client, chief: User, superuser: User, editor: User
) -> None:
    services.publish_article(article=ArticleFactory(), actor=editor)
    entry = AuditEntry.objects.get(act="publish")
    for user in [chief, superuser]:
        client.force_login(user)
        assert client.get(f"{LOG}add/").status_code == 403
        page = client.get(f"{LOG}{entry.pk}/change/")
        assert page.status_code == 200
        assert b'name="_save"' not in page.content
        assert (
            client.post(f"{LOG}{entry.pk}/change/", {"summary": "x"}).status_code == 403
        )
        assert (
            client.post(f"{LOG}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
        )
        client.post(
            LOG,
            {
                "action": "delete_selected",
                "_selected_action": [entry.pk],
                "post": "yes",
            },
        )
    entry.refresh_from_db()
    assert entry.summary.startswith("Published")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_password_change_and_its_entry_commit_together(
    client: Client, chief: User, reporter: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Django's password view is not atomic like the change view: without its
    own transaction a failed entry would leave the password changed unlogged."""
    from dateline.audit import admin as audit_admin

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the log refused the entry")

    monkeypatch.setattr(audit_admin, "record_act", broken)
    client.raise_request_exception = False
    client.force_login(chief)
    before = User.objects.get(pk=reporter.pk).password
    response = client.post(
        f"/newsroom/auth/user/{reporter.pk}/password/",
        {
            "password1": "another long passphrase 7",
            "password2": "another long passphrase 7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 500
    assert User.objects.get(pk=reporter.pk).password == before

    monkeypatch.undo()
    response = client.post(
        f"/newsroom/auth/user/{reporter.pk}/password/",
        {
            "password1": "another long passphrase 7",
            "password2": "another long passphrase 7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=reporter.pk).password != before
    assert only_entry("change").object_repr == "reporter"
