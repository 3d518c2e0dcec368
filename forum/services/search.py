"""Writes for the search index: one SearchEntry per passage of an article and per published comment.

Signals on the content and comment models call these (forum/apps.py), in the
transaction of the write itself, so whatever changes a comment (a service, the
admin, a command, a factory) changes its entry with it, and a rollback takes
both back. A comment has an entry only while it is published. The text index
over the entries is the database's own, kept by triggers (migration 0010).
"""

import html
import re

from django.db import connection, transaction

from forum.markdown import render_markdown
from forum.models import Article, Comment, FaqEntry, KeyPoint, SearchEntry, Subsection, Topic

Kind = SearchEntry.Kind
TAG = re.compile(r"<[^>]*>")
# Tags that end a line of text: a space for them, nothing for inline ones ("@ana</a>:" reads "@ana:").
BLOCK_TAG = re.compile(r"</?(?:p|br|li|ul|ol|blockquote|pre|h[1-6]|div|tr|td|th|table)\b[^>]*>", re.IGNORECASE)
# Never in the index: control characters (\x02 and \x03 mark the matches in highlights) and the two
# private-use characters that stand for < and & in PostgreSQL's reading of it (selectors/search.py).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000\ue001]")
COMMENT_FIELDS = {"body", "body_html", "status", "topic", "classroom", "author"}
BATCH = 2000


def html_to_text(markup: str) -> str:
    """What a reader sees of `markup`, as one line of plain text."""
    text = html.unescape(TAG.sub("", BLOCK_TAG.sub(" ", markup)))
    return " ".join(CONTROL.sub(" ", text).split())


def markdown_to_text(source: str) -> str:
    return html_to_text(render_markdown(source)) if source else ""


def clean(text: str, limit: int | None = None) -> str:
    text = " ".join(CONTROL.sub(" ", text).split())
    return text[:limit] if limit else text


def article_entries(article, entry=SearchEntry) -> list:
    """Unsaved entries for every passage of `article`: itself, its topics and sections, key points and FAQ.

    Works on historical models too (migration 0010 passes its own `entry` model).
    """
    entries = [article_entry(article, entry)]
    for topic in article.topics.all():
        entries.append(topic_entry(topic, article, entry))
        entries += [subsection_entry(sub, topic, article, entry) for sub in topic.subsections.all()]
    entries += [key_point_entry(point, article, entry) for point in article.key_points.all()]
    entries += [faq_entry(faq, article, entry) for faq in article.faqs.all()]
    return entries


def article_entry(article, entry=SearchEntry):
    """The article itself: title, lede and intro."""
    return entry(
        kind=Kind.ARTICLE,
        object_id=article.pk,
        article_id=article.pk,
        created_at=article.created_at,
        title=clean(article.title, 300),
        body=" ".join(filter(None, [clean(article.lede), markdown_to_text(article.intro)])),
    )


def topic_entry(topic, article, entry=SearchEntry):
    return entry(
        kind=Kind.TOPIC,
        object_id=topic.pk,
        article_id=article.pk,
        topic_id=topic.pk,
        created_at=article.created_at,
        title=clean(topic.title, 300),
        body=" ".join(filter(None, [clean(topic.summary), markdown_to_text(topic.intro)])),
    )


def subsection_entry(sub, topic, article, entry=SearchEntry):
    return entry(
        kind=Kind.SUBSECTION,
        object_id=sub.pk,
        article_id=article.pk,
        topic_id=topic.pk,
        anchor=sub.anchor,
        created_at=article.created_at,
        title=clean(sub.title, 300),
        body=markdown_to_text(sub.body),
    )


def key_point_entry(point, article, entry=SearchEntry):
    return entry(
        kind=Kind.KEY_POINT,
        object_id=point.pk,
        article_id=article.pk,
        anchor="key-points-heading",
        created_at=article.created_at,
        title=clean(point.label, 300),
        body=clean(point.text),
    )


