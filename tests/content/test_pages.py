import re

import pytest
from django.urls import reverse

from forum.models import Article, Topic
from tests.factories import AdminFactory, MemberFactory, ModeratorFactory

ROLES = ["anonymous", "member", "moderator", "admin"]


@pytest.fixture
def as_role(client):
    def login(role):
        factory = {"member": MemberFactory, "moderator": ModeratorFactory, "admin": AdminFactory}.get(role)
        if factory:
            client.force_login(factory())
        return client

    return login


def page_urls(article):
    topic = article.topics.first()
    return [
        reverse("forum:home"),
        article.get_absolute_url(),
        topic.get_absolute_url(),
        reverse("forum:faq", args=[article.slug]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_reading_page_is_open_to_every_role(article, as_role, role):
    client = as_role(role)
    for url in page_urls(article):
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(re.findall(r"<h1[ >]", response.content.decode())) == 1, f"one h1 on {url}"


def test_home_shows_title_lede_topics_key_points_and_faq(article, client):
    response = client.get(reverse("forum:home"))
    html = response.content.decode()
    assert f"<h1>{article.title}</h1>" in html
    assert article.lede in html
    for topic in article.topics.all():
        assert f'href="{topic.get_absolute_url()}"' in html
        assert topic.summary in html
    assert '<th scope="row">Public Opinion</th><td>Shapes leaders’ diplomatic actions.</td>' in html
    for entry in article.faqs.all():
        assert f'href="{reverse("forum:faq", args=[article.slug])}#{entry.anchor}"' in html
    assert "<title>The reduction in US-Russia peace talks · Peace Talks Forum</title>" in html
    assert '<meta name="description" content="The reduction in US-Russia peace talks is influenced' in html


def test_topic_page_shows_subsections_with_anchors_bullets_and_neighbours(article, client):
    topics = list(article.topics.all())
    response = client.get(topics[0].get_absolute_url())
    html = response.content.decode()
    assert "<h1>Reasons for the reduction in peace talks</h1>" in html
    for anchor in ("political-climate-and-leadership-changes", "trust-issues", "economic-sanctions"):
        assert f'<h2 id="{anchor}">' in html
        assert f'href="#{anchor}"' in html
    assert "<li>Memory of past conflicts affecting decisions</li>" in html
    assert f'rel="next" href="{topics[1].get_absolute_url()}"' in html
    assert 'rel="prev"' not in html
    last = client.get(topics[-1].get_absolute_url()).content.decode()
    assert f'rel="prev" href="{topics[-2].get_absolute_url()}"' in last
    assert 'rel="next"' not in last


def test_faq_page_lists_every_question_with_its_answer(article, client):
    html = client.get(reverse("forum:faq", args=[article.slug])).content.decode()
    for entry in article.faqs.all():
        assert f'id="{entry.anchor}"' in html
        assert entry.question in html
        assert entry.answer in html


def test_editing_a_topic_in_the_admin_shows_on_the_site(article, client):
    topic = article.topics.first()
    subsection = topic.subsections.first()
    client.force_login(AdminFactory())
    url = reverse("admin:forum_topic_change", args=[topic.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "article": topic.article_id,
            "title": "A retitled topic",
            "intro": "A **new** opening.",
            "subsections-TOTAL_FORMS": 3,
            "subsections-INITIAL_FORMS": 3,
            "subsections-MIN_NUM_FORMS": 0,
            "subsections-MAX_NUM_FORMS": 1000,
        }
    )
    for i, sub in enumerate(topic.subsections.all()):
        data.update(
            {
                f"subsections-{i}-id": sub.pk,
                f"subsections-{i}-topic": topic.pk,
                f"subsections-{i}-position": sub.position,
                f"subsections-{i}-title": sub.title,
                f"subsections-{i}-anchor": sub.anchor,
                f"subsections-{i}-body": sub.body,
            }
        )
    data["subsections-0-body"] = "Rewritten by the editor."
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "<h1>A retitled topic</h1>" in html
    assert "<p>A <strong>new</strong> opening.</p>" in html
    assert "Rewritten by the editor." in html
    assert subsection.title in html


@pytest.mark.parametrize(
    "url",
    [
        "/articles/the-reduction-in-us-russia-peace-talks/topics/no-such-topic/",
        "/articles/no-such-article/",
        "/articles/no-such-article/faq/",
        "/nowhere/",
    ],
)
def test_unknown_pages_get_the_sites_404(article, client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Peace Talks Forum" in response.content.decode()


def test_unpublished_article_is_not_shown(article, client):
    Article.objects.update(is_published=False)
    topic = Topic.objects.first()
    assert client.get(topic.get_absolute_url()).status_code == 404
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Nothing published yet" in client.get("/").content.decode()


def test_500_page_renders_without_a_request(client):
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html
    assert "Nothing you wrote has been lost" in html


def test_home_shows_the_leading_factors_and_how_to_vote(article, client, django_capture_on_commit_callbacks):
    from forum.services.voting import add_curated_factors, cast_ballot

    add_curated_factors(
        article=article, factors=[{"name": "Trust", "description": "d"}, {"name": "Sanctions", "description": "d"}]
    )
    html = client.get("/").content.decode()
    assert "Members rank the factors" in html and reverse("forum:ballot", args=[article.slug]) in html
    with django_capture_on_commit_callbacks(execute=True):
        cast_ballot(member=MemberFactory(), article=article, ranking=list(article.factors.order_by("-name")))
    html = client.get("/").content.decode()
    assert "1. Trust" in html and "2. Sanctions" in html and "1 member ranked the factors." in html
