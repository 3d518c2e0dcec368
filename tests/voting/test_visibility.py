"""Results kept until a member has voted are kept everywhere: every page, the CSV, the sidebars, the class page.

One rule decides (selectors.voting.results_visible); each test checks one place, with the article's
setting on and a member who has not voted, and that the place shows them once the member has voted.
"""

import pytest
from django.urls import reverse

from forum.services.voting import cast_ballot
from tests.factories import ClassroomFactory, FactorFactory, MemberFactory, MembershipFactory, TopicFactory


@pytest.fixture
def article(db):
    topic = TopicFactory(article__results_after_voting=True)
    article = topic.article
    # "Zebra" leads the vote but comes last in the factors' own order, so an order by place gives it away.
    factors = [FactorFactory(article=article, name=name, position=n) for n, name in enumerate(["Alpha", "Zebra"])]
    for factor in factors:
        factor.topics.add(topic)
    for _ in range(3):
        cast_ballot(member=MemberFactory(), article=article, ranking=[factors[1], factors[0]])
    return article


@pytest.fixture
def member(client, db):
    member = MemberFactory()
    client.force_login(member)
    return member


def vote(member, article):
    cast_ballot(member=member, article=article, ranking=list(article.factors.order_by("position")))


def test_the_results_page_waits_for_the_members_vote(client, article, member):
    url = reverse("forum:results", args=[article.slug])
    response = client.get(url)
    assert "rows" not in response.context and "3 members" not in response.content.decode()
    vote(member, article)
    assert "4 members" in client.get(url, {"sort": "top3"}).content.decode()


def test_the_csv_waits_for_the_members_vote(client, article, member):
    url = reverse("forum:results_csv", args=[article.slug])
    assert client.get(url).status_code == 302
    vote(member, article)
    assert "Zebra" in client.get(url).content.decode("utf-8")


def test_the_reasons_wait_for_the_members_vote(client, article, member):
    assert client.get(reverse("forum:reasons", args=[article.slug])).status_code == 302


def test_the_home_page_shows_no_leading_factors_before_the_vote(client, article, member):
    html = client.get(article.get_absolute_url()).content.decode()
    assert "ranked the factors" not in html
    vote(member, article)
    assert "4 members ranked the factors" in client.get(article.get_absolute_url(), {"v": 1}).content.decode()


def test_the_topic_sidebar_gives_neither_places_nor_order_before_the_vote(client, article, member):
    topic = article.topics.get()
    html = client.get(topic.get_absolute_url()).content.decode()
    sidebar = html.split('id="topic-factors-heading"', 1)[1].split("</section>", 1)[0]
    assert "Place" not in sidebar and sidebar.index("Alpha") < sidebar.index("Zebra")
    vote(member, article)
    sidebar = (
        client.get(topic.get_absolute_url(), {"v": 1})
        .content.decode()
        .split('id="topic-factors-heading"', 1)[1]
        .split("</section>", 1)[0]
    )
    assert "Place 1" in sidebar and sidebar.index("Zebra") < sidebar.index("Alpha")


def test_the_class_page_follows_the_articles_setting_too(client, article, member):
    classroom = ClassroomFactory(article=article, results_after_voting=False)
    MembershipFactory(classroom=classroom, member=member)
    url = classroom.get_absolute_url()
    assert "comparison" not in client.get(url).context
    vote(member, article)
    assert "comparison" in client.get(url).context


def test_the_classs_teacher_sees_the_class_results_unvoted(client, article):
    classroom = ClassroomFactory(article=article, results_after_voting=True)
    client.force_login(classroom.teacher)
    assert "comparison" in client.get(classroom.get_absolute_url()).context


def test_anonymous_readers_see_no_results_when_they_wait_for_a_vote(client, article):
    html = client.get(reverse("forum:results", args=[article.slug])).content.decode()
    assert "3 members" not in html
