from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forum.models import Comment, Flag, ModerationLog, ModerationSettings, Notification, Restriction
from forum.services.discussion import edit_comment, flag_comment, post_comment
from forum.services.moderation import (
    held_word_in,
    lift_restriction,
    moderate_comment,
    resolve_flags,
    restrict_member,
)
from tests.factories import AdminFactory, CommentFactory, MemberFactory, ModeratorFactory, TopicFactory

Action = ModerationLog.Action


def set_rules(**values):
    rules = ModerationSettings.load()
    for name, value in values.items():
        setattr(rules, name, value)
    rules.save()


# Deciding on comments


@pytest.mark.parametrize(
    "action, before, after",
    [
        (Action.APPROVE, Comment.Status.PENDING, Comment.Status.PUBLISHED),
        (Action.HIDE, Comment.Status.PUBLISHED, Comment.Status.HIDDEN),
        (Action.RESTORE, Comment.Status.HIDDEN, Comment.Status.PUBLISHED),
    ],
)
def test_each_decision_changes_the_status_logs_it_and_tells_the_author(
    db, django_capture_on_commit_callbacks, action, before, after
):
    comment, moderator = CommentFactory(status=before), ModeratorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        moderate_comment(moderator=moderator, comment=comment, action=action, reason="Because.")
    comment.refresh_from_db()
    assert comment.status == after
    entry = ModerationLog.objects.get()
    assert (entry.actor, entry.action, entry.comment, entry.member) == (moderator, action, comment, comment.author)
    assert (entry.status_before, entry.status_after, entry.reason) == (before, after, "Because.")
    assert Notification.objects.get(recipient=comment.author).kind == Notification.Kind.MODERATION


def test_hiding_needs_a_reason_the_author_sees(db):
    comment = CommentFactory()
    with pytest.raises(ValidationError, match="Say why"):
        moderate_comment(moderator=ModeratorFactory(), comment=comment, action=Action.HIDE, reason=" ")
    moderate_comment(moderator=ModeratorFactory(), comment=comment, action=Action.HIDE, reason="Insults.")
    comment.refresh_from_db()
    assert comment.status_reason == "Insults."
    assert comment.body  # nothing a member wrote is lost


def test_restoring_a_published_comment_is_refused(db):
    with pytest.raises(ValidationError):
        moderate_comment(moderator=ModeratorFactory(), comment=CommentFactory(), action=Action.RESTORE)


@pytest.mark.parametrize("factory", [MemberFactory, lambda: MemberFactory(is_staff=True)])
def test_members_and_staff_outside_the_group_cannot_moderate(db, factory):
    comment = CommentFactory()
    with pytest.raises(PermissionDenied):
        moderate_comment(moderator=factory(), comment=comment, action=Action.HIDE, reason="x")
    assert not ModerationLog.objects.exists()


def test_superusers_can_moderate(db):
    comment = CommentFactory()
    moderate_comment(moderator=AdminFactory(), comment=comment, action=Action.HIDE, reason="x")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_a_decision_resolves_the_open_flags(db):
    comment = CommentFactory()
    flag_comment(member=MemberFactory(), comment=comment, reason=Flag.Reason.SPAM)
    moderate_comment(moderator=ModeratorFactory(), comment=comment, action=Action.HIDE, reason="Spam.")
    assert Flag.objects.get().status == Flag.Status.ACTION_TAKEN


# Flags


def flag_to_threshold(comment, count=3):
    for _ in range(count):
        flag_comment(member=MemberFactory(), comment=comment, reason=Flag.Reason.ABUSE)


def test_threshold_hiding_is_logged_without_an_actor(db):
    comment = CommentFactory()
    flag_to_threshold(comment)
    entry = ModerationLog.objects.get()
    assert (entry.actor, entry.action, entry.status_after) == (None, Action.HIDE, Comment.Status.HIDDEN)


