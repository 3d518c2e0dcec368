from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

BODY_MAX_LENGTH = 5000
MAX_DISPLAY_DEPTH = 2  # 0, 1, 2: three levels; deeper replies show under the third


def visible_q(viewer, *, moderator: bool = False) -> Q:
    """Comments `viewer` may read in full: published ones, their own held or hidden ones,
    and, for a moderator, every one not deleted by its author."""
    published = Q(status=Comment.Status.PUBLISHED)
    if moderator:
        return ~Q(status=Comment.Status.REMOVED)
    if viewer.is_authenticated:
        return published | (Q(author=viewer) & ~Q(status=Comment.Status.REMOVED))
    return published


class CommentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Comment.Status.PUBLISHED)

    def visible_to(self, viewer, *, moderator: bool = False):
        return self.filter(visible_q(viewer, moderator=moderator))

    def needing_attention(self):
        """Pending comments and comments with open flags."""
        return self.filter(
            Q(status=Comment.Status.PENDING)
            | Q(Exists(Flag.objects.filter(comment=OuterRef("pk"), status=Flag.Status.OPEN)))
        ).exclude(status=Comment.Status.REMOVED)

    def with_author_roles(self):
        """Annotate whether each comment's author teaches a class: their name carries a badge, as staff's does."""
        from forum.models.classes import Classroom

        return self.annotate(author_teaches=Exists(Classroom.objects.filter(teacher=OuterRef("author"))))

    def with_viewer_marks(self, viewer):
        """Annotate whether `viewer` marked each comment helpful or flagged it."""
        if not viewer.is_authenticated:
            return self.annotate(marked_helpful=models.Value(False), flagged=models.Value(False))
        return self.annotate(
            marked_helpful=Exists(HelpfulMark.objects.filter(comment=OuterRef("pk"), member=viewer)),
            flagged=Exists(Flag.objects.filter(comment=OuterRef("pk"), member=viewer)),
        )


class Comment(models.Model):
    """A member's comment on a topic, or a reply to one. Never deleted: its status changes."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        PENDING = "pending", _("Pending review")
        HIDDEN = "hidden", _("Hidden")
        REMOVED = "removed", _("Deleted by its author")

    topic = models.ForeignKey("forum.Topic", on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies")
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The top-level comment of the thread, so a page of threads loads in one query."),
    )
    depth = models.PositiveSmallIntegerField(default=0)
    anchor = models.ForeignKey(
        "forum.Subsection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        verbose_name=_("about"),
    )
    classroom = models.ForeignKey(
        "forum.Classroom",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
        help_text=_("Set for a class's private discussion; replies stay in their parent's space."),
    )
    prompt = models.ForeignKey(
        "forum.Prompt",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text=_("The teacher's prompt this comment answers, in a class's space."),
    )
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    body_html = models.TextField()
    word_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status, default=Status.PUBLISHED, db_index=True)
    status_reason = models.CharField(max_length=300, blank=True)
    hidden_by_flags = models.BooleanField(
        default=False,
        help_text=_("Hidden automatically by members' flags, not yet by a moderator's decision."),
    )
    helpful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("moderate_comment", _("Can moderate comments"))]
        indexes = [
            models.Index(fields=["topic", "parent", "created_at"], name="comment_thread_idx"),
            models.Index(fields=["classroom", "author"], name="comment_class_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, root__isnull=True, depth=0)
                | Q(parent__isnull=False, root__isnull=False, depth__gte=1),
                name="comment_root_matches_parent",
            ),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author} on {self.topic}"

    def get_absolute_url(self):
        return reverse("forum:comment", args=[self.pk])

    def shown_to(self, viewer, *, moderator: bool = False) -> bool:
        """visible_q for one comment in memory: whether `viewer` may read it in full."""
        if self.status == self.Status.REMOVED:
            return False
        return self.status == self.Status.PUBLISHED or moderator or self.author_id == viewer.pk

    @property
    def display_depth(self) -> int:
        return min(self.depth, MAX_DISPLAY_DEPTH)


class ModerationQueueItem(Comment):
    """The "Needs attention" list of the admin: the same comments, shown as a queue."""

    class Meta:
        proxy = True
        verbose_name = _("comment needing attention")
        verbose_name_plural = _("needs attention")


class CommentRevision(models.Model):
    """An earlier version of a comment's text, kept when its author edits it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    written_at = models.DateTimeField(help_text=_("When this version was written."))
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_at", "-pk"]

    def __str__(self):
        return f"Revision of comment {self.comment_id} from {self.written_at:%Y-%m-%d %H:%M}"


class Flag(models.Model):
    """A member's report that a comment breaks the rules."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACTION_TAKEN = "action_taken", _("Action taken")
        DISMISSED = "dismissed", _("Dismissed")

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="flags")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flags")
    reason = models.CharField(max_length=16, choices=Reason)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "member"], name="flag_once_per_member"),
            models.CheckConstraint(condition=~Q(reason="other") | ~Q(note=""), name="flag_other_has_note"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} flag on comment {self.comment_id}"


class HelpfulMark(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="helpful_marks")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "member"], name="helpfulmark_once_per_member"),
        ]

    def __str__(self):
        return f"Helpful mark on comment {self.comment_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        MODERATION = "moderation", _("Moderation decision")
        FACTOR = "factor", _("Proposed factor decision")
        CLASS = "class", _("Class")
        MENTION = "mention", _("Mention")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind)
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.text


def mentionable_q(classroom) -> Q:
    """The members an @mention may name in `classroom`'s space: its teacher and current students.

    In public (None): anyone but a class account, as pupils are minors whose
    names stay in their class.
    """
    if classroom is None:
        return Q(is_active=True, created_by__isnull=True)
    from forum.models.classes import Membership

    students = Membership.objects.active().filter(classroom=classroom).values("member")
    return Q(is_active=True) & (Q(pk=classroom.teacher_id) | Q(pk__in=students))


class Mention(models.Model):
    """A member named with @username in a comment: told once, when the comment is published."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the member was told; empty while the comment waits for review or stays hidden.",
    )

    class Meta:
        ordering = ["comment_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "member"], name="mention_once_per_member"),
        ]

    def __str__(self):
        return f"Mention of member {self.member_id} in comment {self.comment_id}"
