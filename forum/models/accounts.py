from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class User(AbstractUser):
    """A member. The display name, where set, is shown instead of the username."""

    display_name = models.CharField(
        max_length=60, blank=True, help_text="Shown beside your comments instead of your username."
    )
    email_on_reply = models.BooleanField(
        "email me when someone replies to my comments", default=False,
    )

    class Meta:
        constraints = [
            # Email is optional (pupils' accounts have none), but never shared:
            # password reset must reach exactly one account.
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_unique"
            ),
        ]

    def __str__(self):
        return self.public_name

    def get_absolute_url(self):
        return reverse("forum:profile", args=[self.username])

    @property
    def public_name(self) -> str:
        return self.display_name or self.username
