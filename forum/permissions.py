"""What the "Moderators" group may do: one list, for the migration that creates the group and for tests.

Moderators are staff, so these are also the parts of the admin they reach.
"""

MODERATOR_PERMISSIONS = [
    ("forum", "moderate_comment"),
    ("forum", "view_moderationqueueitem"),
    ("forum", "view_comment"),
    ("forum", "view_commentrevision"),
    ("forum", "view_flag"),
    ("forum", "change_flag"),
    ("forum", "view_factor"),
    ("forum", "change_factor"),
    ("forum", "view_restriction"),
    ("forum", "add_restriction"),
    ("forum", "change_restriction"),
    ("forum", "view_moderationlog"),
    ("forum", "view_user"),
]


def grant_moderator_permissions(group_model, permission_model) -> None:
    """Create the "Moderators" group if needed and give it exactly MODERATOR_PERMISSIONS."""
    group, _ = group_model.objects.get_or_create(name="Moderators")
    group.permissions.set(
        [
            permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in MODERATOR_PERMISSIONS
        ]
    )
