"""The search page, fuzzed: whatever the query and filters, an answer (never a 5xx), and only our marks as HTML.

On both databases: run with DATABASE_URL set to PostgreSQL too (FTS5 and
to_tsquery each have a query language the viewer's words must never reach).
"""

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from forum.markdown import render_markdown
from forum.models import Comment
from tests.factories import CommentFactory
from tests.fuzz.strategies import CHARACTERS, EDGES, values

SEARCH = reverse("forum:search")
# What each database's query language would read as syntax, mixed with words that match.
SYNTAX = st.lists(
    st.sampled_from(
        ['"', "*", "NEAR(", ")", "AND", "OR", "NOT", "-", "^", ":", "{", "}", "+", "&", "|", "!", "<->", ":*",
         "'", "\\", "%", "_", "\x00", "\x01", "peace", "talks", "sanctions", "<script>", "<mark>", "body:", "title:"]
    ),
    max_size=12,
).map(" ".join)  # fmt: skip
QUERIES = st.one_of(SYNTAX, st.text(CHARACTERS, max_size=60), EDGES, values())
TAG = re.compile(r"<(/?)(\w+)")


@pytest.fixture
def matches(world):
    """Comments a fuzzed query can find, one of them full of markup, in public and in the class."""
    hostile = "<script>alert('peace')</script> <b>talks</b> & <mark>sanctions</mark> \"peace talks\""
    CommentFactory(topic=world.topic, author=world.author, body=hostile, body_html=render_markdown(hostile))
    CommentFactory(topic=world.topic, author=world.student, classroom=world.classroom, body_html="<p>Peace talks.</p>")
    return Comment.objects.count()


def query_params(w):
    """Filters: absent, valid, or anything; the query itself drawn from QUERIES."""
    valid = {"topic": str(w.topic.pk), "author": w.author.public_name, "date_from": "2020-01-01", "page": "1"}
    return st.fixed_dictionaries(
        {"q": QUERIES},
        optional={name: st.one_of(st.just(value), values(w.ids())) for name, value in valid.items()},
    )


@pytest.mark.parametrize("role", ["anonymous", "member", "student", "pupil", "moderator"])
@given(data=st.data())
def test_any_query_gets_an_answer_and_only_our_marks(client, world, matches, role, data):
    user = None if role == "anonymous" else getattr(world, role)
    if user is not None:
        client.force_login(user)
    params = data.draw(query_params(world), label="params")

    response = client.get(SEARCH, params)

    assert response.status_code == 200
    results = response.content.decode().split('class="search-results', 1)
    if len(results) == 2:
        # Inside the results, the only tags are the page's own and <mark>: what was typed stays text.
        tags = {name for _, name in TAG.findall(results[1].split("</ol>")[0])}
        assert tags <= {"li", "p", "span", "a", "mark", "time"}, tags
