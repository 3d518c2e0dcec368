"""Writes and rules about members."""

import re
import unicodedata

from anyascii import anyascii
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forum.models import Restriction, User
from forum.models.accounts import can_moderate  # noqa: F401 (the rule lives with the model; services use it from here)
from forum.ratelimit import count_action

# Names that would pass for the site's own voice, whatever the case, spacing, digits or look-alike letters.
ROLE_NAMES = {
    "admin",
    "administrator",
    "moderator",
    "mod",
    "moderators",
    "teacher",
    "staff",
    "system",
    "official",
    "forum",
    "peacetalksforum",
    "support",
}


def clean_public_name(value: str, *, field: str) -> str:
    """A name others read: no invisible or direction-changing characters, nothing posing as a role."""
    value = " ".join((value or "").split())
    if any(unicodedata.category(char) in ("Cf", "Cc", "Co", "Cs") for char in value):
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "Use letters, digits, spaces and punctuation only: this name has invisible or "
                        "direction-changing characters."
                    ),
                    code="invisible",
                )
            }
        )
    if re.sub(r"[\W\d_]+", "", anyascii(value).casefold()) in ROLE_NAMES:
        raise ValidationError(
            {
                field: ValidationError(
                    _("This name could be taken for the site's staff: choose another."), code="role_name"
                )
            }
        )
    return value


@transaction.atomic
def sign_up(*, username: str, email: str, display_name: str, password: str, address: str) -> User:
    """A new member, from the sign-up form (its password already checked by Django's validators)."""
    count_action("signup", address)
    clean_public_name(username, field="username")
    display_name = clean_public_name(display_name, field="display_name")
    return User.objects.create_user(username=username, email=email, password=password, display_name=display_name)


@transaction.atomic
def update_account(*, member: User, display_name: str, email: str, email_on_reply: bool) -> User:
    """The member's own settings. The public name is writing in public: not while muted, not for class accounts."""
    display_name = " ".join((display_name or "").split())
    if display_name != member.display_name:
        if member.is_class_account:
            raise PermissionDenied(_("Your teacher chose the name your class sees."))
        ensure_can_write(member)
        member.display_name = clean_public_name(display_name, field="display_name")
    member.email, member.email_on_reply = email, email_on_reply
    member.save(update_fields=["display_name", "email", "email_on_reply"])
    return member


def active_restriction(member: User) -> Restriction | None:
    """The mute or suspension in force for `member`, if any (a suspension wins)."""
    if not member.is_authenticated:
        return None
    return member.restrictions.active().order_by("-kind").first()  # "suspend" > "mute"


def ensure_can_write(member: User) -> None:
    """Raise PermissionDenied, saying why and until when, unless `member` may write."""
    if not member.is_authenticated:
        raise PermissionDenied(_("Log in to take part."))
    restriction = active_restriction(member)
    if restriction is not None:
        raise PermissionDenied(restriction.explanation)
