"""Writes for the API and the feeds: members' API tokens and the key of their notifications feed."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forum.models import ApiToken, FeedKey, User
from forum.models.api import new_token_secret, token_hash
from forum.ratelimit import count_action
from forum.validators import clean_text

MAX_TOKENS = 10


def ensure_may_hold_tokens(member: User) -> None:
    """A class account (a pupil's, made by a teacher) gets no token: a school's tools use the teacher's."""
    if not member.is_authenticated or not member.is_active:
        raise PermissionDenied(_("Log in to manage your API tokens."))
    if member.is_class_account:
        raise PermissionDenied(_("Class accounts cannot have API tokens: ask your teacher."))


@transaction.atomic
def create_api_token(*, member: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `member`; returns it with its secret, which is shown once and never stored."""
    ensure_may_hold_tokens(member)
    name = clean_text(" ".join((name or "").split()), column=ApiToken._meta.get_field("name"), name="name")
    if not name:
        raise ValidationError({"name": ValidationError(_("Name the token, to tell it apart."), code="empty")})
    if ApiToken.objects.filter(member=member).count() >= MAX_TOKENS:
        raise ValidationError(
            _("You have %(most)d tokens already: revoke one first.") % {"most": MAX_TOKENS}, code="too_many"
        )
    count_action("api_token", member.pk)
    secret = new_token_secret()
    token = ApiToken.objects.create(member=member, name=name, key_hash=token_hash(secret), hint=secret[:8])
    return token, secret


@transaction.atomic
def revoke_api_token(*, member: User, token: ApiToken) -> None:
    """Delete `member`'s own token: a request carrying it is refused from now on."""
    if token.member_id != member.pk:
        raise PermissionDenied(_("That token is not yours."))
    token.delete()


@transaction.atomic
def regenerate_feed_key(*, member: User) -> FeedKey:
    """Give `member` a (new) secret notifications-feed address; the old one stops working at once."""
    if not member.is_authenticated or not member.is_active:
        raise PermissionDenied(_("Log in to manage your feed."))
    count_action("api_token", member.pk)
    key, _created = FeedKey.objects.update_or_create(member=member, defaults={"secret": secrets.token_urlsafe(32)})
    return key
