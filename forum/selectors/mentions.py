"""Reads for @mentions: whom the comment box offers as the member types "@"."""

from django.db.models import Q

from forum.models import Classroom, Comment, Topic, User
from forum.models.discussion import mentionable_q

SUGGESTIONS = 8


def mention_suggestions(*, viewer: User, topic: Topic, classroom: Classroom | None, prefix: str) -> list[User]:
    """Members whose username or public name starts with `prefix`, for `viewer` to mention: one query.

    In a class's space: its teacher and current students. In public: the authors
    of the topic's published public comments, never a class account. Only the
    username and public name are loaded: nothing else about a member leaves here.
    """
    members = User.objects.filter(mentionable_q(classroom)).exclude(pk=viewer.pk)
    if classroom is None:
        authors = Comment.objects.published().filter(topic=topic, classroom=None).values("author")
        members = members.filter(pk__in=authors)
    if prefix:
        members = members.filter(Q(username__istartswith=prefix) | Q(display_name__istartswith=prefix))
    return list(members.only("username", "display_name").order_by("username")[:SUGGESTIONS])
