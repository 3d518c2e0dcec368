"""Reads for the article pages."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from forum.models import Article, Topic
from forum.selectors.discussion import subsections_with_comment_counts


def published_articles() -> QuerySet[Article]:
    return Article.objects.published()


def article_overview(slug: str) -> Article:
    """An article with its topics, key points and FAQ, for the home page."""
    return get_object_or_404(
        published_articles().prefetch_related(
            Prefetch("topics", queryset=Topic.objects.only("id", "article_id", "position", "title", "slug", "summary")),
            "key_points",
            "faqs",
        ),
        slug=slug,
    )


def topic_detail(article_slug: str, topic_slug: str) -> Topic:
    """A topic with its article and subsections."""
    return get_object_or_404(
        Topic.objects.filter(article__is_published=True)
        .select_related("article")
        .prefetch_related(Prefetch("subsections", queryset=subsections_with_comment_counts())),
        article__slug=article_slug,
        slug=topic_slug,
    )


def topic_with_article(article_slug: str, topic_slug: str) -> Topic:
    """A published topic and its article, nothing more (one query), for small answers about it."""
    return get_object_or_404(
        Topic.objects.filter(article__is_published=True).select_related("article"),
        article__slug=article_slug,
        slug=topic_slug,
    )


def sibling_topics(topic: Topic) -> list[Topic]:
    """The article's topics in order, titles only, for the contents list and previous/next."""
    return list(Topic.objects.filter(article_id=topic.article_id).only("id", "article_id", "position", "title", "slug"))
