"""The search page: open to every role, each seeing only what they may read; bad input gets a message."""

import pytest
from django.urls import reverse

from forum.ratelimit import LIMITS
from tests.conftest import SESSION_QUERIES
from tests.factories import CommentFactory, MemberFactory, MembershipFactory

SEARCH = reverse("forum:search")
ROLES = ["anonymous", "member", "pupil", "student", "teacher", "moderator"]


@pytest.fixture
def act_as(client, classroom, student, pupil, viewer_in):
    """The test client logged in as `role` (a pupil is the class's class account)."""

    def login(role):
        user = pupil if role == "pupil" else viewer_in(role)
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.mark.parametrize(
    ("role", "sees_class"),
    [("anonymous", False), ("member", False), ("pupil", True), ("student", True), ("teacher", True),
     ("moderator", True)],
)  # fmt: skip
def test_every_role_searches_and_finds_the_class_s_comments_only_in_it(
    act_as, topic, classroom, pupil, role, sees_class
):
    CommentFactory(topic=topic, body_html="<p>Grain corridors in public.</p>")
    CommentFactory(topic=topic, author=pupil, classroom=classroom, body_html="<p>Grain corridors in class.</p>")

    response = act_as(role).get(SEARCH, {"q": "grain"})

    assert response.status_code == 200
    html = response.content.decode().split("<main")[1]  # the header names the member themself
    assert "<mark>Grain</mark> corridors in public." in html
    assert ("<mark>Grain</mark> corridors in class." in html) is sees_class
    assert ("Zoë M." in html) is sees_class
    assert pupil.username not in html
    assert (f"Class {classroom.name}" in html) is sees_class


def test_a_result_links_to_the_comment_s_permalink_and_the_passage_s_anchor(client, topic):
    comment = CommentFactory(topic=topic, body_html="<p>Quiet grain corridors.</p>")

    html = client.get(SEARCH, {"q": "quiet"}).content.decode()

    assert f'href="{comment.get_absolute_url()}"' in html
    assert f'href="{topic.get_absolute_url()}#back-channels"' in html


def test_markup_in_a_comment_is_shown_as_text_and_only_the_matches_are_marked(client, topic):
    body = "<script>alert('grain')</script> <b>grain</b> & <mark>corridors</mark>"
    # As post_comment stores it: the Markdown renderer escapes what it does not make.
    from forum.markdown import render_markdown

    CommentFactory(topic=topic, body=body, body_html=render_markdown(body))

    html = client.get(SEARCH, {"q": "grain"}).content.decode()

    snippet = html[html.index('class="search-snippet') :].split("</p>")[0]
    assert "&lt;script&gt;alert(&#x27;<mark>grain</mark>&#x27;)&lt;/script&gt;" in snippet
    assert "&lt;b&gt;<mark>grain</mark>&lt;/b&gt; &amp; &lt;mark&gt;corridors&lt;/mark&gt;" in snippet
    assert "<script>" not in html.split("<main")[1]


@pytest.mark.parametrize("count", [1, 45])  # the same cost for 1 match or 45 (three pages)
@pytest.mark.parametrize("role", ["anonymous", "student"])
def test_a_results_page_costs_the_same_whatever_the_matches(act_as, topic, django_assert_num_queries, count, role):
    for _ in range(count):
        CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")
    client = act_as(role)
    client.get(SEARCH, {"q": "grain"})
    # Members: session, member, unread notifications. Then the topics for the filter, the count, the page's
    # ranked ids, the page's entries in full with their highlights.
    member_queries = 0 if role == "anonymous" else SESSION_QUERIES + 2
    with django_assert_num_queries(member_queries + 4):
        response = client.get(SEARCH, {"q": "grain", "page": "2" if count > 20 else "1"})
    assert response.status_code == 200


def test_pages_keep_the_query_and_the_filters(client, topic):
    for _ in range(25):
        CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")

    response = client.get(SEARCH, {"q": "grain", "topic": topic.pk, "author": ""})

    assert response.context["page"].paginator.count == 25
    assert len(response.context["page"].object_list) == 20
    assert f"?q=grain&amp;topic={topic.pk}&amp;author=&amp;page=2" in response.content.decode()
    second = client.get(SEARCH, {"q": "grain", "topic": topic.pk, "page": "2"})
    assert len(second.context["page"].object_list) == 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a word to look for."),
        ("   ", "Type a word to look for."),
        ('"*"', "punctuation and symbols are ignored"),
        ("NEAR(", None),
        ("grain\x00", "Null characters are not allowed."),
        ("grain\x1b[31m", "Control characters such as U+001B are not allowed"),
        ("grain " * 50, "Keep the search under 200 characters."),
    ],
)
def test_bad_queries_get_a_message_or_no_results(client, topic, query, message):
    response = client.get(SEARCH, {"q": query})

    assert response.status_code == 200
    html = response.content.decode()
    if message is None:
        assert response.context["page"].paginator.count == 0
        assert "Nothing matches." in html
    else:
        assert message in html
        assert response.context["page"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"topic": "999999"}, "Pick a topic from the list."),
        ({"topic": "²"}, "Pick a topic from the list."),
        ({"date_from": "2026-02-30"}, "Enter a valid date."),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "must come before"),
        ({"author": "x" * 151}, "at most 150 characters"),
    ],
)
def test_bad_filters_get_a_message(client, topic, params, message):
    response = client.get(SEARCH, {"q": "grain", **params})

    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_search_page_without_a_query_shows_only_the_form(client, topic):
    response = client.get(SEARCH)

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "Type a word" not in response.content.decode()


def test_search_is_a_get_only_page(client, topic):
    assert client.post(SEARCH, {"q": "grain"}).status_code == 405


def test_every_page_has_the_search_box_in_its_header(client, topic):
    html = client.get(topic.get_absolute_url()).content.decode()

    header = html.split("</header>")[0]
    assert f'action="{SEARCH}"' in header
    assert 'name="q"' in header


def test_one_address_is_slowed_down_only_after_many_searches(client, topic, monkeypatch):
    monkeypatch.setitem(LIMITS, "search", [(2, 60, "2 searches a minute from one address")])
    for _ in range(2):
        assert "You have reached the limit" not in client.get(SEARCH, {"q": "grain"}).content.decode()

    response = client.get(SEARCH, {"q": "grain"})

    assert response.status_code == 200
    assert "You have reached the limit of 2 searches a minute from one address" in response.content.decode()
    assert response.context["page"] is None


def test_classmates_share_the_address_s_generous_limit(client, topic):
    """A class of 30 from one school address searches freely: 300 a minute."""
    assert LIMITS["search"][0][:2] == (300, 60)
    members = [MembershipFactory().member for _ in range(2)] + [MemberFactory()]
    for member in members:
        client.force_login(member)
        assert client.get(SEARCH, {"q": "grain"}).status_code == 200
