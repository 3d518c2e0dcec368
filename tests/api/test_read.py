"""Reading through the API: what every role gets from each read endpoint, and what never leaves a class."""

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Article, Comment
from forum.services.voting import cast_ballot
from tests.api.conftest import ROLES
from tests.factories import ArticleFactory, CommentFactory, MemberFactory


def comments_url(topic):
    return reverse("api:topic_comments", args=[topic.article.slug, topic.slug])


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_articles_topics_and_factors(as_role, topic, role):
    client = as_role(role)
    ArticleFactory(is_published=False, title="Draft")
    articles = client.get(reverse("api:articles")).json()
    assert [a["title"] for a in articles] == [topic.article.title]
    topics = client.get(reverse("api:topics", args=[topic.article.slug])).json()
    assert topics[0]["slug"] == topic.slug
    assert client.get(reverse("api:topic", args=[topic.article.slug, topic.slug])).json()["title"] == topic.title
    assert topics[0]["feed_url"].endswith("/feed/")
    factors = client.get(reverse("api:factors", args=[topic.article.slug])).json()
    assert len(factors) == 3


def test_an_unpublished_article_is_a_404(client, topic):
    Article.objects.filter(pk=topic.article_id).update(is_published=False)
    assert client.get(reverse("api:topics", args=[topic.article.slug])).status_code == 404
    assert client.get(comments_url(topic)).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_public_threads_but_never_a_class_comment(as_role, topic, classroom, pupil, role):
    client = as_role(role)
    root = CommentFactory(topic=topic, body_html="<p>Public words.</p>")
    CommentFactory(topic=topic, parent=root, body_html="<p>A public reply.</p>")
    CommentFactory(topic=topic, author=pupil, classroom=classroom, body_html="<p>Class secret.</p>")
    response = client.get(comments_url(topic))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    thread = data["results"][0]
    assert thread["body_html"] == "<p>Public words.</p>"
    assert [reply["body_html"] for reply in thread["replies"]] == ["<p>A public reply.</p>"]
    assert thread["replies"][0]["parent"] == root.pk
    assert "Class secret" not in response.content.decode()
    assert "Pupilova" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_a_public_comment_and_its_replies(as_role, topic, role):
    root = CommentFactory(topic=topic)
    CommentFactory(topic=topic, parent=root, body_html="<p>Reply.</p>")
    client = as_role(role)
    assert client.get(reverse("api:comment", args=[root.pk])).json()["id"] == root.pk
    assert [r["body_html"] for r in client.get(reverse("api:comment_replies", args=[root.pk])).json()["results"]] == [
        "<p>Reply.</p>"
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_schema_and_the_docs_page(as_role, role):
    client = as_role(role)
    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_a_class_comment_is_a_404_for_every_role(as_role, topic, classroom, pupil, role):
    comment = CommentFactory(topic=topic, author=pupil, classroom=classroom)
    client = as_role(role)
    assert client.get(reverse("api:comment", args=[comment.pk])).status_code == 404
    assert client.get(reverse("api:comment_replies", args=[comment.pk])).status_code == 404


def test_authors_appear_by_their_public_name_only(client, topic):
    comment = CommentFactory(topic=topic, author__first_name="Robert", author__display_name="Bob")
    data = client.get(reverse("api:comment", args=[comment.pk])).json()
    assert data["author"] == "Bob"
    assert "Robert" not in str(data)


def test_a_held_comment_is_shown_to_its_author_only(as_role, topic):
    author = as_role("member")
    held = CommentFactory(topic=topic, author=author.user, status=Comment.Status.PENDING)
    assert author.get(reverse("api:comment", args=[held.pk])).json()["status"] == "pending"
    assert as_role("member").get(reverse("api:comment", args=[held.pk])).status_code == 404
    assert as_role("anonymous").get(comments_url(topic)).json()["count"] == 0


def test_a_hidden_comment_with_a_reply_is_a_placeholder_without_author_or_text(client, topic):
    root = CommentFactory(topic=topic, status=Comment.Status.HIDDEN, body_html="<p>Hidden words.</p>")
    CommentFactory(topic=topic, parent=root)
    thread = client.get(comments_url(topic)).json()["results"][0]
    assert (thread["shown"], thread["author"], thread["body_html"]) == (False, None, None)
    assert len(thread["replies"]) == 1


def test_threads_come_a_page_at_a_time_with_their_first_replies(client, topic):
    roots = CommentFactory.create_batch(21, topic=topic)
    for _ in range(5):
        CommentFactory(topic=topic, parent=roots[0])
    data = client.get(comments_url(topic)).json()
    assert (data["count"], data["pages"], len(data["results"])) == (21, 2, 20)
    first = data["results"][0]
    assert (len(first["replies"]), first["reply_count"]) == (3, 5)
    rest = client.get(first["replies_url"]).json()
    assert len(rest["results"]) == 5
    assert len(client.get(data["next"]).json()["results"]) == 1


def test_replies_are_listed_under_the_first_comment_of_their_thread_only(client, topic):
    reply = CommentFactory(topic=topic, parent=CommentFactory(topic=topic))
    assert client.get(reverse("api:comment_replies", args=[reply.pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 30])  # the same cost for 1 thread or 30 (a page of 20)
def test_the_threads_cost_the_same_whatever_their_number(client, topic, django_assert_num_queries, count):
    for root in CommentFactory.create_batch(count, topic=topic):
        CommentFactory.create_batch(2, topic=topic, parent=root)
    # topic+article (with subsections), thread count, threads with reply totals, their first replies
    with django_assert_num_queries(5):
        response = client.get(comments_url(topic))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_a_token_reader_costs_one_query_more_whatever_the_threads(as_role, topic, django_assert_num_queries, count):
    client = as_role("member")
    CommentFactory.create_batch(count, topic=topic)
    # the token and its member, then as for a reader
    with django_assert_num_queries(6):
        response = client.get(comments_url(topic))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_results_as_the_results_page_shows_them(as_role, topic, role):
    data = as_role(role).get(reverse("api:results", args=[topic.article.slug])).json()
    assert (data["voters"], data["factor_count"], len(data["rows"])) == (0, 3, 3)


def test_results_kept_until_voting_are_a_403_until_the_member_ranks(as_role, topic):
    Article.objects.filter(pk=topic.article_id).update(results_after_voting=True)
    assert as_role("anonymous").get(reverse("api:results", args=[topic.article.slug])).status_code == 403
    assert as_role("member").get(reverse("api:results", args=[topic.article.slug])).status_code == 403
    assert as_role("moderator").get(reverse("api:results", args=[topic.article.slug])).status_code == 200


def test_an_address_the_api_does_not_have_is_a_json_404(client, topic):
    for path in ("/api/v1/comments/abc/", "/api/v1/nothing/", f"/api/v1/articles/{topic.article.slug}/tópico/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/json"
    assert client.get("/api/v1/articles").url == "/api/v1/articles/"  # a missing "/" is still added


def test_an_id_too_big_for_the_database_is_a_400_not_an_error(client, topic):
    session = Client()
    session.force_login(MemberFactory())
    url = reverse("api:ballot", args=[topic.article.slug])
    response = session.post(url, {"ranking": [2**64]}, content_type="application/json")
    assert response.status_code == 400
    assert "ranking" in response.json()


@pytest.mark.parametrize("voters", [1, 20])  # one aggregate query, whatever the number of ballots
def test_the_results_cost_the_same_whatever_the_ballots(client, topic, django_assert_num_queries, voters):
    for member in MemberFactory.create_batch(voters):
        cast_ballot(member=member, article=topic.article, ranking=list(topic.article.factors.all()))
    with django_assert_num_queries(2):  # the article, the results (cached until a ballot changes)
        response = client.get(reverse("api:results", args=[topic.article.slug]))
    assert response.json()["voters"] == voters


def test_the_anonymous_have_no_ballot_to_read(client, topic):
    assert client.get(reverse("api:ballot", args=[topic.article.slug])).status_code == 401