def test_dismissing_flags_restores_a_comment_hidden_only_by_flags(db):
    comment = CommentFactory()
    flag_to_threshold(comment)
    resolve_flags(moderator=ModeratorFactory(), comment=comment, outcome=Flag.Status.DISMISSED, reason="Fine.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert set(Flag.objects.values_list("status", flat=True)) == {Flag.Status.DISMISSED}
    assert ModerationLog.objects.filter(action=Action.FLAGS_DISMISSED).exists()


def test_dismissing_flags_leaves_a_moderators_hiding_alone(db):
    comment = CommentFactory()
    moderate_comment(moderator=ModeratorFactory(), comment=comment, action=Action.HIDE, reason="Mine.")
    Flag.objects.create(comment=comment, member=MemberFactory(), reason="spam")
    resolve_flags(moderator=ModeratorFactory(), comment=comment, outcome=Flag.Status.DISMISSED)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_action_taken_keeps_the_comment_hidden(db):
    comment = CommentFactory()
    flag_to_threshold(comment)
    resolve_flags(moderator=ModeratorFactory(), comment=comment, outcome=Flag.Status.ACTION_TAKEN)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


# Pre-moderation and held words


def test_pre_moderation_off_publishes_at_once(db):
    assert post_comment(author=MemberFactory(), topic=TopicFactory(), body="Hi").status == Comment.Status.PUBLISHED


def test_pre_moderation_of_everything_holds_every_comment(db):
    set_rules(pre_moderation=ModerationSettings.PreModeration.EVERYTHING)
    comment = post_comment(author=MemberFactory(), topic=TopicFactory(), body="Hi")
    assert comment.status == Comment.Status.PENDING
    assert "reviewed" in comment.status_reason


def test_pre_moderation_of_new_members_holds_their_first_n_comments(db):
    set_rules(pre_moderation=ModerationSettings.PreModeration.NEW_MEMBERS, new_member_comments=2)
    member, topic = MemberFactory(), TopicFactory()
    statuses = [post_comment(author=member, topic=topic, body=f"c{n}").status for n in range(3)]
    assert statuses == [Comment.Status.PENDING, Comment.Status.PENDING, Comment.Status.PUBLISHED]


def test_moderators_are_never_held(db):
    set_rules(pre_moderation=ModerationSettings.PreModeration.EVERYTHING)
    comment = post_comment(author=ModeratorFactory(), topic=TopicFactory(), body="Hi")
    assert comment.status == Comment.Status.PUBLISHED


def test_settings_apply_at_once(db):
    topic = TopicFactory()
    assert post_comment(author=MemberFactory(), topic=topic, body="one").status == Comment.Status.PUBLISHED
    set_rules(held_words="banana")
    assert post_comment(author=MemberFactory(), topic=topic, body="a banana").status == Comment.Status.PENDING


@pytest.mark.parametrize(
    "body, held",
    [
        ("That is a scam.", "scam"),
        ("SCAM!", "scam"),
        ("scamming people", None),  # a substring is not the word
        ("ascam", None),
        ("Le café est fermé", "cafe"),  # accents ignored
        ("le CAFE", "cafe"),
        ("Ça va, Москва!", "москва"),  # Unicode words
        ("the fake   news again", "fake news"),  # phrases, any spacing
        ("fakenews", None),
        ("", None),
    ],
)
def test_held_words_match_whole_words_ignoring_case_and_accents(body, held):
    assert held_word_in(body, "scam\ncafé\nМосква\nfake news\n\n") == (
        {"scam": "scam", "cafe": "café", "москва": "Москва", "fake news": "fake news"}.get(held)
    )


def test_a_comment_with_a_held_word_waits_in_the_queue(db):
    set_rules(held_words="scam")
    comment = post_comment(author=MemberFactory(), topic=TopicFactory(), body="What a Scam.")
    assert comment.status == Comment.Status.PENDING
    assert Comment.objects.needing_attention().get() == comment


# Mutes and suspensions


def test_mute_until_a_date_blocks_writing_until_then(db):
    member = MemberFactory()
    restrict_member(
        moderator=ModeratorFactory(),
        member=member,
        kind="mute",
        reason="Calm down.",
        ends_at=timezone.now() + timedelta(days=1),
    )
    with pytest.raises(PermissionDenied, match="Calm down."):
        post_comment(author=member, topic=TopicFactory(), body="Hi")
    assert ModerationLog.objects.get().action == Action.MUTE


def test_suspension_ends_the_members_sessions(db):
    member = MemberFactory()
    session_hash = member.get_session_auth_hash()
    restrict_member(moderator=ModeratorFactory(), member=member, kind="suspend", reason="Spam.")
    member.refresh_from_db()
    assert member.get_session_auth_hash() != session_hash


def test_lifting_early_restores_writing_and_is_logged(db):
    member = MemberFactory()
    restriction = restrict_member(moderator=ModeratorFactory(), member=member, kind="mute", reason="x")
    lift_restriction(moderator=ModeratorFactory(), restriction=restriction, reason="Apologised.")
    assert post_comment(author=member, topic=TopicFactory(), body="Thanks")
    assert list(ModerationLog.objects.order_by("pk").values_list("action", flat=True)) == [Action.MUTE, Action.LIFT]


@pytest.mark.parametrize(
    "field, values",
    [
        ("reason", {"reason": " "}),
        ("ends_at", {"ends_at": timezone.now() - timedelta(hours=1)}),
    ],
)
def test_restriction_needs_a_reason_and_a_future_end(db, field, values):
    arguments = {"kind": "mute", "reason": "x", **values}
    with pytest.raises(ValidationError) as error:
        restrict_member(moderator=ModeratorFactory(), member=MemberFactory(), **arguments)
    assert field in error.value.message_dict
    assert not Restriction.objects.exists()


def test_moderators_cannot_restrict_each_other(db):
    with pytest.raises(PermissionDenied):
        restrict_member(moderator=ModeratorFactory(), member=ModeratorFactory(), kind="mute", reason="x")


def test_members_cannot_restrict(db):
    with pytest.raises(PermissionDenied):
        restrict_member(moderator=MemberFactory(), member=MemberFactory(), kind="mute", reason="x")


def test_an_edit_that_brings_in_a_held_word_waits_for_review_again(db):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"held_words": "scam"})
    comment = post_comment(author=MemberFactory(), topic=TopicFactory(), body="A fair point.")
    assert comment.status == Comment.Status.PUBLISHED
    edit_comment(editor=comment.author, comment=comment, body="A fair point. Buy this scam.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.status_reason == "It contains a word the moderators review."


def test_a_clean_edit_of_a_clean_comment_stays_published(db):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"held_words": "scam"})
    comment = post_comment(author=MemberFactory(), topic=TopicFactory(), body="A fair point.")
    edit_comment(editor=comment.author, comment=comment, body="A fairer point.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
