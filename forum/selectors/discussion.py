"""Reads for the discussion: a topic's thread, a comment's place in it, a member's comments."""

from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber

from forum.models import Classroom, Comment, Notification, Subsection, Topic, User
from forum.models.discussion import MAX_DISPLAY_DEPTH, visible_q
from forum.selectors.classes import removed_member_ids

THREADS_PER_PAGE = 20
REPLIES_SHOWN = 3  # per thread on a topic page; the rest on the thread's own page, or loaded in place
THREAD_PAGE_REPLIES = 100
SORTS = {
    "newest": ["-created_at", "-pk"],
    "oldest": ["created_at", "pk"],
    "helpful": ["-helpful_count", "-created_at", "-pk"],
}
DEFAULT_SORT = "oldest"


@dataclass
class Thread:
    page: Page
    sort: str
    about: Subsection | None
    comment_count: int

    @property
    def page_range(self):
        """Page numbers to link: the first, the last and two either side of this one, "…" between."""
        return self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1)


def subsections_with_comment_counts():
    return Subsection.objects.annotate(
        # Public comments only: a class's space is private, its numbers too.
        comment_count=Count(
            "comments", filter=Q(comments__status=Comment.Status.PUBLISHED, comments__classroom__isnull=True)
        )
    ).order_by("position", "pk")


def in_space(comments: QuerySet[Comment], classroom: Classroom | None) -> QuerySet[Comment]:
    """The public discussion, or one class's; a class hides what removed students wrote."""
    if classroom is None:
        return comments.filter(classroom__isnull=True)
    return comments.filter(classroom=classroom).exclude(author__in=removed_member_ids(classroom))


def thread_roots(
    *,
    topic: Topic,
    viewer: User,
    about: Subsection | None = None,
    moderator: bool = False,
    classroom: Classroom | None = None,
) -> QuerySet[Comment]:
    """Top-level comments on `topic` that `viewer` sees, in full or as a placeholder kept for its replies."""
    has_replies = Exists(Comment.objects.filter(root=OuterRef("pk")).visible_to(viewer, moderator=moderator))
    roots = in_space(Comment.objects.filter(topic=topic, parent__isnull=True), classroom).filter(
        visible_q(viewer, moderator=moderator) | Q(has_replies)
    )
    if about is not None:
        roots = roots.filter(anchor=about)
    return roots


def structural(comments: QuerySet[Comment], viewer: User, moderator: bool) -> QuerySet[Comment]:
    """The replies a thread shows: those `viewer` may read, and placeholders that keep a visible reply readable."""
    visible_child = Exists(Comment.objects.filter(parent=OuterRef("pk")).visible_to(viewer, moderator=moderator))
    return comments.filter(visible_q(viewer, moderator=moderator) | Q(visible_child))


def thread_replies(
    *, roots: list[Comment], viewer: User, moderator: bool, classroom: Classroom | None, first: int | None = None
) -> QuerySet[Comment]:
    """The replies under `roots` in thread order; with `first`, only each thread's first ones (one query)."""
    replies = structural(
        in_space(Comment.objects.filter(root__in=[root.pk for root in roots]), classroom), viewer, moderator
    )
    if first is not None:
        replies = replies.annotate(
            place=Window(RowNumber(), partition_by=[F("root")], order_by=[F("created_at").asc(), F("pk").asc()])
        ).filter(place__lte=first)
    return (
        replies.select_related("author", "anchor", "parent__author")
        .with_viewer_marks(viewer)
        .with_author_roles()
        .order_by("created_at", "pk")
    )


def reply_totals(viewer: User, moderator: bool, classroom: Classroom | None):
    """Per thread, how many replies `viewer` may read: what "Show N more replies" counts from."""
    replies = in_space(Comment.objects.filter(root=OuterRef("pk")), classroom).visible_to(viewer, moderator=moderator)
    return Coalesce(Subquery(replies.order_by().values("root").annotate(total=Count("pk")).values("total")), 0)


