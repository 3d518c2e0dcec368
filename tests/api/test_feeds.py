"""Atom feeds: a topic's new public comments, and a member's notifications at their secret address."""

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Comment, Notification
from forum.services.api import regenerate_feed_key
from tests.api.conftest import ROLES
from tests.factories import CommentFactory, MemberFactory


def feed_url(topic):
    return reverse("forum:topic_feed", args=[topic.article.slug, topic.slug])


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_a_topics_feed_of_public_comments_only(as_role, topic, classroom, pupil, role):
    client = Client()
    if (user := as_role(role).user) is not None:
        client.force_login(user)
    CommentFactory(topic=topic, body_html="<p>Public <em>words</em>.</p>", author__display_name="Bob B.")
    CommentFactory(topic=topic, author=pupil, classroom=classroom, body_html="<p>Class secret.</p>")
    CommentFactory(topic=topic, status=Comment.Status.PENDING, body_html="<p>Held.</p>")
    CommentFactory(topic=topic, status=Comment.Status.HIDDEN, body_html="<p>Hidden.</p>")
    response = client.get(feed_url(topic))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "Public &lt;em&gt;words&lt;/em&gt;." in body
    assert "<name>Bob B.</name>" in body
    for secret in ("Class secret", "Pupilova", "Pauline", "Held.", "Hidden."):
        assert secret not in body


def test_a_topics_feed_links_each_comment_to_its_permalink(client, topic):
    comment = CommentFactory(topic=topic)
    assert f"http://testserver/comments/{comment.pk}/" in client.get(feed_url(topic)).content.decode()


def test_the_topic_page_names_its_feed(client, topic):
    page = client.get(topic.get_absolute_url()).content.decode()
    assert f'<link rel="alternate" type="application/atom+xml" href="{feed_url(topic)}"' in page


@pytest.mark.parametrize("count", [1, 40])  # the latest 30, and the same cost for 1 comment or 40
def test_a_topics_feed_is_bounded_and_costs_the_same(client, topic, django_assert_num_queries, count):
    CommentFactory.create_batch(count, topic=topic)
    with django_assert_num_queries(3):  # topic+article, its subsections, the newest comments with their authors
        response = client.get(feed_url(topic))
    assert response.content.decode().count("<entry>") == min(count, 30)


def test_an_unknown_topics_feed_is_a_404(client, topic):
    assert client.get(reverse("forum:topic_feed", args=[topic.article.slug, "nope"])).status_code == 404


def test_a_members_notifications_feed_reads_at_the_secret_address_without_logging_in(db):
    member = MemberFactory()
    Notification.objects.create(recipient=member, kind=Notification.Kind.REPLY, text="Ann replied to you.")
    Notification.objects.create(recipient=MemberFactory(), kind=Notification.Kind.REPLY, text="Not yours.")
    key = regenerate_feed_key(member=member)
    response = Client().get(reverse("forum:notifications_feed", args=[key.secret]))
    assert response.status_code == 200
    assert "Ann replied to you." in response.content.decode()
    assert "Not yours." not in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]


def test_a_wrong_or_replaced_feed_address_is_a_404(db):
    member = MemberFactory()
    old = regenerate_feed_key(member=member).secret
    regenerate_feed_key(member=member)
    assert Client().get(reverse("forum:notifications_feed", args=[old])).status_code == 404
    assert Client().get(reverse("forum:notifications_feed", args=["wrong-secret"])).status_code == 404


@pytest.mark.parametrize("count", [1, 40])
def test_a_notifications_feed_is_bounded_and_costs_the_same(db, django_assert_num_queries, count):
    member = MemberFactory()
    for n in range(count):
        Notification.objects.create(recipient=member, kind=Notification.Kind.REPLY, text=f"Reply {n}")
    key = regenerate_feed_key(member=member)
    with django_assert_num_queries(2):  # the key with its member, the newest notifications
        response = Client().get(reverse("forum:notifications_feed", args=[key.secret]))
    assert response.content.decode().count("<entry>") == min(count, 30)
