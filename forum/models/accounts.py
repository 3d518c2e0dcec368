from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def can_moderate(member) -> bool:
    """Site moderators (the "Moderators" group) and admins.

    Only staff can be moderators, so for everyone else this costs no query.
    """
    return member.is_authenticated and member.is_staff and member.has_perm("forum.moderate_comment")


class User(AbstractUser):
    """A member. The display name, where set, is shown instead of the username."""

    display_name = models.CharField(
        max_length=60, blank=True, help_text=_("Shown beside your comments instead of your username.")
    )
    email_on_reply = models.BooleanField(
        _("email me when someone replies to my comments"),
        default=False,
    )
    must_change_password = models.BooleanField(
        default=False,
        help_text=_("Set for accounts a teacher created: a new password is chosen at first login."),
    )
    created_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The teacher who created this pupil account, if one did."),
    )
    trusted_teacher = models.BooleanField(
        default=False,
        help_text=_(
            "Set by a moderator: the ballots of the class accounts this teacher created count in "
            "everyone's results, not only in their class's."
        ),
    )
    session_generation = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_("Raised to end every session of the member at once."),
    )

    class Meta:
        constraints = [
            # Email is optional (pupils' accounts have none), but never shared:
            # password reset must reach exactly one account.
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="user_email_unique"),
        ]

    def __str__(self):
        return self.public_name

    def get_absolute_url(self):
        return reverse("forum:profile", args=[self.username])

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def is_class_account(self) -> bool:
        """An account a teacher made for a pupil: it writes only in its classes and stays private."""
        return self.created_by_id is not None

    @property
    def full_name(self) -> str:
        """The name as the teacher typed it, for the teacher's pages; the public name for everyone else."""
        return self.get_full_name() or self.public_name

    def _get_session_auth_hash(self, secret=None):
        # Django checks this hash on every request; raising the generation
        # (on suspension) invalidates every session of the member at once,
        # with no query of its own. Generation 0 keeps Django's own hash.
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "forum.User.session", f"{self.password}:{self.session_generation}", secret=secret, algorithm="sha256"
        ).hexdigest()
