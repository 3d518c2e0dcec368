"""@mentions: who is told, once, and how a mention reads in a comment."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum.markdown import MAX_MENTIONS
from forum.models import Comment, Flag, Mention, ModerationLog, ModerationSettings, Notification, Restriction
from forum.services.classes import create_pupil_accounts
from forum.services.discussion import delete_comment, edit_comment, post_comment
from forum.services.moderation import hide_for_flags, moderate_comment, resolve_flags
from tests.factories import ClassroomFactory, MemberFactory, MembershipFactory, ModeratorFactory, TopicFactory


@pytest.fixture
def post(db, django_capture_on_commit_callbacks):
    """post(author, body, **more): post_comment with its after-commit notifications sent."""

    def run(author, body, **more):
        more.setdefault("topic", TopicFactory())
        with django_capture_on_commit_callbacks(execute=True):
            return post_comment(author=author, body=body, **more)

    return run


@pytest.fixture
def edit(db, django_capture_on_commit_callbacks):
    def run(comment, body):
        with django_capture_on_commit_callbacks(execute=True):
            return edit_comment(editor=comment.author, comment=comment, body=body)

    return run


def told(member):
    """The mention notifications `member` has."""
    return list(Notification.objects.filter(recipient=member, kind=Notification.Kind.MENTION))


@pytest.fixture
def bob(db):
    return MemberFactory(username="bob", display_name="Bob Builder")


@pytest.fixture
def classroom(db):
    return ClassroomFactory(teacher=MemberFactory(username="ms.teach"))


@pytest.fixture
def pupil(classroom):
    pupil = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Zoë Martin"]).created[0][0]
    return pupil


def class_topic(classroom):
    return TopicFactory(article=classroom.article)


# Who is told, and how often


def test_a_mention_notifies_the_member_once_with_a_link_to_the_comment(post, bob):
    author = MemberFactory(display_name="Alice")
    comment = post(author, "What do you think, @bob?")
    (note,) = told(bob)
    assert note.comment == comment and note.read_at is None
    assert note.text == f"Alice mentioned you in a comment on “{comment.topic.title}”."


def test_naming_a_member_twice_in_one_comment_notifies_once(post, bob):
    post(MemberFactory(), "@bob, and again @bob and @BOB.")
    assert len(told(bob)) == 1
    assert Mention.objects.get().member == bob


def test_an_edit_that_keeps_the_mention_notifies_nobody_again(post, edit, bob):
    comment = post(MemberFactory(), "Hello @bob")
    edit(comment, "Hello again @bob, with more words.")
    assert len(told(bob)) == 1


def test_an_edit_that_drops_then_restores_a_mention_notifies_nobody_again(post, edit, bob):
    comment = post(MemberFactory(), "Hello @bob")
    edit(comment, "Hello everyone")
    edit(comment, "Hello everyone and @bob")
    assert len(told(bob)) == 1


def test_an_edit_that_adds_a_mention_notifies_only_the_new_member(post, edit, bob):
    carol = MemberFactory(username="carol")
    comment = post(MemberFactory(), "Hello @bob")
    edit(comment, "Hello @bob and @carol")
    assert len(told(bob)) == 1
    assert len(told(carol)) == 1


def test_mentioning_yourself_links_but_notifies_nobody(post, bob):
    comment = post(bob, "As I, @bob, said before.")
    assert 'class="mention"' in comment.body_html
    assert not Notification.objects.exists() and not Mention.objects.exists()


def test_a_reply_that_mentions_the_parents_author_gives_them_a_reply_and_a_mention(post, bob):
    parent = post(bob, "A first comment.")
    post(MemberFactory(), "I agree, @bob.", topic=parent.topic, parent=parent)
    assert sorted(Notification.objects.filter(recipient=bob).values_list("kind", flat=True)) == ["mention", "reply"]


def test_one_comment_notifies_at_most_ten_members(post):
    members = [MemberFactory(username=f"m{n}") for n in range(MAX_MENTIONS + 2)]
    post(MemberFactory(), " ".join(f"@{member.username}" for member in members))
    assert Notification.objects.count() == MAX_MENTIONS
    assert not told(members[-1])


def test_a_muted_member_cannot_mention_anyone(post, bob):
    author = MemberFactory()
    Restriction.objects.create(member=author, kind=Restriction.Kind.MUTE, reason="Insults.")
    with pytest.raises(PermissionDenied):
        post(author, "@bob")
    assert not told(bob)


# Held and hidden comments


def set_pre_moderation(value):
    rules = ModerationSettings.load()
    rules.pre_moderation = value
    rules.save()


def test_a_pending_comment_notifies_when_a_moderator_approves_it(post, bob, django_capture_on_commit_callbacks):
    set_pre_moderation(ModerationSettings.PreModeration.EVERYTHING)
    comment = post(MemberFactory(), "Over to you, @bob")
    assert comment.status == Comment.Status.PENDING
    assert not told(bob)
    with django_capture_on_commit_callbacks(execute=True):
        moderate_comment(moderator=ModeratorFactory(), comment=comment, action=ModerationLog.Action.APPROVE)
    assert len(told(bob)) == 1


def test_a_pending_comment_that_is_hidden_never_notifies(post, bob, django_capture_on_commit_callbacks):
    set_pre_moderation(ModerationSettings.PreModeration.EVERYTHING)
    comment = post(MemberFactory(), "Over to you, @bob")
    with django_capture_on_commit_callbacks(execute=True):
        moderate_comment(
            moderator=ModeratorFactory(), comment=comment, action=ModerationLog.Action.HIDE, reason="Spam."
        )
    assert not told(bob)


def test_a_hidden_comment_restored_later_does_not_notify_again(post, bob, django_capture_on_commit_callbacks):
    comment = post(MemberFactory(), "Over to you, @bob")
    moderator = ModeratorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        moderate_comment(moderator=moderator, comment=comment, action=ModerationLog.Action.HIDE, reason="Rude.")
        moderate_comment(moderator=moderator, comment=comment, action=ModerationLog.Action.RESTORE)
    assert len(told(bob)) == 1


def test_an_edit_adding_a_mention_to_a_hidden_comment_notifies_nobody(post, edit, bob):
    comment = post(MemberFactory(), "A comment.")
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    comment.refresh_from_db()
    edit(comment, "A comment for @bob.")
    assert not told(bob)


def test_an_edit_that_sends_a_comment_back_to_review_waits_to_notify(post, edit, bob):
    comment = post(MemberFactory(), "A comment.")
    rules = ModerationSettings.load()
    rules.held_words = "ceasefire"
    rules.save()
    edited = edit(comment, "A ceasefire, @bob?")
    assert edited.status == Comment.Status.PENDING
    assert not told(bob)


def test_a_deleted_comment_cannot_be_edited_to_mention_anyone(post, bob):
    comment = post(MemberFactory(), "A comment.")
    delete_comment(member=comment.author, comment=comment)
    with pytest.raises(PermissionDenied):
        edit_comment(editor=comment.author, comment=comment, body="@bob")
    assert not told(bob)


# Classes and pupils


def test_in_a_class_space_the_teacher_and_students_can_be_mentioned(post, classroom, pupil):
    student = MembershipFactory(classroom=classroom, member=MemberFactory(username="stu")).member
    comment = post(student, "@ms.teach and @" + pupil.username, topic=class_topic(classroom), classroom=classroom)
    assert comment.body_html.count('class="mention"') == 2
    assert len(told(classroom.teacher)) == 1 and len(told(pupil)) == 1


def test_in_a_class_space_outsiders_stay_plain_text(post, classroom, bob):
    student = MembershipFactory(classroom=classroom).member
    comment = post(student, "Is @bob here?", topic=class_topic(classroom), classroom=classroom)
    assert comment.body_html == "<p>Is @bob here?</p>\n"
    assert not told(bob)


def test_a_student_who_left_the_class_is_no_longer_mentionable_there(post, classroom, bob):
    membership = MembershipFactory(classroom=classroom, member=bob)
    membership.removed_at = membership.joined_at
    membership.save()
    comment = post(classroom.teacher, "Where is @bob?", topic=class_topic(classroom), classroom=classroom)
    assert "mention" not in comment.body_html and not told(bob)


def test_in_public_a_pupils_username_reads_exactly_as_a_name_nobody_has(post, pupil):
    member = MemberFactory()
    with_pupil = post(member, f"Hello @{pupil.username}")
    with_nobody = post(member, "Hello @nobody.here")
    assert with_pupil.body_html == f"<p>Hello @{pupil.username}</p>\n"
    assert with_nobody.body_html == "<p>Hello @nobody.here</p>\n"
    assert not told(pupil) and not Mention.objects.exists()


def test_a_pupils_own_class_mention_does_not_reach_a_public_comment(post, classroom, pupil):
    # The teacher writes in public: their pupil stays private there.
    comment = post(classroom.teacher, f"My pupil @{pupil.username} said...", topic=class_topic(classroom))
    assert "href" not in comment.body_html and not told(pupil)


# How a mention reads


@pytest.mark.parametrize(
    "body",
    [
        "`@bob`",
        "```\n@bob\n```",
        "Write to bob@example.org",
        "<bob@example.org>",
        "[ask @bob](https://example.org)",
        "@nobody",
        "@",
        "@@bob",
    ],
)
def test_no_mention_in_code_emails_links_or_unknown_names(post, bob, body):
    comment = post(MemberFactory(), body)
    assert 'class="mention"' not in comment.body_html
    assert not told(bob)


def test_a_mention_links_to_the_profile_and_leaves_trailing_punctuation_outside(post, bob):
    comment = post(MemberFactory(), "Thanks @bob.")
    assert comment.body_html == (
        '<p>Thanks <a href="/members/bob/" class="mention" rel="nofollow ugc noopener">@bob</a>.</p>\n'
    )


@pytest.mark.parametrize("username", ["ann.lee", "ann_lee", "ann-lee", "ann+lee", "ann2"])
def test_usernames_with_dots_underscores_dashes_pluses_and_digits_are_mentioned(post, username):
    member = MemberFactory(username=username)
    comment = post(MemberFactory(), f"Hi @{username}!")
    assert f">@{username}</a>!" in comment.body_html
    assert len(told(member)) == 1


def test_a_longer_username_wins_over_its_prefix(post, bob):
    longer = MemberFactory(username="bob.smith")
    comment = post(MemberFactory(), "Hi @bob.smith")
    assert 'href="/members/bob.smith/"' in comment.body_html
    assert len(told(longer)) == 1 and not told(bob)


@pytest.mark.parametrize(
    "body",
    [
        "@<script>alert(1)</script>",
        '@bob<img src=x onerror="alert(1)">',
        '@bob"><script>alert(1)</script>',
        "[@bob](javascript:alert(1))",
    ],
)
def test_markup_around_a_mention_is_escaped(post, bob, body):
    html = post(MemberFactory(), body).body_html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html


def test_a_mention_in_emphasis_is_still_a_mention(post, bob):
    assert '<strong><a href="/members/bob/"' in post(MemberFactory(), "**@bob**").body_html


# Cost


def test_a_comment_with_mentions_costs_one_lookup_and_one_insert_more(bob):
    author, topic = MemberFactory(), TopicFactory()

    def queries(body):
        with CaptureQueriesContext(connection) as captured:
            post_comment(author=author, topic=topic, body=body)
        return len(captured.captured_queries)

    queries("warm-up")
    # The members named (one query for all of them), then their Mention rows (one insert).
    assert queries("@bob and @nobody and @ann, @cy, @di") == queries("No names here.") + 2


def test_a_name_added_while_hidden_by_flags_is_told_when_the_flags_are_dismissed(
    post, edit, bob, django_capture_on_commit_callbacks
):
    comment = post(MemberFactory(), "A comment.")
    hide_for_flags(comment=comment, open_flags=3)
    edit(comment, "A comment for @bob.")
    assert not told(bob)
    with django_capture_on_commit_callbacks(execute=True):
        resolve_flags(moderator=ModeratorFactory(), comment=comment, outcome=Flag.Status.DISMISSED)
    assert len(told(bob)) == 1


def test_the_preview_shows_the_mention_linked_and_tells_nobody(client, bob):
    topic = TopicFactory()
    client.force_login(MemberFactory())
    url = reverse("forum:comment_create", args=[topic.article.slug, topic.slug])
    response = client.post(url, {"body": "Hello @bob", "preview": "1"})
    assert 'href="/members/bob/" class="mention"' in response.content.decode()
    assert not Comment.objects.exists() and not Mention.objects.exists() and not told(bob)