def topic_thread(
    *,
    topic: Topic,
    viewer: User,
    sort: str,
    page_number,
    about: Subsection | None = None,
    moderator: bool = False,
    classroom: Classroom | None = None,
) -> Thread:
    """One page of `topic`'s threads, each with its first replies: the same 3 queries whatever their number,
    and a bounded page: THREADS_PER_PAGE threads, REPLIES_SHOWN replies each, then "Show N more replies".

    Queries: the count of threads, the page of top-level comments (with their reply totals), their first replies.
    """
    sort = sort if sort in SORTS else DEFAULT_SORT
    roots = (
        thread_roots(topic=topic, viewer=viewer, about=about, moderator=moderator, classroom=classroom)
        .select_related("author", "anchor")
        .with_viewer_marks(viewer)
        .with_author_roles()
        .annotate(reply_total=reply_totals(viewer, moderator, classroom))
        .order_by(*SORTS[sort])
    )
    page = Paginator(roots, THREADS_PER_PAGE).get_page(page_number)
    page.object_list = list(page.object_list)
    replies = list(
        thread_replies(
            roots=page.object_list, viewer=viewer, moderator=moderator, classroom=classroom, first=REPLIES_SHOWN
        )
    )
    attach_replies(page.object_list, replies, viewer, moderator=moderator)
    shown = Counter(reply.root_id for reply in replies if reply.shown)
    for root in page.object_list:
        root.more_replies = max(root.reply_total - shown[root.pk], 0)
    return Thread(page=page, sort=sort, about=about, comment_count=page.paginator.count)


def single_thread(*, root: Comment, viewer: User, moderator: bool, page_number) -> Page:
    """A thread's replies, a page at a time (THREAD_PAGE_REPLIES), attached under `root`."""
    replies = thread_replies(roots=[root], viewer=viewer, moderator=moderator, classroom=root.classroom)
    page = Paginator(replies, THREAD_PAGE_REPLIES).get_page(page_number)
    page.object_list = list(page.object_list)
    attach_replies([root], page.object_list, viewer, moderator=moderator)
    root.more_replies = 0
    return page


def attach_replies(roots: list[Comment], replies: list[Comment], viewer: User, *, moderator: bool = False) -> None:
    """Give each comment `.children` to show under it, three levels deep at most.

    A reply deeper than the third level is shown under its third-level ancestor
    ("in reply to NAME"); so is a reply whose parent is not among `replies` (on
    an earlier page of a long thread), under its thread's first comment. A
    deleted or hidden reply stays as a placeholder only if something visible
    hangs below it.
    """
    by_id = {comment.pk: comment for comment in [*roots, *replies]}
    for comment in by_id.values():
        comment.children = []
        comment.shown = comment.shown_to(viewer, moderator=moderator)
    for reply in replies:  # oldest first, so a parent's visibility is settled before its children
        parent = by_id.get(reply.parent_id)
        holder = parent
        while holder is not None and holder.depth >= MAX_DISPLAY_DEPTH:
            holder = by_id.get(holder.parent_id)
        if holder is None:
            holder = by_id.get(reply.root_id)
        reply.in_reply_to = reply.parent.author if holder is not parent and reply.depth > 1 else None
        if holder is not None:
            holder.children.append(reply)
    for comment in reversed(list(by_id.values())):
        comment.has_visible_descendant = any(c.shown or c.has_visible_descendant for c in comment.children)


def reply_place(reply: Comment, viewer: User, moderator: bool) -> int:
    """Where `reply` comes in its thread (1 for the first reply), counting what the viewer is shown."""
    earlier = structural(in_space(Comment.objects.filter(root=reply.root_id), reply.classroom), viewer, moderator)
    before = Q(created_at__lt=reply.created_at) | Q(created_at=reply.created_at, pk__lt=reply.pk)
    return earlier.filter(before).count() + 1


def comment_page_number(comment: Comment, viewer: User) -> int:
    """The page of the default-sorted thread on which `comment`'s thread starts."""
    root = comment.root or comment
    earlier = thread_roots(topic=root.topic, viewer=viewer, classroom=root.classroom).filter(
        Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk)
    )
    return earlier.count() // THREADS_PER_PAGE + 1


def member_comments(*, member: User, viewer: User) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(author=member, classroom__isnull=True)  # class spaces are private
        .visible_to(viewer)
        .select_related("topic__article")
        .order_by("-created_at", "-pk")
    )


def unread_notification_count(member: User) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()
