"""Pages that show an article: home, topic, FAQ."""

from django.shortcuts import get_object_or_404, render

from forum.pagecache import cached_for_readers
from forum.selectors.content import article_overview, published_articles
from forum.selectors.voting import ballot_results, results_visible


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
    results = ballot_results(article=article) if results_visible(viewer=request.user, article=article) else None
    top = results.sorted_by("score")[:5] if results and results.voters else []
    return render(
        request,
        "forum/content/article.html",
        {"article": article, "factor_results": results, "top_factors": top, **context},
    )


@cached_for_readers
def faq(request, article):
    article = get_object_or_404(published_articles().prefetch_related("faqs"), slug=article)
    return render(request, "forum/content/faq.html", {"article": article})
