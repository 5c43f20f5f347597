"""The agency's own pages in the newsroom: kept by the Chief alone, their
text sanitised as an article's is, and their slugs never a section's (nor a
section's theirs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from lxml import html

from dateline.agency.models import AgencyPage
from dateline.audit.models import AuditEntry
from dateline.content.models import Section
from tests.agency.factories import make_page
from tests.factories import SectionFactory

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

ADMIN = "/newsroom/agency/agencypage/"


def page_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Editorial standards",
        "slug": "editorial-standards",
        "body": "<p>Accuracy first.</p>",
        "is_in_footer": "on",
        "position": "2",
    }
    data.update(overrides)
    return data


def slug_errors(response: object) -> list[str]:
    doc = html.fromstring(response.content.decode())  # type: ignore[attr-defined]
    return [
        " ".join(e.text_content().split())
        for e in doc.xpath(
            "//*[contains(@class, 'field-slug')]//ul[@class='errorlist']"
        )
    ]


def test_only_the_chief_has_rights_on_the_agencys_pages() -> None:
    granted = {
        group.name: set(
            group.permissions.filter(content_type__app_label="agency").values_list(
                "codename", flat=True
            )
        )
        for group in Group.objects.all()
    }
    assert granted["Chief"] == {
        "add_agencypage",
        "change_agencypage",
        "delete_agencypage",
        "view_agencypage",
    }
    assert granted["Editor"] == set()
    assert granted["Reporter"] == set()


def test_the_chief_adds_changes_and_deletes_a_page_and_each_act_is_audited(
    client: Client, chief: User
) -> None:
    client.force_login(chief)
    assert client.get(ADMIN).status_code == 200
    assert client.get(f"{ADMIN}add/").status_code == 200
    response = client.post(f"{ADMIN}add/", page_form())
    assert response.status_code == 302, slug_errors(response)
    page = AgencyPage.objects.get(slug="editorial-standards")
    assert (page.title, page.body, page.is_in_footer, page.position) == (
        "Editorial standards",
        "<p>Accuracy first.</p>",
        True,
        2,
    )
    response = client.post(
        f"{ADMIN}{page.pk}/change/", page_form(title="Our standards", is_in_footer="")
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.title, page.is_in_footer) == ("Our standards", False)
    response = client.post(f"{ADMIN}{page.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AgencyPage.objects.exists()
    acts = AuditEntry.objects.filter(object_type="agency.agencypage")
    assert sorted(acts.values_list("act", flat=True)) == ["add", "change", "delete"]


@pytest.mark.parametrize("role", ["editor", "reporter"])
def test_editors_and_reporters_can_neither_see_nor_change_the_pages(
    client: Client, role: str, request: pytest.FixtureRequest
) -> None:
    page = make_page("about", "About us")
    client.force_login(request.getfixturevalue(role))
    assert client.get(ADMIN).status_code == 403
    assert client.get(f"{ADMIN}add/").status_code == 403
    assert client.post(f"{ADMIN}add/", page_form()).status_code == 403
    assert client.get(f"{ADMIN}{page.pk}/change/").status_code == 403
    forged = client.post(f"{ADMIN}{page.pk}/change/", page_form(title="Hacked"))
    assert forged.status_code == 403
    assert client.post(f"{ADMIN}{page.pk}/delete/", {"post": "yes"}).status_code == 403
    page.refresh_from_db()
    assert page.title == "About us"
    assert f'href="{ADMIN}"' not in client.get("/newsroom/").content.decode()


def test_a_pages_text_is_sanitised_as_an_articles_body_is(
    client: Client, chief: User
) -> None:
    client.force_login(chief)
    body = (
        '<p onclick="steal()">Write to <a href="javascript:alert(1)">us</a> or '
        '<a href="mailto:desk@agency.example">the desk</a>.</p>'
        "<script>alert(1)</script><iframe src='https://evil.example/'></iframe>"
    )
    assert client.post(f"{ADMIN}add/", page_form(body=body)).status_code == 302
    stored = AgencyPage.objects.get().body
    assert "script" not in stored
    assert "onclick" not in stored
    assert "javascript:" not in stored
    assert "iframe" not in stored
    assert 'href="mailto:desk@agency.example"' in stored
    # Whoever saves it, outside the form too.
    page = make_page("contact", "Contact", "<p>Hi<script>x()</script></p>")
    assert page.body == "<p>Hi</p>"


def test_a_page_cannot_take_a_sections_slug_nor_a_reserved_path(
    client: Client, chief: User
) -> None:
    SectionFactory(name="World", slug="world")
    with pytest.raises(ValidationError) as raised:
        make_page("world", "World")
    assert raised.value.message_dict["slug"] == [
        "“world” is already the address of the section “World”; choose another slug."
    ]
    with pytest.raises(ValidationError) as raised:
        make_page("search", "Search")
    assert raised.value.message_dict["slug"] == [
        "“search” is used by the site itself; choose another slug."
    ]
    client.force_login(chief)
    response = client.post(f"{ADMIN}add/", page_form(slug="world"))
    assert response.status_code == 200
    assert slug_errors(response) == [
        "“world” is already the address of the section “World”; choose another slug."
    ]
    assert not AgencyPage.objects.exists()


def test_a_section_cannot_take_a_pages_slug_nor_a_reserved_path(
    client: Client, chief: User
) -> None:
    make_page("about", "About us")
    with pytest.raises(ValidationError) as raised:
        SectionFactory.build(name="About", slug="about").full_clean()
    assert raised.value.message_dict["slug"] == [
        "“about” is already the address of the agency's page “About us”; "
        "choose another slug."
    ]
    with pytest.raises(ValidationError):
        SectionFactory.build(name="Sitemap", slug="sitemaps").full_clean()
    client.force_login(chief)
    response = client.post(
        "/newsroom/content/section/add/",
        {"name": "About", "slug": "about", "position": "9", "description": ""},
    )
    assert response.status_code == 200
    assert slug_errors(response) == [
        "“about” is already the address of the agency's page “About us”; "
        "choose another slug."
    ]
    assert not Section.objects.filter(slug="about").exists()


def test_a_page_and_a_section_keep_their_own_slugs_when_edited() -> None:
    section = SectionFactory(name="World", slug="world")
    page = make_page("about", "About us")
    # Neither is refused for its own slug on a later save.
    section.full_clean()
    page.title = "About the agency"
    page.full_clean()
    page.save()
    assert AgencyPage.objects.get().title == "About the agency"
