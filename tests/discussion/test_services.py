from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forum.models import Comment, CommentRevision, Flag, HelpfulMark, ModerationSettings, Notification, Restriction
from forum.ratelimit import RateLimited
from forum.services.discussion import (
    delete_comment,
    edit_comment,
    flag_comment,
    post_comment,
    toggle_helpful,
)
from forum.services.moderation import Action, moderate_comment
from tests.factories import CommentFactory, MemberFactory, ModeratorFactory, SubsectionFactory, TopicFactory


def mute(member, *, ends_at=None, kind=Restriction.Kind.MUTE, reason="Repeated insults."):
    return Restriction.objects.create(member=member, kind=kind, reason=reason, ends_at=ends_at)


# Posting and threading


def test_post_comment_stores_markdown_and_sanitized_html(db):
    comment = post_comment(author=MemberFactory(), topic=TopicFactory(), body="  *Hi* <b>there</b>  ")
    assert comment.body == "*Hi* <b>there</b>"
    assert comment.body_html == "<p><em>Hi</em> &lt;b&gt;there&lt;/b&gt;</p>\n"
    assert comment.status == Comment.Status.PUBLISHED


def test_replies_know_their_thread_and_depth(db):
    topic = TopicFactory()
    root = post_comment(author=MemberFactory(), topic=topic, body="root")
    reply = post_comment(author=MemberFactory(), topic=topic, body="reply", parent=root)
    deeper = post_comment(author=MemberFactory(), topic=topic, body="deeper", parent=reply)
    assert (reply.root, reply.depth) == (root, 1)
    assert (deeper.root, deeper.depth) == (root, 2)


def test_reply_must_stay_on_its_topic(db):
    parent = CommentFactory()
    with pytest.raises(ValidationError, match="stay on its topic"):
        post_comment(author=MemberFactory(), topic=TopicFactory(), body="elsewhere", parent=parent)
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("status", [Comment.Status.HIDDEN, Comment.Status.REMOVED, Comment.Status.PENDING])
def test_reply_to_a_comment_that_is_not_shown_is_refused(db, status):
    parent = CommentFactory(status=status)
    with pytest.raises(ValidationError, match="can no longer be replied to"):
        post_comment(author=MemberFactory(), topic=parent.topic, body="hello", parent=parent)


def test_anchor_must_belong_to_the_topic(db):
    with pytest.raises(ValidationError, match="Pick a part of this topic"):
        post_comment(author=MemberFactory(), topic=TopicFactory(), body="hi", anchor=SubsectionFactory())


def test_reply_inherits_the_parents_anchor(db):
    subsection = SubsectionFactory()
    parent = post_comment(author=MemberFactory(), topic=subsection.topic, body="about", anchor=subsection)
    reply = post_comment(author=MemberFactory(), topic=subsection.topic, body="re", parent=parent)
    assert reply.anchor == subsection


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "Write something"),
        ("   \n\t ", "Write something"),
        ("x" * 5001, "under 5,000 characters"),
        ("a\x00b", "Null characters"),
    ],
)
def test_body_limits_are_enforced(db, body, message):
    with pytest.raises(ValidationError, match=message) as error:
        post_comment(author=MemberFactory(), topic=TopicFactory(), body=body)
    assert "body" in error.value.message_dict


def test_body_of_exactly_5000_characters_after_trimming_is_accepted(db):
    comment = post_comment(author=MemberFactory(), topic=TopicFactory(), body=" " + "x" * 5000 + " ")
    assert len(comment.body) == 5000


# Restrictions


def test_muted_member_cannot_post_and_is_told_why_and_until_when(db):
    member = MemberFactory()
    mute(member, ends_at=timezone.now() + timedelta(days=2))
    with pytest.raises(PermissionDenied, match=r"muted until .*: Repeated insults\."):
        post_comment(author=member, topic=TopicFactory(), body="Hi")
    assert not Comment.objects.exists()


def test_suspended_member_cannot_post(db):
    member = MemberFactory()
    mute(member, kind=Restriction.Kind.SUSPEND)
    with pytest.raises(PermissionDenied, match="suspended until further notice"):
        post_comment(author=member, topic=TopicFactory(), body="Hi")


