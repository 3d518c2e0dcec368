"""Writes and rules about members."""

from django.core.exceptions import PermissionDenied

from forum.models import Restriction, User


def active_restriction(member: User) -> Restriction | None:
    """The mute or suspension in force for `member`, if any (a suspension wins)."""
    if not member.is_authenticated:
        return None
    return member.restrictions.active().order_by("-kind").first()  # "suspend" > "mute"


def ensure_can_write(member: User) -> None:
    """Raise PermissionDenied, saying why and until when, unless `member` may write."""
    if not member.is_authenticated:
        raise PermissionDenied("Log in to take part.")
    restriction = active_restriction(member)
    if restriction is not None:
        raise PermissionDenied(restriction.explanation)


def can_moderate(member: User) -> bool:
    """Site moderators (the "Moderators" group) and admins.

    Only staff can be moderators, so for everyone else this costs no query.
    """
    return member.is_authenticated and member.is_staff and member.has_perm("forum.moderate_comment")
