import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Comment, Flag, ModerationLog, Restriction
from forum.services.discussion import flag_comment
from forum.services.moderation import moderate_comment
from tests.browser.helpers import PASSWORD, assert_not_reloaded, card, log_in, open_topic, settled
from tests.factories import CommentFactory, MemberFactory, ModeratorFactory

pytestmark = pytest.mark.browser

QUEUE = "admin:forum_moderationqueueitem_changelist"
HIDDEN_STYLE = re.compile(r"\bcomment-hidden\b")


def admin_log_in(page, member):
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill(member.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def queue_rows(page):
    return page.locator("#result_list tbody tr")


def hidden_by(moderator, comment, reason):
    return moderate_comment(moderator=moderator, comment=comment, action=ModerationLog.Action.HIDE, reason=reason)


def fill_queue(topic):
    """A pending comment, then one hidden by three flags, then one that needs nothing."""
    pending = CommentFactory(
        topic=topic,
        status=Comment.Status.PENDING,
        body="Held for review.",
        author=MemberFactory(display_name="Ada Byron"),
    )
    flagged = CommentFactory(
        topic=topic, body="Buy cheap watches here.", author=MemberFactory(display_name="Boris Petrov")
    )
    for name, reason, note in [
        ("Chen Wei", Flag.Reason.SPAM, "Links to a shop"),
        ("Dana Reader", Flag.Reason.OFF_TOPIC, ""),
        ("Emil Novak", Flag.Reason.OTHER, "Same text in every topic"),
    ]:
        flag_comment(member=MemberFactory(display_name=name), comment=flagged, reason=reason, note=note)
    CommentFactory(topic=topic, body="An ordinary comment.")
    flagged.refresh_from_db()
    assert flagged.status == Comment.Status.HIDDEN  # three open flags hide it until a moderator looks
    return pending, flagged


def test_moderator_finds_pending_and_flagged_comments_in_needs_attention(article, page, screenshot):
    topic = article.topics.first()
    pending, flagged = fill_queue(topic)
    admin_log_in(page, ModeratorFactory(username="maria"))  # a fixed name keeps the screenshot stable

    forum_models = page.locator("#content-main .app-forum th[scope=row]").all_inner_texts()
    assert forum_models.index("Needs attention (2)") < forum_models.index("Comments")
    page.locator("#content-main .app-forum").get_by_role("link", name="Needs attention (2)").click()

    expect(queue_rows(page)).to_have_count(2)
    first, second = queue_rows(page).nth(0), queue_rows(page).nth(1)
    expect(first).to_contain_text("[Pending review] Held for review.")  # oldest first
    expect(first.get_by_role("button", name="Approve", exact=True)).to_be_visible()
    expect(second).to_contain_text("[Hidden] Buy cheap watches here.")
    expect(second).to_contain_text("Spam (Chen Wei): Links to a shop")
    expect(second).to_contain_text("Off-topic (Dana Reader)")
    expect(second).to_contain_text("Something else (Emil Novak): Same text in every topic")
    expect(second.get_by_role("link", name=topic.title)).to_have_attribute("href", flagged.get_absolute_url())
    expect(second.get_by_role("button", name="Restore", exact=True)).to_be_visible()
    expect(page.get_by_text("An ordinary comment.")).to_have_count(0)
    screenshot(page, "moderation-queue")


def test_moderator_clears_the_queue_with_one_click_decisions(article, page):
    topic = article.topics.first()
    pending, flagged = fill_queue(topic)
    moderator = ModeratorFactory()
    admin_log_in(page, moderator)
    page.goto(reverse(QUEUE))

    queue_rows(page).filter(has_text="Held for review.").get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"Comment {pending.pk}: approved a comment.")
    expect(queue_rows(page)).to_have_count(1)
    row = queue_rows(page).filter(has_text="Buy cheap watches here.")
    row.get_by_label("Reason", exact=True).fill("Flagged by a competitor; the link is fine.")
    row.get_by_role("button", name="Restore", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"Comment {flagged.pk}: restored a comment.")

    expect(queue_rows(page)).to_have_count(0)
    expect(page.locator("#changelist .paginator")).to_contain_text("0 needs attention")
    pending.refresh_from_db()
    flagged.refresh_from_db()
    assert (pending.status, flagged.status) == (Comment.Status.PUBLISHED, Comment.Status.PUBLISHED)
    assert not Flag.objects.filter(status=Flag.Status.OPEN).exists()

    page.goto(reverse("admin:forum_moderationlog_changelist"))
    decisions = page.locator("#result_list tbody tr").filter(has_text=str(moderator))
    expect(decisions.filter(has_text="Approved a comment")).to_have_count(1)
    expect(
        decisions.filter(has_text="Restored a comment").filter(has_text="Flagged by a competitor; the link is fine.")
    ).to_have_count(1)


