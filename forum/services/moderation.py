"""Moderation: decisions on comments, flags and members, every one logged here.

The admin's actions, the site's moderator buttons and the class teacher's
tools all call these functions, so no decision escapes the log.
"""

import re
import unicodedata
from datetime import datetime
from functools import partial
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Field
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from forum.models import Comment, Factor, Flag, ModerationLog, ModerationSettings, Restriction, User
from forum.services.accounts import can_moderate
from forum.services.mentions import tell_mentioned
from forum.services.notifications import notify_moderation, tell_parent_author
from forum.validators import clean_text

Action = ModerationLog.Action


def log(*, actor: User | None, action: str, reason: str = "", **target) -> ModerationLog:
    return ModerationLog.objects.create(actor=actor, action=action, reason=reason[:500], **target)


def clean_reason(reason: str, *, column: Field | None = None) -> str:
    """A moderator's reason, trimmed, if it fits `column`: the log's, or a shorter one it is also kept in."""
    return clean_text(reason, column=column or ModerationLog._meta.get_field("reason"), label=_("the reason"))


def ensure_moderator(actor: User) -> None:
    if not can_moderate(actor):
        raise PermissionDenied(_("Only moderators can do this."))


# Comments


class Decision(NamedTuple):
    applies_to: set  # the statuses it applies to
    status_after: str
    flags_become: str  # what the comment's open flags become
    told: str  # what the author is told
    button: str  # what its button says, on the site and in the admin


DECISIONS = {
    Action.APPROVE: Decision(
        {Comment.Status.PENDING, Comment.Status.PUBLISHED},
        Comment.Status.PUBLISHED,
        Flag.Status.DISMISSED,
        gettext_lazy("is approved and visible to everyone"),
        gettext_lazy("Approve"),
    ),
    Action.HIDE: Decision(
        {Comment.Status.PENDING, Comment.Status.PUBLISHED, Comment.Status.HIDDEN},
        Comment.Status.HIDDEN,
        Flag.Status.ACTION_TAKEN,
        gettext_lazy("was hidden by a moderator"),
        gettext_lazy("Hide"),
    ),
    Action.RESTORE: Decision(
        {Comment.Status.HIDDEN},
        Comment.Status.PUBLISHED,
        Flag.Status.DISMISSED,
        gettext_lazy("is visible again"),
        gettext_lazy("Restore"),
    ),
}


# What a moderator is told when a decision does not apply to the comment's status ("published", "hidden").
BAD_STATUS = {
    Action.APPROVE: gettext_lazy("A comment that is %(status)s cannot be approved."),
    Action.HIDE: gettext_lazy("A comment that is %(status)s cannot be hidden."),
    Action.RESTORE: gettext_lazy("A comment that is %(status)s cannot be restored."),
}


def decisions_for(status: str) -> list[tuple[str, str]]:
    """The decisions open for a comment in `status`, as (action, button): the one table both desks read."""
    return [(action, decision.button) for action, decision in DECISIONS.items() if status in decision.applies_to]


@transaction.atomic
def moderate_comment(
    *, moderator: User, comment: Comment, action: str, reason: str = "", allowed=ensure_moderator
) -> Comment:
    """Approve, hide or restore `comment`; its open flags are resolved with it.

    `allowed(moderator)` raises PermissionDenied unless the actor may decide
    (a site moderator by default; a class teacher passes their own check).
    """
    allowed(moderator)
    if action not in DECISIONS:
        raise ValidationError(_("Unknown decision."), code="bad_action")
    applies_to, status_after, flags_become, told, _label = DECISIONS[action]
    comment = Comment.objects.select_for_update().select_related("topic").get(pk=comment.pk)
    if comment.status not in applies_to:
        raise ValidationError(BAD_STATUS[action] % {"status": comment.get_status_display().lower()}, code="bad_status")
    # Shown with the comment and told to its author: the status reason's column, whatever the decision.
    reason = clean_reason(reason, column=Comment._meta.get_field("status_reason"))
    if action == Action.HIDE and not reason:
        raise ValidationError(_("Say why the comment is hidden: its author will see the reason."), code="no_reason")
    before = comment.status
    comment.status, comment.hidden_by_flags = status_after, False
    comment.status_reason = reason if status_after == Comment.Status.HIDDEN else ""
    comment.save(update_fields=["status", "status_reason", "hidden_by_flags"])
    comment.flags.filter(status=Flag.Status.OPEN).update(status=flags_become)
    log(
        actor=moderator,
        action=action,
        comment=comment,
        member=comment.author,
        reason=reason,
        status_before=before,
        status_after=status_after,
    )
    if before != status_after:
        tell_mentioned(comment=comment)  # published at last: the members it names hear of it now
        if before == Comment.Status.PENDING:
            tell_parent_author(reply=comment)
        text = _("Your comment on “%(topic)s” %(outcome)s.") % {"topic": comment.topic.title, "outcome": told}
        if reason:
            text += " " + _("Reason: %(reason)s") % {"reason": reason}
        transaction.on_commit(partial(notify_moderation, comment=comment, text=text[:300]))
    return comment


