from django.contrib import admin

from forum.forms import AdminLoginForm
from forum.models import Comment

# The forum's models in the order a moderator works through them; the rest follow alphabetically.
FORUM_ORDER = ["ModerationQueueItem", "Comment", "Flag", "Restriction", "Factor", "ModerationLog",
               "ModerationSettings", "User", "Classroom", "Article", "Topic", "KeyPoint", "FaqEntry", "Ballot"]


class ForumAdminSite(admin.AdminSite):
    site_header = "Peace Talks Forum administration"
    site_title = "Peace Talks Forum admin"
    index_title = "Moderation and content"
    login_form = AdminLoginForm

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] == "forum":
                app["models"].sort(key=lambda model: (
                    FORUM_ORDER.index(model["object_name"]) if model["object_name"] in FORUM_ORDER else 99,
                    model["name"],
                ))
        apps.sort(key=lambda app: app["app_label"] != "forum")  # the forum first
        for app in apps:
            for model in app["models"]:
                if model["object_name"] == "ModerationQueueItem":
                    model["name"] = f"Needs attention ({Comment.objects.needing_attention().count()})"
        return apps
