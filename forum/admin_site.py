import re
from functools import wraps

from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forum.forms import AdminLoginForm
from forum.models import Comment

# The forum's models in the order a moderator works through them; the rest follow alphabetically.
FORUM_ORDER = [
    "ModerationQueueItem",
    "Comment",
    "Flag",
    "Restriction",
    "Factor",
    "ModerationLog",
    "ModerationSettings",
    "User",
    "Classroom",
    "Article",
    "Topic",
    "KeyPoint",
    "FaqEntry",
    "Ballot",
]


def is_id(value) -> bool:
    """Whether `value` can be the id of a row: a whole number any database's bigint holds."""
    return re.fullmatch(r"[0-9]{1,18}", str(value)) is not None


class ForumAdminSite(admin.AdminSite):
    site_header = _("Peace Talks Forum administration")
    site_title = _("Peace Talks Forum admin")
    index_title = _("Moderation and content")
    login_form = AdminLoginForm

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] == "forum":
                app["models"].sort(
                    key=lambda model: (
                        FORUM_ORDER.index(model["object_name"]) if model["object_name"] in FORUM_ORDER else 99,
                        model["name"],
                    )
                )
        apps.sort(key=lambda app: app["app_label"] != "forum")  # the forum first
        for app in apps:
            for model in app["models"]:
                if model["object_name"] == "ModerationQueueItem":
                    model["name"] = gettext("Needs attention (%(count)s)") % {
                        "count": Comment.objects.needing_attention().count()
                    }
        return apps

    def admin_view(self, view, cacheable=False):
        """Every admin view, with a POST's selected rows that are not ids left out before an action runs.

        Django's changelist looks the selected ids up as they come: "abc" (or, on
        SQLite, a 20-digit number) would be a 500 instead of "no items selected".
        """
        view = super().admin_view(view, cacheable)

        @wraps(view)
        def ids_only(request, *args, **kwargs):
            if request.method == "POST" and helpers.ACTION_CHECKBOX_NAME in request.POST:
                selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
                if not all(map(is_id, selected)):
                    post = request.POST.copy()
                    post.setlist(helpers.ACTION_CHECKBOX_NAME, [value for value in selected if is_id(value)])
                    request.POST = post
            return view(request, *args, **kwargs)

        return ids_only
