"""The public pages carry a strict Content-Security-Policy; the site complies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client, override_settings

from dateline.core.csp import CSPConfigError, parse_extra
from tests.factories import SectionFactory, published_article

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "dateline"
HEADER = "Content-Security-Policy"


def directives(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


@pytest.mark.parametrize(
    "url",
    ["/", "/news/", "/world/", "/search/?q=harbour", "/topics/", "/rates/", "ARTICLE"],
)
def test_site_pages_send_the_strict_policy(client: Client, url: str) -> None:
    article = published_article(section=SectionFactory(slug="world"))
    if url == "ARTICLE":
        url = article.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response[HEADER])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_error_pages_send_it_too(client: Client) -> None:
    response = client.get("/no-such-section/")
    assert response.status_code == 404
    assert "script-src 'self'" in response[HEADER]


@pytest.mark.parametrize("url", ["/newsroom/login/", "/newsroom/", "/api/v1/docs"])
def test_the_newsroom_and_the_api_docs_keep_their_inline_scripts_and_styles(
    client: Client, admin_user: User, url: str
) -> None:
    if url != "/newsroom/login/":
        client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response[HEADER])
    assert "script-src" not in policy
    assert "style-src" not in policy
    assert "default-src" not in policy
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_an_ad_network_is_added_by_configuration() -> None:
    extra = parse_extra(
        "script-src https://ads.example; frame-src https://ads.example;"
        " img-src https://cdn.ads.example"
    )
    with override_settings(DATELINE_CSP_EXTRA=extra):
        response = Client().get("/search/")
    policy = directives(response[HEADER])
    assert policy["script-src"] == ["'self'", "https://ads.example"]
    assert policy["frame-src"] == ["'self'", "https://ads.example"]
    assert policy["img-src"] == ["'self'", "data:", "https://cdn.ads.example"]
    assert policy["style-src"] == ["'self'"]


def test_media_on_a_cdn_is_allowed_as_images() -> None:
    with override_settings(MEDIA_URL="https://media.example.net/dateline/"):
        response = Client().get("/search/")
    assert directives(response[HEADER])["img-src"] == [
        "'self'",
        "data:",
        "https://media.example.net",
    ]


def test_report_only_mode_sends_the_report_only_header() -> None:
    with override_settings(DATELINE_CSP_REPORT_ONLY=True):
        response = Client().get("/search/")
    assert HEADER not in response
    assert "script-src 'self'" in response[f"{HEADER}-Report-Only"]


@pytest.mark.parametrize(
    "text",
    [
        "scripts-src https://ads.example",
        "script-src https://ads.example, https://other.example",
        "script-src 'unsafe-inline",
    ],
)
def test_a_malformed_extra_policy_is_refused(text: str) -> None:
    with pytest.raises(CSPConfigError):
        parse_extra(text)


def test_the_settings_refuse_a_malformed_extra_policy_at_start_up(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import dateline.settings"],
        env={
            "DATELINE_CSP_EXTRA": "scripts-src x",
            "DATELINE_DATA_DIR": str(tmp_path),
            "PYTHONPATH": str(SRC.parent),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DATELINE_CSP_EXTRA" in result.stderr


# --- the site's own templates comply ---------------------------------------

SITE_TEMPLATES = [
    path
    for path in SRC.rglob("templates/**/*.html")
    # The newsroom's admin templates are served under the relaxed policy.
    if not {"newsroom", "admin"} & set(path.relative_to(SRC).parts)
]
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I
)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


@pytest.mark.parametrize("path", SITE_TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_site_templates_have_no_inline_script_style_or_handlers(path: Path) -> None:
    text = path.read_text()
    for pattern in (INLINE_SCRIPT, INLINE_STYLE, HANDLER, JAVASCRIPT_URL):
        assert not pattern.search(text), f"{pattern.pattern} in {path}"


def test_the_template_check_finds_what_it_looks_for() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script type="application/ld+json">{}</script>')
    assert INLINE_STYLE.search('<p style="color: red">')
    assert HANDLER.search('<img src="x" onerror="go()">')
    assert len(SITE_TEMPLATES) > 10
