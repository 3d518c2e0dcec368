"""/api/v1/: the API (forum/views/api.py), its OpenAPI 3 schema and its documentation page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from forum.views import api

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own: our CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("articles/", api.article_list, name="articles"),
    path("articles/<slug:article>/topics/", api.topic_list, name="topics"),
    path("articles/<slug:article>/topics/<slug:topic>/", api.topic_view, name="topic"),
    path("articles/<slug:article>/topics/<slug:topic>/comments/", api.topic_comments, name="topic_comments"),
    path("articles/<slug:article>/factors/", api.factor_list, name="factors"),
    path("articles/<slug:article>/results/", api.results, name="results"),
    path("articles/<slug:article>/ballot/", api.ballot, name="ballot"),
    path("comments/<int:pk>/", api.comment_view, name="comment"),
    path("comments/<int:pk>/replies/", api.comment_replies, name="comment_replies"),
    path("classes/<int:pk>/results/", api.class_results, name="class_results"),
    path("classes/<int:pk>/roster/", api.class_roster, name="class_roster"),
    # Any other address ending in "/" is a JSON 404; one without it is still redirected to its "/" first.
    re_path(r"^(?P<path>(?:.*/)?)$", api.not_found),
]
