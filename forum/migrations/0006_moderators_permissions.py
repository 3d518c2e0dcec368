from django.contrib.auth.management import create_permissions
from django.db import migrations

# What the "Moderators" group may do. Moderators are staff, so these are also
# the parts of the admin they can reach.
PERMISSIONS = [
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


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure these exist now.
    app_config = apps.get_app_config("forum")
    app_config.models_module = True  # the migration state's stub lacks it; create_permissions checks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Moderators")
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [("forum", "0005_moderation"), ("auth", "0012_alter_user_first_name_max_length"),
                    ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
