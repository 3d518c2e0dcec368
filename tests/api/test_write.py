"""Writing through the API: comments, replies and ballots go through the site's services, so its rules hold."""

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Ballot, Comment, ModerationSettings, Restriction
from tests.api.conftest import token_client
from tests.factories import CommentFactory, MemberFactory


def comments_url(topic):
    return reverse("api:topic_comments", args=[topic.article.slug, topic.slug])


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


# Who may post in the public discussion: members, teachers and moderators; never a pupil's class account.
POSTING = [("anonymous", 401), ("member", 201), ("pupil", 403), ("teacher", 201), ("moderator", 201)]


@pytest.mark.parametrize(("role", "expected"), POSTING)
def test_who_may_post_a_comment(as_role, topic, role, expected):
    response = post_json(as_role(role), comments_url(topic), {"body": "Trust comes first."})
    assert response.status_code == expected
    assert Comment.objects.filter(body="Trust comes first.").exists() == (expected == 201)


def test_a_posted_comment_appears_on_the_topic_page(as_role, topic, client):
    member = as_role("member")
    data = post_json(member, comments_url(topic), {"body": "**Trust** comes first.", "about": "trust"}).json()
    assert data["author"] == member.user.public_name
    assert data["body_html"] == "<p><strong>Trust</strong> comes first.</p>\n"
    assert data["about"] == "trust"
    assert "<strong>Trust</strong> comes first." in client.get(topic.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("role", "expected"), POSTING)
def test_who_may_reply(as_role, topic, role, expected):
    parent = CommentFactory(topic=topic)
    response = post_json(as_role(role), comments_url(topic), {"body": "I agree.", "parent": parent.pk})
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["parent"] == parent.pk
        assert Comment.objects.get(body="I agree.").root == parent


def test_a_reply_to_a_class_comment_is_refused_even_to_a_classmate(as_role, topic, classroom, pupil):
    class_comment = CommentFactory(topic=topic, author=pupil, classroom=classroom)
    teacher = as_role("teacher")
    response = post_json(teacher, comments_url(topic), {"body": "Well said.", "parent": class_comment.pk})
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not Comment.objects.filter(body="Well said.").exists()


def test_bad_input_is_a_400_with_the_field_messages(as_role, topic):
    member = as_role("member")
    assert "body" in post_json(member, comments_url(topic), {"body": "   "}).json()
    assert "body" in post_json(member, comments_url(topic), {}).json()
    assert "about" in post_json(member, comments_url(topic), {"body": "Hi", "about": "nowhere"}).json()
    assert post_json(member, comments_url(topic), {"body": "x" * 5001}).status_code == 400
    assert member.post(comments_url(topic), "not json", content_type="application/json").status_code == 400
    assert not Comment.objects.exists()


def test_a_muted_member_is_refused_with_the_reason(as_role, topic):
    member = as_role("member")
    Restriction.objects.create(member=member.user, kind=Restriction.Kind.MUTE, reason="Cooling off.")
    response = post_json(member, comments_url(topic), {"body": "Hello"})
    assert response.status_code == 403
    assert "muted" in response.json()["detail"].lower()


def test_pre_moderation_holds_an_api_comment_as_it_holds_the_sites(as_role, topic, client):
    rules = ModerationSettings.load()
    rules.pre_moderation = ModerationSettings.PreModeration.EVERYTHING
    rules.save()
    response = post_json(as_role("member"), comments_url(topic), {"body": "Held for review."})
    assert response.json()["status"] == "pending"
    assert "Held for review." not in client.get(topic.get_absolute_url()).content.decode()


def test_api_comments_count_against_the_sites_rate_limit(as_role, topic):
    member = as_role("member")
    statuses = [post_json(member, comments_url(topic), {"body": f"Comment {n}"}).status_code for n in range(6)]
    assert statuses == [201] * 5 + [429]
    assert Comment.objects.count() == 5


def test_a_session_write_needs_the_csrf_token(topic):
    member = MemberFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = post_json(client, comments_url(topic), {"body": "No token."})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    client.get(reverse("forum:account_settings"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        comments_url(topic), {"body": "With it."}, content_type="application/json", headers={"x-csrftoken": token}
    )
    assert response.status_code == 201


def test_a_wrong_token_is_a_401_not_an_anonymous_read(topic):
    client = Client(headers={"authorization": "Bearer fpt_not-a-real-token"})
    response = client.get(comments_url(topic))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


BALLOT = [("anonymous", 401), ("member", 201), ("pupil", 201), ("teacher", 201), ("moderator", 201)]


@pytest.mark.parametrize(("role", "expected"), BALLOT)
def test_who_may_rank_the_factors(as_role, topic, role, expected):
    client = as_role(role)
    factors = list(topic.article.factors.order_by("pk"))
    url = reverse("api:ballot", args=[topic.article.slug])
    response = post_json(client, url, {"ranking": [factors[2].pk, factors[0].pk], "reason": "Trust."})
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["ranking"] == [factors[2].pk, factors[0].pk]
        assert client.get(url).json()["version"] == 1
        assert Ballot.objects.get(member=client.user, is_current=True).reason == "Trust."


def test_a_ballot_with_an_unknown_or_repeated_factor_is_a_400(as_role, topic):
    client = as_role("member")
    factor = topic.article.factors.first()
    url = reverse("api:ballot", args=[topic.article.slug])
    assert "ranking" in post_json(client, url, {"ranking": [factor.pk, 999999]}).json()
    assert "non_field_errors" in post_json(client, url, {"ranking": [factor.pk, factor.pk]}).json()
    assert "non_field_errors" in post_json(client, url, {"ranking": []}).json()
    assert client.get(url).status_code == 404
    assert not Ballot.objects.exists()


def test_a_pupils_locked_ranking_is_refused_through_the_api_too(classroom, pupil, topic):
    classroom.is_locked = classroom.lock_rankings = True
    classroom.save()
    client = Client()
    client.force_login(pupil)
    url = reverse("api:ballot", args=[topic.article.slug])
    response = post_json(client, url, {"ranking": [topic.article.factors.first().pk]})
    assert response.status_code == 403


def test_a_revoked_token_writes_nothing(topic):
    member = MemberFactory()
    client = token_client(member)
    member.api_tokens.get().delete()
    assert post_json(client, comments_url(topic), {"body": "Ghost."}).status_code == 401
    assert not Comment.objects.exists()
