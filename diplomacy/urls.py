from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from forum.forms import LoginForm
from forum.views.accounts import ChoosePasswordView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's own views: login (refusing suspended members, with the reason), logout (POST),
    # password change and reset.
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/password_change/", ChoosePasswordView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("lti/", include("forum.urls_lti")),
    path("", include("forum.urls")),
]

# No query, no context processor: the database may be what failed (a restart answers 503, forum/views/errors.py).
handler500 = "forum.views.errors.server_error"
