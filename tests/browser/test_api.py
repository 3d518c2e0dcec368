"""The API on a live server: its schema and documentation page serve (the page renders in Chromium with no
CSP violation), and a program holding a member's token posts a comment that then shows on the topic page."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from forum.services.api import create_api_token
from tests.browser.test_csp import Violations, report
from tests.factories import MemberFactory, TopicFactory

pytestmark = pytest.mark.browser


def test_the_schema_serves_as_openapi_3(live_server):
    with urllib.request.urlopen(f"{live_server.url}/api/v1/schema/?format=json") as response:  # noqa: S310
        schema = json.load(response)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/articles/{article}/topics/{topic}/comments/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_renders_the_operations_with_no_csp_violation(new_context, live_server):
    violations = Violations()
    page = violations.watch(new_context()).new_page()
    response = page.goto("/api/v1/docs/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("Peace Talks Forum API").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/articles/").first).to_be_visible()
    violations.collect(page, "the API's docs page")
    assert not violations.found, report(violations)


def test_a_token_client_posts_a_comment_that_appears_on_the_topic_page(page, live_server):
    topic = TopicFactory()
    member = MemberFactory(display_name="Script Writer")
    _, secret = create_api_token(member=member, name="my script")
    request = urllib.request.Request(  # noqa: S310 - the live server, on loopback
        f"{live_server.url}/api/v1/articles/{topic.article.slug}/topics/{topic.slug}/comments/",
        data=json.dumps({"body": "Posted by a *program*."}).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 201
        posted = json.load(response)
    assert posted["author"] == "Script Writer"
    page.goto(topic.get_absolute_url())
    comment = page.locator(f"#comment-{posted['id']}")
    expect(comment).to_contain_text("Posted by a program.")
    expect(comment.locator("em")).to_have_text("program")
    expect(comment).to_contain_text("Script Writer")
