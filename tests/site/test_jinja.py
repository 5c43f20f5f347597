"""The public pages' Jinja2 backend: it behaves as Django's templates did
where the pages rely on it (see docs/decisions/templates.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.template import engines, loader
from django.template.backends.django import DjangoTemplates
from django.test import RequestFactory
from django.views.defaults import server_error

from dateline.site.jinja import Jinja2, environment
from tests.factories import published_article

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_views_values_win_over_the_context_processors() -> None:
    template = engines["jinja"].from_string("{{ agency_name }}|{{ language_code }}")
    request = RequestFactory().get("/")
    own = template.render({"agency_name": "Own name"}, request=request)
    assert own == f"Own name|{settings.LANGUAGE_CODE}"
    assert template.render({}, request=request).startswith(
        settings.DATELINE_AGENCY_NAME
    )


def test_a_missing_value_and_its_attributes_render_as_nothing() -> None:
    template = engines["jinja"].from_string(
        "[{{ missing }}{{ missing.attr.deeper }}"
        "{% for x in missing %}x{% endfor %}{% if missing.attr %}y{% endif %}]"
    )
    assert template.render({}) == "[]"


def test_escaping_is_on_whatever_the_options_say() -> None:
    env = environment(autoescape=False)
    assert env.from_string("{{ x }}").render(x="<b>&") == "&lt;b&gt;&amp;"


def test_public_pages_are_jinja_and_the_newsroom_keeps_djangos_templates() -> None:
    assert isinstance(loader.get_template("site/article_detail.html").backend, Jinja2)
    assert isinstance(loader.get_template("admin/base.html").backend, DjangoTemplates)


def test_a_page_announces_its_template_and_context_to_tests(client: Client) -> None:
    article = published_article(headline="Announced")
    response = client.get(article.get_absolute_url())
    assert [t.name for t in response.templates] == ["site/article_detail.html"]
    assert response.context["article"] == article


def test_the_server_error_page_renders_without_a_request() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
