"""Notifications to members: replies, mentions and decisions about their comments."""

from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import Comment, Flag, Notification, User


def notify(*, recipient_id: int, kind: str, text: str, comment: Comment | None = None) -> Notification:
    """The one way a notification is made: in the recipient's list, with the unread count in the header."""
    return Notification.objects.create(recipient_id=recipient_id, kind=kind, comment=comment, text=text[:300])


def tell_parent_author(*, reply: Comment) -> None:
    """`reply` is published (posted, or approved after waiting): its parent's author hears of it then.

    Never of a reply held for review: the notification and the email would carry what nobody may see yet.
    """
    if reply.parent_id and reply.status == Comment.Status.PUBLISHED and reply.parent.author_id != reply.author_id:
        transaction.on_commit(partial(notify_reply, reply_id=reply.pk))


def notify_reply(*, reply_id: int) -> None:
    reply = Comment.objects.select_related("author", "parent__author", "topic__article").get(pk=reply_id)
    recipient = reply.parent.author
    text = _("%(name)s replied to your comment on “%(topic)s”.") % {
        "name": reply.author.public_name,
        "topic": reply.topic.title,
    }
    notify(recipient_id=recipient.pk, kind=Notification.Kind.REPLY, comment=reply, text=text)
    if recipient.email_on_reply and recipient.email:
        send_mail(
            subject=_("New reply on “%(topic)s”") % {"topic": reply.topic.title},
            message=f"{text}\n\n{reply.body}\n\n" + _("Read it: %(url)s") % {"url": reply.get_absolute_url()},
            from_email=None,
            recipient_list=[recipient.email],
            fail_silently=True,
        )


def notify_mentions(*, comment_id: int, member_ids: list[int]) -> None:
    """Tell each member that `comment` names them (services.mentions decides who, and only once)."""
    comment = Comment.objects.select_related("author", "topic").get(pk=comment_id)
    text = _("%(name)s mentioned you in a comment on “%(topic)s”.") % {
        "name": comment.author.public_name,
        "topic": comment.topic.title,
    }
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=member_id, kind=Notification.Kind.MENTION, comment=comment, text=text[:300])
            for member_id in member_ids
        ]
    )


def notify_class_flag(*, flag_id: int) -> None:
    """A flag in a class's space goes to the class's teacher, who decides."""
    flag = Flag.objects.select_related("comment__classroom", "comment__topic").get(pk=flag_id)
    classroom = flag.comment.classroom
    notify(
        recipient_id=classroom.teacher_id,
        kind=Notification.Kind.CLASS,
        comment=flag.comment,
        text=_("A comment in %(name)s on “%(topic)s” was flagged (%(reason)s): keep it or hide it from the class page.")
        % {"name": classroom.name, "topic": flag.comment.topic.title, "reason": flag.get_reason_display().lower()},
    )


def notify_moderation(*, comment: Comment, text: str) -> None:
    notify(recipient_id=comment.author_id, kind=Notification.Kind.MODERATION, comment=comment, text=text)


def mark_notifications_read(*, member: User) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).update(read_at=timezone.now())
