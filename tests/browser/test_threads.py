"""Long threads in the browser: "Show more replies" in place with htmx, as a link without JavaScript,
and a permalink to a reply deep in a thread, with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_not_reloaded, card, log_in, open_topic, settled
from tests.factories import CommentFactory, MemberFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def thread(article):
    """A thread of 12 replies, each answering the one before."""
    topic = article.topics.first()
    root = CommentFactory(topic=topic, body="The opening comment.")
    replies, parent = [], root
    for n in range(12):
        parent = CommentFactory(topic=topic, parent=parent, body=f"Reply number {n}.")
        replies.append(parent)
    return root, replies


def test_show_more_replies_loads_them_in_place(page, thread):
    root, replies = thread
    open_topic(page, root.topic)
    expect(card(page, replies[3])).to_have_count(0)
    page.get_by_role("link", name="Show 9 more replies").click()
    expect(card(page, replies[11])).to_contain_text("Reply number 11.")
    expect(page.get_by_role("link", name="Show 9 more replies")).to_have_count(0)
    expect(page.locator("#live-status")).to_have_text("All replies shown")
    assert_not_reloaded(page)


def test_a_member_replies_in_a_thread_loaded_in_place(page, thread):
    root, replies = thread
    log_in(page, MemberFactory())
    open_topic(page, root.topic)
    page.get_by_role("link", name="Show 9 more replies").click()
    card(page, replies[10]).locator(".comment-actions").get_by_role("link", name="Reply", exact=True).click()
    settled(page)
    page.locator(f"#slot-{replies[10].pk} textarea[name=body]").fill("A late answer.")
    page.locator(f"#slot-{replies[10].pk}").get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("A late answer.")).to_be_visible()
    assert_not_reloaded(page)


def test_without_javascript_show_more_opens_the_threads_page(new_context, live_server, thread):
    root, replies = thread
    page = new_context(java_script_enabled=False).new_page()
    page.goto(root.topic.get_absolute_url())
    page.get_by_role("link", name="Show 9 more replies").click()
    expect(page).to_have_url(f"{live_server.url}/comments/{root.pk}/thread/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("A thread on")
    expect(card(page, replies[11])).to_contain_text("Reply number 11.")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_permalink_to_a_deep_reply_shows_it_highlighted(new_context, live_server, thread, javascript):
    root, replies = thread
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(replies[9].get_absolute_url())
    expect(page).to_have_url(f"{live_server.url}/comments/{root.pk}/thread/#comment-{replies[9].pk}")
    target = card(page, replies[9])
    expect(target).to_be_in_viewport()
    # :target draws the highlight
    assert page.evaluate(f"document.querySelector('#comment-{replies[9].pk}').matches(':target')")
