import re

import pytest
from playwright.sync_api import expect

from forum.models import Comment, Notification
from tests.browser.helpers import card, log_in, open_topic, settled, site_nav
from tests.factories import CommentFactory, MemberFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def thread(article):
    """A topic where Bea and Bob have written: the names the box offers after "@b"."""
    topic = article.topics.first()
    CommentFactory(topic=topic, author=MemberFactory(username="bea", display_name="Bea Ortiz"))
    CommentFactory(topic=topic, author=MemberFactory(username="bob", display_name="Bob Builder"))
    return topic


def test_member_mentions_another_with_the_keyboard_and_they_are_notified(thread, new_context, axe_check):
    page = new_context().new_page()
    log_in(page, MemberFactory(display_name="Alice Author"))
    open_topic(page, thread)
    box = page.locator("#comment-form textarea[name=body]")
    box.click()
    box.press_sequentially("Good point @b")

    listbox = page.get_by_role("listbox", name="Members to mention")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("Bea Ortiz")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    expect(page.locator("#comment-form [role=status]")).to_contain_text("2 members to mention")
    axe_check(page)

    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    box.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("Good point @bob ")
    expect(page.locator("#comment-form [role=status]")).to_have_text("Bob Builder mentioned.")

    box.press_sequentially("what next?")
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect(page.locator("#live-status")).to_have_text("Your comment is posted.")
    comment = Comment.objects.get(body="Good point @bob what next?")
    expect(card(page, comment).locator("a.mention")).to_have_attribute("href", "/members/bob/")

    bobs_page = new_context().new_page()
    log_in(bobs_page, username="bob")
    expect(site_nav(bobs_page).get_by_role("link", name=re.compile("Notifications, 1 unread"))).to_be_visible()
    site_nav(bobs_page).get_by_role("link", name=re.compile("Notifications")).click()
    note = bobs_page.get_by_role("link", name=f"Alice Author mentioned you in a comment on “{thread.title}”.")
    note.click()
    expect(card(bobs_page, comment)).to_contain_text("Good point @bob what next?")


def test_escape_closes_the_list_and_enter_then_writes_a_new_line(thread, page):
    log_in(page, MemberFactory())
    open_topic(page, thread)
    box = page.locator("#comment-form textarea[name=body]")
    box.click()
    box.press_sequentially("@bo")
    expect(page.get_by_role("listbox", name="Members to mention").get_by_role("option")).to_have_count(1)
    box.press("Escape")
    expect(page.get_by_role("listbox", name="Members to mention")).to_be_hidden()
    box.press("Enter")
    expect(box).to_have_value("@bo\n")


def test_the_reply_box_offers_names_too_and_a_click_picks_one(thread, page):
    parent = Comment.objects.filter(topic=thread).first()
    log_in(page, MemberFactory())
    open_topic(page, thread)
    card(page, parent).locator(".comment-actions").get_by_role("link", name="Reply", exact=True).click()
    box = page.locator(f"#slot-{parent.pk} textarea[name=body]")
    expect(box).to_be_focused()
    settled(page)
    box.press_sequentially("Thanks @bea")
    page.get_by_role("listbox", name="Members to mention").get_by_role("option", name=re.compile("Bea Ortiz")).click()
    expect(box).to_have_value("Thanks @bea ")
    expect(box).to_be_focused()


def test_without_javascript_a_typed_mention_still_links_and_notifies(thread, new_context):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, MemberFactory())
    page.goto(thread.get_absolute_url())
    page.locator("#comment-form").get_by_label("Your comment").fill("Over to you, @bob.")
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get(body="Over to you, @bob.")
    expect(card(page, comment).locator("a.mention")).to_have_text("@bob")
    assert Notification.objects.get(kind=Notification.Kind.MENTION, comment=comment).recipient.username == "bob"
