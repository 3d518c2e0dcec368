"""Writes for the discussion: comments, replies, edits, deletions, flags, helpful marks."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import (
    Classroom,
    Comment,
    CommentRevision,
    Flag,
    HelpfulMark,
    ModerationSettings,
    Prompt,
    Subsection,
    Topic,
    User,
)
from forum.ratelimit import count_action
from forum.services.mentions import record_mentions, render_comment
from forum.services.moderation import hide_for_flags, initial_status
from forum.services.notifications import notify_class_flag, tell_parent_author
from forum.services.permissions import ensure_can_write_here, ensure_class_open
from forum.validators import clean_text


def clean_body(body: str) -> str:
    """The rule for a comment's text: 1 to 5,000 characters after trimming, no control characters.

    Errors name the "body" field, so a form shows them beside the text box.
    """
    body = clean_text(body, column=Comment._meta.get_field("body"), name="body")
    if not body:
        raise ValidationError({"body": ValidationError(_("Write something before posting."), code="empty")})
    return body


@transaction.atomic
def post_comment(
    *,
    author: User,
    topic: Topic,
    body: str,
    parent: Comment | None = None,
    anchor: Subsection | None = None,
    classroom: Classroom | None = None,
    prompt: Prompt | None = None,
) -> Comment:
    """Post a comment on `topic`, or a reply to `parent`, as `author`, in public or in a class's space."""
    if parent is not None:
        classroom = parent.classroom  # a reply stays in its parent's space
    ensure_can_write_here(author, classroom)
    body = clean_body(body)
    if parent is not None:
        if parent.topic_id != topic.pk:
            raise ValidationError(_("A reply must stay on its topic."), code="wrong_topic")
        if parent.status != Comment.Status.PUBLISHED:
            raise ValidationError(_("That comment can no longer be replied to."), code="parent_not_published")
        anchor = anchor or parent.anchor
    if classroom is not None and topic.article_id != classroom.article_id:
        raise ValidationError(_("This class discusses another article."), code="wrong_article")
    if prompt is not None and (classroom is None or prompt.classroom_id != classroom.pk):
        raise ValidationError(_("That prompt belongs to another class."), code="wrong_prompt")
    if anchor is not None and anchor.topic_id != topic.pk:
        raise ValidationError(_("Pick a part of this topic."), code="wrong_anchor")
    count_action("comment", author.pk)
    status, status_reason = initial_status(author=author, body=body)
    body_html, mentioned = render_comment(body=body, classroom=classroom)
    comment = Comment.objects.create(
        topic=topic,
        author=author,
        parent=parent,
        anchor=anchor,
        body=body,
        body_html=body_html,
        root=(parent.root or parent) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        status=status,
        status_reason=status_reason,
        word_count=len(body.split()),
        classroom=classroom,
        prompt=prompt,
    )
    tell_parent_author(reply=comment)
    record_mentions(comment=comment, members=mentioned, new_comment=True)
    return comment


def ensure_author(member: User, comment: Comment) -> None:
    if comment.author_id != member.pk:
        raise PermissionDenied(_("Only the author can change this comment."))
    if comment.status == Comment.Status.REMOVED:
        raise PermissionDenied(_("This comment has been deleted."))


@transaction.atomic
def edit_comment(*, editor: User, comment: Comment, body: str) -> Comment:
    """Replace the text of `editor`'s own comment, keeping the earlier version."""
    ensure_author(editor, comment)
    ensure_can_write_here(editor, comment.classroom)
    body = clean_body(body)
    if body == comment.body:
        return comment
    CommentRevision.objects.create(
        comment=comment, body=comment.body, written_at=comment.edited_at or comment.created_at
    )
    body_html, mentioned = render_comment(body=body, classroom=comment.classroom)
    comment.body, comment.body_html, comment.edited_at = body, body_html, timezone.now()
    comment.word_count = len(body.split())
    fields = ["body", "body_html", "edited_at", "word_count"]
    # The same checks as a new comment: an edit that brings in a held word waits for review again.
    status, status_reason = initial_status(author=editor, body=body, editing=True)
    if status == Comment.Status.PENDING and comment.status == Comment.Status.PUBLISHED:
        comment.status, comment.status_reason = status, status_reason
        fields += ["status", "status_reason"]
    comment.save(update_fields=fields)
    record_mentions(comment=comment, members=mentioned)
    return comment


@transaction.atomic
def delete_comment(*, member: User, comment: Comment) -> Comment:
    """Take `member`'s own comment out of view; its text stays in the database.

    A muted member may still delete their own words, but not in a locked class.
    """
    ensure_author(member, comment)
    ensure_class_open(member, comment.classroom)
    comment.status, comment.status_reason = Comment.Status.REMOVED, _("Deleted by its author.")
    comment.save(update_fields=["status", "status_reason"])
    return comment


@transaction.atomic
def flag_comment(*, member: User, comment: Comment, reason: str, note: str = "") -> Flag:
    """Flag someone else's comment; enough open flags hide it until a moderator decides.

    In a class's space the teacher decides: flags there never hide a classmate's
    comment by themselves, and the teacher is told.
    """
    ensure_can_write_here(member, comment.classroom)
    if comment.author_id == member.pk:
        raise ValidationError(_("You cannot flag your own comment."), code="own_comment")
    if comment.status != Comment.Status.PUBLISHED:
        raise ValidationError(_("This comment is no longer shown."), code="not_published")
    if reason not in Flag.Reason.values:
        raise ValidationError(_("Pick a reason."), code="bad_reason")
    note = clean_text(note, column=Flag._meta.get_field("note"), name="note", label=_("the note"))
    if reason == Flag.Reason.OTHER and not note:
        raise ValidationError(_("Say what is wrong with it."), code="note_required")
    count_action("flag", member.pk)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(comment=comment, member=member, reason=reason, note=note)
    except IntegrityError:
        raise ValidationError(_("You have already flagged this comment."), code="already_flagged") from None
    if comment.classroom_id is not None:
        transaction.on_commit(partial(notify_class_flag, flag_id=flag.pk))
        return flag
    open_flags = Flag.objects.filter(comment=comment, status=Flag.Status.OPEN).count()
    if open_flags >= ModerationSettings.load().flag_threshold:
        hide_for_flags(comment=comment, open_flags=open_flags)
    return flag


@transaction.atomic
def toggle_helpful(*, member: User, comment: Comment) -> bool:
    """Mark the comment helpful, or take the mark back; return whether it is now marked."""
    ensure_can_write_here(member, comment.classroom)
    if comment.author_id == member.pk:
        raise ValidationError(_("You cannot mark your own comment helpful."), code="own_comment")
    if comment.status != Comment.Status.PUBLISHED:
        raise ValidationError(_("This comment is no longer shown."), code="not_published")
    deleted, _by_model = HelpfulMark.objects.filter(comment=comment, member=member).delete()
    if not deleted:
        try:
            with transaction.atomic():
                HelpfulMark.objects.create(comment=comment, member=member)
        except IntegrityError:  # a second click that raced the first: already marked
            return True
    Comment.objects.filter(pk=comment.pk).update(helpful_count=F("helpful_count") + (-1 if deleted else 1))
    comment.refresh_from_db(fields=["helpful_count"])
    return not deleted
