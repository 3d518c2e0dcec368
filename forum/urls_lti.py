"""LTI 1.3 (forum/views/lti.py): the URLs an administrator types into a learning platform, and the teacher's."""

from django.urls import path

from forum.views import lti

app_name = "lti"

urlpatterns = [
    path("login/", lti.oidc_login, name="login"),
    path("login/<uuid:registration_uuid>/", lti.oidc_login, name="login_for"),
    path("launch/", lti.launch, name="launch"),
    path("jwks.json", lti.jwks, name="jwks"),
    path("config.json", lti.configuration, name="configuration"),
    path("deep-link/", lti.deep_link, name="deep_link"),
    path("classes/<int:pk>/", lti.course_page, name="course"),
    path("classes/<int:pk>/rule/", lti.course_rule, name="course_rule"),
    path("classes/<int:pk>/roster/", lti.course_sync, name="course_sync"),
    path("classes/<int:pk>/grades/", lti.course_grades, name="course_grades"),
]