def faq_entry(faq, article, entry=SearchEntry):
    return entry(
        kind=Kind.FAQ,
        object_id=faq.pk,
        article_id=article.pk,
        anchor=faq.anchor,
        created_at=article.created_at,
        title=clean(faq.question, 300),
        body=markdown_to_text(faq.answer),
    )


def comment_entry(comment, article_id: int, entry=SearchEntry):
    return entry(
        kind=Kind.COMMENT,
        object_id=comment.pk,
        article_id=article_id,
        topic_id=comment.topic_id,
        classroom_id=comment.classroom_id,
        author_id=comment.author_id,
        created_at=comment.created_at,
        body=html_to_text(comment.body_html),
    )


def save_entry(new: SearchEntry) -> None:
    """Create or replace the entry of `new`'s object."""
    fields = {f.attname: getattr(new, f.attname) for f in SearchEntry._meta.concrete_fields if not f.primary_key}
    fields.pop("search_vector")
    SearchEntry.objects.update_or_create(kind=new.kind, object_id=new.object_id, defaults=fields)


def drop_entry(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


@transaction.atomic
def index_comment(*, comment: Comment) -> None:
    """The comment's entry while it is published; none otherwise (pending, hidden or deleted never match)."""
    if comment.status != Comment.Status.PUBLISHED:
        drop_entry(Kind.COMMENT, comment.pk)
        return
    save_entry(comment_entry(comment, comment.topic.article_id))


@transaction.atomic
def index_content(*, obj) -> None:
    """The entry of one passage of an article, after an import or an admin's edit."""
    if isinstance(obj, Article):
        save_entry(article_entry(obj))
    elif isinstance(obj, Topic):
        save_entry(topic_entry(obj, obj.article))
    elif isinstance(obj, Subsection):
        save_entry(subsection_entry(obj, obj.topic, obj.topic.article))
    elif isinstance(obj, KeyPoint):
        save_entry(key_point_entry(obj, obj.article))
    elif isinstance(obj, FaqEntry):
        save_entry(faq_entry(obj, obj.article))


KINDS = {
    Article: Kind.ARTICLE,
    Topic: Kind.TOPIC,
    Subsection: Kind.SUBSECTION,
    KeyPoint: Kind.KEY_POINT,
    FaqEntry: Kind.FAQ,
}


def content_saved(sender, instance, raw=False, **kwargs) -> None:
    """post_save of Article, Topic, Subsection, KeyPoint, FaqEntry."""
    if not raw:
        index_content(obj=instance)


def content_deleted(sender, instance, **kwargs) -> None:
    drop_entry(KINDS[sender], instance.pk)


def comment_deleted(sender, instance, **kwargs) -> None:
    drop_entry(Kind.COMMENT, instance.pk)


def comment_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """post_save of Comment: only what the entry holds (text, status, place) is worth a write."""
    if raw or (update_fields is not None and not COMMENT_FIELDS & set(update_fields)):
        return
    index_comment(comment=instance)


@transaction.atomic
def rebuild_search_index(*, article_model=Article, comment_model=Comment, entry=SearchEntry) -> int:
    """Rebuild every entry from the articles and the published comments; return how many there are.

    For `manage.py rebuild_search_index` and migration 0010 (which passes its historical models).
    """
    entry.objects.all().delete()
    total = 0
    for article in article_model.objects.prefetch_related("topics__subsections", "key_points", "faqs"):
        total += len(entry.objects.bulk_create(article_entries(article, entry)))
    comments = (
        comment_model.objects.filter(status=Comment.Status.PUBLISHED)
        .select_related("topic")
        .only("pk", "topic__article", "classroom_id", "author_id", "created_at", "body_html")
        .order_by("pk")
    )
    batch = []
    for comment in comments.iterator(chunk_size=BATCH):
        batch.append(comment_entry(comment, comment.topic.article_id, entry))
        if len(batch) == BATCH:
            total += len(entry.objects.bulk_create(batch))
            batch = []
    total += len(entry.objects.bulk_create(batch))
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner: a whole index rewritten at once is read differently.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(entry._meta.db_table)}")
    return total