@transaction.atomic
def hide_for_flags(*, comment: Comment, open_flags: int) -> None:
    """Hide a comment that enough members flagged, until a moderator decides."""
    before = comment.status
    comment.status, comment.hidden_by_flags = Comment.Status.HIDDEN, True
    comment.status_reason = ngettext(
        "Hidden after flags from %(count)d member, until a moderator reviews it.",
        "Hidden after flags from %(count)d members, until a moderator reviews it.",
        open_flags,
    ) % {"count": open_flags}
    comment.save(update_fields=["status", "status_reason", "hidden_by_flags"])
    log(
        actor=None,
        action=Action.HIDE,
        comment=comment,
        member=comment.author,
        reason=comment.status_reason,
        status_before=before,
        status_after=comment.status,
    )
    transaction.on_commit(
        partial(
            notify_moderation,
            comment=comment,
            text=_("Your comment on “%(topic)s” is hidden until a moderator reviews the flags on it.")
            % {"topic": comment.topic.title},
        )
    )


@transaction.atomic
def resolve_flags(*, moderator: User, comment: Comment, outcome: str, reason: str = "") -> int:
    """Close the open flags on `comment`. Dismissing them restores a comment hidden only by flags."""
    ensure_moderator(moderator)
    if outcome not in (Flag.Status.ACTION_TAKEN, Flag.Status.DISMISSED):
        raise ValidationError(_("Unknown outcome."), code="bad_outcome")
    reason = clean_reason(reason)
    closed = comment.flags.filter(status=Flag.Status.OPEN).update(status=outcome)
    comment.refresh_from_db()
    before = comment.status
    if outcome == Flag.Status.DISMISSED and comment.status == Comment.Status.HIDDEN and comment.hidden_by_flags:
        comment.status, comment.status_reason, comment.hidden_by_flags = Comment.Status.PUBLISHED, "", False
        comment.save(update_fields=["status", "status_reason", "hidden_by_flags"])
        tell_mentioned(comment=comment)  # a name added by an edit while it was hidden
        transaction.on_commit(
            partial(
                notify_moderation,
                comment=comment,
                text=_("Your comment on “%(topic)s” is visible again.") % {"topic": comment.topic.title},
            )
        )
    action = Action.FLAGS_DISMISSED if outcome == Flag.Status.DISMISSED else Action.FLAGS_ACTION_TAKEN
    log(
        actor=moderator,
        action=action,
        comment=comment,
        member=comment.author,
        reason=reason,
        status_before=before,
        status_after=comment.status,
    )
    return closed


# What a new comment's status is


