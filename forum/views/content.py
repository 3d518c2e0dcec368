"""Pages that show an article: home, topic, FAQ."""

from django.shortcuts import get_object_or_404, render

from forum.selectors.content import article_overview, published_articles, sibling_topics, topic_detail
from forum.views.discussion import discussion_context
from forum.views.voting import topic_factors_context


def home(request):
    articles = list(published_articles().only("id", "slug", "title"))
    if not articles:
        return render(request, "forum/content/empty.html")
    article = article_overview(articles[0].slug)
    return render(request, "forum/content/article.html", {"article": article, "others": articles[1:]})


def article_detail(request, article):
    return render(request, "forum/content/article.html", {"article": article_overview(article)})


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


def faq(request, article):
    article = get_object_or_404(published_articles().prefetch_related("faqs"), slug=article)
    return render(request, "forum/content/faq.html", {"article": article})
