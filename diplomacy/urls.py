from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Peace Talks Forum administration"
admin.site.site_title = "Peace Talks Forum admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's own views: login, logout (POST), password change and reset.
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("forum.urls")),
]