def fold(text: str) -> str:
    """Lower case without accents, for matching held words ("Café" matches "cafe")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def held_word_in(body: str, held_words: str) -> str | None:
    """The first held word or phrase that `body` contains as whole words, if any."""
    folded = fold(body)
    for line in held_words.splitlines():
        word = " ".join(fold(line).split())
        pattern = r"\s+".join(map(re.escape, word.split()))
        if word and re.search(rf"(?<!\w){pattern}(?!\w)", folded):
            return line.strip()
    return None


def initial_status(*, author: User, body: str, editing: bool = False) -> tuple[str, str]:
    """A new (or, `editing`, a changed) comment's status and the reason it waits, from the moderation settings."""
    rules = ModerationSettings.load()
    if can_moderate(author):
        return Comment.Status.PUBLISHED, ""
    if rules.pre_moderation == ModerationSettings.PreModeration.EVERYTHING:
        return Comment.Status.PENDING, _("Every comment is reviewed before it appears.")
    # An edit counts among the comments already written, as the comment being edited is one of them.
    if rules.pre_moderation == ModerationSettings.PreModeration.NEW_MEMBERS and (
        author.comments.count() - editing < rules.new_member_comments
    ):
        return Comment.Status.PENDING, _("A new member's first comments are reviewed before they appear.")
    if held_word_in(body, rules.held_words):
        return Comment.Status.PENDING, _("It contains a word the moderators review.")
    return Comment.Status.PUBLISHED, ""


# Members


@transaction.atomic
def restrict_member(
    *, moderator: User, member: User, kind: str, reason: str, ends_at: datetime | None = None
) -> Restriction:
    """Mute (cannot write) or suspend (cannot log in) `member`, until `ends_at` or until lifted."""
    ensure_moderator(moderator)
    reason = clean_text(reason, column=Restriction._meta.get_field("reason"), name="reason", label=_("the reason"))
    if not reason:
        raise ValidationError({"reason": _("Give a reason: the member will see it.")})
    if kind not in Restriction.Kind.values:
        raise ValidationError({"kind": _("Choose mute or suspend.")})
    if ends_at is not None and ends_at <= timezone.now():
        raise ValidationError({"ends_at": _("The end must be in the future (or empty: until lifted).")})
    if member.is_superuser or can_moderate(member):
        raise PermissionDenied(_("Moderators and admins cannot be muted or suspended here."))
    restriction = Restriction.objects.create(
        member=member, kind=kind, reason=reason, ends_at=ends_at, created_by=moderator
    )
    if kind == Restriction.Kind.SUSPEND:
        # Every session of the member ends at once (see User._get_session_auth_hash).
        User.objects.filter(pk=member.pk).update(session_generation=F("session_generation") + 1)
    log(
        actor=moderator,
        action=Action.SUSPEND if kind == Restriction.Kind.SUSPEND else Action.MUTE,
        member=member,
        reason=reason,
        status_after=str(restriction),
    )
    return restriction


@transaction.atomic
def lift_restriction(*, moderator: User, restriction: Restriction, reason: str = "") -> Restriction:
    ensure_moderator(moderator)
    reason = clean_reason(reason)
    if restriction.lifted_at is None:
        restriction.lifted_at = timezone.now()
        restriction.save(update_fields=["lifted_at"])
        log(
            actor=moderator,
            action=Action.LIFT,
            member=restriction.member,
            reason=reason,
            status_before=str(restriction),
            status_after="lifted",
        )
    return restriction


# Teachers


@transaction.atomic
def set_teacher_trust(*, moderator: User, teacher: User, trusted: bool, reason: str = "") -> User:
    """Let the ballots of the class accounts `teacher` created count in everyone's results (or stop)."""
    ensure_moderator(moderator)
    reason = clean_reason(reason)
    if teacher.trusted_teacher != trusted:
        teacher.trusted_teacher = trusted
        teacher.save(update_fields=["trusted_teacher"])
        log(
            actor=moderator,
            action=Action.TRUST_TEACHER if trusted else Action.DISTRUST_TEACHER,
            member=teacher,
            reason=reason,
            status_after="trusted" if trusted else "not trusted",
        )
    return teacher


# Factors and settings


def log_factor_decision(*, moderator: User, factor: Factor, reason: str) -> None:
    action = Action.APPROVE_FACTOR if factor.status == Factor.Status.APPROVED else Action.REJECT_FACTOR
    log(
        actor=moderator,
        action=action,
        factor=factor,
        member=factor.proposed_by,
        reason=reason,
        status_after=factor.status,
    )


@transaction.atomic
def update_moderation_settings(*, admin: User, settings: ModerationSettings, changed: list[str]) -> None:
    if not admin.is_superuser:
        raise PermissionDenied(_("Only admins change the moderation settings."))
    settings.save()
    if changed:
        log(actor=admin, action=Action.SETTINGS, reason=f"Changed: {', '.join(changed)}")
