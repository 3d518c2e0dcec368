"""The Django admin: content editing for admins, the moderation desk for moderators."""

from forum.admin import accounts, content, lti, moderation  # noqa: F401  (registers the model admins)
