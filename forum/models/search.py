from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One searchable passage: a part of an article, or a published comment.

    Kept by forum/services/search.py from signals on the content and comment
    models: a comment is here only while it is published, so nothing hidden,
    pending or deleted can ever match. The text index over title and body is
    the database's own (migration 0010): on PostgreSQL `search_vector`, set by
    a trigger and GIN-indexed; on SQLite the FTS5 table `forum_searchentry_fts`,
    kept by triggers (SearchIndex below reads it).
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        TOPIC = "topic", _("Topic")
        SUBSECTION = "subsection", _("Section")
        KEY_POINT = "key_point", _("Key point")
        FAQ = "faq", _("FAQ")
        COMMENT = "comment", _("Comment")

    kind = models.CharField(max_length=16, choices=Kind)
    object_id = models.PositiveBigIntegerField()
    article = models.ForeignKey("forum.Article", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey("forum.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey("forum.Classroom", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    anchor = models.CharField(max_length=200, blank=True, help_text="The passage's #anchor on its page.")
    created_at = models.DateTimeField(db_index=True)
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_once_per_object"),
        ]
        indexes = [models.Index(fields=["article", "kind"], name="searchentry_article_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.object_id}"

    def get_absolute_url(self):
        """The passage: its topic page's or FAQ's anchor, the article's key points, or the comment's permalink."""
        if self.kind == self.Kind.COMMENT:
            return reverse("forum:comment", args=[self.object_id])
        if self.kind == self.Kind.FAQ:
            return f"{reverse('forum:faq', args=[self.article.slug])}#{self.anchor}"
        if self.kind in (self.Kind.TOPIC, self.Kind.SUBSECTION):
            url = reverse("forum:topic", args=[self.article.slug, self.topic.slug])
            return f"{url}#{self.anchor}" if self.anchor else url
        url = reverse("forum:article", args=[self.article.slug])
        return f"{url}#{self.anchor}" if self.anchor else url


class SearchIndex(models.Model):
    """SQLite's FTS5 table over SearchEntry's title and body (created by migration 0010 on SQLite only).

    Not managed by Django: the selector joins it to match and rank; nothing writes it but triggers.
    """

    entry = models.OneToOneField(
        SearchEntry, primary_key=True, db_column="rowid", on_delete=models.DO_NOTHING, related_name="fts"
    )
    title = models.TextField()
    body = models.TextField()

    class Meta:
        managed = False
        db_table = "forum_searchentry_fts"

    def __str__(self):
        return f"Index of {self.entry_id}"
