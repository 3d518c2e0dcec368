import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

REASON_MAX_LENGTH = 280


def name_key(name: str) -> str:
    """A factor's name as duplicates are judged: case and spacing ignored."""
    return re.sub(r"\s+", " ", name).strip().casefold()


class FactorQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Factor.Status.APPROVED)


class Factor(models.Model):
    """Something that may matter for the talks, which members rank."""

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Waiting for a moderator")
        REJECTED = "rejected", _("Rejected")

    article = models.ForeignKey("forum.Article", on_delete=models.CASCADE, related_name="factors")
    name = models.CharField(max_length=80)
    name_key = models.CharField(max_length=80, editable=False)
    description = models.CharField(max_length=300)
    topics = models.ManyToManyField("forum.Topic", blank=True, related_name="factors")
    position = models.PositiveIntegerField(default=0, help_text=_("Order in lists before any votes."))
    status = models.CharField(max_length=16, choices=Status, default=Status.APPROVED, db_index=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposed_factors"
    )
    decision_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FactorQuerySet.as_manager()

    class Meta:
        ordering = ["article_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "name_key"], name="factor_name_unique_per_article"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = re.sub(r"\s+", " ", self.name).strip()
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)


class Ballot(models.Model):
    """One version of a member's ranking for an article. The current one counts;
    earlier versions stay, so opinion change can be shown."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ballots")
    article = models.ForeignKey("forum.Article", on_delete=models.CASCADE, related_name="ballots")
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    reason = models.CharField(
        max_length=REASON_MAX_LENGTH, blank=True, help_text=_("Why the first choice comes first.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "article"], condition=Q(is_current=True), name="ballot_one_current_per_member"
            ),
            models.UniqueConstraint(fields=["member", "article", "version"], name="ballot_version_unique"),
        ]

    def __str__(self):
        return f"Ballot {self.version} of {self.member} on {self.article}"

    def get_absolute_url(self):
        return reverse("forum:ballot", args=[self.article.slug])


class BallotEntry(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="entries")
    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="entries")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["ballot_id", "rank"]
        verbose_name_plural = _("ballot entries")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "factor"], name="ballotentry_factor_once"),
            models.UniqueConstraint(fields=["ballot", "rank"], name="ballotentry_rank_once"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="ballotentry_rank_positive"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.factor}"
