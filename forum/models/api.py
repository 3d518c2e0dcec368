import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "fpt_"  # noqa: S105 - not a secret: "forum personal token", so a leaked one is recognisable


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(secret: str) -> str:
    """What is stored: SHA-256 of a 256-bit random secret (no salt or slow hash needed for that much entropy)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A member's key to the API. Only its hash is kept: the member sees the secret once, when it is made."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60, help_text=_("What the token is for, to tell tokens apart."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text=_("The secret's first characters."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_id", "-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.hint}…)"


class FeedKey(models.Model):
    """The secret in the address of a member's private notifications feed.

    Kept as it is, unlike an API token: the settings page shows the address
    again, and it only reads the member's own notifications. Regenerating it
    replaces the secret, so the old address is a 404.
    """

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_key")
    secret = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feed key")

    def __str__(self):
        return f"Feed key of {self.member}"
