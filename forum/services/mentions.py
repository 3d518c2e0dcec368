"""@mentions: which members a comment names, and telling each of them once.

A comment's mentions are rendered into its HTML when it is saved (one query),
remembered in Mention rows, and told when the comment is published: at once,
or when a moderator approves a comment that waited. An edit tells only the
members it adds; a comment's author is never told of their own name.
"""

from functools import partial

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from forum.markdown import render_with_mentions
from forum.models import Classroom, Comment, Mention, User
from forum.models.discussion import mentionable_q
from forum.services.notifications import notify_mentions


def mentionable(names: list[str], *, classroom: Classroom | None) -> dict[str, User]:
    """The members among `names` (lower-case usernames) an @mention may name in that space: one query."""
    members = (
        User.objects.annotate(lower_username=Lower("username"))
        .filter(mentionable_q(classroom), lower_username__in=names)
        .only("username")
    )
    return {member.lower_username: member for member in members}


def render_comment(*, body: str, classroom: Classroom | None) -> tuple[str, list[User]]:
    """A comment's HTML, its @mentions linked to the members' profiles, and the members it names."""
    found: dict[str, User] = {}

    def links(names):
        found.update(mentionable(names, classroom=classroom))
        return {name: member.get_absolute_url() for name, member in found.items()}

    html, linked = render_with_mentions(body, links)
    return html, [found[name] for name in sorted(linked)]


def record_mentions(*, comment: Comment, members: list[User], new_comment: bool = False) -> None:
    """Remember whom `comment` names; if it is published, tell those not told before (after commit).

    Members named by an earlier version keep their row: an edit that keeps (or
    drops and restores) a name tells nobody again.
    """
    member_ids = {member.pk for member in members} - {comment.author_id}
    if not member_ids:
        return
    known = set()
    if not new_comment:
        known = set(
            Mention.objects.filter(comment=comment, member_id__in=member_ids).values_list("member_id", flat=True)
        )
    new = sorted(member_ids - known)
    if not new:
        return
    published = comment.status == Comment.Status.PUBLISHED
    told_at = timezone.now() if published else None
    Mention.objects.bulk_create(
        [Mention(comment=comment, member_id=pk, notified_at=told_at) for pk in new], ignore_conflicts=True
    )
    if published:
        transaction.on_commit(partial(notify_mentions, comment_id=comment.pk, member_ids=new))


def tell_mentioned(*, comment: Comment) -> None:
    """`comment` is published now (a moderator approved it): tell the members it names who were not told."""
    if comment.status != Comment.Status.PUBLISHED:
        return
    untold = Mention.objects.filter(comment=comment, notified_at=None)
    member_ids = sorted(untold.values_list("member_id", flat=True))
    if member_ids:
        untold.filter(member_id__in=member_ids).update(notified_at=timezone.now())
        transaction.on_commit(partial(notify_mentions, comment_id=comment.pk, member_ids=member_ids))
