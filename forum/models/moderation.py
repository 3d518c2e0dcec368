from django.conf import settings
from django.core.cache import cache
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forum.caching import content_version


class ModerationSettings(models.Model):
    """The one row of moderation settings, edited in the admin; cached for every process."""

    CACHE_KEY = "forum:moderation-settings"

    class PreModeration(models.TextChoices):
        OFF = "off", _("Off: comments appear at once")
        NEW_MEMBERS = "new_members", _("New members' first comments wait for review")
        EVERYTHING = "everything", _("Every comment waits for review")

    pre_moderation = models.CharField(max_length=16, choices=PreModeration, default=PreModeration.OFF)
    new_member_comments = models.PositiveSmallIntegerField(
        "new members' comments held",
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("With pre-moderation for new members: how many of a member's first comments wait."),
    )
    held_words = models.TextField(
        blank=True,
        help_text=_(
            "One word or phrase per line. A comment containing one (as a whole word, ignoring case and "
            "accents) waits for review."
        ),
    )
    flag_threshold = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Open flags from this many different members hide a comment until a moderator looks."),
    )
    members_can_propose_factors = models.BooleanField(default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("moderation settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="moderationsettings_single_row")]

    def __str__(self):
        return str(_("Moderation settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        # This process reloads at once; the others when the content version rises on commit (forum.apps).
        cache.delete(f"{self.CACHE_KEY}:{content_version()}")

    @classmethod
    def load(cls) -> "ModerationSettings":
        if (version := content_version()) is None:  # Redis gone: read them, never risk old ones
            return cls.objects.get_or_create(pk=1)[0]
        key = f"{cls.CACHE_KEY}:{version}"
        current = cache.get(key)
        if current is None:
            current = cls.objects.get_or_create(pk=1)[0]
            cache.set(key, current, 300)
        return current


class ModerationLog(models.Model):
    """What a moderator (or teacher) did, to what, when and why. Append-only."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved a comment")
        HIDE = "hide", _("Hid a comment")
        RESTORE = "restore", _("Restored a comment")
        FLAGS_ACTION_TAKEN = "flags_action_taken", _("Resolved flags: action taken")
        FLAGS_DISMISSED = "flags_dismissed", _("Resolved flags: dismissed")
        MUTE = "mute", _("Muted a member")
        SUSPEND = "suspend", _("Suspended a member")
        LIFT = "lift", _("Lifted a restriction")
        APPROVE_FACTOR = "approve_factor", _("Approved a factor")
        REJECT_FACTOR = "reject_factor", _("Rejected a factor")
        SETTINGS = "settings", _("Changed the moderation settings")
        UNLOCK = "unlock", _("Unlocked a login")
        TRUST_TEACHER = "trust_teacher", _("Trusted a teacher's class accounts")
        DISTRUST_TEACHER = "distrust_teacher", _("Stopped trusting a teacher's class accounts")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=32, choices=Action)
    comment = models.ForeignKey(
        "forum.Comment", null=True, blank=True, on_delete=models.PROTECT, related_name="moderation_log"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderation_log",
        help_text=_("The member acted on."),
    )
    factor = models.ForeignKey("forum.Factor", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    status_before = models.CharField(max_length=32, blank=True)
    status_after = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class RestrictionQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), lifted_at__isnull=True, starts_at__lte=now)


class Restriction(models.Model):
    """A mute (can read, cannot write) or suspension (cannot log in), until a time or indefinitely."""

    class Kind(models.TextChoices):
        MUTE = "mute", _("Muted")
        SUSPEND = "suspend", _("Suspended")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="restrictions")
    kind = models.CharField(max_length=16, choices=Kind)
    reason = models.CharField(max_length=300)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty: until lifted."))
    lifted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self):
        until = f"until {self.ends_at:%Y-%m-%d %H:%M}" if self.ends_at else "indefinitely"
        return f"{self.get_kind_display()} {until}"

    @property
    def explanation(self) -> str:
        until = gettext("until further notice")
        if self.ends_at:
            ends_at = timezone.localtime(self.ends_at)
            when = f"{date_format(ends_at, 'DATETIME_FORMAT')} {date_format(ends_at, 'T')}"  # the reader's way
            until = gettext("until %(when)s") % {"when": when}
        if self.kind == self.Kind.SUSPEND:
            explanation = gettext("Your account is suspended %(until)s: %(reason)s")
        else:
            explanation = gettext("Your account is muted %(until)s: %(reason)s")
        return explanation % {"until": until, "reason": self.reason}
