from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Article(models.Model):
    """A published piece of writing, shown as a home page and one page per topic."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    lede = models.TextField(help_text=_("The first paragraph, shown under the title."))
    intro = models.TextField(blank=True, help_text=_("Markdown: paragraphs and - bullets."))
    is_published = models.BooleanField(default=True)
    results_after_voting = models.BooleanField(
        "hide results until the member has voted",
        default=False,
        help_text=_("Against herding: members see the factor results only after ranking themselves."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forum:article", args=[self.slug])


class Topic(models.Model):
    """One top-level section of an article, with its own page (and discussion)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    summary = models.CharField(max_length=400, blank=True)
    intro = models.TextField(blank=True, help_text=_("Markdown before the first subsection."))

    class Meta:
        ordering = ["article_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "slug"], name="topic_slug_unique_per_article"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forum:topic", args=[self.article.slug, self.slug])


class Subsection(models.Model):
    """A titled part of a topic; its anchor makes it linkable (#anchor)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subsections")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    anchor = models.SlugField(max_length=200)
    body = models.TextField(blank=True, help_text=_("Markdown: paragraphs and - bullets."))

    class Meta:
        ordering = ["topic_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "anchor"], name="subsection_anchor_unique_per_topic"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.topic.get_absolute_url()}#{self.anchor}"


class KeyPoint(models.Model):
    """A row of the article's summary table."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="key_points")
    position = models.PositiveIntegerField(default=0)
    icon = models.CharField(max_length=16, blank=True)
    label = models.CharField(max_length=100)
    text = models.CharField(max_length=400)

    class Meta:
        ordering = ["article_id", "position", "pk"]

    def __str__(self):
        return self.label


class FaqEntry(models.Model):
    """A question and its answer, shown on the article's FAQ page."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="faqs")
    position = models.PositiveIntegerField(default=0)
    question = models.CharField(max_length=300)
    anchor = models.SlugField(max_length=200)
    answer = models.TextField()

    class Meta:
        ordering = ["article_id", "position", "pk"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return f"{reverse('forum:faq', args=[self.article.slug])}#{self.anchor}"
