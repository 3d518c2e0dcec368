"""A course on a learning platform (LTI 1.3), mapped to one of our classes.

django-lti (`lti_tool`) keeps the platform's side: registrations, deployments, users, contexts
(courses) and memberships. These tables tie that side to ours.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LtiCourse(models.Model):
    """A platform's course (an LTI context) is one class; its gradebook rule lives here."""

    context = models.OneToOneField(
        "lti_tool.LtiContext", on_delete=models.CASCADE, related_name="forum_course", verbose_name=_("course")
    )
    classroom = models.OneToOneField(
        "forum.Classroom", on_delete=models.CASCADE, related_name="lti_course", verbose_name=_("class")
    )
    # What counts as taking part: the teacher chooses; the score says how many of the chosen parts a pupil did.
    count_ranked_before = models.BooleanField(_("ranked before the discussion"), default=True)
    count_ranked_after = models.BooleanField(_("ranked again after the discussion"), default=True)
    min_comments = models.PositiveSmallIntegerField(_("at least this many comments"), default=2)
    min_replies = models.PositiveSmallIntegerField(_("at least this many replies"), default=1)
    send_at_phase_end = models.BooleanField(_("send the scores when the lesson moves to its next phase"), default=False)
    line_item_url = models.URLField(_("gradebook column"), max_length=500, blank=True)
    grades_sent_at = models.DateTimeField(_("scores last sent"), null=True, blank=True)
    roster_synced_at = models.DateTimeField(_("roster last synced"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LTI course")
        verbose_name_plural = _("LTI courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_comments__lte=50) & Q(min_replies__lte=50), name="lticourse_sane_minimums"
            ),
        ]

    def __str__(self):
        return str(self.context)


class LtiLaunchNonce(models.Model):
    """A launch's nonce, once used: the same signed launch sent again is refused (a replay).

    Kept a day: the login's nonce itself waits in the cache for a day (pylti1p3), after which a replay is
    refused as an unknown nonce anyway."""

    nonce = models.CharField(max_length=255, unique=True)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("LTI launch nonce")

    def __str__(self):
        return self.nonce
