from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from forum.forms import LoginForm
from forum.views.accounts import ChoosePasswordView
from forum.views.languages import choose_language

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's own views: login (refusing suspended members, with the reason), logout (POST),
    # password change and reset.
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/password_change/", ChoosePasswordView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("forum.urls_api")),
    # Django's set_language (as django.conf.urls.i18n names it), behind the footer's language switch.
    path("i18n/setlang/", choose_language, name="set_language"),
    path("lti/", include("forum.urls_lti")),
    path("", include("forum.urls")),
]

# No query, no context processor: the database may be what failed (a restart answers 503, forum/views/errors.py).
handler500 = "forum.views.errors.server_error"