def test_moderator_hides_a_comment_with_a_bulk_action_and_a_reason(db, page):
    comment = CommentFactory(body="Nobody asked for this advert.")
    CommentFactory(body="A comment left alone.")
    admin_log_in(page, ModeratorFactory())
    page.goto(reverse("admin:forum_comment_changelist"))

    page.locator("#result_list tbody tr").filter(has_text="Nobody asked for this advert.").get_by_role(
        "checkbox"
    ).check()
    page.get_by_label("Action:").select_option(label="Hide")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="Hide", exact=True)).to_be_visible()
    expect(page.locator("#content")).to_contain_text("1 selected:")
    page.locator("#reason").fill("An advert, not a contribution.")
    page.get_by_role("button", name="Hide", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("Hide: 1 done.")
    comment.refresh_from_db()
    assert (comment.status, comment.status_reason) == (Comment.Status.HIDDEN, "An advert, not a contribution.")
    assert Comment.objects.filter(status=Comment.Status.HIDDEN).count() == 1
    page.goto(reverse("admin:forum_moderationlog_changelist"))
    expect(page.locator("#result_list tbody tr").filter(has_text="An advert, not a contribution.")).to_have_count(1)


def test_moderator_hides_and_restores_a_comment_on_the_topic_page_without_a_reload(article, page):
    topic = article.topics.first()
    comment = CommentFactory(topic=topic, body="Everyone who disagrees is a fool.")
    log_in(page, ModeratorFactory())
    open_topic(page, topic)

    form = card(page, comment).locator(".moderate-form")
    expect(form).to_contain_text("Moderator:")
    form.get_by_label("Reason", exact=True).fill("Insults other members.")
    form.get_by_role("button", name="Hide", exact=True).click()

    expect(card(page, comment)).to_have_class(HIDDEN_STYLE)
    expect(card(page, comment)).to_contain_text("Hidden from others: Insults other members.")
    expect(card(page, comment)).to_contain_text("Done: the comment is hidden.")
    # The decisions table (services.moderation.DECISIONS) offers Restore, and Hide again to change the reason.
    expect(form.get_by_role("button", name="Restore", exact=True)).to_be_visible()
    comment.refresh_from_db()
    assert (comment.status, comment.status_reason) == (Comment.Status.HIDDEN, "Insults other members.")
    settled(page)

    form.get_by_role("button", name="Restore", exact=True).click()

    expect(card(page, comment)).not_to_have_class(HIDDEN_STYLE)
    expect(card(page, comment)).to_contain_text("Done: the comment is published.")
    expect(card(page, comment).get_by_text("Hidden from others")).to_have_count(0)
    expect(form.get_by_role("button", name="Hide", exact=True)).to_be_visible()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert list(ModerationLog.objects.filter(comment=comment).values_list("action", flat=True).order_by("pk")) == [
        "hide",
        "restore",
    ]
    assert_not_reloaded(page)


def test_muted_member_sees_why_they_cannot_post(article, page):
    topic = article.topics.first()
    member = MemberFactory()
    Restriction.objects.create(member=member, kind=Restriction.Kind.MUTE, reason="Repeated insults.")
    log_in(page, member)
    page.goto(topic.get_absolute_url())

    expect(page.locator("#restriction-notice")).to_have_text(
        "Your account is muted until further notice: Repeated insults. You can still read the discussion."
    )
    expect(page.locator("#comment-form")).to_have_count(0)


def test_author_sees_their_hidden_comment_with_the_reason(article, page):
    topic = article.topics.first()
    author = MemberFactory()
    comment = hidden_by(
        ModeratorFactory(), CommentFactory(topic=topic, author=author, body="A heated reply."), "Insults other members."
    )
    log_in(page, author)
    page.goto(topic.get_absolute_url())

    expect(card(page, comment)).to_contain_text("A heated reply.")
    expect(card(page, comment).locator(".status-note")).to_have_text("Hidden from others: Insults other members.")
    expect(card(page, comment).locator(".moderate-form")).to_have_count(0)


def test_staff_outside_the_moderators_group_gets_a_403_from_the_queue(db, page):
    admin_log_in(page, MemberFactory(is_staff=True))

    response = page.goto(reverse(QUEUE))

    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.locator("#result_list")).to_have_count(0)


def test_moderator_topic_page_has_no_serious_axe_violations(article, page, axe_check, screenshot):
    topic = article.topics.first()
    moderator = ModeratorFactory(display_name="Maria Moderator")
    CommentFactory(
        topic=topic,
        author=MemberFactory(display_name="Ada Byron"),
        body="The talks shrank once each side set preconditions.",
    )
    hidden_by(
        moderator,
        CommentFactory(
            topic=topic, author=MemberFactory(display_name="Boris Petrov"), body="Everyone who disagrees is a fool."
        ),
        "Insults other members.",
    )
    CommentFactory(
        topic=topic,
        author=MemberFactory(display_name="Chen Wei"),
        status=Comment.Status.PENDING,
        body="Where does the 2022 turn fit?",
    )
    log_in(page, moderator)
    page.goto(topic.get_absolute_url())

    expect(page.locator(".moderate-form")).to_have_count(3)
    expect(page.locator(".comment-hidden")).to_contain_text("Hidden from others: Insults other members.")
    screenshot(page, "moderator-topic")
    axe_check(page)