def test_expired_or_lifted_mute_no_longer_applies(db):
    member = MemberFactory()
    mute(member, ends_at=timezone.now() - timedelta(minutes=1))
    Restriction.objects.create(member=member, kind="mute", reason="x", lifted_at=timezone.now())
    assert post_comment(author=member, topic=TopicFactory(), body="Back again")


def test_muted_member_cannot_edit_flag_or_mark(db):
    member = MemberFactory()
    own, other = CommentFactory(author=member), CommentFactory()
    mute(member)
    with pytest.raises(PermissionDenied):
        edit_comment(editor=member, comment=own, body="changed")
    with pytest.raises(PermissionDenied):
        flag_comment(member=member, comment=other, reason="spam")
    with pytest.raises(PermissionDenied):
        toggle_helpful(member=member, comment=other)


# Notifications


def test_reply_notifies_the_parents_author(db, django_capture_on_commit_callbacks):
    parent = CommentFactory()
    replier = MemberFactory(display_name="Replier")
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_comment(author=replier, topic=parent.topic, body="re", parent=parent)
    notification = Notification.objects.get()
    assert notification.recipient == parent.author
    assert notification.comment == reply
    assert notification.text.startswith("Replier replied to your comment")
    assert mail.outbox == []


def test_reply_emails_the_parents_author_who_asked_for_it(db, django_capture_on_commit_callbacks):
    parent = CommentFactory(author=MemberFactory(email_on_reply=True, email="parent@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(author=MemberFactory(), topic=parent.topic, body="A reply worth mailing", parent=parent)
    assert [message.to for message in mail.outbox] == [["parent@example.org"]]
    assert "A reply worth mailing" in mail.outbox[0].body


def test_a_reply_held_for_review_notifies_its_parents_author_only_once_approved(db, django_capture_on_commit_callbacks):
    parent = CommentFactory(author=MemberFactory(email_on_reply=True, email="parent@example.org"))
    settings_row = ModerationSettings.load()
    settings_row.pre_moderation = ModerationSettings.PreModeration.EVERYTHING
    settings_row.save()
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_comment(author=MemberFactory(), topic=parent.topic, body="Held words", parent=parent)
    assert reply.status == Comment.Status.PENDING
    assert not Notification.objects.filter(recipient=parent.author).exists()
    assert mail.outbox == []  # the email would carry words nobody may read yet
    with django_capture_on_commit_callbacks(execute=True):
        moderate_comment(moderator=ModeratorFactory(), comment=reply, action=Action.APPROVE)
    assert Notification.objects.get(recipient=parent.author, kind=Notification.Kind.REPLY).comment == reply
    assert [message.to for message in mail.outbox] == [["parent@example.org"]]


def test_replying_to_yourself_notifies_nobody(db, django_capture_on_commit_callbacks):
    parent = CommentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(author=parent.author, topic=parent.topic, body="me again", parent=parent)
    assert not Notification.objects.exists()


# Editing and deleting


def test_edit_keeps_the_earlier_version(db):
    comment = CommentFactory(body="first words")
    edit_comment(editor=comment.author, comment=comment, body="better words")
    comment.refresh_from_db()
    assert comment.body == "better words"
    assert comment.body_html == "<p>better words</p>\n"
    assert comment.edited_at is not None
    revision = CommentRevision.objects.get()
    assert (revision.body, revision.written_at) == ("first words", comment.created_at)


def test_only_the_author_can_edit_or_delete(db):
    comment = CommentFactory()
    with pytest.raises(PermissionDenied):
        edit_comment(editor=MemberFactory(), comment=comment, body="hijack")
    with pytest.raises(PermissionDenied):
        delete_comment(member=MemberFactory(), comment=comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_delete_hides_the_comment_but_keeps_its_text(db):
    comment = CommentFactory(body="regrettable")
    delete_comment(member=comment.author, comment=comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert comment.body == "regrettable"


def test_deleted_comment_cannot_be_edited(db):
    comment = CommentFactory(status=Comment.Status.REMOVED)
    with pytest.raises(PermissionDenied):
        edit_comment(editor=comment.author, comment=comment, body="resurrect")


# Flags


def test_flag_once_per_member(db):
    comment, member = CommentFactory(), MemberFactory()
    flag_comment(member=member, comment=comment, reason=Flag.Reason.SPAM)
    with pytest.raises(ValidationError, match="already flagged"):
        flag_comment(member=member, comment=comment, reason=Flag.Reason.ABUSE)
    assert Flag.objects.count() == 1


def test_cannot_flag_own_comment(db):
    comment = CommentFactory()
    with pytest.raises(ValidationError, match="your own comment"):
        flag_comment(member=comment.author, comment=comment, reason=Flag.Reason.SPAM)


def test_other_reason_needs_a_note(db):
    with pytest.raises(ValidationError, match="Say what is wrong"):
        flag_comment(member=MemberFactory(), comment=CommentFactory(), reason=Flag.Reason.OTHER, note="  ")


def test_flags_from_distinct_members_reaching_the_threshold_hide_the_comment(db, django_capture_on_commit_callbacks):
    comment = CommentFactory()
    for _ in range(2):
        flag_comment(member=MemberFactory(), comment=comment, reason=Flag.Reason.ABUSE)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        flag_comment(member=MemberFactory(), comment=comment, reason=Flag.Reason.ABUSE)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert "3 members" in comment.status_reason
    assert Notification.objects.get(recipient=comment.author).kind == Notification.Kind.MODERATION


def test_flag_threshold_is_read_from_the_moderation_settings(db):
    settings_row = ModerationSettings.load()
    settings_row.flag_threshold = 1
    settings_row.save()
    comment = CommentFactory()
    flag_comment(member=MemberFactory(), comment=comment, reason=Flag.Reason.SPAM)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


# Helpful marks


def test_helpful_toggles_and_counts(db):
    comment, member = CommentFactory(), MemberFactory()
    assert toggle_helpful(member=member, comment=comment) is True
    assert toggle_helpful(member=MemberFactory(), comment=comment) is True
    comment.refresh_from_db()
    assert comment.helpful_count == 2
    assert toggle_helpful(member=member, comment=comment) is False
    comment.refresh_from_db()
    assert comment.helpful_count == 1
    assert HelpfulMark.objects.count() == 1


def test_cannot_mark_own_comment_helpful(db):
    comment = CommentFactory()
    with pytest.raises(ValidationError):
        toggle_helpful(member=comment.author, comment=comment)


# Rate limits


def test_sixth_comment_in_a_minute_is_refused_with_a_clear_message(db):
    member, topic = MemberFactory(), TopicFactory()
    for n in range(5):
        post_comment(author=member, topic=topic, body=f"comment {n}")
    with pytest.raises(RateLimited, match="limit of 5 comments a minute"):
        post_comment(author=member, topic=topic, body="one too many")
    assert Comment.objects.count() == 5


def test_hourly_comment_limit_holds_across_minutes(db, monkeypatch):
    member, topic = MemberFactory(), TopicFactory()
    clock = [1_000_020.0]  # the start of an hour-window (1_000_800 is the next), mid-minute
    monkeypatch.setattr("forum.ratelimit.time.time", lambda: clock[0])
    for n in range(30):
        post_comment(author=member, topic=topic, body=f"comment {n}")
        clock[0] += 20  # 3 a minute: under the minute limit
    with pytest.raises(RateLimited, match="30 comments an hour"):
        post_comment(author=member, topic=topic, body="too many")


def test_rate_limits_are_per_member(db):
    topic = TopicFactory()
    first, second = MemberFactory(), MemberFactory()
    for n in range(5):
        post_comment(author=first, topic=topic, body=f"comment {n}")
    assert post_comment(author=second, topic=topic, body="my first")


def test_twenty_first_flag_in_an_hour_is_refused(db):
    member = MemberFactory()
    for _ in range(20):
        flag_comment(member=member, comment=CommentFactory(), reason=Flag.Reason.SPAM)
    with pytest.raises(RateLimited, match="20 flags an hour"):
        flag_comment(member=member, comment=CommentFactory(), reason=Flag.Reason.SPAM)
