"""Notifications to members: replies and decisions about their comments."""

from django.core.mail import send_mail
from django.utils import timezone

from forum.models import Comment, Notification, User


def notify_reply(*, reply_id: int) -> None:
    reply = Comment.objects.select_related("author", "parent__author", "topic__article").get(pk=reply_id)
    recipient = reply.parent.author
    text = f"{reply.author.public_name} replied to your comment on “{reply.topic.title}”."
    Notification.objects.create(recipient=recipient, kind=Notification.Kind.REPLY, comment=reply, text=text)
    if recipient.email_on_reply and recipient.email:
        send_mail(
            subject=f"New reply on “{reply.topic.title}”",
            message=f"{text}\n\n{reply.body}\n\nRead it: {reply.get_absolute_url()}",
            from_email=None,
            recipient_list=[recipient.email],
            fail_silently=True,
        )


def notify_moderation(*, comment: Comment, text: str) -> None:
    Notification.objects.create(recipient=comment.author, kind=Notification.Kind.MODERATION, comment=comment,
                                text=text)


def mark_notifications_read(*, member: User) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).update(read_at=timezone.now())
