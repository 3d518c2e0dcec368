"""Pages that show an article: home, topic, FAQ."""

from django.shortcuts import get_object_or_404, render

from forum.pagecache import cached_for_readers
from forum.selectors.content import article_overview, published_articles, sibling_topics, topic_detail
from forum.selectors.voting import ballot_results, current_ballot
from forum.views.discussion import discussion_context
from forum.views.voting import results_visible, topic_factors_context


@cached_for_readers
def home(request):
    articles = list(published_articles().only("id", "slug", "title"))
    if not articles:
        return render(request, "forum/content/empty.html")
    return render_article(request, article_overview(articles[0].slug), others=articles[1:])


@cached_for_readers
def article_detail(request, article):
    return render_article(request, article_overview(article))


def render_article(request, article, **context):
    """The article's home, with the leading factors beside it (from the cached results)."""
    results = ballot_results(article=article)
    if article.results_after_voting and not results_visible(request, article, current_ballot(
            member=request.user, article=article)):
        results = None
    top = results.sorted_by("score")[:5] if results and results.voters else []
    return render(request, "forum/content/article.html",
                  {"article": article, "factor_results": results, "top_factors": top, **context})


@cached_for_readers
def topic(request, article, topic):
    topic = topic_detail(article, topic)
    topics = sibling_topics(topic)
    index = next(i for i, sibling in enumerate(topics) if sibling.pk == topic.pk)
    for sibling in topics:
        sibling.article = topic.article  # for get_absolute_url without a query each
    context = {
        "article": topic.article,
        "topic": topic,
        "topics": topics,
        "previous": topics[index - 1] if index > 0 else None,
        "next": topics[index + 1] if index + 1 < len(topics) else None,
    }
    context.update(discussion_context(request, topic))
    context.update(topic_factors_context(request, topic))
    return render(request, "forum/content/topic.html", context)


@cached_for_readers
def faq(request, article):
    article = get_object_or_404(published_articles().prefetch_related("faqs"), slug=article)
    return render(request, "forum/content/faq.html", {"article": article})
