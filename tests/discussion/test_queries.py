import pytest

from forum.models import Comment, Restriction
from forum.services.discussion import edit_comment
from tests.conftest import SESSION_QUERIES
from tests.factories import CommentFactory, FactorFactory, MemberFactory, SubsectionFactory


def fill(topic, count):
    """`count` comments: a third top-level, the rest replies at every depth, some edited and marked.

    Saved with bulk_create, a batch whenever a reply's parent is not saved yet (parents come first).
    """
    members = MemberFactory.create_batch(5)
    anchor = topic.subsections.first()
    comments, saved = [], 0
    for n in range(count):
        parent = comments[n // 2] if n % 3 and comments else None
        if parent is not None and n // 2 >= saved:
            Comment.objects.bulk_create(comments[saved:])
            saved = len(comments)
        comments.append(
            Comment(
                topic=topic,
                author=members[n % 5],
                parent=parent,
                root=(parent.root or parent) if parent else None,
                depth=parent.depth + 1 if parent else 0,
                anchor=anchor,
                helpful_count=n % 4,
                body=f"Comment number {n}.",
                body_html=f"<p>Comment number {n}.</p>",
            )
        )
    Comment.objects.bulk_create(comments[saved:])
    edit_comment(editor=comments[0].author, comment=comments[0], body="edited")


@pytest.fixture
def topic(db):
    subsection = SubsectionFactory()
    SubsectionFactory(topic=subsection.topic)
    for factor in FactorFactory.create_batch(3, article=subsection.topic.article):
        factor.topics.add(subsection.topic)
    return subsection.topic


def warm(client, topic):
    """The factor results are cached: the first view computes them (1 query), later ones do not."""
    client.get(topic.get_absolute_url())


@pytest.mark.parametrize("count", [10, 100, 1000])
def test_topic_page_costs_the_same_for_a_reader_whatever_the_comments(topic, client, django_assert_num_queries, count):
    fill(topic, count)
    warm(client, topic)
    # Rendered (another address than the reader's cached page): topic+article, subsections with comment
    # counts, sibling topics, thread count, threads with their reply totals, their first replies
    with django_assert_num_queries(6):
        response = client.get(topic.get_absolute_url(), {"sort": "newest"})
    assert response.status_code == 200
    with django_assert_num_queries(0):  # then from the page cache
        assert client.get(topic.get_absolute_url(), {"sort": "newest"}).content == response.content


@pytest.mark.parametrize("count", [10, 100, 1000])
def test_topic_page_costs_the_same_for_a_member_whatever_the_comments(topic, client, django_assert_num_queries, count):
    fill(topic, count)
    member = MemberFactory()
    client.force_login(member)
    warm(client, topic)
    # session (unless in Redis), member, unread notifications, + the reader's 6, + the member's restriction
    # and classes (the tabs)
    with django_assert_num_queries(10 + SESSION_QUERIES):
        response = client.get(topic.get_absolute_url(), {"sort": "helpful"})
    assert response.status_code == 200


def test_topic_page_with_cold_factor_results_stays_within_12_queries(topic, client, django_assert_max_num_queries):
    fill(topic, 100)
    client.force_login(MemberFactory())
    with django_assert_max_num_queries(12):  # the member's 11, + the factor aggregate
        client.get(topic.get_absolute_url())


def test_muted_member_page_costs_no_more(topic, client, django_assert_num_queries):
    fill(topic, 10)
    member = MemberFactory()
    Restriction.objects.create(member=member, kind="mute", reason="x")
    client.force_login(member)
    warm(client, topic)
    with django_assert_num_queries(10 + SESSION_QUERIES):
        client.get(topic.get_absolute_url())


def test_profile_page_costs_the_same_whatever_the_comments(db, client, django_assert_num_queries):
    member = MemberFactory()
    CommentFactory.create_batch(50, author=member)
    # member, count, page of comments with their topics and articles
    with django_assert_num_queries(3):
        client.get(member.get_absolute_url())


@pytest.mark.parametrize("count", [1, 50])
def test_opening_a_reply_form_costs_the_same_whatever_the_comments(topic, client, django_assert_num_queries, count):
    comments = [CommentFactory(topic=topic) for _ in range(count)]
    client.force_login(MemberFactory())
    client.get(comments[0].get_absolute_url())
    # session (unless in Redis), member, the comment with its topic, article, author and class
    with django_assert_num_queries(3 + SESSION_QUERIES):
        client.get(f"/comments/{comments[0].pk}/reply/", headers={"HX-Request": "true"})
