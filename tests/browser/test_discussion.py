import re

import pytest
from playwright.sync_api import expect

from forum.models import Comment, Flag, Restriction
from tests.browser.helpers import assert_not_reloaded, card, log_in, open_topic, settled
from tests.factories import CommentFactory, MemberFactory

pytestmark = pytest.mark.browser


def action(page, comment, name):
    return card(page, comment).locator(".comment-actions").get_by_role("link", name=name, exact=True)


def slot_text_box(page, comment):
    return page.locator(f"#slot-{comment.pk} textarea[name=body]")


def test_member_posts_a_comment_without_a_reload(article, page):
    topic = article.topics.first()
    log_in(page, MemberFactory())
    open_topic(page, topic)

    form = page.locator("#comment-form")
    form.get_by_label("Your comment").fill("Both sides are *waiting* for the other.")
    form.get_by_role("button", name="Post comment").click()

    expect(page.locator("#comment-list .comment").first).to_contain_text("Both sides are waiting for the other.")
    comment = Comment.objects.get()
    expect(card(page, comment).locator("em")).to_have_text("waiting")
    expect(card(page, comment)).to_be_focused()
    expect(page.locator("#comment-form textarea[name=body]")).to_have_value("")
    expect(page.locator("#live-status")).to_have_text("Your comment is posted.")
    expect(page.locator("#no-comments")).to_have_count(0)
    assert_not_reloaded(page)


def test_member_replies_to_a_comment_without_a_reload(article, page):
    topic = article.topics.first()
    parent = CommentFactory(
        topic=topic, body="Sanctions froze the channel.", body_html="<p>Sanctions froze the channel.</p>"
    )
    log_in(page, MemberFactory())
    open_topic(page, topic)

    action(page, parent, "Reply").click()
    reply_box = slot_text_box(page, parent)
    expect(reply_box).to_be_focused()
    settled(page)
    reply_box.fill("And the back channel too.")
    page.locator(f"#slot-{parent.pk}").get_by_role("button", name="Post reply").click()

    replies = page.locator(f"#replies-{parent.pk} > .comment-item")
    expect(replies).to_have_count(1)
    expect(replies.first).to_contain_text("And the back channel too.")
    reply = Comment.objects.get(parent=parent)
    expect(card(page, reply)).to_be_focused()
    expect(page.locator("#live-status")).to_have_text("Your reply is posted.")
    assert_not_reloaded(page)


def test_quote_prefills_the_reply_with_the_quoted_text(article, page):
    topic = article.topics.first()
    parent = CommentFactory(topic=topic, body="Line one.\nLine two.")
    log_in(page, MemberFactory())
    open_topic(page, topic)

    action(page, parent, "Quote").click()

    expect(slot_text_box(page, parent)).to_have_value("> Line one.\n> Line two.\n\n")
    assert_not_reloaded(page)


def test_reply_box_loaded_into_a_slot_is_named_by_its_own_label(article, page):
    topic = article.topics.first()
    parent = CommentFactory(topic=topic)
    log_in(page, MemberFactory())
    open_topic(page, topic)

    action(page, parent, "Reply").click()

    expect(page.locator(f"#slot-{parent.pk}").get_by_label("Your reply")).to_be_focused(timeout=2_000)


def test_author_edits_own_comment_without_a_reload(article, page):
    topic = article.topics.first()
    author = MemberFactory()
    comment = CommentFactory(topic=topic, author=author, body="First draft.", body_html="<p>First draft.</p>")
    log_in(page, author)
    open_topic(page, topic)

    action(page, comment, "Edit").click()
    box = slot_text_box(page, comment)
    expect(box).to_have_value("First draft.")
    settled(page)
    box.fill("Second thoughts.")
    page.locator(f"#slot-{comment.pk}").get_by_role("button", name="Save changes").click()

    expect(card(page, comment).locator(".comment-body")).to_have_text("Second thoughts.")
    expect(card(page, comment).locator(".edited")).to_contain_text("edited")
    expect(slot_text_box(page, comment)).to_have_count(0)
    expect(page.locator(f"#slot-{comment.pk}")).to_have_text("Your changes are saved.")
    expect(page.locator("#live-status")).to_have_text("Your changes are saved.")
    expect(card(page, comment)).to_be_focused()
    assert_not_reloaded(page)


def test_author_deletes_own_comment_without_a_reload(article, page):
    topic = article.topics.first()
    author = MemberFactory()
    comment = CommentFactory(topic=topic, author=author, body="Regrettable.", body_html="<p>Regrettable.</p>")
    log_in(page, author)
    open_topic(page, topic)

    action(page, comment, "Delete").click()
    expect(page.locator(f"#slot-{comment.pk}").get_by_role("button", name="Delete comment")).to_be_focused()
    settled(page)
    page.locator(f"#slot-{comment.pk}").get_by_role("button", name="Delete comment").click()

    expect(card(page, comment)).to_have_text("Comment deleted by its author.")
    expect(card(page, comment)).to_be_focused()
    expect(page.get_by_text("Regrettable.")).to_have_count(0)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert_not_reloaded(page)


