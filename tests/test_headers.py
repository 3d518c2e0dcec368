"""Security headers: the Content-Security-Policy and Permissions-Policy on every answer, templates the
policy can live with, and `Cache-Control: private, no-store` on members' pages with secrets or personal data.

tests/browser/test_csp.py checks in a real browser that no page of any role breaks the policy."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from forum.services.classes import create_pupil_accounts
from forum.templatetags.forum_tags import bar_width
from tests.factories import ClassroomFactory, MemberFactory, ModeratorFactory, TopicFactory

TEMPLATES = settings.BASE_DIR / "templates"


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


# The Content-Security-Policy


def test_every_page_carries_the_policy_the_readme_describes(client, db):
    assert policy(client.get(reverse("forum:home"))) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }


def test_a_readers_page_served_from_the_cache_keeps_its_policy(client, article):
    client.get(article.get_absolute_url())  # rendered and cached
    again = client.get(article.get_absolute_url())
    assert policy(again)["script-src"] == ["'self'"]


def test_the_admin_carries_the_policy_too(client, db):
    client.force_login(ModeratorFactory())
    assert policy(client.get(reverse("admin:index")))["script-src"] == ["'self'"]


def test_the_policy_allows_no_inline_code_and_no_eval(client, db):
    header = client.get(reverse("forum:home"))["Content-Security-Policy"]
    assert "unsafe-" not in header and "nonce-" not in header


INLINE_CODE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "an on* handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a javascript: address": re.compile(r"javascript:", re.IGNORECASE),
    "an hx-on handler (htmx would eval it)": re.compile(r"\shx-on", re.IGNORECASE),
}


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_no_template_has_inline_code_the_policy_would_block(path):
    text = re.sub(r"{#.*?#}", "", path.read_text())  # what a template comment says is never sent
    found = [what for what, pattern in INLINE_CODE.items() if pattern.search(text)]
    assert not found, f"{path.relative_to(TEMPLATES)} has {', '.join(found)}"


def test_htmx_is_told_not_to_add_its_own_style_element(client, db):
    html = client.get(reverse("forum:home")).content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in html


def test_the_projector_page_tells_htmx_too(client, db):
    classroom = ClassroomFactory()
    client.force_login(classroom.teacher)
    html = client.get(reverse("forum:class_projector", args=[classroom.pk])).content.decode()
    assert '"includeIndicatorStyles": false' in html


@pytest.mark.parametrize(
    "share, css_class",
    [
        (42.4, "bar-w-42"),
        (42.5, "bar-w-42"),
        (42.6, "bar-w-43"),  # to the nearest percent
        (0, "bar-w-0"),
        (0.2, "bar-w-1"),  # anything at all shows a sliver
        (100, "bar-w-100"),
        (100.4, "bar-w-100"),
        (-3, "bar-w-0"),
        (None, "bar-w-0"),
        ("", "bar-w-0"),
    ],
)
def test_a_result_bar_takes_its_width_from_a_class(share, css_class):
    assert bar_width(share) == css_class


def test_every_bar_width_has_its_rule_in_the_stylesheet():
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert all(f".bar-w-{n} {{ width: {n}% }}" in css for n in range(101))


# The Permissions-Policy


def test_every_answer_switches_off_the_browser_features_the_site_never_uses(client, db):
    for response in (client.get(reverse("forum:home")), client.get(reverse("login")), client.get("/no-such-page/")):
        features = dict(item.strip().split("=") for item in response["Permissions-Policy"].split(","))
        assert {"camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"} <= set(features)
        assert set(features.values()) == {"()"}


# Cache-Control: private, no-store


@pytest.fixture
def teacher_and_class(db):
    classroom = ClassroomFactory(name="10B")
    TopicFactory(article=classroom.article)
    return classroom.teacher, classroom


def cache_directives(response) -> set[str]:
    return {item.strip() for item in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("kind", ["roster", "comments", "results"])
def test_class_exports_are_kept_from_every_cache(client, teacher_and_class, kind):
    teacher, classroom = teacher_and_class
    client.force_login(teacher)
    response = client.get(reverse("forum:class_export", args=[classroom.pk, kind]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


def test_the_pupils_password_sheet_is_kept_from_every_cache(client, teacher_and_class):
    teacher, classroom = teacher_and_class
    client.force_login(teacher)
    client.post(reverse("forum:class_accounts", args=[classroom.pk]), {"names": "Dee Pupil"})
    response = client.get(reverse("forum:class_sheet", args=[classroom.pk]))
    assert "dee.pupil" in response.content.decode()
    assert {"private", "no-store"} <= cache_directives(response)


def test_a_members_results_csv_is_kept_from_every_cache(client, article):
    client.force_login(MemberFactory())
    response = client.get(reverse("forum:results_csv", args=[article.slug]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


@pytest.mark.parametrize("name", ["forum:account_settings", "forum:notifications", "password_change"])
def test_a_members_own_pages_are_kept_from_every_cache(client, db, name):
    client.force_login(MemberFactory())
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


def test_a_pupil_choosing_their_password_gets_a_page_kept_from_every_cache(client, teacher_and_class):
    teacher, classroom = teacher_and_class
    pupil, _ = create_pupil_accounts(teacher=teacher, classroom=classroom, names=["Zoë Martin"]).created[0]
    client.force_login(pupil)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


def test_readers_pages_stay_cacheable(client, article):
    assert "no-store" not in cache_directives(client.get(article.get_absolute_url()))
