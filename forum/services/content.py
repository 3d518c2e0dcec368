"""Writes for articles: publishing an article from its text."""

from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from forum.article_format import ParsedArticle, join_blocks, unique_slugs
from forum.caching import content_changed
from forum.models import Article
from forum.services.search import index_content


class ImportRefused(Exception):
    """The import would lose something a member wrote; nothing was changed."""


def sync_children(manager, key: str, rows: list[dict]) -> tuple[list[models.Model], bool]:
    """Make the related rows match `rows`, matched on `key`; save only what differs.

    Returns the rows' objects in order and whether anything was written, so an
    import of an unchanged file writes nothing.
    """
    existing = {getattr(obj, key): obj for obj in manager.all()}
    objects, changed = [], False
    for values in rows:
        obj = existing.pop(values[key], None)
        if obj is None:
            obj = manager.create(**values)
            changed = True
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
            changed = True
        objects.append(obj)
    for obj in existing.values():
        obj.delete()
        changed = True
    return objects, changed


@transaction.atomic
def publish_article(*, parsed: ParsedArticle, title: str = "") -> tuple[Article, bool]:
    """Create or update the article that `parsed` describes; return it and whether it changed.

    The article is found by the slug of its title, so importing the same file
    twice changes nothing. Topics gone from the file are removed unless members
    have discussed them, in which case the whole import is refused.
    """
    title = title or parsed.title or parsed.default_title()
    if not title:
        raise ValueError("the article has no title: pass --title")
    article_values = {"title": title, "lede": parsed.lede, "intro": join_blocks(parsed.intro)}
    article, changed = Article.objects.get_or_create(slug=slugify(title)[:200], defaults=article_values)
    if not changed and any(getattr(article, name) != value for name, value in article_values.items()):
        Article.objects.filter(pk=article.pk).update(**article_values)
        changed = True
    topic_rows = [
        {"slug": slug, "position": position, "title": topic.title, "summary": topic.summary[:400],
         "intro": join_blocks(topic.intro)}
        for position, (slug, topic) in enumerate(zip(unique_slugs([t.title for t in parsed.topics]),
                                                     parsed.topics, strict=True))
    ]  # fmt: skip
    try:
        topics, topics_changed = sync_children(article.topics, "slug", topic_rows)
    except ProtectedError as error:
        raise ImportRefused("a topic that members discussed is not in the file; edit it in the admin") from error
    changed |= topics_changed
    for topic, parsed_topic in zip(topics, parsed.topics, strict=True):
        anchors = unique_slugs([sub.title for sub in parsed_topic.subsections])
        rows = [
            {"anchor": anchor, "position": position, "title": sub.title, "body": join_blocks(sub.body)}
            for position, (anchor, sub) in enumerate(zip(anchors, parsed_topic.subsections, strict=True))
        ]
        changed |= sync_children(topic.subsections, "anchor", rows)[1]
    key_point_rows = [
        {"position": position, "icon": point.icon, "label": point.label, "text": point.text}
        for position, point in enumerate(parsed.key_points)
    ]
    changed |= sync_children(article.key_points, "position", key_point_rows)[1]
    faq_rows = [
        {"position": position, "question": faq.question, "anchor": anchor, "answer": join_blocks(faq.answer)}
        for position, (anchor, faq) in enumerate(
            zip(unique_slugs([faq.question for faq in parsed.faqs]), parsed.faqs, strict=True)
        )
    ]
    changed |= sync_children(article.faqs, "position", faq_rows)[1]
    if changed:
        content_changed()  # the article's own update above sends no signal
        article.refresh_from_db()
        index_content(obj=article)  # nor does the search index hear of it
    return article, changed
