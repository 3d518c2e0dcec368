from django.urls import path, register_converter
from django.urls.converters import StringConverter

from forum.views import accounts, classes, content, discussion, feeds, search, tokens, voting


class TextConverter(StringConverter):
    """A path segment without control characters: "%00" in an address is a 404, never a lookup
    (PostgreSQL refuses NUL in text, a 500)."""

    regex = r"[^/\x00-\x1f\x7f-\x9f]+"


register_converter(TextConverter, "text")

app_name = "forum"

urlpatterns = [
    path("", content.home, name="home"),
    path("articles/<slug:article>/", content.article_detail, name="article"),
    path("articles/<slug:article>/faq/", content.faq, name="faq"),
    path("articles/<slug:article>/topics/<slug:topic>/", discussion.topic, name="topic"),
    path("articles/<slug:article>/topics/<slug:topic>/feed/", feeds.TopicCommentsFeed(), name="topic_feed"),
    path("articles/<slug:article>/factors/", voting.results, name="results"),
    path("articles/<slug:article>/factors/results.csv", voting.results_csv, name="results_csv"),
    path("articles/<slug:article>/factors/reasons/", voting.reasons, name="reasons"),
    path("articles/<slug:article>/factors/rank/", voting.ballot, name="ballot"),
    path("articles/<slug:article>/factors/propose/", voting.propose, name="propose_factor"),
    path("articles/<slug:article>/topics/<slug:topic>/comments/", discussion.comment_create, name="comment_create"),
    path("articles/<slug:article>/topics/<slug:topic>/mentions/", discussion.mention_lookup, name="mention_lookup"),
    path("comments/<int:pk>/", discussion.comment_permalink, name="comment"),
    path("comments/<int:pk>/thread/", discussion.comment_thread, name="comment_thread"),
    path("comments/<int:pk>/reply/", discussion.comment_reply, name="comment_reply"),
    path("comments/<int:pk>/edit/", discussion.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", discussion.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/flag/", discussion.comment_flag, name="comment_flag"),
    path("comments/<int:pk>/helpful/", discussion.comment_helpful, name="comment_helpful"),
    path("comments/<int:pk>/history/", discussion.comment_history, name="comment_history"),
    path("comments/<int:pk>/moderate/", discussion.comment_moderate, name="comment_moderate"),
    path("search/", search.search, name="search"),
    path("notifications/", discussion.notifications, name="notifications"),
    path("notifications/feed/<slug:secret>/", feeds.NotificationsFeed(), name="notifications_feed"),
    path("classes/", classes.class_list, name="classes"),
    path("classes/new/", classes.class_create, name="class_create"),
    path("classes/join/", classes.class_join, name="class_join"),
    path("classes/join/<text:code>/", classes.class_join, name="class_join_link"),
    path("classes/<int:pk>/", classes.class_detail, name="class"),
    path("classes/<int:pk>/settings/", classes.class_settings, name="class_settings"),
    path("classes/<int:pk>/students/<int:member>/", classes.class_student, name="class_student"),
    path("classes/<int:pk>/students/<int:member>/password/", classes.class_reset_password, name="class_reset_password"),
    path("classes/<int:pk>/leave/", classes.class_leave, name="class_leave"),
    path("classes/<int:pk>/prompts/", classes.class_prompt, name="class_prompt"),
    path("classes/<int:pk>/accounts/", classes.class_accounts, name="class_accounts"),
    path("classes/<int:pk>/accounts/sheet/", classes.class_sheet, name="class_sheet"),
    path("classes/<int:pk>/export/<str:kind>.csv", classes.class_export, name="class_export"),
    path("classes/<int:pk>/students/<int:member>/unlock/", classes.class_unlock, name="class_unlock"),
    path("classes/<int:pk>/feed/", classes.class_feed_page, name="class_feed"),
    path("classes/<int:pk>/projector/", classes.class_projector, name="class_projector"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/settings/", accounts.account_settings, name="account_settings"),
    path("accounts/settings/tokens/", tokens.api_token_create, name="api_token_create"),
    path("accounts/settings/tokens/<int:pk>/revoke/", tokens.api_token_revoke, name="api_token_revoke"),
    path("accounts/settings/feed/", tokens.feed_key_regenerate, name="feed_key_regenerate"),
    path("members/<text:username>/", accounts.profile, name="profile"),
]