def test_member_flags_a_comment_as_spam_without_a_reload(article, page):
    topic = article.topics.first()
    comment = CommentFactory(topic=topic)
    member = MemberFactory()
    log_in(page, member)
    open_topic(page, topic)

    action(page, comment, "Flag").click()
    expect(page.locator(f"#slot-{comment.pk}").get_by_label("Spam")).to_be_focused()
    settled(page)
    page.locator(f"#slot-{comment.pk}").get_by_label("Spam").check()
    page.locator(f"#slot-{comment.pk}").get_by_role("button", name="Flag comment").click()

    expect(page.locator(f"#slot-{comment.pk}")).to_have_text("Thank you. The moderators will look at this comment.")
    expect(page.locator("#live-status")).to_have_text("Thank you. The moderators will look at this comment.")
    expect(card(page, comment).get_by_text("You flagged this")).to_be_visible()
    expect(action(page, comment, "Flag")).to_have_count(0)
    assert Flag.objects.get().reason == Flag.Reason.SPAM
    assert_not_reloaded(page)


def test_helpful_toggles_in_place_and_keeps_keyboard_focus(article, page):
    topic = article.topics.first()
    comment = CommentFactory(topic=topic)
    log_in(page, MemberFactory())
    open_topic(page, topic)
    button = card(page, comment).locator(".helpful-form button")

    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_text("Helpful 1")
    expect(button).to_be_focused()
    settled(page)

    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_have_text("Helpful 0")
    expect(button).to_be_focused()
    settled(page)

    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_text("Helpful 1")
    expect(button).to_be_focused()
    comment.refresh_from_db()
    assert comment.helpful_count == 1
    assert_not_reloaded(page)


def test_without_javascript_a_comment_posts_and_redirects_to_it(article, new_context):
    topic = article.topics.first()
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, MemberFactory())
    page.goto(topic.get_absolute_url())

    page.locator("#comment-form").get_by_label("Your comment").fill("Posted the old way.")
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()

    comment = Comment.objects.get()
    expect(page).to_have_url(re.compile(rf"{re.escape(topic.get_absolute_url())}#comment-{comment.pk}$"))
    expect(card(page, comment)).to_contain_text("Posted the old way.")


def test_without_javascript_an_empty_comment_shows_the_error(article, new_context):
    topic = article.topics.first()
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, MemberFactory())
    page.goto(topic.get_absolute_url())

    page.locator("#comment-form").get_by_role("button", name="Post comment").click()

    expect(page.get_by_text("Write something before posting.")).to_be_visible()
    expect(page.locator("#comment-form textarea[name=body]")).to_have_attribute("aria-invalid", "true")
    assert not Comment.objects.exists()


def test_preview_renders_markdown_and_saves_nothing(article, page):
    topic = article.topics.first()
    log_in(page, MemberFactory())
    open_topic(page, topic)

    form = page.locator("#comment-form")
    form.get_by_label("Your comment").fill("A **bold** claim.\n\n- one\n- two")
    form.get_by_role("button", name="Preview").click()

    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("li")).to_have_count(2)
    expect(page.locator("#comment-form textarea[name=body]")).to_have_value("A **bold** claim.\n\n- one\n- two")
    expect(page.locator("#no-comments")).to_be_visible()
    assert not Comment.objects.exists()
    assert_not_reloaded(page)


def test_muted_member_sees_the_notice_and_no_comment_form(article, page):
    topic = article.topics.first()
    member = MemberFactory()
    Restriction.objects.create(member=member, kind=Restriction.Kind.MUTE, reason="Cooling off.")
    CommentFactory(topic=topic)
    log_in(page, member)
    page.goto(topic.get_absolute_url())

    expect(page.locator("#restriction-notice")).to_contain_text("Your account is muted")
    expect(page.locator("#restriction-notice")).to_contain_text("Cooling off.")
    expect(page.locator("#comment-form")).to_have_count(0)
    expect(page.locator("#discussion").get_by_role("link", name="Reply")).to_have_count(0)


def make_thread(topic):
    """Two threads, one three levels deep, by named members."""
    ada, boris, chen = (MemberFactory(display_name=name) for name in ("Ada Byron", "Boris Petrov", "Chen Wei"))
    first = CommentFactory(
        topic=topic,
        author=ada,
        body_html="<p>The talks shrank once each side set preconditions the other could not accept.</p>",
    )
    answer = CommentFactory(
        topic=topic,
        author=boris,
        parent=first,
        body_html="<p>Preconditions were a symptom; the cause was domestic politics.</p>",
    )
    CommentFactory(
        topic=topic,
        author=ada,
        parent=answer,
        body_html="<blockquote><p>the cause was domestic politics</p></blockquote><p>Both, surely.</p>",
    )
    CommentFactory(topic=topic, author=chen, body_html="<p>Where does the <strong>2022</strong> turn fit?</p>")
    return first


def test_discussion_with_an_open_reply_form_has_no_serious_axe_violations(article, page, axe_check, screenshot):
    topic = article.topics.first()
    first = make_thread(topic)
    log_in(page, MemberFactory(display_name="Dana Reader"))
    page.goto(topic.get_absolute_url())
    screenshot(page, "discussion")

    action(page, first, "Reply").click()
    expect(slot_text_box(page, first)).to_be_focused()
    axe_check(page)
