import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# No look-alikes: no 0/O, 1/I/L (nor lower case at all), so a code read aloud or
# copied from a board is typed right.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 7


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_code(code: str) -> str:
    """A code as typed ("abc 1234", "ABC-1234") in the form it is stored."""
    return re.sub(r"[\s-]", "", code or "").upper()


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class Classroom(models.Model):
    """A teacher's class: its students discuss the article in a space of their own."""

    class Phase(models.TextChoices):
        NONE = "", _("No phases")
        RANK_BEFORE = "rank_before", _("Rank before discussing")
        DISCUSS = "discuss", _("Discuss")
        RANK_AGAIN = "rank_again", _("Rank again")

    name = models.CharField(max_length=80)
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="classes_taught")
    article = models.ForeignKey("forum.Article", on_delete=models.PROTECT, related_name="classes")
    join_code = models.CharField(max_length=8, unique=True)
    is_open = models.BooleanField("open to joining", default=True)
    is_locked = models.BooleanField("discussion locked (read-only)", default=False)
    is_archived = models.BooleanField("archived (read-only, kept)", default=False)
    results_after_voting = models.BooleanField(
        "hide results until the student has voted",
        default=False,
    )
    lock_rankings = models.BooleanField(
        "locking also stops ranking",
        default=False,
        help_text=_("While the class is locked or archived, its students cannot change their ranking either."),
    )
    projector_results = models.BooleanField("show live results on the projector page", default=False)
    phase = models.CharField(max_length=16, choices=Phase, default=Phase.NONE, blank=True)
    phase_one_ended_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When the class moved from ranking to discussing: opinion change compares each student's "
            "ballot at this moment with their latest."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.CheckConstraint(
                condition=Q(join_code__regex=r"^[A-HJ-KM-NP-Z2-9]{6,8}$"), name="classroom_join_code_alphabet"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forum:class", args=[self.pk])

    @property
    def read_only(self) -> bool:
        return self.is_locked or self.is_archived


class Membership(models.Model):
    """A student in a class. Removing them keeps the row (and their comments), marked removed."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["classroom_id", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "member"], name="membership_once_per_class"),
        ]

    def __str__(self):
        return f"{self.member} in {self.classroom}"


class Prompt(models.Model):
    """A question the teacher puts at the top of the class space."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="prompts")
    text = models.CharField(max_length=300)
    faq = models.ForeignKey("forum.FaqEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.ForeignKey(
        "forum.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the class discusses it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["classroom_id", "created_at", "pk"]

    def __str__(self):
        return self.text
