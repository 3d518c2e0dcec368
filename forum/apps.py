from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forum")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from forum import caching, models
        from forum.ratelimit import count_failed_login
        from forum.services import classes, lti

        # Every failed login, on any login page, counts towards its address's ceiling.
        user_login_failed.connect(count_failed_login, dispatch_uid="forum.count_failed_login")

        # Whatever changes what readers see, from a service, the admin or a command, makes cached pages stale.
        shown = [
            models.Article,
            models.Topic,
            models.Subsection,
            models.KeyPoint,
            models.FaqEntry,
            models.Factor,
            models.Comment,
            models.HelpfulMark,
            models.Ballot,
            models.Classroom,
            models.Membership,
            models.Prompt,
            models.ModerationSettings,
        ]
        for model in shown:
            post_save.connect(caching.content_changed, sender=model, dispatch_uid=f"content:save:{model.__name__}")
            post_delete.connect(caching.content_changed, sender=model, dispatch_uid=f"content:delete:{model.__name__}")
        m2m_changed.connect(
            caching.content_changed, sender=models.Factor.topics.through, dispatch_uid="content:factor-topics"
        )
        post_save.connect(caching.user_changed, sender=models.User, dispatch_uid="content:user")

        # The end of a lesson's phase sends a course's participation scores, when its teacher asked for that.
        classes.lesson_moved_on.connect(lti.scores_after_phase, dispatch_uid="lti:scores-after-phase")

        # The search index follows every write to what it holds, in the write's own transaction.
        from forum.services import search

        for model in search.KINDS:
            post_save.connect(search.content_saved, sender=model, dispatch_uid=f"search:save:{model.__name__}")
            post_delete.connect(search.content_deleted, sender=model, dispatch_uid=f"search:delete:{model.__name__}")
        post_save.connect(search.comment_saved, sender=models.Comment, dispatch_uid="search:save:Comment")
        post_delete.connect(search.comment_deleted, sender=models.Comment, dispatch_uid="search:delete:Comment")


class ForumAdminConfig(admin_apps.AdminConfig):
    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "forum.admin_site.ForumAdminSite"
