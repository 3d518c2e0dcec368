from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Forum"
    default_auto_field = "django.db.models.BigAutoField"


class ForumAdminConfig(admin_apps.AdminConfig):
    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "forum.admin_site.ForumAdminSite"
