"""Reads for classes: a member's classes, the roster with participation, the class's comments."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from forum.models import Article, Ballot, Classroom, Comment, Flag, Membership, User
from forum.models.classes import normalise_code

ROSTER_SORTS = {
    "name": ["member__display_name", "member__username"],
    "comments": ["-comment_total", "member__display_name"],
    "replies": ["-reply_total", "member__display_name"],
    "words": ["-words", "member__display_name"],
    "helpful": ["-helpful", "member__display_name"],
    "ballot": ["-ballot_version", "member__display_name"],
    "active": [F("last_active").desc(nulls_last=True), "member__display_name"],
}


def classes_of(member: User) -> QuerySet[Classroom]:
    """The classes `member` teaches or belongs to (not those they were removed from)."""
    if not member.is_authenticated:
        return Classroom.objects.none()
    return (
        Classroom.objects.filter(Q(teacher=member) | Q(memberships__member=member, memberships__removed_at=None))
        .select_related("article", "teacher")
        .distinct()
        .order_by("is_archived", "-created_at")
    )


def class_spaces(member: User, article: Article) -> list[Classroom]:
    """The member's classes on this article: the tabs beside "Everyone" on its topic pages."""
    return list(classes_of(member).filter(article=article).order_by("name", "pk"))


def removed_member_ids(classroom: Classroom) -> QuerySet:
    return Membership.objects.filter(classroom=classroom, removed_at__isnull=False).values("member")


def roster(classroom: Classroom, sort: str = "name") -> QuerySet[Membership]:
    """The class's students with their participation, in one query whatever the class's size.

    Each figure is a subquery of its own, so no join multiplies another.
    """
    in_class = (
        Comment.objects.filter(classroom=classroom, author=OuterRef("member"))
        .exclude(status=Comment.Status.REMOVED)
        .order_by()
        .values("author")
    )

    def total(queryset, expression):
        return Coalesce(
            Subquery(queryset.annotate(value=expression).values("value")), Value(0), output_field=IntegerField()
        )

    ballots = Ballot.objects.filter(member=OuterRef("member"), article=classroom.article_id, is_current=True)
    return (
        Membership.objects.active()
        .filter(classroom=classroom)
        .select_related("member")
        .annotate(
            comment_total=total(in_class.filter(parent__isnull=True), Count("pk")),
            reply_total=total(in_class.filter(parent__isnull=False), Count("pk")),
            words=total(in_class, Sum("word_count")),
            helpful=total(in_class, Sum("helpful_count")),
            ballot_version=Coalesce(Subquery(ballots.values("version")[:1]), Value(0)),
            last_comment=Subquery(in_class.annotate(latest=Max("created_at")).values("latest")),
            last_ballot=Subquery(ballots.values("created_at")[:1]),
            locked_out=locked_out(OuterRef("member__username")),
        )
        # Empty for a student who has neither commented nor voted, so the teacher can spot them.
        .annotate(
            last_active=Greatest(Coalesce("last_comment", "last_ballot"), Coalesce("last_ballot", "last_comment"))
        )
        .order_by(*ROSTER_SORTS.get(sort, ROSTER_SORTS["name"]))
    )


def class_comments(classroom: Classroom) -> QuerySet[Comment]:
    """Every comment of the class's space, oldest first, for the teacher's export."""
    return (
        Comment.objects.filter(classroom=classroom)
        .select_related("author", "topic", "parent__author")
        .order_by("created_at", "pk")
    )


def class_voter_ids(classroom: Classroom) -> QuerySet:
    """The class's students, as the set of voters its results are computed over."""
    return Membership.objects.active().filter(classroom=classroom).values("member")


def prompts_with_counts(classroom: Classroom, topic=None) -> QuerySet:
    """The class's prompts (those of `topic`, or with no topic, when given) with their answer counts."""
    prompts = classroom.prompts.annotate(answers=Count("comments", filter=~Q(comments__status=Comment.Status.REMOVED)))
    if topic is not None:
        prompts = prompts.filter(Q(topic=topic) | Q(topic__isnull=True))
    return prompts.select_related("topic").order_by("created_at", "pk")


def class_by_code(code: str) -> Classroom | None:
    """The class a join link names, while it takes new students: the link page says whose class it is."""
    return (
        Classroom.objects.select_related("teacher")
        .filter(join_code=normalise_code(code), is_open=True, is_archived=False)
        .first()
    )


def class_flagged_comments(classroom: Classroom) -> QuerySet[Comment]:
    """Comments of the class's space with open flags, for the teacher to keep or hide."""
    return (
        Comment.objects.filter(classroom=classroom, status=Comment.Status.PUBLISHED)
        .filter(Exists(Flag.objects.filter(comment=OuterRef("pk"), status=Flag.Status.OPEN)))
        .select_related("author", "topic__article")
        .annotate(open_flags=Count("flags", filter=Q(flags__status=Flag.Status.OPEN)))
        .order_by("created_at", "pk")
    )


def locked_out(username) -> Exists:
    """Whether `username` is locked out now, at any address: as axes counts, the pair's failures
    within the cool-off (summed over browsers) reach the limit."""
    pairs = (
        AccessAttempt.objects.filter(username=username, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    return Exists(pairs)


def class_feed(classroom: Classroom, viewer: User, moderator: bool = False) -> QuerySet[Comment]:
    """The class's comments on every topic that `viewer` may read, newest first, in one query a page.

    Students see published comments and their own; the teacher and moderators (`moderator`) every
    one not deleted by its author. What removed students wrote leaves the feed, as it leaves the
    class's tabs. `author_is_pupil` and `parent_author_is_pupil` say whose full name the teacher sees.
    """
    pupils = Membership.objects.active().filter(classroom=classroom)
    return (
        Comment.objects.filter(classroom=classroom)
        .visible_to(viewer, moderator=moderator)
        .exclude(author__in=removed_member_ids(classroom))
        .select_related("author", "topic", "anchor", "parent__author")
        .annotate(
            author_is_pupil=Exists(pupils.filter(member=OuterRef("author"))),
            parent_author_is_pupil=Exists(pupils.filter(member=OuterRef("parent__author"))),
        )
        .order_by("-created_at", "-pk")
    )
