"""Who may do what: the one place for the rules every write and every class view checks.

Services call the ensure_* functions, so a rule holds whatever a page shows;
pages call the predicates (write_refusal) to decide what to offer.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from forum.models import Article, Classroom, User
from forum.services.accounts import active_restriction, can_moderate


def is_teacher(member: User, classroom: Classroom) -> bool:
    return member.is_authenticated and classroom.teacher_id == member.pk


def is_student(member: User, classroom: Classroom) -> bool:
    return member.is_authenticated and classroom.memberships.active().filter(member=member).exists()


def can_see_class(member: User, classroom: Classroom) -> bool:
    """The class's teacher and students, and site moderators and admins."""
    return is_teacher(member, classroom) or can_moderate(member) or is_student(member, classroom)


def ensure_can_see_class(member: User, classroom: Classroom) -> None:
    if not can_see_class(member, classroom):
        raise PermissionDenied(_("Only the members of this class can see it."))


def ensure_teacher(member: User, classroom: Classroom) -> None:
    """The class's own teacher (or a site admin): no power over other classes."""
    if not (is_teacher(member, classroom) or member.is_superuser):
        raise PermissionDenied(_("Only the teacher of this class can do this."))


def class_write_refusal(member: User, classroom: Classroom) -> str | None:
    """Why `member` may not write in `classroom`'s space now (None: they may)."""
    if not can_see_class(member, classroom):
        return _("Only the members of this class can write in its space.")
    if classroom.is_archived:
        return _("This class is archived: its discussion is read-only.")
    if classroom.is_locked and not is_teacher(member, classroom):
        return _("The teacher has locked this class's discussion for now.")
    return None


def write_refusal(member: User, classroom: Classroom | None) -> str | None:
    """The one rule for every write in a discussion space: why `member` may not write there (None: they may).

    `classroom` None is the public discussion, where class accounts (made by a
    teacher for a pupil) never write. Pages call this to decide what to offer;
    services call ensure_can_write_here, so the rule holds whatever a page shows.
    """
    if not member.is_authenticated:
        return _("Log in to take part.")
    if (restriction := active_restriction(member)) is not None:
        return restriction.explanation
    if classroom is None:
        if member.is_class_account:
            return _("Your account is a class account: you write in your class's discussion only.")
        return None
    return class_write_refusal(member, classroom)


def ensure_can_write_here(member: User, classroom: Classroom | None) -> None:
    if (refusal := write_refusal(member, classroom)) is not None:
        raise PermissionDenied(refusal)


def ensure_class_open(member: User, classroom: Classroom | None) -> None:
    """For what a muted member may still do to their own words (delete): only the class's lock applies."""
    if classroom is not None and (refusal := class_write_refusal(member, classroom)) is not None:
        raise PermissionDenied(refusal)


def ensure_can_rank(member: User, article: Article) -> None:
    """Ranking is closed to a student whose class on this article is locked with its rankings."""
    locked = Classroom.objects.filter(
        Q(is_locked=True) | Q(is_archived=True),
        article=article,
        lock_rankings=True,
        memberships__member=member,
        memberships__removed_at=None,
    )
    if member.is_authenticated and locked.exists():
        raise PermissionDenied(_("Your teacher has locked the ranking for now."))


def can_see_profile(viewer: User, member: User) -> bool:
    """Class accounts are minors' accounts: their profiles are for their classes and the moderators."""
    if not member.is_class_account:
        return True
    if not viewer.is_authenticated:
        return False
    if viewer.pk == member.pk or can_moderate(viewer):
        return True
    their_classes = Classroom.objects.filter(memberships__member=member, memberships__removed_at=None)
    return their_classes.filter(
        Q(teacher=viewer) | Q(memberships__member=viewer, memberships__removed_at=None)
    ).exists()
