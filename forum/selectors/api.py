"""Reads for the API and the feeds: tokens, a topic's public comments, a member's notifications."""

from django.db.models import QuerySet

from forum.models import ApiToken, Comment, FeedKey, Notification, Topic, User
from forum.models.api import TOKEN_PREFIX, token_hash

FEED_ITEMS = 30


def api_token_for(secret: str) -> ApiToken | None:
    """The token whose secret this is, with its member (one query); None for a wrong or revoked one."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    return ApiToken.objects.select_related("member").filter(key_hash=token_hash(secret)).first()


def member_api_tokens(member: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(member=member).order_by("-created_at", "-pk")


def member_feed_key(member: User) -> FeedKey | None:
    return FeedKey.objects.filter(member=member).first()


def public_comments(topic: Topic) -> QuerySet[Comment]:
    """Published comments of the public discussion: never a class's space, never a held or hidden one."""
    return Comment.objects.published().filter(topic=topic, classroom__isnull=True)


def topic_feed_comments(topic: Topic) -> list[Comment]:
    """The newest FEED_ITEMS public comments of `topic`, with their authors: one query."""
    return list(public_comments(topic).select_related("author").order_by("-created_at", "-pk")[:FEED_ITEMS])


def feed_member(secret: str) -> User | None:
    """The member whose notifications-feed secret this is (`.feed_key` loaded); None for a wrong or replaced one."""
    key = FeedKey.objects.select_related("member").filter(secret=secret, member__is_active=True).first()
    return key.member if key else None


def feed_notifications(member: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=member).order_by("-created_at", "-pk")[:FEED_ITEMS])
