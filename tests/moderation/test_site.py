"""Moderation as members and moderators meet it on the site."""

import pytest
from django.urls import reverse

from forum.models import Comment, ModerationLog, ModerationSettings, Restriction
from forum.services.moderation import restrict_member
from tests.factories import AdminFactory, CommentFactory, MemberFactory, ModeratorFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def hidden(db):
    return CommentFactory(status=Comment.Status.HIDDEN, status_reason="Personal attack.", body="Hidden words.")


def test_moderator_sees_hidden_comments_greyed_with_their_reason(client, hidden):
    client.force_login(ModeratorFactory())
    html = client.get(hidden.topic.get_absolute_url()).content.decode()
    assert "Hidden words." in html
    assert "comment-hidden" in html and "Personal attack." in html
    assert 'value="restore"' in html


@pytest.mark.parametrize("role", ["anonymous", "member", "staff"])
def test_others_do_not_see_hidden_comments(client, hidden, role):
    if role != "anonymous":
        client.force_login(MemberFactory(is_staff=role == "staff"))
    html = client.get(hidden.topic.get_absolute_url()).content.decode()
    assert "Hidden words." not in html
    assert 'name="decision"' not in html


def test_author_sees_their_pending_comment_as_waiting_for_review(client, db):
    comment = CommentFactory(status=Comment.Status.PENDING, body="Waiting words.")
    client.force_login(comment.author)
    html = client.get(comment.topic.get_absolute_url()).content.decode()
    assert "Waiting words." in html and "Visible to others after review." in html
    client.force_login(MemberFactory())
    assert "Waiting words." not in client.get(comment.topic.get_absolute_url()).content.decode()


def test_posting_under_pre_moderation_says_the_comment_waits(client, db):
    rules = ModerationSettings.load()
    rules.pre_moderation = ModerationSettings.PreModeration.EVERYTHING
    rules.save()
    topic = CommentFactory().topic
    client.force_login(MemberFactory())
    url = reverse("forum:comment_create", args=[topic.article.slug, topic.slug])
    response = client.post(url, {"body": "Held one."}, HTTP_HX_REQUEST="true")
    assert "Visible to others after review." in response.content.decode()


@pytest.mark.parametrize(
    "decision, before, after",
    [("hide", "published", "hidden"), ("restore", "hidden", "published"), ("approve", "pending", "published")],
)
def test_moderator_decides_from_the_topic_page(client, db, decision, before, after):
    comment = CommentFactory(status=before)
    moderator = ModeratorFactory()
    client.force_login(moderator)
    response = client.post(
        reverse("forum:comment_moderate", args=[comment.pk]),
        {"decision": decision, "reason": "Checked."},
        HTTP_HX_REQUEST="true",
    )
    assert f"the comment is {Comment.Status(after).label.lower()}" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == after
    assert ModerationLog.objects.get(comment=comment).actor == moderator


@pytest.mark.parametrize("role", ["anonymous", "member", "staff", "author"])
def test_only_moderators_decide_from_the_site(client, db, role):
    comment = CommentFactory()
    if role == "author":
        client.force_login(comment.author)
    elif role != "anonymous":
        client.force_login(MemberFactory(is_staff=role == "staff"))
    response = client.post(reverse("forum:comment_moderate", args=[comment.pk]), {"decision": "hide", "reason": "x"})
    assert response.status_code in (302, 403)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_superuser_decides_from_the_site(client, db):
    comment = CommentFactory()
    client.force_login(AdminFactory())
    client.post(reverse("forum:comment_moderate", args=[comment.pk]), {"decision": "hide", "reason": "x"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_suspended_member_cannot_log_in_and_is_told_why(client, db):
    member = MemberFactory(username="suspended")
    restrict_member(moderator=ModeratorFactory(), member=member, kind="suspend", reason="Spam links.")
    response = client.post(reverse("login"), {"username": "suspended", "password": PASSWORD})
    html = response.content.decode()
    assert "Your account is suspended until further notice: Spam links." in html
    assert "_auth_user_id" not in client.session


def test_suspension_ends_a_session_already_open(client, db):
    member = MemberFactory()
    client.force_login(member)
    assert client.get(reverse("forum:notifications")).status_code == 200
    restrict_member(moderator=ModeratorFactory(), member=member, kind="suspend", reason="Spam.")
    response = client.get(reverse("forum:notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_muted_member_can_still_log_in_and_read(client, db):
    member = MemberFactory(username="muted")
    Restriction.objects.create(member=member, kind="mute", reason="x")
    response = client.post(reverse("login"), {"username": "muted", "password": PASSWORD})
    assert response.status_code == 302
