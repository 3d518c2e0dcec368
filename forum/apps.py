from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_login_failed


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Forum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from forum.ratelimit import count_failed_login

        # Every failed login, on any login page, counts towards its address's ceiling.
        user_login_failed.connect(count_failed_login, dispatch_uid="forum.count_failed_login")


class ForumAdminConfig(admin_apps.AdminConfig):
    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "forum.admin_site.ForumAdminSite"
